import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise, can } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { loadOrganisationCalendar, type OrganisationCalendar } from "../calendar/calendar-store.ts";
import { addDays, londonDateOf, parseDateTime } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { queueEmail } from "../notify/outbox.ts";
import { brokenUniqueConstraint } from "../platform/database/errors.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor } from "../platform/encryption/keyring.ts";
import { deadlineOf, loadDeadlineCalendars, storeDeadline } from "./case-deadlines.ts";
import { CaseFormError, casePlace, recordCaseEvent, type SealedColumn } from "./cases.ts";
import type { NewCase } from "./cases.schema.ts";
import { caseRecipients, dueInWords, toldText } from "./recipients.ts";
import { asksWhoseData, typesOfferedTo, WORKFLOWS } from "./workflows.ts";

/*
 * Logging a case: the form's checks, the likely-duplicate warning, and recording it (reference,
 * sealed details, deadline, timeline, audit and the emails) in one transaction.
 */

/** The organisations a case may be logged for: the actor's own and (for a trust) its schools, the trust named as its central team. */
export async function organisationsForLogging(ctx: Context) {
  authorise(ctx.actor, "cases:log");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("organisations")
      .select(["id", "name", "kind", "nation", "schoolType"])
      .where("id", "in", ctx.actor.organisationIds)
      .orderBy("name")
      .execute();
    return rows.map((row) => {
      const schoolType = row.kind === "trust" ? ("academy" as const) : row.schoolType;
      return { ...row, schoolType, label: row.kind === "trust" ? `${row.name} (central team)` : row.name, types: typesOfferedTo(row.nation, schoolType) };
    });
  });
}

/**
 * The type a case is logged as, which follows from the school, not from whoever logs it. A
 * parent's request for the educational record where the 2005 Regulations do not apply (an academy,
 * or outside England) is the child's subject access request, on its one-month clock. An FOI
 * request at a maintained school or academy in England, Wales or Northern Ireland counts school
 * days (the 2004, 2009 and 2010 Regulations); at a trust's central team, an independent school or
 * in Scotland it does not.
 */
export function typeLoggedAs(type: CaseType, kind: "trust" | "school", calendar: Pick<OrganisationCalendar, "nation" | "schoolType">): { type: CaseType; asSubjectAccess: boolean } {
  if (type === "educational-record" && !typesOfferedTo(calendar.nation, calendar.schoolType).includes("educational-record")) {
    return { type: "sar", asSubjectAccess: true };
  }
  if (type === "foi" || type === "foi-school") {
    const inSchoolDays = kind === "school" && calendar.nation !== "scotland" && calendar.schoolType !== "independent";
    return { type: inSchoolDays ? "foi-school" : "foi", asSubjectAccess: false };
  }
  return { type, asSubjectAccess: false };
}

/** A case of the same type, for the same requester or about the same person, received in the 30 days before. */
export interface LikelyDuplicate {
  id: string;
  reference: string;
  receivedOn: string;
  same: "requester" | "subject";
  /** Whether the actor may open it (staff see only their own: others are mentioned, not named). */
  visible: boolean;
}

/** Thrown before anything is written, so the form can ask "is this the same request?". */
export class LikelyDuplicateError extends Error {
  constructor(readonly duplicates: LikelyDuplicate[]) {
    super("This may be a request already logged");
  }
}

const sameName = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().toLocaleLowerCase("en-GB").replace(/\s+/g, " ") === b.trim().toLocaleLowerCase("en-GB").replace(/\s+/g, " ");

/** Names are sealed, so the few cases of that type from the last 30 days are opened and compared here. */
async function likelyDuplicates(trx: Tx, ctx: Context, input: Pick<NewCase, "organisationId" | "receivedOn" | "requesterName" | "subjectName">, type: CaseType): Promise<LikelyDuplicate[]> {
  const rows = await trx
    .selectFrom("cases")
    .select(["orgId", "id", "reference", "receivedOn", "requesterName", "subjectName", "createdBy", "assigneeId"])
    .where("orgId", "=", input.organisationId)
    .where("type", "=", type)
    .where("receivedOn", ">=", addDays(input.receivedOn, -30))
    .orderBy("receivedOn", "desc")
    .limit(500)
    .execute();
  const found: LikelyDuplicate[] = [];
  for (const row of rows) {
    const requester = await openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, "requesterName"), row.requesterName);
    const subject = row.subjectName ? await openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, "subjectName"), row.subjectName) : null;
    const same = sameName(requester, input.requesterName) ? "requester" : asksWhoseData(type) && sameName(subject, input.subjectName) ? "subject" : undefined;
    if (same) {
      const visible = can(ctx.actor, "cases:view-all") || row.createdBy === ctx.actor.userId || row.assigneeId === ctx.actor.userId;
      found.push({ id: row.id, reference: row.reference, receivedOn: row.receivedOn, same, visible });
    }
  }
  return found;
}

/**
 * The facts a case is recorded with, checked alike when it is logged and when they are corrected:
 * a breach's moment of awareness, a received date in the past (and this century), the right a
 * rights request uses, and whose data it is where the type asks. Returns when it arrived.
 */
export function checkCaseFacts(ctx: Context, facts: Pick<NewCase, "type" | "receivedOn" | "receivedTime" | "rightAsked" | "subjectKind" | "subjectName">): Date {
  const now = ctx.services.clock.now();
  if (facts.type === "breach" && !facts.receivedTime) {
    throw new CaseFormError({ receivedTime: "Enter the time the school became aware of the breach: the 72 hours run from then" });
  }
  const receivedAt = parseDateTime(`${facts.receivedOn}T${facts.receivedTime ?? "00:00"}`);
  if (!receivedAt || facts.receivedOn > londonDateOf(now) || receivedAt.getTime() > now.getTime() + 60_000) {
    throw new CaseFormError({ receivedOn: "The date it was received must be today or in the past" });
  }
  if (facts.receivedOn < "2000-01-01") {
    throw new CaseFormError({ receivedOn: "The date it was received must be after 1 Jan 2000" });
  }
  if (facts.type === "rights" && !facts.rightAsked) {
    throw new CaseFormError({ rightAsked: "Select which right the request uses" });
  }
  if (asksWhoseData(facts.type)) {
    if (!facts.subjectKind) {
      throw new CaseFormError({ subjectKind: "Select whose data it is about" });
    }
    if (facts.subjectKind !== "requester" && !facts.subjectName) {
      throw new CaseFormError({ subjectName: "Enter the name of the person the data is about" });
    }
  }
  return receivedAt;
}

/**
 * Logs a new case from the form. Everything about people is sealed; the deadline is worked out at
 * once; the DPOs are told (by reference only: no personal data in the email). A case that looks
 * like one logged in the last 30 days is refused with LikelyDuplicateError unless the person has
 * said it is a different request.
 */
export async function logCase(ctx: Context, input: NewCase): Promise<{ id: string; reference: string; asSubjectAccess: boolean }> {
  authorise(ctx.actor, "cases:log");
  // The same form posted again (a double click without JavaScript): the case its first post made.
  const already = input.submissionKey ? await caseLoggedBy(ctx, input.submissionKey) : undefined;
  if (already) {
    return already;
  }
  if (!ctx.actor.organisationIds.includes(input.organisationId)) {
    throw new CaseFormError({ organisationId: "Select the school" });
  }
  checkCaseFacts(ctx, input);
  try {
    return await logOnce(ctx, input);
  } catch (error) {
    // Two posts at once: the second either waited on the first's key, or saw the first's case as a
    // likely duplicate once it committed; either way it finds the case the first made.
    const raced = brokenUniqueConstraint(error) === "cases_submission_key" || error instanceof LikelyDuplicateError;
    const made = input.submissionKey && raced ? await caseLoggedBy(ctx, input.submissionKey) : undefined;
    if (made) {
      return made;
    }
    throw error;
  }
}

/** The case this person logged with this form's key, if any. */
async function caseLoggedBy(ctx: Context, submissionKey: string): Promise<{ id: string; reference: string; asSubjectAccess: boolean } | undefined> {
  const row = await inActorScope(ctx, (trx) =>
    trx.selectFrom("cases").select(["id", "reference"]).where("createdBy", "=", ctx.actor.userId).where("submissionKey", "=", submissionKey).executeTakeFirst(),
  );
  return row ? { ...row, asSubjectAccess: false } : undefined;
}

async function logOnce(ctx: Context, input: NewCase): Promise<{ id: string; reference: string; asSubjectAccess: boolean }> {
  const by = { services: ctx.services, request: ctx.request, userId: ctx.actor.userId };
  return inActorScope(ctx, (trx) => recordCase(trx, by, input, ctx.actor.organisationIds, input.notDuplicate ? {} : { warnOfDuplicatesFor: ctx }));
}

/** Who logs a case: a signed-in person, or nobody at the school (the requester, through the public request page). */
export interface CaseLogger {
  services: Context["services"];
  request?: Context["request"];
  userId: string | null;
}

/**
 * Records a new case inside the caller's transaction (`scope` is what it can see): reference,
 * sealed details, deadline, timeline, audit and the DPOs' emails, all or nothing. logCase checks
 * the form and the permission first, and asks for the likely-duplicate warning (nothing is written
 * when one is found); a person's own erasure request records one this way too.
 */
export async function recordCase(
  trx: Tx,
  by: CaseLogger,
  input: Omit<NewCase, "notDuplicate">,
  scope: readonly string[],
  { warnOfDuplicatesFor }: { warnOfDuplicatesFor?: Context } = {},
): Promise<{ id: string; reference: string; asSubjectAccess: boolean }> {
  const now = by.services.clock.now();
  const receivedAt = parseDateTime(`${input.receivedOn}T${input.receivedTime ?? "00:00"}`)!;
  const id = randomUUID();
  const organisationId = input.organisationId;
  const calendar = await loadOrganisationCalendar(trx, organisationId);
  const organisation = await trx.selectFrom("organisations").select(["name", "kind", "referenceCode"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
  const loggedAs = typeLoggedAs(input.type, organisation.kind, calendar);
  const asSubjectAccess = loggedAs.asSubjectAccess;
  input = { ...input, type: loggedAs.type };
  if (!typesOfferedTo(calendar.nation, calendar.schoolType).includes(input.type)) {
    throw new CaseFormError({ type: `${WORKFLOWS[input.type].name}s do not apply to this school. Choose another kind, or ask an admin to check the school’s nation and kind in Settings.` });
  }
  if (warnOfDuplicatesFor) {
    const duplicates = await likelyDuplicates(trx, warnOfDuplicatesFor, input, input.type);
    if (duplicates.length > 0) {
      throw new LikelyDuplicateError(duplicates);
    }
  }
  const workflow = WORKFLOWS[input.type];
  const reference = await nextReference(trx, organisationId, organisation.referenceCode, workflow.prefix, Number(input.receivedOn.slice(0, 4)));
  const seal = (column: SealedColumn, value: string) => sealFor(trx, by.services.keyring, casePlace(organisationId, id, column), value);
  await trx
    .insertInto("cases")
    .values({
      orgId: organisationId,
      id,
      reference,
      type: input.type,
      rightAsked: input.type === "rights" ? (input.rightAsked ?? null) : null,
      status: workflow.statuses[0]!.id,
      receivedAt,
      receivedOn: input.receivedOn,
      channel: input.channel,
      requesterName: await seal("requesterName", input.requesterName),
      requesterContact: input.requesterContact ? await seal("requesterContact", input.requesterContact) : null,
      subjectKind: asksWhoseData(input.type) ? (input.subjectKind ?? "requester") : null,
      subjectName: asksWhoseData(input.type) && input.subjectKind !== "requester" && input.subjectName ? await seal("subjectName", input.subjectName) : null,
      summary: await seal("summary", input.summary),
      breachReport: null,
      createdBy: by.userId,
      submissionKey: input.submissionKey ?? null,
      assigneeId: null,
      extensionReason: null,
      requesterToldOn: null,
      extendedTo: null,
      dueOn: null,
      dueAt: null,
      riskLikelihood: null,
      riskSeverity: null,
      icoReportedOn: null,
      peopleToldOn: null,
      outcome: null,
      outcomeDetail: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  const { deadline } = await deadlineOf(
    trx,
    { orgId: organisationId, id, type: input.type, receivedAt, receivedOn: input.receivedOn, extended: false, extendedTo: null },
    await loadDeadlineCalendars(trx, organisationId, calendar),
  );
  await storeDeadline(trx, organisationId, id, deadline, now);
  const event = (kind: string, detail: string) => recordCaseEvent(trx, by.services, { organisationId, caseId: id, actorUserId: by.userId, kind, detail });
  const logged = by.userId ? "logged" : "requester-logged";
  await event(
    logged,
    asSubjectAccess
      ? "Logged as a subject access request: the educational record rule (15 school days) is for maintained schools in England, so a parent’s request here is the child’s subject access request"
      : `${WORKFLOWS[input.type].name} ${by.userId ? "logged" : `made through ${organisation.name}’s request page, from a confirmed email address`}`,
  );
  await recordAudit(trx, { organisationId, actorUserId: by.userId, action: "case.log", recordType: "case", recordId: id, meta: by.request, at: now });
  const recipients = await caseRecipients(trx, by.services.keyring, organisationId, null, scope);
  await event("told", toldText(recipients, by.userId));
  for (const recipient of recipients) {
    if (recipient.userId !== by.userId) {
      await queueEmail(trx, by.services, organisationId, {
        to: recipient.email,
        subject: `New ${workflow.name.toLowerCase()} at ${organisation.name}: ${reference}, due ${dueInWords(deadline.due)}`,
        text: `A ${workflow.name.toLowerCase()} has been logged at ${organisation.name} as ${reference}.\n\nDue: ${dueInWords(deadline.due)}.\n${deadline.rule}\n\nOpen it in Steward: ${caseLink(by, id)}\n`,
      });
    }
  }
  return { id, reference, asSubjectAccess };
}


/**
 * The next reference for a type this year, e.g. SAR-2026-0007; safe when two people log at once.
 * In a trust each school's references begin with its code (OHP-SAR-2026-0007), so no two cases
 * across the trust share one.
 */
async function nextReference(trx: Tx, organisationId: string, code: string | null, prefix: string, year: number): Promise<string> {
  const row = await trx
    .insertInto("caseCounters")
    .values({ orgId: organisationId, prefix, year, lastNumber: 1 })
    .onConflict((oc) => oc.columns(["orgId", "prefix", "year"]).doUpdateSet({ lastNumber: sql`case_counters.last_number + 1` }))
    .returning("lastNumber")
    .executeTakeFirstOrThrow();
  return `${code ? `${code}-` : ""}${prefix}-${year}-${String(row.lastNumber).padStart(4, "0")}`;
}


function caseLink(ctx: Pick<Context, "services">, caseId: string): string {
  return `${ctx.services.config.publicUrl}/cases/${caseId}`;
}
