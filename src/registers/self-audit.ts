import { z } from "zod";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { isIsoDate, londonDateOf } from "../calendar/dates.ts";
import { notFound } from "../platform/errors.ts";
import { readForm } from "../platform/forms.ts";
import { detailsOf, KIND_NAMES, type RegisterKind, isUuid } from "./register-kinds.ts";
import { auditOfRegister, EntryFormError, entryOf, type RegisterEntry } from "./registers.ts";
import { ALL_QUESTIONS, AUDIT_AREAS, RAG, type AuditArea } from "./self-audit-questions.ts";

/*
 * The compliance self-audit: each question answered red, amber or green, with its evidence (a
 * register entry, or where the proof is kept) and, unless green, an action with an owner and a
 * date. Audits are register entries (the next one due is the review date), so progress shows
 * from one audit to the next.
 */

export interface AuditAnswer {
  rag: "red" | "amber" | "green";
  evidenceEntryId: string;
  evidence: string;
  action: string;
  actionOwner: string;
  actionDueOn: string;
}

export interface RagCounts {
  red: number;
  amber: number;
  green: number;
  unanswered: number;
}

const answersOf = (details: Record<string, unknown>) => (details["answers"] ?? {}) as Record<string, AuditAnswer | undefined>;

export function ragCounts(details: Record<string, unknown>, questionIds: readonly string[] = ALL_QUESTIONS.map((question) => question.id)): RagCounts {
  const answers = answersOf(details);
  const counts: RagCounts = { red: 0, amber: 0, green: 0, unanswered: 0 };
  for (const id of questionIds) counts[answers[id]?.rag ?? "unanswered"] += 1;
  return counts;
}

/** The red answers of an audit, with their actions: what the governors' report lists. */
export function redItems(details: Record<string, unknown>): { question: string; area: string; action: string; actionOwner: string; actionDueOn: string }[] {
  const answers = answersOf(details);
  return ALL_QUESTIONS.filter((question) => answers[question.id]?.rag === "red").map((question) => ({ question: question.text, area: question.areaName, action: answers[question.id]!.action, actionOwner: answers[question.id]!.actionOwner, actionDueOn: answers[question.id]!.actionDueOn }));
}

export interface AuditView {
  entry: RegisterEntry;
  areas: { id: string; name: string; counts: RagCounts; questions: { id: string; text: string; answer: AuditAnswer | undefined; evidenceTitle: string | null; evidencePath: string | null }[] }[];
  totals: RagCounts;
  /** The audits of the same organisation, oldest first, with their counts: progress over time. */
  history: { id: string; title: string; createdOn: string; counts: RagCounts; current: boolean }[];
}

export async function auditView(ctx: Context, id: string): Promise<AuditView> {
  const entry = await entryOf(ctx, "audit", id);
  const { evidence, history } = await inActorScope(ctx, async (trx) => {
    const entries = await trx.selectFrom("registerEntries").select(["id", "kind", "title"]).where("orgId", "=", entry.organisationId).execute();
    const audits = await trx.selectFrom("registerEntries").select(["id", "title", "details", "createdAt"]).where("orgId", "=", entry.organisationId).where("kind", "=", "audit").where("status", "!=", "retired").orderBy("createdAt").execute();
    return {
      evidence: new Map(entries.map((row) => [row.id, { title: row.title, path: `/registers/${KIND_NAMES[row.kind as RegisterKind]?.path ?? row.kind}/${row.id}` }])),
      history: audits.map((row) => ({ id: row.id, title: row.title, createdOn: londonDateOf(new Date(row.createdAt)), counts: ragCounts(detailsOf(row.details)), current: row.id === entry.id })),
    };
  });
  const answers = answersOf(entry.details);
  return {
    entry,
    areas: AUDIT_AREAS.map((area) => ({
      id: area.id, name: area.name, counts: ragCounts(entry.details, area.questions.map((question) => question.id)),
      questions: area.questions.map((question) => {
        const answer = answers[question.id];
        const linked = answer?.evidenceEntryId ? evidence.get(answer.evidenceEntryId) : undefined;
        return { id: question.id, text: question.text, answer, evidenceTitle: linked?.title ?? null, evidencePath: linked?.path ?? null };
      }),
    })),
    totals: ragCounts(entry.details),
    history,
  };
}

export const areaOf = (areaId: string): AuditArea | undefined => AUDIT_AREAS.find((area) => area.id === areaId);

/** One area's answers, as the form names them: <question>-rag, -evidenceEntryId, -evidence, -action, -actionOwner, -actionDueOn. */
function areaSchema(area: AuditArea) {
  const shape: Record<string, z.ZodType> = {};
  for (const question of area.questions) {
    shape[`${question.id}-rag`] = z.enum(RAG.map((item) => item.id) as [string, ...string[]], { error: "Select red, amber or green" });
    shape[`${question.id}-evidenceEntryId`] = z.string().optional().transform((value) => value ?? "").refine((value) => value === "" || isUuid(value), { error: "Select the evidence from the list" });
    shape[`${question.id}-evidence`] = z.string().trim().max(1000, { error: "The evidence must be 1,000 characters or fewer" }).optional().transform((value) => value ?? "");
    shape[`${question.id}-action`] = z.string().trim().max(2000, { error: "The action must be 2,000 characters or fewer" }).optional().transform((value) => value ?? "");
    shape[`${question.id}-actionOwner`] = z.string().trim().max(200, { error: "The action’s owner must be 200 characters or fewer" }).optional().transform((value) => value ?? "");
    shape[`${question.id}-actionDueOn`] = z.string().trim().optional().transform((value) => value ?? "").refine((value) => value === "" || isIsoDate(value), { error: "The action’s date must be a real date, for example 31 8 2027" });
  }
  return z.object(shape).superRefine((answers, context) => {
    for (const question of area.questions) {
      const rag = answers[`${question.id}-rag`];
      const problem = (field: string, message: string) => context.addIssue({ code: "custom", path: [`${question.id}-${field}`], message });
      if (rag && rag !== "green") {
        if (!answers[`${question.id}-action`]) problem("action", "Enter the action that would make it green");
        if (!answers[`${question.id}-actionOwner`]) problem("actionOwner", "Enter who owns the action");
        if (!answers[`${question.id}-actionDueOn`]) problem("actionDueOn", "Enter the date the action is due");
      }
    }
  });
}

export async function saveAuditArea(ctx: Context, id: string, areaId: string, form: unknown): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  const area = areaOf(areaId);
  if (!area) throw notFound();
  const parsed = readForm(areaSchema(area), form);
  if (!parsed.ok) throw new EntryFormError(parsed.errors, parsed.values);
  const data = parsed.data as Record<string, string>;
  await inActorScope(ctx, async (trx) => {
    const row = await trx.selectFrom("registerEntries").selectAll().where("orgId", "in", ctx.actor.organisationIds).where("id", "=", id).where("kind", "=", "audit").forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    const linked = area.questions.map((question) => data[`${question.id}-evidenceEntryId`]).filter((value): value is string => Boolean(value));
    if (linked.length) {
      const found = await trx.selectFrom("registerEntries").select("id").where("orgId", "=", row.orgId).where("id", "in", linked).execute();
      const missing = area.questions.find((question) => data[`${question.id}-evidenceEntryId`] && !found.some((entry) => entry.id === data[`${question.id}-evidenceEntryId`]));
      if (missing) throw new EntryFormError({ [`${missing.id}-evidenceEntryId`]: "Select the evidence from the list" }, {});
    }
    const details = detailsOf(row.details);
    const answers = { ...answersOf(details) };
    for (const question of area.questions) {
      answers[question.id] = {
        rag: data[`${question.id}-rag`] as AuditAnswer["rag"], evidenceEntryId: data[`${question.id}-evidenceEntryId`] ?? "", evidence: data[`${question.id}-evidence`] ?? "",
        action: data[`${question.id}-action`] ?? "", actionOwner: data[`${question.id}-actionOwner`] ?? "", actionDueOn: data[`${question.id}-actionDueOn`] ?? "",
      };
    }
    await trx.updateTable("registerEntries").set({ details: JSON.stringify({ ...details, answers }), version: row.version + 1, changedAt: ctx.services.clock.now(), changedBy: ctx.actor.userId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.change", row.id));
  });
}

/** An area's saved answers as the form's boxes. */
export function areaValues(view: AuditView, areaId: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const question of view.areas.find((area) => area.id === areaId)?.questions ?? []) {
    for (const [field, value] of Object.entries(question.answer ?? {})) values[`${question.id}-${field}`] = String(value);
  }
  return values;
}
