import { randomUUID } from "node:crypto";
import { z } from "zod";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { isIsoDate, londonDateOf } from "../calendar/dates.ts";
import { peopleNames } from "../cases/cases.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { notFound } from "../platform/errors.ts";
import { readForm } from "../platform/forms.ts";
import { LIKELIHOODS, MEASURE_EFFECTS, needsPriorConsultation, riskLevel, SEVERITIES, withoutSignOff, type Risk, type RiskLevel } from "./dpia-rules.ts";
import { DERIVED, detailsOf, dpiaSchema, nextReviewFrom, type FormField } from "./register-kinds.ts";
import { auditOfRegister, EntryFormError, entryOf, type RegisterEntry } from "./registers.ts";

/*
 * A DPIA after its screening: the ICO's seven steps (with the CNIL's loop of measuring each risk
 * again after its measures), the DPO's advice, and sign-off. A signed DPIA is frozen: its content
 * is kept as signed, and a change starts a new version; every version stays.
 */

const yesNo = [{ id: "yes", label: "Yes" }, { id: "no", label: "No" }] as const;

/** The steps a DPIA's page lists, in the ICO template's order; risks (steps 5 and 6) have their own page. */
export const DPIA_STEPS = [
  {
    id: "need", number: 1, name: "Identify the need for a DPIA",
    fields: [
      { name: "aims", label: "What the project aims to do", type: "textarea" },
      { name: "typeOfProcessing", label: "The processing it involves", type: "textarea" },
      { name: "whyNeeded", label: "Why a DPIA is needed", hint: "The screening’s answer is on the DPIA’s page: add anything it does not say", type: "textarea", optional: true },
    ],
  },
  {
    id: "processing", number: 2, name: "Describe the processing",
    fields: [
      { name: "nature", label: "Nature", hint: "How the data is collected, used, stored and deleted; its source; who it is shared with", type: "textarea" },
      { name: "scope", label: "Scope", hint: "What data, including special category data; how much, how often, kept how long; how many people; where", type: "textarea" },
      { name: "context", label: "Context", hint: "The relationship with the people; their control and expectations; children or vulnerable people; any concerns", type: "textarea" },
      { name: "purposes", label: "Purposes", hint: "What the school wants to achieve, the effect on the people, the benefits", type: "textarea" },
    ],
  },
  {
    id: "consultation", number: 3, name: "Consultation",
    fields: [
      { name: "consulted", label: "Were the people whose data it is (or their representatives) asked for their views?", hint: "Parents, pupils, staff (Article 35(9))", type: "radios", options: yesNo },
      { name: "consultationDetail", label: "Who was asked, and what they said", hint: "Include staff, the processor, security or other experts", type: "textarea", optional: true },
      { name: "notConsultedWhy", label: "If not, why not", type: "textarea", optional: true },
    ],
  },
  {
    id: "necessity", number: 4, name: "Necessity and proportionality",
    fields: [
      { name: "lawfulBasis", label: "The lawful basis, and whether the processing achieves the purpose", type: "textarea" },
      { name: "alternatives", label: "Is there another way to achieve the same outcome?", type: "textarea" },
      { name: "minimisation", label: "How function creep is prevented, and data quality and minimisation ensured", type: "textarea" },
      { name: "transparency", label: "What people are told, and how their rights are supported", type: "textarea" },
      { name: "processorsAndTransfers", label: "How processors’ compliance is ensured, and any transfers outside the UK safeguarded", type: "textarea", optional: true },
    ],
  },
  {
    id: "signoff", number: 7, name: "Sign off and record outcomes",
    fields: [
      { name: "measuresApprovedBy", label: "Measures approved by", type: "text" },
      { name: "residualApprovedBy", label: "Residual risks approved by", hint: "If any high risk remains, the ICO must be consulted before going ahead", type: "text" },
      { name: "dpoAdvice", label: "The DPO’s advice", hint: "Article 35(2): the DPO’s advice must be sought", type: "textarea" },
      { name: "adviceFollowed", label: "Was the DPO’s advice followed?", type: "radios", options: yesNo },
      { name: "overruledReason", label: "If not, why not", type: "textarea", optional: true },
      { name: "consultationReviewedBy", label: "Consultation responses reviewed by", hint: "If the decision departs from people’s views, say why in the reasons above", type: "text", optional: true },
      { name: "icoConsultation", label: "If a high risk remains: when the ICO was consulted, and its advice", hint: "Article 36: the processing may not start until the ICO has been consulted", type: "textarea", optional: true },
    ],
  },
] as const satisfies readonly { id: string; number: number; name: string; fields: readonly FormField[] }[];

export type DpiaStepId = (typeof DPIA_STEPS)[number]["id"];

const longText = (label: string, optional = false) => {
  const base = z.string().trim().max(8000, { error: `${label} must be 8,000 characters or fewer` });
  // A question is answered; anything else is entered.
  const missing = label.endsWith("?") ? `Answer: ${label}` : `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
  return optional ? base.optional().transform((value) => value ?? "") : base.min(1, { error: missing });
};

/** Each step's answers, checked: every field it does not mark optional must be answered. */
function stepSchema(stepId: DpiaStepId) {
  const step = DPIA_STEPS.find((candidate) => candidate.id === stepId)!;
  const shape: Record<string, z.ZodType> = {};
  for (const field of step.fields as readonly FormField[]) {
    shape[field.name] = field.type === "radios" ? z.enum(["yes", "no"], { error: `Select whether: ${field.label.toLowerCase().replace(/\?$/, "")}` }) : longText(field.label, field.optional);
  }
  return z.object(shape).superRefine((answers, context) => {
    if (stepId === "consultation" && answers["consulted"] === "no" && !answers["notConsultedWhy"]) context.addIssue({ code: "custom", path: ["notConsultedWhy"], message: "Say why the people whose data it is were not asked" });
    if (stepId === "consultation" && answers["consulted"] === "yes" && !answers["consultationDetail"]) context.addIssue({ code: "custom", path: ["consultationDetail"], message: "Say who was asked and what they said" });
    if (stepId === "signoff" && answers["adviceFollowed"] === "no" && !answers["overruledReason"]) context.addIssue({ code: "custom", path: ["overruledReason"], message: "Give the reasons for not following the DPO’s advice" });
  });
}

const riskSchema = z
  .object({
    description: z.string().trim().min(1, { error: "Describe the risk: its source and its possible harm to people" }).max(2000, { error: "The risk must be 2,000 characters or fewer" }),
    likelihood: z.enum(LIKELIHOODS.map((item) => item.id) as [string, ...string[]], { error: "Select how likely the harm is" }),
    severity: z.enum(SEVERITIES.map((item) => item.id) as [string, ...string[]], { error: "Select how severe the harm would be" }),
    measure: z.string().trim().max(2000, { error: "The measure must be 2,000 characters or fewer" }).optional().transform((value) => value ?? ""),
    measureOwner: z.string().trim().max(200, { error: "Who owns the measure must be 200 characters or fewer" }).optional().transform((value) => value ?? ""),
    measureDueOn: z.string().trim().optional().transform((value) => value ?? "").refine((value) => value === "" || isIsoDate(value), { error: "The measure’s date must be a real date, for example 31 8 2027" }),
    effect: z.string().optional().transform((value) => value ?? "").refine((value) => value === "" || MEASURE_EFFECTS.some((item) => item.id === value), { error: "Select the measure’s effect from the list" }),
    likelihoodAfter: z.string().optional().transform((value) => value ?? "").refine((value) => value === "" || LIKELIHOODS.some((item) => item.id === value), { error: "Select how likely the harm is after the measure" }),
    severityAfter: z.string().optional().transform((value) => value ?? "").refine((value) => value === "" || SEVERITIES.some((item) => item.id === value), { error: "Select how severe the harm would be after the measure" }),
    approved: z.string().optional().transform((value) => (value === "yes" ? "yes" : value === "no" ? "no" : "")),
  })
  .superRefine((risk, context) => {
    const level = riskLevel(risk.likelihood, risk.severity);
    const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    // The ICO template: every medium or high risk gets a measure, its effect and the risk left after it.
    if (level !== "low" && !risk.measure) problem("measure", "Enter the measure that reduces this risk (it is medium or high)");
    if (risk.measure && !risk.effect) problem("effect", "Select whether the measure eliminates, reduces or accepts the risk");
    if (risk.measure && (!risk.likelihoodAfter || !risk.severityAfter)) problem("likelihoodAfter", "Score the risk again as it stands after the measure");
    // A measure that reduces or eliminates a risk leaves it scored lower; one that changes nothing accepts it.
    const score = (likelihood: string, severity: string) => (LIKELIHOODS.find((item) => item.id === likelihood)?.score ?? 0) * (SEVERITIES.find((item) => item.id === severity)?.score ?? 0);
    const lowest = score(risk.likelihood, risk.severity) === 1;
    if ((risk.effect === "reduced" || (risk.effect === "eliminated" && !lowest)) && risk.likelihoodAfter && risk.severityAfter && score(risk.likelihoodAfter, risk.severityAfter) >= score(risk.likelihood, risk.severity)) {
      problem("effect", "The risk after the measure is scored no lower than before: score it lower, or say the measure accepts it");
    }
  });

export interface ScoredRisk extends Risk {
  levelBefore: RiskLevel;
  levelAfter: RiskLevel;
}

export interface DpiaView {
  entry: RegisterEntry;
  steps: { id: string; number: number; name: string; done: boolean }[];
  risks: ScoredRisk[];
  priorConsultation: boolean;
  signed: boolean;
  readyToSign: boolean;
  missing: string[];
  versions: { version: number; signedAt: Date; signedByName: string | null }[];
}

const stepsOf = (entry: RegisterEntry) => (entry.details["steps"] ?? {}) as Record<string, Record<string, string> | undefined>;
export const risksOf = (details: Record<string, unknown>) => ((details["risks"] as Risk[] | undefined) ?? []);

export function scored(risks: readonly Risk[]): ScoredRisk[] {
  return risks.map((risk) => ({
    ...risk,
    levelBefore: riskLevel(risk.likelihood, risk.severity) ?? "low",
    levelAfter: riskLevel(risk.likelihoodAfter || risk.likelihood, risk.severityAfter || risk.severity) ?? "low",
  }));
}

/** What still stops a DPIA being signed. */
function stillMissing(details: Record<string, unknown>, ownerUserId: string | null): string[] {
  const steps = (details["steps"] ?? {}) as Record<string, Record<string, string> | undefined>;
  const missing = DPIA_STEPS.filter((step) => !steps[step.id]).map((step) => `Step ${step.number}: ${step.name}`);
  if (risksOf(details).length === 0) missing.push("Steps 5 and 6: at least one risk, scored, with its measures");
  if (!ownerUserId) missing.push("Who keeps it under review: choose them with “Change the screening”");
  // Article 36(1): with a high risk left, the ICO is consulted before the processing starts.
  if (needsPriorConsultation(risksOf(details)) && steps["signoff"] && !steps["signoff"]["icoConsultation"]) {
    missing.push("Step 7: a high risk remains, so record when the ICO was consulted and its advice");
  }
  return missing;
}

/** A DPIA's page: its steps' state, its risks scored before and after, whether the ICO must be consulted, and its signed versions. */
export async function dpiaView(ctx: Context, id: string, audit: "register.view" | "register.export" = "register.view"): Promise<DpiaView> {
  const entry = await entryOf(ctx, "dpia", id, audit);
  const steps = stepsOf(entry);
  const versions = await inActorScope(ctx, async (trx) => {
    const rows = await trx.selectFrom("dpiaVersions").select(["version", "signedAt", "signedBy"]).where("orgId", "=", entry.organisationId).where("entryId", "=", entry.id).orderBy("version", "desc").execute();
    const names = await peopleNames(trx, ctx, rows.map((row) => row.signedBy));
    return rows.map((row) => ({ version: row.version, signedAt: row.signedAt, signedByName: names.get(row.signedBy) ?? null }));
  });
  const missing = stillMissing(entry.details, entry.ownerUserId);
  const signed = entry.details["signed"] === true;
  return {
    entry,
    steps: DPIA_STEPS.map((step) => ({ id: step.id, number: step.number, name: step.name, done: steps[step.id] !== undefined })),
    risks: scored(risksOf(entry.details)),
    priorConsultation: needsPriorConsultation(risksOf(entry.details)),
    signed,
    readyToSign: !signed && missing.length === 0,
    missing,
    versions,
  };
}

export const stepOf = (stepId: string) => DPIA_STEPS.find((step) => step.id === stepId);

/** Changes a draft DPIA's details inside a locked read: refused once signed. */
async function changeDraft(ctx: Context, id: string, change: (details: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  await inActorScope(ctx, async (trx) => {
    const row = await lockedDpia(trx, ctx, id);
    const details = detailsOf(row.details);
    if (details["signed"] === true) {
      throw new EntryFormError({ signed: "This DPIA is signed, so it is frozen: start a new version to change it" }, {});
    }
    await trx.updateTable("registerEntries").set({ details: JSON.stringify(change(details)), version: row.version + 1, changedAt: ctx.services.clock.now(), changedBy: ctx.actor.userId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.change", row.id));
  });
}

async function lockedDpia(trx: Tx, ctx: Context, id: string) {
  const row = await trx.selectFrom("registerEntries").selectAll().where("orgId", "in", ctx.actor.organisationIds).where("id", "=", id).where("kind", "=", "dpia").forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function saveDpiaStep(ctx: Context, id: string, stepId: DpiaStepId, form: unknown): Promise<void> {
  const parsed = readForm(stepSchema(stepId), form);
  if (!parsed.ok) throw new EntryFormError(parsed.errors, parsed.values);
  await changeDraft(ctx, id, (details) => ({ ...details, steps: { ...((details["steps"] as object) ?? {}), [stepId]: parsed.data } }));
}

export async function addDpiaRisk(ctx: Context, id: string, form: unknown): Promise<void> {
  const parsed = readForm(riskSchema, form);
  if (!parsed.ok) throw new EntryFormError(parsed.errors, parsed.values);
  await changeDraft(ctx, id, (details) => ({ ...details, risks: [...risksOf(details), { id: randomUUID(), ...parsed.data }] }));
}

export async function removeDpiaRisk(ctx: Context, id: string, riskId: string): Promise<void> {
  await changeDraft(ctx, id, (details) => ({ ...details, risks: risksOf(details).filter((risk) => risk.id !== riskId) }));
}

/** Signs the DPIA: every step done and a risk recorded; its content is frozen as this version. */
export async function signDpia(ctx: Context, id: string): Promise<number> {
  authorise(ctx.actor, "registers:manage");
  return inActorScope(ctx, async (trx) => {
    // Checked under the lock, so a step or risk removed meanwhile cannot leave a DPIA signed unfinished.
    const row = await lockedDpia(trx, ctx, id);
    const details = detailsOf(row.details);
    if (details["signed"] === true) throw new EntryFormError({ signed: "This version is already signed" }, {});
    const missing = stillMissing(details, row.ownerUserId);
    if (missing.length) throw new EntryFormError({ signed: `Finish these first: ${missing.join("; ")}` }, {});
    const latest = await trx.selectFrom("dpiaVersions").select((eb) => eb.fn.max("version").as("version")).where("orgId", "=", row.orgId).where("entryId", "=", row.id).executeTakeFirst();
    const version = Number(latest?.version ?? 0) + 1;
    const now = ctx.services.clock.now();
    const signedOn = londonDateOf(now);
    const frozen = { ...details, signed: true, signedVersion: version, signedOn };
    await trx.insertInto("dpiaVersions").values({ orgId: row.orgId, entryId: row.id, version, title: row.title, content: JSON.stringify(frozen), signedBy: ctx.actor.userId, signedAt: now }).execute();
    await trx.updateTable("registerEntries").set({ details: JSON.stringify(frozen), status: "active", version: row.version + 1, lastReviewedOn: signedOn, reviewOn: nextReviewFrom(signedOn), changedAt: now, changedBy: ctx.actor.userId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.sign", row.id));
    return version;
  });
}

/** Opens a signed DPIA for change as a new draft version; the signed one stays as it was. */
export async function startNewVersion(ctx: Context, id: string): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  await inActorScope(ctx, async (trx) => {
    const row = await lockedDpia(trx, ctx, id);
    const details = detailsOf(row.details);
    if (details["signed"] !== true) return;
    await trx.updateTable("registerEntries").set({ details: JSON.stringify({ ...withoutSignOff(details), draftAfter: details["signedVersion"] }), status: "draft", version: row.version + 1, changedAt: ctx.services.clock.now(), changedBy: ctx.actor.userId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.change", row.id));
  });
}

/** A signed version as it was signed. */
export async function signedVersion(ctx: Context, id: string, version: number): Promise<{ title: string; content: Record<string, unknown>; signedAt: Date; signedByName: string | null }> {
  authorise(ctx.actor, "registers:view");
  return inActorScope(ctx, async (trx) => {
    const row = await trx.selectFrom("dpiaVersions").selectAll().where("orgId", "in", ctx.actor.organisationIds).where("entryId", "=", id).where("version", "=", version).executeTakeFirst();
    if (!row) throw notFound();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.view", id));
    const names = await peopleNames(trx, ctx, [row.signedBy]);
    return { title: row.title, content: detailsOf(row.content), signedAt: row.signedAt, signedByName: names.get(row.signedBy) ?? null };
  });
}

/** The format a DPIA is exported in, for another school of the trust to import. */
export const DPIA_EXPORT_FORMAT = "steward-dpia/1";

export function dpiaAsJson(entry: RegisterEntry): string {
  // Its links name this school's own processing activities: the importer links its own.
  const { processingIds: _ids, ...details } = withoutSignOff(entry.details);
  return JSON.stringify({ format: DPIA_EXPORT_FORMAT, title: entry.title, exportedFrom: entry.organisationName, details }, null, 2);
}

const importSchema = z.object({
  format: z.literal(DPIA_EXPORT_FORMAT),
  title: z.string().min(1).max(200),
  exportedFrom: z.string().max(200).optional(),
  details: z.object({
    examples: z.array(z.string()).max(20).optional(),
    criteria: z.array(z.string()).max(20).optional(),
    screeningNotes: z.string().max(2000).optional(),
    steps: z.record(z.string(), z.record(z.string(), z.string().max(8000))).optional(),
    risks: z.array(z.record(z.string(), z.string().max(2000))).max(100).optional(),
  }),
});

/**
 * Imports a DPIA another school exported, as a new draft of this organisation: its screening
 * checked again here, each step and risk checked as if typed, the sign-off left for this school.
 */
export async function importDpia(ctx: Context, organisationId: string, json: string): Promise<string> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  let data: z.output<typeof importSchema>;
  try {
    data = importSchema.parse(JSON.parse(json));
  } catch {
    throw new EntryFormError({ file: "Upload a DPIA that Steward exported (a .json file made by “Download to share”)" }, {});
  }
  const today = londonDateOf(ctx.services.clock.now());
  const screening = readForm(dpiaSchema, { title: data.title, status: "draft", ownerUserId: "", reviewOn: nextReviewFrom(today), examples: data.details.examples ?? [], criteria: data.details.criteria ?? [], screeningNotes: data.details.screeningNotes ?? "" });
  const steps: Record<string, unknown> = {};
  for (const step of DPIA_STEPS.filter((candidate) => candidate.id !== "signoff")) {
    const answers = data.details.steps?.[step.id];
    if (!answers) continue;
    const parsed = readForm(stepSchema(step.id), answers);
    if (parsed.ok) steps[step.id] = parsed.data;
  }
  const risks = (data.details.risks ?? []).map(({ id: _id, ...risk }) => readForm(riskSchema, risk)).flatMap((parsed) => (parsed.ok ? [{ id: randomUUID(), ...parsed.data }] : []));
  if (!screening.ok) {
    throw new EntryFormError({ file: "The DPIA in the file is not one Steward can read: its screening does not pass" }, {});
  }
  const { title, status: _status, ownerUserId: _owner, reviewOn, ...answers } = screening.data;
  const { criteria, examples, screeningNotes } = answers;
  // The criteria as the exporting school left them (its examples are not ticked again).
  const details = { ...DERIVED.dpia!({ criteria, examples, screeningNotes, processingIds: [] }, { examples }), steps, risks, importedFrom: data.exportedFrom ?? "" };
  return inActorScope(ctx, async (trx) => {
    const id = randomUUID();
    const now = ctx.services.clock.now();
    await trx.insertInto("registerEntries").values({
      orgId: organisationId, id, kind: "dpia", title, status: "draft", ownerUserId: null, reviewOn, details: JSON.stringify(details), personal: null,
      isTemplate: false, templateId: null, templateVersion: null, starterKey: null, createdAt: now, createdBy: ctx.actor.userId, changedAt: now, changedBy: ctx.actor.userId,
    }).execute();
    await recordAudit(trx, auditOfRegister(ctx, organisationId, "register.add", id));
    return id;
  });
}
