import { randomUUID } from "node:crypto";
import { z } from "zod";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise } from "../accounts/permissions.ts";
import { recordAudit, recordAudits } from "../audit/audit.ts";
import { addCalendarMonths, isIsoDate, londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { peopleNames } from "../cases/cases.ts";
import { WORKFLOWS } from "../cases/workflows.ts";
import { readForm } from "../platform/forms.ts";
import { labelOf, type Condition } from "./lawful-bases.ts";
import { isUuid } from "./register-kinds.ts";
import { EntryFormError, auditOfRegister } from "./registers.ts";

/*
 * Retention in practice: the disposal log (what was destroyed, when, how, by whom, on whose
 * authority), and Steward's own closed cases past the period the school's retention schedule
 * gives them, listed for the DPO to approve their destruction. The removal itself (with the
 * organisation's keys) comes with the licence's lifecycle; here are the decision and the log.
 */

export const DISPOSAL_METHODS = [
  { id: "shredded", label: "Shredded (cross-cut) on site" },
  { id: "confidential-waste", label: "Confidential waste contractor" },
  { id: "deleted", label: "Deleted securely from a system" },
  { id: "media-destroyed", label: "Disk or device physically destroyed" },
  { id: "transferred", label: "Transferred (to another school, or the archives)" },
  { id: "other", label: "Another way (say in the evidence)" },
] as const satisfies readonly Condition[];

const disposalSchema = z.object({
  what: z.string().trim().min(1, { error: "Enter what was destroyed" }).max(500, { error: "What was destroyed must be 500 characters or fewer" }),
  disposedOn: z.string().trim().min(1, { error: "Enter the date it was destroyed" }).refine(isIsoDate, { error: "The date it was destroyed must be a real date, for example 31 8 2027" }),
  method: z.enum(DISPOSAL_METHODS.map((method) => method.id) as [string, ...string[]], { error: "Select how it was destroyed" }),
  disposedBy: z.string().trim().min(1, { error: "Enter who destroyed it" }).max(200, { error: "Who destroyed it must be 200 characters or fewer" }),
  authority: z.string().trim().min(1, { error: "Enter on whose authority (for example the retention schedule, or the DPO)" }).max(500, { error: "The authority must be 500 characters or fewer" }),
  retentionEntryId: z.string().optional().transform((value) => value || null).refine((value) => value === null || isUuid(value), { error: "Select the retention rule from the list" }),
  evidence: z.string().trim().max(500, { error: "The evidence must be 500 characters or fewer" }).optional().transform((value) => value || null),
});

export interface DisposalRecord {
  id: string;
  organisationName: string;
  what: string;
  disposedOn: string;
  methodName: string;
  disposedBy: string;
  authority: string;
  retentionTitle: string | null;
  evidence: string | null;
  recordedByName: string | null;
  recordedAt: Date;
}

export async function addDisposal(ctx: Context, organisationId: string, form: unknown): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  const parsed = readForm(disposalSchema, form);
  if (!parsed.ok) throw new EntryFormError(parsed.errors, parsed.values);
  const record = parsed.data;
  if (record.disposedOn > londonDateOf(ctx.services.clock.now())) throw new EntryFormError({ disposedOn: "The date it was destroyed must be today or in the past" }, parsed.ok ? {} : {});
  await inActorScope(ctx, async (trx) => {
    if (record.retentionEntryId && !(await trx.selectFrom("registerEntries").select("id").where("orgId", "=", organisationId).where("kind", "=", "retention").where("id", "=", record.retentionEntryId).executeTakeFirst())) {
      throw new EntryFormError({ retentionEntryId: "Select the retention rule from the list" }, {});
    }
    const id = randomUUID();
    await trx.insertInto("disposalRecords").values({ orgId: organisationId, id, ...record, recordedBy: ctx.actor.userId, recordedAt: ctx.services.clock.now() }).execute();
    await recordAudit(trx, auditOfRegister(ctx, organisationId, "register.disposal"));
  });
}

/** The disposal log, newest first, for one organisation or every one the actor reaches. */
export async function disposalLog(ctx: Context, organisationId?: string, audit: "register.list" | "register.export" = "register.list"): Promise<DisposalRecord[]> {
  authorise(ctx.actor, "registers:view");
  if (organisationId) assertReachable(ctx.actor, organisationId);
  const organisationIds = organisationId ? [organisationId] : ctx.actor.organisationIds;
  return inActorScope(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("disposalRecords as d")
      .leftJoin("registerEntries as r", (join) => join.onRef("r.orgId", "=", "d.orgId").onRef("r.id", "=", "d.retentionEntryId"))
      .select(["d.orgId", "d.id", "d.what", "d.disposedOn", "d.method", "d.disposedBy", "d.authority", "d.evidence", "d.recordedBy", "d.recordedAt", "r.title as retentionTitle"])
      .where("d.orgId", "in", organisationIds)
      .orderBy("d.disposedOn", "desc")
      .orderBy("d.recordedAt", "desc")
      .execute();
    const names = await peopleNames(trx, ctx, rows.map((row) => row.recordedBy));
    for (const id of new Set(rows.map((row) => row.orgId))) await recordAudit(trx, auditOfRegister(ctx, id, audit));
    const organisations = new Map(ctx.actor.reachable.map((organisation) => [organisation.id, organisation.name]));
    return rows.map((row) => ({
      id: row.id, organisationName: organisations.get(row.orgId) ?? "", what: row.what, disposedOn: row.disposedOn, methodName: labelOf(DISPOSAL_METHODS, row.method),
      disposedBy: row.disposedBy, authority: row.authority, retentionTitle: row.retentionTitle, evidence: row.evidence, recordedByName: names.get(row.recordedBy) ?? null, recordedAt: row.recordedAt,
    }));
  });
}

/** Which retention rule's case kind each case type falls under. */
const RECORD_OF_TYPE: Record<CaseType, string> = {
  sar: "sar", rights: "rights", "educational-record": "educational-record", foi: "foi", "foi-school": "foi", eir: "foi", "foi-scotland": "foi", "eir-scotland": "foi",
  breach: "breach", complaint: "complaint", advice: "advice",
};

export interface CasePastRetention {
  caseId: string;
  organisationId: string;
  organisationName: string;
  reference: string;
  typeName: string;
  closedOn: string;
  destroyFrom: string;
  rule: { id: string; title: string; keepMonths: number };
  approved: { byName: string | null; at: Date } | undefined;
}

/**
 * Steward's closed cases whose retention period is over, by the school's retention schedule: a
 * rule in use that names the case's kind and a number of months after closure. Where two rules
 * name the same kind, the longer period holds (the safer mistake).
 */
export async function casesPastRetention(ctx: Context, organisationId?: string): Promise<CasePastRetention[]> {
  authorise(ctx.actor, "registers:view");
  if (organisationId) assertReachable(ctx.actor, organisationId);
  const organisationIds = organisationId ? [organisationId] : ctx.actor.organisationIds;
  const today = londonDateOf(ctx.services.clock.now());
  return inActorScope(ctx, async (trx) => {
    const rules = await trx.selectFrom("registerEntries").select(["orgId", "id", "title", "details"]).where("orgId", "in", organisationIds).where("kind", "=", "retention").where("status", "=", "active").execute();
    const longest = new Map<string, { id: string; title: string; keepMonths: number }>();
    for (const rule of rules) {
      const details = (typeof rule.details === "string" ? JSON.parse(rule.details) : rule.details) as { caseRecords?: string[]; keepMonths?: string };
      const keepMonths = Number(details.keepMonths);
      if (!Number.isInteger(keepMonths) || keepMonths <= 0) continue;
      for (const record of details.caseRecords ?? []) {
        const key = `${rule.orgId}/${record}`;
        if ((longest.get(key)?.keepMonths ?? -1) < keepMonths) longest.set(key, { id: rule.id, title: rule.title, keepMonths });
      }
    }
    if (longest.size === 0) return [];
    const closed = await trx
      .selectFrom("cases as c")
      .leftJoin("caseDestructionApprovals as a", (join) => join.onRef("a.orgId", "=", "c.orgId").onRef("a.caseId", "=", "c.id"))
      .select(["c.orgId", "c.id", "c.reference", "c.type", "c.closedAt", "a.approvedBy", "a.approvedAt"])
      .where("c.orgId", "in", organisationIds)
      .where("c.closedAt", "is not", null)
      .orderBy("c.closedAt")
      .execute();
    const names = await peopleNames(trx, ctx, closed.map((row) => row.approvedBy));
    const organisations = new Map(ctx.actor.reachable.map((organisation) => [organisation.id, organisation.name]));
    const past: CasePastRetention[] = [];
    for (const row of closed) {
      const rule = longest.get(`${row.orgId}/${RECORD_OF_TYPE[row.type as CaseType]}`);
      if (!rule) continue;
      const closedOn = londonDateOf(new Date(row.closedAt!));
      const destroyFrom = addCalendarMonths(closedOn, rule.keepMonths).date;
      if (destroyFrom > today) continue;
      past.push({
        caseId: row.id, organisationId: row.orgId, organisationName: organisations.get(row.orgId) ?? "", reference: row.reference, typeName: WORKFLOWS[row.type as CaseType].name,
        closedOn, destroyFrom, rule, approved: row.approvedAt ? { byName: row.approvedBy ? (names.get(row.approvedBy) ?? null) : null, at: row.approvedAt } : undefined,
      });
    }
    return past;
  });
}

/** The DPO approves the destruction of the chosen cases, each still past its period; the decision is audited on each case. */
export async function approveDestruction(ctx: Context, caseIds: readonly string[]): Promise<number> {
  authorise(ctx.actor, "registers:manage");
  const due = new Map((await casesPastRetention(ctx)).filter((item) => !item.approved).map((item) => [item.caseId, item]));
  const chosen = [...new Set(caseIds)].map((id) => due.get(id)).filter((item): item is CasePastRetention => item !== undefined);
  if (chosen.length === 0) {
    throw new EntryFormError({ caseIds: "Select the cases whose destruction you approve" }, {});
  }
  return inActorScope(ctx, async (trx) => {
    const now = ctx.services.clock.now();
    let approved = 0;
    for (const item of chosen) {
      const row = await trx.insertInto("caseDestructionApprovals").values({ orgId: item.organisationId, caseId: item.caseId, retentionEntryId: item.rule.id, approvedBy: ctx.actor.userId, approvedAt: now }).onConflict((oc) => oc.doNothing()).returning("caseId").executeTakeFirst();
      if (row) approved += 1;
    }
    await recordAudits(trx, chosen.map((item) => ({ organisationId: item.organisationId, actorUserId: ctx.actor.userId, action: "case.destruction-approve" as const, recordType: "case" as const, recordId: item.caseId, meta: ctx.request, at: now })));
    return approved;
  });
}
