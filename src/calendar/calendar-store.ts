import type { Tx } from "../platform/database/tenant-scope.ts";
import { HolidayCalendar, type BankHoliday, type Nation } from "./bank-holidays.ts";
import type { TermDates } from "./school-days.ts";

export type SchoolType = "maintained" | "academy" | "independent";

/** What a deadline needs to know about an organisation: its nation, kind of school, terms and targets. */
export interface OrganisationCalendar {
  nation: Nation;
  schoolType: SchoolType;
  adviceTargetDays: number;
  terms: TermDates[];
}

/**
 * The bank holidays in force: built in, with any years an operator loaded from GOV.UK over them.
 * The calendar is built once for the same updates and shared (HolidayCalendar.of), with the
 * indexes deadlines are counted from.
 */
export async function loadHolidayCalendar(trx: Tx): Promise<HolidayCalendar> {
  const updates = await trx.selectFrom("bankHolidayUpdates").select(["division", "date", "title"]).execute();
  return HolidayCalendar.of(updates);
}

export async function loadOrganisationCalendar(trx: Tx, organisationId: string): Promise<OrganisationCalendar> {
  const organisation = await trx
    .selectFrom("organisations")
    .select(["kind", "nation", "schoolType", "adviceTargetDays"])
    .where("id", "=", organisationId)
    .executeTakeFirstOrThrow();
  const terms = await trx
    .selectFrom("schoolTerms")
    .select(["kind", "firstDay", "lastDay"])
    .where("orgId", "=", organisationId)
    .orderBy("firstDay")
    .orderBy("kind")
    .execute();
  const { kind, ...calendar } = organisation;
  // A trust's own cases follow the academy rules: a trust is not a maintained school.
  return { ...calendar, schoolType: kind === "trust" ? "academy" : calendar.schoolType, terms };
}

/**
 * Loads GOV.UK's published bank holidays (an operator's command, not a tenant's): each division
 * and year in the file replaces what was there, in one transaction.
 */
export async function importBankHolidays(trx: Tx, holidays: readonly BankHoliday[]): Promise<{ years: string[] }> {
  const years = new Set<string>();
  for (const holiday of holidays) {
    const year = holiday.date.slice(0, 4);
    if (!years.has(`${holiday.division}:${year}`)) {
      years.add(`${holiday.division}:${year}`);
      await trx
        .deleteFrom("bankHolidayUpdates")
        .where("division", "=", holiday.division)
        .where("date", ">=", `${year}-01-01`)
        .where("date", "<=", `${year}-12-31`)
        .execute();
    }
    await trx.insertInto("bankHolidayUpdates").values(holiday).execute();
  }
  return { years: [...years].sort() };
}
