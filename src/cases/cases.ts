import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Actor, type Context } from "../accounts/actor.ts";
import { authorise, can } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { recordAudit, recordView, type AuditAction } from "../audit/audit.ts";
import { formatDate, isIsoDate, londonDateOf } from "../calendar/dates.ts";
import { countdownTo, DeadlineInputError, WAITED_FOR, type CaseType, type ClockStop, type Countdown, type Deadline, type StopReason } from "../calendar/deadlines.ts";
import type { Selectable } from "kysely";
import type { CaseTable } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor } from "../platform/encryption/keyring.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { BreachAssessment, CaseFilter } from "./cases.schema.ts";
import { deadlineOf, storeDeadline } from "./case-deadlines.ts";
import { needsResponse, responseSummaryOf, type ResponseChannel, type ResponseSummary } from "./response.ts";
import { assessedDecision, breachDecision, RIGHTS, STOP_REASON_NAMES, WORKFLOWS } from "./workflows.ts";

/** The free-text columns of a case, each sealed under its organisation's key. */
const SEALED_COLUMNS = ["requesterName", "requesterContact", "subjectName", "summary", "breachReport", "extensionReason", "outcomeDetail"] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

export const casePlace = (organisationId: string, caseId: string, column: string) => ({ organisationId, table: "cases" as const, column, rowId: caseId });

/** A domain refusal tied to one form field, shown next to it (the GOV.UK error pattern). */
export class CaseFormError extends Error {
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

export type CaseRow = Selectable<CaseTable>;

/** What the case list, the dashboard and the export show: no free text beyond the requester's name. */
export interface CaseSummary {
  id: string;
  organisationId: string;
  organisationName: string;
  reference: string;
  type: CaseType;
  typeName: string;
  status: string;
  statusName: string;
  requesterName: string;
  receivedOn: string;
  receivedAt: Date;
  dueOn: string | null;
  dueAt: Date | null;
  countdown: Countdown | null;
  assigneeId: string | null;
  assigneeName: string | null;
  closedAt: Date | null;
  outcome: string | null;
  outcomeName: string | null;
  /** For a breach: the day it was reported to the ICO. */
  icoReportedOn: string | null;
  /** For a closed case: when and how the response went, and whether on time. */
  response: ResponseSummary;
}

export interface CaseEvent {
  at: Date;
  actorName: string;
  kind: string;
  detail: string | null;
}

export interface CaseRecord extends CaseSummary {
  /** For a rights request, which right, in words. */
  rightAsked: string | null;
  rightAskedName: string | null;
  channel: string;
  requesterContact: string | null;
  subjectKind: string | null;
  subjectName: string | null;
  summary: string;
  createdBy: string;
  createdByName: string;
  deadline: Deadline;
  stops: ClockStop[];
  openStop: ClockStop | null;
  extended: boolean;
  extensionReason: string | null;
  requesterToldOn: string | null;
  extendedTo: string | null;
  breach: (BreachReport & ReturnType<typeof breachDecision>) | null;
  icoReportedOn: string | null;
  peopleToldOn: string | null;
  outcomeDetail: string | null;
  events: CaseEvent[];
  attachments: { id: string; filename: string; fileType: string; sizeBytes: number; uploadedAt: Date }[];
}

export type BreachReport = Omit<BreachAssessment, "icoReportedOn" | "peopleToldOn">;

/** Reading cases: those who log them (their own) and those who see all. */
export function authoriseReading(actor: Actor): void {
  authorise(actor, can(actor, "cases:view-all") ? "cases:view-all" : "cases:log");
}

/**
 * The one visibility rule: the cases of the given organisations (by default all the actor reaches)
 * that the actor may see. Staff follow the cases they logged or were given; those who may see all
 * see every one. Lists, pages, the dashboard and attachments all start from here.
 */
export function visibleCases(trx: Tx, actor: Actor, organisationIds: readonly string[] = actor.organisationIds) {
  let query = trx.selectFrom("cases").innerJoin("organisations", "organisations.id", "cases.orgId").where("cases.orgId", "in", organisationIds);
  if (!can(actor, "cases:view-all")) {
    query = query.where((eb) => eb.or([eb("cases.createdBy", "=", actor.userId), eb("cases.assigneeId", "=", actor.userId)]));
  }
  return query;
}

async function openCaseColumns<T extends Partial<Record<SealedColumn, string | null>>>(trx: Tx, ctx: Context, organisationId: string, caseId: string, row: T): Promise<T> {
  const opened: Partial<Record<SealedColumn, string | null>> = {};
  for (const column of SEALED_COLUMNS) {
    const value = row[column];
    if (typeof value === "string") {
      opened[column] = await openFor(trx, ctx.services.keyring, casePlace(organisationId, caseId, column), value);
    }
  }
  return { ...row, ...opened };
}

export const sealCase = (trx: Tx, ctx: Context, organisationId: string, caseId: string, column: SealedColumn, value: string) =>
  sealFor(trx, ctx.services.keyring, casePlace(organisationId, caseId, column), value);

/** The names of the given people, by user id: only those in the actor's organisations, only those asked for. */
async function peopleNames(trx: Tx, ctx: Context, userIds: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(userIds.filter((id): id is string => id !== null))];
  if (wanted.length === 0) {
    return new Map();
  }
  const rows = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).where("orgId", "in", ctx.actor.organisationIds).where("id", "in", wanted).execute();
  const names = new Map<string, string>();
  for (const row of rows) {
    names.set(row.id, (await openPersonalFields(trx, ctx.services.keyring, row.orgId, row.id, { fullName: row.fullName })).fullName);
  }
  return names;
}

export function auditOfCase(ctx: Context, organisationId: string, action: AuditAction, caseId?: string) {
  return {
    organisationId,
    actorUserId: ctx.actor.userId,
    action,
    recordType: "case" as const,
    recordId: caseId,
    meta: ctx.request,
    at: ctx.services.clock.now(),
  };
}

/** Adds to a case's timeline; the detail is sealed (it may quote a note or a name). */
export async function addEvent(trx: Tx, ctx: Context, organisationId: string, caseId: string, kind: string, detail?: string): Promise<void> {
  const id = randomUUID();
  await trx
    .insertInto("caseEvents")
    .values({
      orgId: organisationId,
      id,
      caseId,
      at: ctx.services.clock.now(),
      actorUserId: ctx.actor.userId,
      kind,
      detail: detail === undefined ? null : await sealFor(trx, ctx.services.keyring, { organisationId, table: "caseEvents", column: "detail", rowId: id }, detail),
    })
    .execute();
}

function summaryOf(row: CaseRow & { organisationName: string }, names: Map<string, string>, now: Date, requesterName: string): CaseSummary {
  const workflow = WORKFLOWS[row.type as CaseType];
  const dueText = row.dueAt ? new Date(row.dueAt).toISOString() : row.dueOn;
  return {
    id: row.id,
    organisationId: row.orgId,
    organisationName: row.organisationName,
    reference: row.reference,
    type: workflow.type,
    typeName: workflow.name,
    status: row.closedAt ? "closed" : row.status,
    statusName: row.closedAt ? "Closed" : (workflow.statuses.find((status) => status.id === row.status)?.name ?? row.status),
    requesterName,
    receivedOn: row.receivedOn,
    receivedAt: row.receivedAt,
    dueOn: row.dueOn,
    dueAt: row.dueAt,
    countdown: dueText && !row.closedAt ? countdownTo(dueText, now) : null,
    assigneeId: row.assigneeId,
    assigneeName: row.assigneeId ? (names.get(row.assigneeId) ?? "Someone at the trust") : null,
    closedAt: row.closedAt,
    outcome: row.outcome,
    outcomeName: row.outcome ? (workflow.outcomes.find((outcome) => outcome.id === row.outcome)?.name ?? row.outcome) : null,
    icoReportedOn: row.icoReportedOn,
    response: responseSummaryOf(row),
  };
}

/** How many cases one page of the list shows. */
export const CASES_PER_PAGE = 50;

/** One page of the case list, with how many cases match the filter in all. */
export interface CaseListPage {
  cases: CaseSummary[];
  total: number;
  page: number;
  pages: number;
}

function filteredCases(trx: Tx, ctx: Context, filter: CaseFilter) {
  const today = londonDateOf(ctx.services.clock.now());
  let query = visibleCases(trx, ctx.actor);
  if (filter.organisationId) {
    query = query.where("cases.orgId", "=", filter.organisationId);
  }
  if (filter.type) {
    query = query.where("cases.type", "=", filter.type);
  }
  const state = filter.state ?? "open";
  if (state === "open") query = query.where("cases.closedAt", "is", null);
  if (state === "closed") query = query.where("cases.closedAt", "is not", null);
  if (state === "overdue") query = query.where("cases.closedAt", "is", null).where("cases.dueOn", "<", today);
  return query;
}

/**
 * One page of the cases the actor may see, filtered; open ones by deadline first. A page past
 * the last shows the last. Reading the list is an access to personal data (requesters' names),
 * so it is audited once per organisation shown. `perPage` is large for an export.
 */
export async function listCases(
  ctx: Context,
  filter: CaseFilter = {},
  { audit = "case.list" as AuditAction | null, perPage = CASES_PER_PAGE } = {},
): Promise<CaseListPage> {
  authoriseReading(ctx.actor);
  return inActorScope(ctx, async (trx) => {
    const { total } = await filteredCases(trx, ctx, filter)
      .select(sql<number>`count(*)::int`.as("total"))
      .executeTakeFirstOrThrow();
    const pages = Math.max(1, Math.ceil(total / perPage));
    const page = Math.min(filter.page ?? 1, pages);
    const rows = await filteredCases(trx, ctx, filter)
      .selectAll("cases")
      .select("organisations.name as organisationName")
      .orderBy(sql`cases.closed_at is not null`)
      .orderBy(sql`coalesce(cases.due_at, cases.due_on::timestamptz)`, (order) => order.asc().nullsLast())
      .orderBy("cases.receivedAt", "desc")
      // The id breaks ties so that a case never appears on two pages or on none.
      .orderBy("cases.id")
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    const names = await peopleNames(trx, ctx, rows.map((row) => row.assigneeId));
    const now = ctx.services.clock.now();
    const cases: CaseSummary[] = [];
    for (const row of rows) {
      const requesterName = await openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, "requesterName"), row.requesterName);
      cases.push(summaryOf(row, names, now, requesterName));
    }
    if (audit) {
      for (const organisationId of new Set(rows.map((row) => row.orgId))) {
        await recordAudit(trx, auditOfCase(ctx, organisationId, audit));
      }
    }
    return { cases, total, page, pages };
  });
}

/** A case the actor may see, or 404: another organisation's case, or a colleague's for staff, is simply not found. */
export async function findVisibleCase(trx: Tx, ctx: Context, caseId: string): Promise<CaseRow & { organisationName: string }> {
  if (!/^[0-9a-f-]{36}$/i.test(caseId)) {
    throw notFound();
  }
  const row = await visibleCases(trx, ctx.actor).selectAll("cases").select("organisations.name as organisationName").where("cases.id", "=", caseId).executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return row;
}

/** One case in full: details, deadline with its rule, clock stops, timeline and attachments. Audited. */
/** `afterOwnChange`: the page is where the person's own change sent them back (see recordView). */
export async function getCase(ctx: Context, caseId: string, { afterOwnChange = false }: { afterOwnChange?: boolean } = {}): Promise<CaseRecord> {
  authoriseReading(ctx.actor);
  return inActorScope(ctx, async (trx) => {
    const row = await findVisibleCase(trx, ctx, caseId);
    const opened = await openCaseColumns(trx, ctx, row.orgId, row.id, row);
    const { deadline, stops } = await deadlineOf(trx, row);
    const events = await trx
      .selectFrom("caseEvents")
      .select(["id", "at", "actorUserId", "kind", "detail"])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", row.id)
      .orderBy("seq")
      .execute();
    const names = await peopleNames(trx, ctx, [row.assigneeId, row.createdBy, ...events.map((event) => event.actorUserId)]);
    const timeline: CaseEvent[] = [];
    for (const event of events) {
      timeline.push({
        at: event.at,
        actorName: event.actorUserId ? (names.get(event.actorUserId) ?? "Someone at the trust") : "Steward",
        kind: event.kind,
        detail: event.detail ? await openFor(trx, ctx.services.keyring, { organisationId: row.orgId, table: "caseEvents", column: "detail", rowId: event.id }, event.detail) : null,
      });
    }
    const attachmentRows = await trx
      .selectFrom("caseAttachments")
      .select(["id", "filename", "fileType", "sizeBytes", "uploadedAt"])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", row.id)
      .where("removedAt", "is", null)
      .orderBy("uploadedAt")
      .execute();
    const attachments = [];
    for (const attachment of attachmentRows) {
      attachments.push({
        ...attachment,
        filename: await openFor(trx, ctx.services.keyring, { organisationId: row.orgId, table: "caseAttachments", column: "filename", rowId: attachment.id }, attachment.filename),
      });
    }
    await recordView(trx, { ...auditOfCase(ctx, row.orgId, "case.view", row.id), recordId: row.id }, { afterOwnChange });
    const now = ctx.services.clock.now();
    const summary = summaryOf(row, names, now, opened.requesterName);
    const breachReport = opened.breachReport ? (JSON.parse(opened.breachReport) as BreachReport) : null;
    const decision = assessedDecision(row);
    return {
      ...summary,
      countdown: deadline.due && !row.closedAt ? countdownTo(deadline.due, now) : null,
      rightAsked: row.rightAsked,
      rightAskedName: RIGHTS.find((right) => right.id === row.rightAsked)?.name ?? null,
      channel: row.channel,
      requesterContact: opened.requesterContact,
      subjectKind: row.subjectKind,
      subjectName: opened.subjectName,
      summary: opened.summary,
      createdBy: row.createdBy,
      createdByName: names.get(row.createdBy) ?? "Someone at the trust",
      deadline,
      stops,
      openStop: stops.find((stop) => stop.to === null) ?? null,
      extended: row.extended,
      extensionReason: opened.extensionReason,
      requesterToldOn: row.requesterToldOn,
      extendedTo: row.extendedTo,
      breach: breachReport && decision ? { ...breachReport, ...decision } : null,
      icoReportedOn: row.icoReportedOn,
      peopleToldOn: row.peopleToldOn,
      outcomeDetail: opened.outcomeDetail,
      events: timeline,
      attachments,
    };
  });
}

/**
 * Runs a change to an open case the actor may manage: finds it (404 if not theirs to see),
 * applies `change`, re-works out the deadline, and records the event and the audit entry.
 */
export async function changeCase(
  ctx: Context,
  caseId: string,
  action: AuditAction,
  change: (trx: Tx, row: CaseRow) => Promise<{ event: string; detail?: string } | undefined>,
  { permission = "cases:manage" as "cases:manage" | "cases:log", allowClosed = false } = {},
): Promise<void> {
  authorise(ctx.actor, permission);
  await inActorScope(ctx, async (trx) => {
    const visible = await findVisibleCase(trx, ctx, caseId);
    // One change at a time per case: lock it, then read it afresh, so that a second person's
    // change waits for this one and then sees it (a case closed twice at once is closed once).
    const row = await trx.selectFrom("cases").selectAll().where("orgId", "=", visible.orgId).where("id", "=", visible.id).forUpdate().executeTakeFirstOrThrow();
    if (row.closedAt && !allowClosed) {
      throw badRequest("This case is closed.");
    }
    const happened = await change(trx, row);
    if (!happened) {
      return;
    }
    const now = ctx.services.clock.now();
    const current = await trx.selectFrom("cases").selectAll().where("orgId", "=", row.orgId).where("id", "=", row.id).executeTakeFirstOrThrow();
    try {
      await storeDeadline(trx, row.orgId, row.id, (await deadlineOf(trx, current)).deadline, now);
    } catch (error) {
      if (error instanceof DeadlineInputError) {
        throw new CaseFormError({ extendedTo: error.message });
      }
      throw error;
    }
    await addEvent(trx, ctx, row.orgId, row.id, happened.event, happened.detail);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, action, row.id));
  });
}

/** The people who can be given a case: active users of its school or trust who may manage cases. */
export async function assignableTo(ctx: Context, caseId: string): Promise<{ id: string; name: string }[]> {
  return inActorScope(ctx, async (trx) => {
    const row = await findVisibleCase(trx, ctx, caseId);
    const organisation = await trx.selectFrom("organisations").select("parentId").where("id", "=", row.orgId).executeTakeFirstOrThrow();
    const organisationIds = [row.orgId, organisation.parentId].filter((id): id is string => id !== null && ctx.actor.organisationIds.includes(id));
    const users = await trx
      .selectFrom("users")
      .select(["orgId", "id", "fullName", "role"])
      .where("orgId", "in", organisationIds)
      .where("deactivatedAt", "is", null)
      .where("role", "in", ["owner", "admin", "dpo", "adviser", "staff"])
      .execute();
    const people = [];
    for (const user of users) {
      people.push({ id: user.id, name: (await openPersonalFields(trx, ctx.services.keyring, user.orgId, user.id, { fullName: user.fullName })).fullName });
    }
    return people.sort((a, b) => a.name.localeCompare(b.name));
  });
}

export async function assignCase(ctx: Context, caseId: string, assigneeId: string): Promise<void> {
  const people = await assignableTo(ctx, caseId);
  const person = people.find((candidate) => candidate.id === assigneeId);
  if (!person) {
    throw new CaseFormError({ assigneeId: "Select someone from the list" });
  }
  await changeCase(ctx, caseId, "case.assign", async (trx, row) => {
    if (row.assigneeId === assigneeId) return undefined;
    await trx.updateTable("cases").set({ assigneeId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    return { event: "assigned", detail: `Given to ${person.name}` };
  });
}

export async function changeStatus(ctx: Context, caseId: string, status: string): Promise<void> {
  await changeCase(ctx, caseId, "case.status", async (trx, row) => {
    const stage = WORKFLOWS[row.type as CaseType].statuses.find((item) => item.id === status);
    if (!stage) {
      throw new CaseFormError({ status: "Select a stage from the list" });
    }
    if (row.status === status) return undefined;
    await trx.updateTable("cases").set({ status }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    return { event: "status", detail: `Moved to “${stage.name}”` };
  });
}

function checkPastDate(ctx: Context, date: string, field: string, notBefore: string, notBeforeText: string): void {
  if (date > londonDateOf(ctx.services.clock.now())) {
    throw new CaseFormError({ [field]: "The date must be today or in the past" });
  }
  if (date < notBefore) {
    throw new CaseFormError({ [field]: `The date must be on or after ${notBeforeText}` });
  }
}

/** The response's date and channel, as closing needs them: both given, the date neither in the future nor before receipt. */
function checkResponseSent(ctx: Context, row: Pick<CaseRow, "receivedOn">, sentOn: string | undefined, channel: string | undefined): void {
  if (!sentOn) {
    throw new CaseFormError({ sentOn: "Enter the date the response was sent" });
  }
  if (sentOn > londonDateOf(ctx.services.clock.now())) {
    throw new CaseFormError({ sentOn: "Date the response was sent must be today or in the past" });
  }
  if (sentOn < row.receivedOn) {
    throw new CaseFormError({ sentOn: `Date the response was sent must be on or after the day it was received, ${formatDate(row.receivedOn)}` });
  }
  if (!channel) {
    throw new CaseFormError({ responseChannel: "Select how the response was sent" });
  }
}

/** The clock stop still waiting on the requester, if there is one (there is at most one). */
function openStopOf(trx: Tx, row: Pick<CaseRow, "orgId" | "id">) {
  return trx.selectFrom("caseStops").select(["id", "reason", "fromOn"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("toOn", "is", null).executeTakeFirst();
}

/** Stops (or, for clarification, pauses) the clock while waiting on the requester. */
export async function stopClock(ctx: Context, caseId: string, reason: StopReason, fromOn: string): Promise<void> {
  await changeCase(ctx, caseId, "case.clock-stop", async (trx, row) => {
    if (!WORKFLOWS[row.type as CaseType].stopReasons.includes(reason)) {
      throw new CaseFormError({ reason: "This kind of case cannot wait for that" });
    }
    checkPastDate(ctx, fromOn, "fromOn", row.receivedOn, `the day it was received, ${formatDate(row.receivedOn)}`);
    const open = await openStopOf(trx, row);
    if (open) {
      throw badRequest("The clock is already stopped. Restart it first.");
    }
    const last = await trx.selectFrom("caseStops").select(sql<string>`max(to_on)::text`.as("lastEnd")).where("orgId", "=", row.orgId).where("caseId", "=", row.id).executeTakeFirst();
    if (last?.lastEnd && fromOn < last.lastEnd) {
      throw new CaseFormError({ fromOn: `The date must be on or after the clock last restarted, ${formatDate(last.lastEnd)}` });
    }
    await trx.insertInto("caseStops").values({ orgId: row.orgId, id: randomUUID(), caseId: row.id, reason, fromOn, toOn: null }).execute();
    return { event: "clock-stopped", detail: `${STOP_REASON_NAMES[reason]} since ${formatDate(fromOn)}` };
  });
}

export async function restartClock(ctx: Context, caseId: string, toOn: string): Promise<void> {
  await changeCase(ctx, caseId, "case.clock-restart", async (trx, row) => {
    const open = await openStopOf(trx, row);
    if (!open) {
      throw badRequest("The clock is not stopped.");
    }
    checkPastDate(ctx, toOn, "toOn", open.fromOn, `the day you asked, ${formatDate(open.fromOn)}`);
    await trx.updateTable("caseStops").set({ toOn }).where("orgId", "=", row.orgId).where("id", "=", open.id).execute();
    const what = WAITED_FOR[open.reason];
    return { event: "clock-restarted", detail: `${what.charAt(0).toUpperCase()}${what.slice(1)} arrived on ${formatDate(toOn)}: the clock runs again` };
  });
}

/** Extends the deadline as the case type's law allows, recording the reasons (and, for a SAR, when the requester was told). */
export async function extendCase(ctx: Context, caseId: string, input: { reason: string; toldOn?: string | undefined; extendedTo?: string | undefined }): Promise<void> {
  await changeCase(ctx, caseId, "case.extend", async (trx, row) => {
    const kind = WORKFLOWS[row.type as CaseType].extension;
    if (!kind) {
      throw badRequest("The law gives this kind of case no extension.");
    }
    if (row.extended || row.extendedTo) {
      throw badRequest("This case has already been extended.");
    }
    const reason = await sealCase(trx, ctx, row.orgId, row.id, "extensionReason", input.reason);
    if (kind === "months") {
      if (!input.toldOn || !isIsoDate(input.toldOn)) {
        throw new CaseFormError({ toldOn: "Enter the date you told the requester, for example 30 1 2027" });
      }
      const { deadline } = await deadlineOf(trx, row);
      if (!deadline.due) {
        throw badRequest("Restart the clock before extending.");
      }
      checkPastDate(ctx, input.toldOn, "toldOn", row.receivedOn, `the day it was received, ${formatDate(row.receivedOn)}`);
      if (input.toldOn > deadline.due) {
        throw new CaseFormError({ toldOn: `The requester must be told within the first month, by ${formatDate(deadline.due)}. It is too late to extend.` });
      }
      await trx.updateTable("cases").set({ extended: true, extensionReason: reason, requesterToldOn: input.toldOn }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
      return { event: "extended", detail: `Extended by two further months. Requester told on ${formatDate(input.toldOn)}. Reasons: ${input.reason}` };
    }
    if (kind === "eir") {
      await trx.updateTable("cases").set({ extended: true, extensionReason: reason }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
      return { event: "extended", detail: `Extended to 40 working days: ${input.reason}` };
    }
    if (!input.extendedTo || !isIsoDate(input.extendedTo)) {
      throw new CaseFormError({ extendedTo: "Enter the new date, for example 1 3 2027" });
    }
    await trx.updateTable("cases").set({ extendedTo: input.extendedTo, extensionReason: reason }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    return { event: "extended", detail: `Extended to ${formatDate(input.extendedTo)} to consider the public interest: ${input.reason}` };
  });
}

/** Anyone who can see a case may add a note to it; notes are part of its timeline. */
export async function addNote(ctx: Context, caseId: string, note: string): Promise<void> {
  await changeCase(ctx, caseId, "case.note", async () => ({ event: "note", detail: note }), { permission: "cases:log", allowClosed: true });
}

/** What closing a case records: the outcome, and (unless there was nothing to send) when and how the response went. */
export interface Closing {
  outcome: string;
  detail?: string | undefined;
  sentOn?: string | undefined;
  responseChannel?: ResponseChannel | undefined;
}

/** Checks a closing against the case as it stands; returns the outcome chosen and whether a response went. */
function checkClosing(ctx: Context, row: CaseRow, { outcome, detail, sentOn, responseChannel }: Closing) {
  const choice = WORKFLOWS[row.type as CaseType].outcomes.find((item) => item.id === outcome);
  if (!choice) {
    throw new CaseFormError({ outcome: "Select the outcome" });
  }
  if ("needsDetail" in choice && choice.needsDetail && !detail) {
    throw new CaseFormError({ detail: choice.needsDetail });
  }
  const response = needsResponse(row.type, outcome);
  if (response) {
    checkResponseSent(ctx, row, sentOn, responseChannel);
  }
  return { choice, response };
}

/** What closing would record, for the check-your-answers page: nothing is written, nothing audited beyond the view. */
export async function previewClosing(ctx: Context, caseId: string, closing: Closing) {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const visible = await findVisibleCase(trx, ctx, caseId);
    const row = await trx.selectFrom("cases").selectAll().where("orgId", "=", visible.orgId).where("id", "=", visible.id).executeTakeFirstOrThrow();
    if (row.closedAt) {
      throw badRequest("This case is closed.");
    }
    const { choice, response } = checkClosing(ctx, row, closing);
    const facts = { ...row, outcome: choice.id, closedAt: ctx.services.clock.now(), responseSentOn: response ? closing.sentOn! : null, responseChannel: response ? closing.responseChannel! : null };
    return { outcomeName: choice.name, detail: closing.detail ?? null, asksResponse: response, response: responseSummaryOf(facts) };
  });
}

export async function closeCase(ctx: Context, caseId: string, closing: Closing): Promise<void> {
  const { outcome, detail, sentOn, responseChannel } = closing;
  await changeCase(ctx, caseId, "case.close", async (trx, row) => {
    const { choice, response } = checkClosing(ctx, row, closing);
    const now = ctx.services.clock.now();
    const openStop = await openStopOf(trx, row);
    if (openStop) {
      // A request withdrawn while waiting (say, identity never came): the wait ends with the case.
      await trx.updateTable("caseStops").set({ toOn: londonDateOf(now) }).where("orgId", "=", row.orgId).where("id", "=", openStop.id).execute();
    }
    await trx
      .updateTable("cases")
      .set({
        outcome,
        outcomeDetail: detail ? await sealCase(trx, ctx, row.orgId, row.id, "outcomeDetail", detail) : null,
        closedAt: now,
        icoReportedOn: row.type === "breach" && outcome === "reported" && !row.icoReportedOn ? londonDateOf(now) : row.icoReportedOn,
        responseSentOn: response ? sentOn! : null,
        responseChannel: response ? responseChannel! : null,
      })
      .where("orgId", "=", row.orgId)
      .where("id", "=", row.id)
      .execute();
    const sent = response ? `. ${responseSummaryOf({ ...row, responseSentOn: sentOn!, responseChannel: responseChannel!, closedAt: now, outcome }).text}` : "";
    return { event: "closed", detail: `Closed: ${choice.name}${sent}${detail ? `. ${detail}` : ""}` };
  });
}

/**
 * Opens a closed case again (closed by mistake, or the requester came back about the same
 * request). The outcome is cleared and the deadline is worked out afresh; the timeline keeps the
 * closing and says why it was reopened.
 */
export async function reopenCase(ctx: Context, caseId: string, reason: string): Promise<void> {
  await changeCase(
    ctx,
    caseId,
    "case.reopen",
    async (trx, row) => {
      if (!row.closedAt) {
        throw badRequest("This case is open.");
      }
      const outcome = WORKFLOWS[row.type as CaseType].outcomes.find((item) => item.id === row.outcome)?.name ?? row.outcome;
      await trx.updateTable("cases").set({ closedAt: null, outcome: null, outcomeDetail: null, responseSentOn: null, responseChannel: null }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
      return { event: "reopened", detail: `Reopened (it had been closed as ${outcome}). Why: ${reason}` };
    },
    { allowClosed: true },
  );
}

/** Records a breach's risk assessment and what an Art 33(3) notification needs; decides what to do. */
export async function assessBreach(ctx: Context, caseId: string, input: BreachAssessment): Promise<void> {
  const { icoReportedOn, peopleToldOn, ...report } = input;
  for (const [field, value] of [["icoReportedOn", icoReportedOn], ["peopleToldOn", peopleToldOn]] as const) {
    if (value && !isIsoDate(value)) {
      throw new CaseFormError({ [field]: "Enter a real date, for example 30 1 2027, or leave it empty" });
    }
  }
  await changeCase(ctx, caseId, "case.breach-assess", async (trx, row) => {
    if (row.type !== "breach") {
      throw badRequest("Only a breach has a risk assessment.");
    }
    for (const [field, value] of [["icoReportedOn", icoReportedOn], ["peopleToldOn", peopleToldOn]] as const) {
      if (value) checkPastDate(ctx, value, field, row.receivedOn, `the day the school became aware, ${formatDate(row.receivedOn)}`);
    }
    const decision = breachDecision(report.likelihood, report.severity);
    await trx
      .updateTable("cases")
      .set({
        riskLikelihood: report.likelihood,
        riskSeverity: report.severity,
        breachReport: await sealCase(trx, ctx, row.orgId, row.id, "breachReport", JSON.stringify(report)),
        // Dates as typed: a day, not a moment (midday of it could read as before the school knew).
        icoReportedOn: icoReportedOn || row.icoReportedOn,
        peopleToldOn: peopleToldOn || row.peopleToldOn,
      })
      .where("orgId", "=", row.orgId)
      .where("id", "=", row.id)
      .execute();
    const advice = `${decision.risk} risk: ${decision.reportToIco ? "report to the ICO" : "no need to report to the ICO (log it)"}; ${decision.tellPeople ? "tell the people affected" : "no need to tell the people affected"}`;
    return { event: "breach-assessed", detail: `Risk assessed as ${advice}` };
  });
}
