import type { Selectable } from "kysely";
import type { HolidayCalendar } from "../calendar/bank-holidays.ts";
import { loadHolidayCalendar, loadOrganisationCalendar, type OrganisationCalendar } from "../calendar/calendar-store.ts";
import { isIsoDate, londonDateOf } from "../calendar/dates.ts";
import { computeDeadline, type CaseType, type ClockStop, type Deadline } from "../calendar/deadlines.ts";
import type { CaseTable } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";

/*
 * A case's deadline, as the database sees it: worked out by the calendar's one computeDeadline
 * from what is recorded about the case, and stored so lists, the dashboard and reminders can
 * query by date.
 */
type CaseRow = Selectable<CaseTable>;

/** What every deadline of one organisation is worked out against: the bank holidays and its own calendar. */
export interface DeadlineCalendars {
  holidays: HolidayCalendar;
  calendar: OrganisationCalendar;
}

export async function loadDeadlineCalendars(trx: Tx, organisationId: string, calendar?: OrganisationCalendar): Promise<DeadlineCalendars> {
  return { holidays: await loadHolidayCalendar(trx), calendar: calendar ?? (await loadOrganisationCalendar(trx, organisationId)) };
}

/** Works out a case's deadline from what is recorded about it, now; give the calendars when working out many. */
export async function deadlineOf(
  trx: Tx,
  row: Pick<CaseRow, "orgId" | "id" | "type" | "receivedAt" | "receivedOn" | "extended" | "extendedTo">,
  calendars?: DeadlineCalendars,
): Promise<{ deadline: Deadline; stops: ClockStop[] }> {
  const { holidays, calendar } = calendars ?? (await loadDeadlineCalendars(trx, row.orgId));
  const stopRows = await trx.selectFrom("caseStops").select(["reason", "fromOn", "toOn"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).orderBy("fromOn").execute();
  const stops = stopRows.map((stop) => ({ reason: stop.reason, from: stop.fromOn, to: stop.toOn }));
  const type = row.type as CaseType;
  const deadline = computeDeadline(
    {
      type,
      received: type === "breach" ? new Date(row.receivedAt).toISOString() : row.receivedOn,
      nation: calendar.nation,
      schoolType: calendar.schoolType,
      schoolTerms: calendar.terms,
      stops,
      extended: row.extended,
      extendedTo: row.extendedTo ?? undefined,
      adviceTargetDays: calendar.adviceTargetDays,
    },
    holidays,
  );
  return { deadline, stops };
}

/** Stores the deadline as now computed, so lists, the dashboard and reminders can query it. */
export async function storeDeadline(trx: Tx, organisationId: string, caseId: string, deadline: Deadline, at: Date): Promise<void> {
  const dueAt = deadline.due && !isIsoDate(deadline.due) ? new Date(deadline.due) : null;
  await trx
    .updateTable("cases")
    .set({ dueOn: deadline.due === null ? null : dueAt ? londonDateOf(dueAt) : deadline.due, dueAt, updatedAt: at })
    .where("orgId", "=", organisationId)
    .where("id", "=", caseId)
    .execute();
}

/** Re-works out the deadline of every open case of an organisation (after its calendar changes). */
export async function refreshOpenDeadlines(trx: Tx, organisationId: string, at: Date): Promise<number> {
  const open = await trx
    .selectFrom("cases")
    .select(["orgId", "id", "type", "receivedAt", "receivedOn", "extended", "extendedTo"])
    .where("orgId", "=", organisationId)
    .where("closedAt", "is", null)
    .execute();
  const calendars = await loadDeadlineCalendars(trx, organisationId);
  for (const row of open) {
    await storeDeadline(trx, organisationId, row.id, (await deadlineOf(trx, row, calendars)).deadline, at);
  }
  return open.length;
}
