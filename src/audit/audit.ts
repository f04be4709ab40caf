import { createHash, randomUUID } from "node:crypto";
import { sql, type Kysely, type Selectable } from "kysely";
import type { AuditEventTable, Database } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";

/** Every kind of event the trail records. Reads of personal data are events too. */
export type AuditAction =
  | "licence.register"
  | "school.add"
  | "user.create"
  | "user.deactivate"
  | "role.grant"
  | "ownership.transfer"
  | "user.list"
  | "user.view"
  | "password.set"
  | "session.start"
  | "session.end"
  | "session.end-others"
  | "session.confirm"
  | "session.end-all"
  | "sign-in.refused"
  | "sign-in.locked"
  | "two-factor.enable"
  | "two-factor.refused"
  | "two-factor.recovery-code-used"
  | "two-factor.reset"
  | "two-factor.recovery-codes-replace"
  | "organisation.settings-change"
  | "account.view"
  | "account.name-change"
  | "account.email-change-request"
  | "account.email-change"
  | "account.export"
  | "account.erasure-request"
  | "password-reset.request"
  | "outbox.read"
  | "audit.read"
  | "audit.export"
  | "case.log"
  | "case.list"
  | "case.view"
  | "case.export"
  | "case.assign"
  | "case.status"
  | "case.clock-stop"
  | "case.clock-restart"
  | "case.extend"
  | "case.note"
  | "case.close"
  | "case.reopen"
  | "case.correct"
  | "case.breach-assess"
  | "case.attach"
  | "case.attachment-download"
  | "case.attachment-remove"
  | "report.view"
  | "calendar.change"
  | "calendar.terms-import";

/** Where a request came from: recorded with each event (never in the application log). */
export interface RequestMeta {
  ip: string | undefined;
  userAgent: string | undefined;
}

export interface AuditEntry {
  /** Whose trail the event belongs to: the organisation that holds the record. */
  organisationId: string;
  actorUserId: string | null;
  action: AuditAction;
  recordType?: "organisation" | "user" | "email" | "audit" | "case";
  recordId?: string;
  meta?: RequestMeta | undefined;
  at: Date;
}

/** The hash before the first event of every chain. */
export const GENESIS_HASH = "0".repeat(64);

/** Everything an event's hash covers: all its columns but the hashes themselves. */
type ChainedFields = Omit<Selectable<AuditEventTable>, "previousHash" | "hash">;

/** SHA-256 over the previous hash and every field of the event, in a fixed order. */
export function eventHash(previousHash: string, event: ChainedFields): string {
  const canonical = JSON.stringify([
    event.orgId,
    event.seq,
    event.id,
    event.occurredAt.toISOString(),
    event.actorUserId,
    event.action,
    event.recordType,
    event.recordId,
    event.ip,
    event.userAgent,
  ]);
  return createHash("sha256").update(`${previousHash}\n${canonical}`).digest("hex");
}

/**
 * Appends an event to its organisation's chain, inside the caller's transaction, so the event
 * exists if and only if what it records does. Events of one organisation are appended one at a
 * time (a transaction-scoped advisory lock), so the chain never forks under concurrent requests.
 */
export async function recordAudit(trx: Tx, entry: AuditEntry): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${entry.organisationId}`}, 0))`.execute(trx);
  const last = await trx
    .selectFrom("auditEvents")
    .select(["seq", "hash"])
    .where("orgId", "=", entry.organisationId)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const fields: ChainedFields = {
    orgId: entry.organisationId,
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    occurredAt: entry.at,
    actorUserId: entry.actorUserId,
    action: entry.action,
    recordType: entry.recordType ?? null,
    recordId: entry.recordId ?? null,
    ip: entry.meta?.ip?.slice(0, 64) ?? null,
    userAgent: entry.meta?.userAgent?.slice(0, 300) ?? null,
  };
  const previousHash = last?.hash ?? GENESIS_HASH;
  await trx
    .insertInto("auditEvents")
    .values({ ...fields, previousHash, hash: eventHash(previousHash, fields) })
    .execute();
}

/** Actions that only read: what a change's own event already covers when it is the page that follows it. */
const READS = new Set<AuditAction>(["case.view", "case.list", "case.export", "case.attachment-download", "user.view", "user.list", "account.view", "account.export", "audit.read", "audit.export", "outbox.read"]);

/** How soon after a change its redirect lands: the page the form sends the person back to. */
const REDIRECT_WINDOW_MS = 60_000;

/**
 * Records a view of a record, except on the page a person is sent back to by their own change
 * (POST, then redirect to the record, which says so with `afterOwnChange`): when the record's
 * latest event is that same person's change, made moments ago, it already says who had the record
 * open and when, and a "looked at it" after every change would bury the reads that matter.
 * The marker alone is not trusted (it is in the address): the change must be in the trail.
 */
export async function recordView(trx: Tx, entry: AuditEntry & { recordType: NonNullable<AuditEntry["recordType"]>; recordId: string }, { afterOwnChange = false }: { afterOwnChange?: boolean } = {}): Promise<void> {
  if (afterOwnChange && entry.actorUserId) {
    const last = await trx
      .selectFrom("auditEvents")
      .select(["action", "actorUserId", "occurredAt"])
      .where("orgId", "=", entry.organisationId)
      .where("recordType", "=", entry.recordType)
      .where("recordId", "=", entry.recordId)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    if (
      last &&
      last.actorUserId === entry.actorUserId &&
      !READS.has(last.action as AuditAction) &&
      entry.at.getTime() - new Date(last.occurredAt).getTime() < REDIRECT_WINDOW_MS
    ) {
      return;
    }
  }
  await recordAudit(trx, entry);
}

export interface ChainBreak {
  organisationId: string;
  seq: number;
  reason: string;
}

export interface VerificationReport {
  organisations: number;
  events: number;
  /** The first broken link of each broken chain. */
  breaks: ChainBreak[];
}

/**
 * Re-computes every organisation's chain. Runs as the database owner (an operator's command): it
 * reads only the events, which hold ids and actions, never personal data values.
 */
export async function verifyAuditChains(db: Kysely<Database>): Promise<VerificationReport> {
  const { rows } = await sql<ChainedFields & { previousHash: string; hash: string }>`
    select org_id, seq, id, occurred_at, actor_user_id, action, record_type, record_id, ip, user_agent,
           previous_hash, hash
    from audit_events order by org_id, seq`.execute(db);
  const report: VerificationReport = { organisations: 0, events: rows.length, breaks: [] };
  let organisation: string | undefined;
  let expectedSeq = 1;
  let previousHash = GENESIS_HASH;
  let broken = false;
  for (const row of rows) {
    if (row.orgId !== organisation) {
      organisation = row.orgId;
      report.organisations += 1;
      expectedSeq = 1;
      previousHash = GENESIS_HASH;
      broken = false;
    }
    if (broken) {
      continue;
    }
    const reason =
      row.seq !== expectedSeq
        ? `event ${expectedSeq} is missing`
        : row.previousHash !== previousHash
          ? "does not link to the event before it"
          : row.hash !== eventHash(previousHash, { ...row, seq: Number(row.seq), occurredAt: new Date(row.occurredAt) })
            ? "its contents do not match its hash"
            : undefined;
    if (reason) {
      report.breaks.push({ organisationId: row.orgId, seq: Number(row.seq), reason });
      broken = true;
      continue;
    }
    previousHash = row.hash;
    expectedSeq += 1;
  }
  return report;
}
