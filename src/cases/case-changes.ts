import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { formatDate, isIsoDate, londonDateOf } from "../calendar/dates.ts";
import { WAITED_FOR, type CaseType, type StopReason } from "../calendar/deadlines.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { badRequest } from "../platform/errors.ts";
import { deadlineOf } from "./case-deadlines.ts";
import type { BreachAssessment } from "./cases.schema.ts";
import { changeCase, CaseFormError, findVisibleCase, sealCase, type CaseRow } from "./cases.ts";
import { needsResponse, responseSummaryOf, type ResponseChannel } from "./response.ts";
import { breachDecision, STOP_REASON_NAMES, WORKFLOWS } from "./workflows.ts";

/* The changes a DPO makes to a case: each runs through changeCase (lock, change, deadline, timeline, audit). */

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
