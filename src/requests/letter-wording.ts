import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { checkTemplate, LETTER_TEMPLATES, letterTemplate, MERGE_FIELDS, renderTemplate, type LetterKind, type MergeField } from "../letters/templates.ts";
import { CaseFormError } from "../cases/cases.ts";
import { notFound } from "../platform/errors.ts";
import { wordingOf } from "./correspondence.ts";

/*
 * Each organisation's own wording of its letters: edited in the safe template language (fields
 * only, nothing that runs), previewed with example values, and reset to Steward's wording.
 */

/** What a preview fills the fields with: plainly examples. */
export const EXAMPLE_VALUES: Record<MergeField, string> = {
  requesterName: "Alex Example",
  reference: "SAR-2026-0001",
  receivedOn: "3 Feb 2026",
  dueOn: "3 Mar 2026",
  extendedTo: "5 May 2026",
  today: "10 Feb 2026",
  organisationName: "Example Primary School",
  organisationAddress: "1 School Lane\nExampletown\nEX1 2MP",
  senderName: "Sam Sender",
  senderRole: "Data protection officer",
  requesterPageLink: "https://steward.example/r/example-primary/your-request/…",
  releaseDays: "28",
  requestSummary: "A copy of the records the school holds about my son",
  infoRegulator: "the Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint or 0303 123 1113",
  dpoContact: "Jo Example (dpo@example-primary.example, 01632 960 000)",
};

function kindOf(kind: string): LetterKind {
  if (!LETTER_TEMPLATES.some((template) => template.kind === kind)) {
    throw notFound();
  }
  return kind as LetterKind;
}

/** Every letter with whether the organisation has its own wording. */
export async function letterWordings(ctx: Context, organisationId: string) {
  authorise(ctx.actor, "cases:manage");
  assertReachable(ctx.actor, organisationId);
  return inActorScope(ctx, async (trx) => {
    const own = await trx.selectFrom("letterTemplates").select(["kind", "changedAt"]).where("orgId", "=", organisationId).execute();
    return LETTER_TEMPLATES.map((template) => ({ kind: template.kind, name: template.name, purpose: template.purpose, changedAt: own.find((row) => row.kind === template.kind)?.changedAt ?? null }));
  });
}

export interface WordingForEdit {
  kind: LetterKind;
  name: string;
  purpose: string;
  subject: string;
  body: string;
  own: boolean;
  unverified: readonly string[];
  fields: { name: string; meaning: string }[];
}

export async function wordingForEdit(ctx: Context, organisationId: string, kind: string): Promise<WordingForEdit> {
  authorise(ctx.actor, "cases:manage");
  assertReachable(ctx.actor, organisationId);
  const letterKind = kindOf(kind);
  const template = letterTemplate(letterKind);
  const wording = await inActorScope(ctx, (trx) => wordingOf(trx, organisationId, letterKind));
  return { kind: letterKind, name: template.name, purpose: template.purpose, ...wording, unverified: template.unverified, fields: Object.entries(MERGE_FIELDS).map(([name, meaning]) => ({ name, meaning })) };
}

/** The wording checked: every field known, nothing but fields between braces. Returns a preview with the example values. */
export function previewWording(subject: string, body: string): { subject: string; body: string } {
  const errors: Record<string, string> = {};
  const subjectProblems = checkTemplate(subject);
  const bodyProblems = checkTemplate(body);
  if (!subject.trim() || subject.length > 300) {
    errors["subject"] = subject.trim() ? "The subject must be 300 characters or fewer" : "Enter the subject";
  } else if (subjectProblems.length) {
    errors["subject"] = subjectProblems.join(" ");
  }
  if (!body.trim() || body.length > 20_000) {
    errors["body"] = body.trim() ? "The letter must be 20,000 characters or fewer" : "Enter the letter";
  } else if (bodyProblems.length) {
    errors["body"] = bodyProblems.join(" ");
  }
  if (Object.keys(errors).length) {
    throw new CaseFormError(errors);
  }
  return { subject: renderTemplate(subject, EXAMPLE_VALUES), body: renderTemplate(body, EXAMPLE_VALUES) };
}

export async function saveWording(ctx: Context, organisationId: string, kind: string, subject: string, body: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  assertReachable(ctx.actor, organisationId);
  const letterKind = kindOf(kind);
  previewWording(subject, body);
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const text = { subject: subject.trim(), body: body.replace(/\r\n/g, "\n").trim(), changedBy: ctx.actor.userId, changedAt: now };
    await trx
      .insertInto("letterTemplates")
      .values({ orgId: organisationId, kind: letterKind, ...text })
      .onConflict((oc) => oc.columns(["orgId", "kind"]).doUpdateSet(text))
      .execute();
    await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "letter.template-change", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: now });
  });
}

export async function resetWording(ctx: Context, organisationId: string, kind: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  assertReachable(ctx.actor, organisationId);
  const letterKind = kindOf(kind);
  await inActorScope(ctx, async (trx) => {
    await trx.deleteFrom("letterTemplates").where("orgId", "=", organisationId).where("kind", "=", letterKind).execute();
    await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "letter.template-change", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: ctx.services.clock.now() });
  });
}
