import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { refreshOpenDeadlines } from "../cases/case-deadlines.ts";
import { notFound } from "../platform/errors.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { divisionOf, type BankHoliday, type Nation } from "./bank-holidays.ts";
import { importBankHolidays, loadHolidayCalendar, loadOrganisationCalendar, type OrganisationCalendar, type SchoolType } from "./calendar-store.ts";
import { overlappingTerms, schoolDayTest, schoolDaysIn, type TermDates } from "./school-days.ts";

export interface CalendarChoices {
  nation: Nation;
  schoolType: SchoolType;
  adviceTargetDays: number;
}

function checkReachable(ctx: Context, organisationId: string): void {
  authorise(ctx.actor, "calendar:manage");
  if (!ctx.actor.organisationIds.includes(organisationId)) {
    throw notFound();
  }
}

/** Term dates Steward refuses (terms that overlap), each with its place in the list given. */
export class TermDatesError extends Error {
  constructor(readonly problems: { index: number; message: string }[]) {
    super(problems.map((problem) => problem.message).join(". "));
  }
}

export async function readCalendar(
  ctx: Context,
  organisationId: string,
): Promise<OrganisationCalendar & { name: string; isTrust: boolean; schoolDays: number[] }> {
  checkReachable(ctx, organisationId);
  return inActorScope(ctx, async (trx) => {
    const organisation = await trx.selectFrom("organisations").select(["name", "kind"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
    const calendar = await loadOrganisationCalendar(trx, organisationId);
    const holidays = await loadHolidayCalendar(trx);
    const isSchoolDay = schoolDayTest(calendar.terms, (date) => holidays.holidayIn(divisionOf(calendar.nation), date) !== undefined);
    // Each term's school days, so a mistyped date shows as a term of 3 days or of 300.
    const schoolDays = calendar.terms.map((term) => (term.kind === "term" ? schoolDaysIn(term, isSchoolDay) : 0));
    return { ...calendar, name: organisation.name, isTrust: organisation.kind === "trust", schoolDays };
  });
}

/**
 * Saves a school's nation, kind and advice target and, when given, its term dates, together: all
 * of it or none. Terms that overlap are refused (TermDatesError) and nothing is saved.
 */
export async function saveCalendar(ctx: Context, organisationId: string, choices: CalendarChoices, terms?: readonly TermDates[]): Promise<void> {
  checkReachable(ctx, organisationId);
  const overlaps = terms ? overlappingTerms(terms) : [];
  if (overlaps.length > 0) {
    throw new TermDatesError(overlaps);
  }
  await inActorScope(ctx, async (trx) => {
    const now = ctx.services.clock.now();
    const { kind } = await trx.selectFrom("organisations").select("kind").where("id", "=", organisationId).executeTakeFirstOrThrow();
    // A trust is no kind of school: its own cases always follow the academy rules.
    const { nation, schoolType, adviceTargetDays } = choices;
    await trx.updateTable("organisations").set({ nation, adviceTargetDays, schoolType: kind === "trust" ? "academy" : schoolType }).where("id", "=", organisationId).execute();
    await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "calendar.change", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: now });
    if (terms) {
      await writeTerms(trx, organisationId, terms);
      await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "calendar.terms-import", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: now });
    }
    await refreshOpenDeadlines(trx, organisationId, now);
  });
}

async function writeTerms(trx: Tx, organisationId: string, terms: readonly TermDates[]): Promise<void> {
  await trx.deleteFrom("schoolTerms").where("orgId", "=", organisationId).execute();
  for (const { kind, firstDay, lastDay } of terms) {
    await trx.insertInto("schoolTerms").values({ orgId: organisationId, id: randomUUID(), kind, firstDay, lastDay }).execute();
  }
}

/** Replaces a school's term dates (an imported CSV file); overlapping terms are refused (TermDatesError). */
export async function replaceTermDates(ctx: Context, organisationId: string, terms: readonly TermDates[]): Promise<void> {
  checkReachable(ctx, organisationId);
  const overlaps = overlappingTerms(terms);
  if (overlaps.length > 0) {
    throw new TermDatesError(overlaps);
  }
  await inActorScope(ctx, async (trx) => {
    await writeTerms(trx, organisationId, terms);
    await refreshOpenDeadlines(trx, organisationId, ctx.services.clock.now());
    await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "calendar.terms-import", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: ctx.services.clock.now() });
  });
}

/**
 * An operator's command: loads GOV.UK's published bank holidays over the years they cover, then
 * works out again the deadline of every open case.
 */
export async function importPublishedBankHolidays(
  services: Pick<Services, "database" | "clock">,
  holidays: readonly BankHoliday[],
): Promise<{ years: string[]; refreshed: number }> {
  const { years } = await services.database.db.transaction().execute((trx) => importBankHolidays(trx, holidays));
  return { years, refreshed: await refreshEveryOpenDeadline(services) };
}

/** Works out again the deadline of every open case, organisation by organisation in its own scope. */
async function refreshEveryOpenDeadline(services: Pick<Services, "database" | "clock">): Promise<number> {
  const db = services.database.db;
  const organisations = await inScope(db, {}, (trx) => sql<{ id: string }>`select steward_organisations_with_open_deadlines() as id`.execute(trx));
  let refreshed = 0;
  for (const { id } of organisations.rows) {
    refreshed += await inScope(db, { organisationIds: [id] }, (trx) => refreshOpenDeadlines(trx, id, services.clock.now()));
  }
  return refreshed;
}

/**
 * Each change to how Steward counts deadlines, by name. An open case stores its due date (lists,
 * the dashboard and reminders query it), so after a change those dates may be stale: the first
 * start-up that does not find a change's name recorded works them all out again, once.
 */
export const DEADLINE_RULE_CHANGES: readonly string[] = [
  "2026-12-01: proclaimed one-off bank holidays (15 Jun 2026, Scotland); a complaint's 30th day rolls to a working day; Scottish educational records",
];

/** Runs at start-up after the migrations, as the migrating role; one query once nothing is pending. */
export async function applyDeadlineRuleChanges(services: Pick<Services, "database" | "clock">): Promise<{ changes: string[]; refreshed: number }> {
  const db = services.database.db;
  const { rows } = await sql<{ name: string }>`select name from deadline_rule_changes`.execute(db);
  const applied = new Set(rows.map((row) => row.name));
  const changes = DEADLINE_RULE_CHANGES.filter((name) => !applied.has(name));
  if (changes.length === 0) {
    return { changes, refreshed: 0 };
  }
  const refreshed = await refreshEveryOpenDeadline(services);
  for (const name of changes) {
    await sql`insert into deadline_rule_changes (name, applied_at) values (${name}, ${services.clock.now()}) on conflict (name) do nothing`.execute(db);
  }
  return { changes, refreshed };
}
