import { randomUUID } from "node:crypto";
import { inActorScope, type Actor, type Context } from "../accounts/actor.ts";
import { authorise, can } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { recordAudit, type AuditAction } from "../audit/audit.ts";
import { countdownTo, DeadlineInputError, type CaseType, type ClockStop, type Countdown, type Deadline } from "../calendar/deadlines.ts";
import type { Selectable } from "kysely";
import type { CaseTable } from "../platform/database/schema.ts";
import { afterCommit, type Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor } from "../platform/encryption/keyring.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import type { BreachAssessment } from "./cases.schema.ts";
import { deadlineOf, storeDeadline } from "./case-deadlines.ts";
import { responseSummaryOf, type ResponseSummary } from "./response.ts";
import { caseFiguresChanged } from "./dashboard-figures.ts";
import type { breachDecision} from "./workflows.ts";
import { WORKFLOWS } from "./workflows.ts";

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
  createdBy: string | null;
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
  /** How the response went, as recorded (by closing, or by the response letter sent from Steward). */
  responseChannel: string | null;
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
  return visibleCaseRows(trx, actor, organisationIds).innerJoin("organisations", "organisations.id", "cases.orgId");
}

/** As visibleCases, without the organisation joined: for a query that reads only the cases' own columns. */
export function visibleCaseRows(trx: Tx, actor: Actor, organisationIds: readonly string[] = actor.organisationIds) {
  let query = trx.selectFrom("cases").where("cases.orgId", "in", organisationIds);
  if (!can(actor, "cases:view-all")) {
    query = query.where((eb) => eb.or([eb("cases.createdBy", "=", actor.userId), eb("cases.assigneeId", "=", actor.userId)]));
  }
  return query;
}

export async function openCaseColumns<T extends Partial<Record<SealedColumn, string | null>>>(trx: Tx, ctx: Context, organisationId: string, caseId: string, row: T): Promise<T> {
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

/** The names of the given people, by user id: only those in the actor's organisations (or those given, which the transaction's scope must cover), only those asked for. */
export async function peopleNames(trx: Tx, ctx: Context, userIds: readonly (string | null)[], organisationIds: readonly string[] = ctx.actor.organisationIds): Promise<Map<string, string>> {
  const wanted = [...new Set(userIds.filter((id): id is string => id !== null))];
  if (wanted.length === 0) {
    return new Map();
  }
  const rows = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).where("orgId", "in", organisationIds).where("id", "in", wanted).execute();
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
  await recordCaseEvent(trx, ctx.services, { organisationId, caseId, actorUserId: ctx.actor.userId, kind, ...(detail === undefined ? {} : { detail }) });
}

/** A timeline entry by whoever did it, or by Steward itself (a job, a purge: no actor). The detail is sealed. */
export async function recordCaseEvent(
  trx: Tx,
  services: Pick<Services, "clock" | "keyring">,
  event: { organisationId: string; caseId: string; actorUserId: string | null; kind: string; detail?: string },
): Promise<void> {
  const { organisationId, caseId, detail } = event;
  // Now, and again once committed: figures worked out in between saw the case as it was.
  caseFiguresChanged(organisationId);
  afterCommit(trx, () => caseFiguresChanged(organisationId));
  const id = randomUUID();
  await trx
    .insertInto("caseEvents")
    .values({
      orgId: organisationId,
      id,
      caseId,
      at: services.clock.now(),
      actorUserId: event.actorUserId,
      kind: event.kind,
      detail: detail === undefined ? null : await sealFor(trx, services.keyring, { organisationId, table: "caseEvents", column: "detail", rowId: id }, detail),
    })
    .execute();
}

/** The columns a case's line in the list is made from (summaryOf): no sealed free text but the requester's name. */
export const SUMMARY_COLUMNS = [
  "cases.orgId",
  "cases.id",
  "cases.reference",
  "cases.type",
  "cases.status",
  "cases.requesterName",
  "cases.receivedOn",
  "cases.receivedAt",
  "cases.dueOn",
  "cases.dueAt",
  "cases.assigneeId",
  "cases.closedAt",
  "cases.outcome",
  "cases.icoReportedOn",
  "cases.responseSentOn",
  "cases.responseChannel",
] as const;

export type SummaryRow = Pick<CaseRow, "orgId" | "id" | "reference" | "type" | "status" | "requesterName" | "receivedOn" | "receivedAt" | "dueOn" | "dueAt" | "assigneeId" | "closedAt" | "outcome" | "icoReportedOn" | "responseSentOn" | "responseChannel"> & { organisationName: string };

export function summaryOf(row: SummaryRow, names: Map<string, string>, now: Date, requesterName: string): CaseSummary {
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
    countdown: dueText && !row.closedAt && !row.responseSentOn ? countdownTo(dueText, now) : null,
    assigneeId: row.assigneeId,
    assigneeName: row.assigneeId ? (names.get(row.assigneeId) ?? "Someone at the trust") : null,
    closedAt: row.closedAt,
    outcome: row.outcome,
    outcomeName: row.outcome ? (workflow.outcomes.find((outcome) => outcome.id === row.outcome)?.name ?? row.outcome) : null,
    icoReportedOn: row.icoReportedOn,
    response: responseSummaryOf(row),
  };
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
