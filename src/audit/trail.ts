import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { recordAudit } from "./audit.ts";

export interface AuditFilters {
  userId?: string | undefined;
  recordId?: string | undefined;
  /** Inclusive, as London calendar days turned into instants by the caller. */
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditRow {
  seq: number;
  occurredAt: Date;
  organisationName: string;
  actorUserId: string | null;
  actorName: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  ip: string | null;
  userAgent: string | null;
  hash: string;
}

export const AUDIT_PAGE_LIMIT = 500;

/** The trail of every organisation the actor can reach, newest first, filtered. Reading it is itself recorded. */
export async function listAuditEvents(ctx: Context, filters: AuditFilters, { purpose = "audit.read" }: { purpose?: "audit.read" | "audit.export" } = {}): Promise<AuditRow[]> {
  authorise(ctx.actor, "audit:view");
  return inActorScope(ctx, async (trx) => {
    let query = trx
      .selectFrom("auditEvents as e")
      .innerJoin("organisations as o", "o.id", "e.orgId")
      .leftJoin("users as u", "u.id", "e.actorUserId")
      .select([
        "e.seq",
        "e.occurredAt",
        "o.name as organisationName",
        "e.actorUserId",
        "u.fullName as actorName",
        "u.orgId as actorOrganisationId",
        "e.action",
        "e.recordType",
        "e.recordId",
        "e.ip",
        "e.userAgent",
        "e.hash",
      ]);
    if (filters.userId) query = query.where("e.actorUserId", "=", filters.userId);
    if (filters.recordId) query = query.where("e.recordId", "=", filters.recordId);
    if (filters.from) query = query.where("e.occurredAt", ">=", filters.from);
    if (filters.to) query = query.where("e.occurredAt", "<", filters.to);
    const sealedRows = await query.orderBy("e.occurredAt", "desc").orderBy("e.seq", "desc").limit(AUDIT_PAGE_LIMIT).execute();
    // Each person's sealed name opened once, however many of their events the page shows.
    const names = new Map<string, string>();
    const rows: AuditRow[] = [];
    for (const { actorOrganisationId, actorName, ...row } of sealedRows) {
      let name: string | null = null;
      if (row.actorUserId && actorOrganisationId && actorName) {
        name = names.get(row.actorUserId) ?? (await openPersonalFields(trx, ctx.services.keyring, actorOrganisationId, row.actorUserId, { fullName: actorName })).fullName;
        names.set(row.actorUserId, name);
      }
      rows.push({ ...row, actorName: name });
    }
    await recordAudit(trx, {
      organisationId: ctx.actor.organisation.id,
      actorUserId: ctx.actor.userId,
      action: purpose,
      recordType: "audit",
      meta: ctx.request,
      at: ctx.services.clock.now(),
    });
    return rows;
  });
}

/** The people whose events the actor may filter by: ids and names only, for the filter list. */
export async function listAuditActors(ctx: Context): Promise<{ id: string; fullName: string }[]> {
  authorise(ctx.actor, "audit:view");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).execute();
    const people = [];
    for (const row of rows) {
      people.push({ id: row.id, fullName: (await openPersonalFields(trx, ctx.services.keyring, row.orgId, row.id, row)).fullName });
    }
    return people.sort((a, b) => a.fullName.localeCompare(b.fullName, "en-GB"));
  });
}

/** One record's own history, for its page: what happened to it and who looked at it. */
export async function recordHistory(ctx: Context, recordType: "user", recordId: string): Promise<AuditRow[]> {
  return listAuditEvents(ctx, { recordId }).then((rows) => rows.filter((row) => row.recordType === recordType));
}

/** A spreadsheet cell that cannot run as a formula, quoted as RFC 4180 asks. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(rows: AuditRow[]): string {
  const header = ["time", "organisation", "user", "user id", "action", "record type", "record id", "ip", "user agent", "sequence", "hash"];
  const lines = rows.map((row) =>
    [row.occurredAt.toISOString(), row.organisationName, row.actorName, row.actorUserId, row.action, row.recordType, row.recordId, row.ip, row.userAgent, row.seq, row.hash]
      .map(csvCell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
