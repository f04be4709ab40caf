import { formatDate, isIsoDate, type IsoDate } from "./dates.ts";

/** The four nations a school can be in. England and Wales share one bank-holiday calendar. */
export type Nation = "england" | "wales" | "scotland" | "northern-ireland";
export const NATIONS: readonly Nation[] = ["england", "wales", "scotland", "northern-ireland"];
export const NATION_NAMES: Record<Nation, string> = {
  england: "England",
  wales: "Wales",
  scotland: "Scotland",
  "northern-ireland": "Northern Ireland",
};

/** GOV.UK's names for the three bank-holiday calendars (as in bank-holidays.json). */
export type Division = "england-and-wales" | "scotland" | "northern-ireland";
export const DIVISIONS: readonly Division[] = ["england-and-wales", "scotland", "northern-ireland"];

export function divisionOf(nation: Nation): Division {
  return nation === "england" || nation === "wales" ? "england-and-wales" : nation;
}

export interface BankHoliday {
  division: Division;
  date: IsoDate;
  title: string;
}

/**
 * Built in: 2024–2027 as published by GOV.UK (bank-holidays.json); 2028–2030 projected from the
 * Banking and Financial Dealings Act 1971 rules and usual substitute days (uk-rules.md §9). The
 * projected years are UNVERIFIED until GOV.UK publishes them, so pages say so, and an operator can
 * load the published file over them (`npm run steward -- bank-holidays import FILE`).
 */
export const FIRST_PROJECTED_YEAR = 2028;
export const BUILT_IN_YEARS = { first: 2024, last: 2030 };

const ENGLAND_AND_WALES: Record<number, [string, string][]> = {
  2024: [["01-01", "New Year’s Day"], ["03-29", "Good Friday"], ["04-01", "Easter Monday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["08-26", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2025: [["01-01", "New Year’s Day"], ["04-18", "Good Friday"], ["04-21", "Easter Monday"], ["05-05", "Early May bank holiday"], ["05-26", "Spring bank holiday"], ["08-25", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2026: [["01-01", "New Year’s Day"], ["04-03", "Good Friday"], ["04-06", "Easter Monday"], ["05-04", "Early May bank holiday"], ["05-25", "Spring bank holiday"], ["08-31", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-28", "Boxing Day (substitute day)"]],
  2027: [["01-01", "New Year’s Day"], ["03-26", "Good Friday"], ["03-29", "Easter Monday"], ["05-03", "Early May bank holiday"], ["05-31", "Spring bank holiday"], ["08-30", "Summer bank holiday"], ["12-27", "Christmas Day (substitute day)"], ["12-28", "Boxing Day (substitute day)"]],
  2028: [["01-03", "New Year’s Day (substitute day)"], ["04-14", "Good Friday"], ["04-17", "Easter Monday"], ["05-01", "Early May bank holiday"], ["05-29", "Spring bank holiday"], ["08-28", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2029: [["01-01", "New Year’s Day"], ["03-30", "Good Friday"], ["04-02", "Easter Monday"], ["05-07", "Early May bank holiday"], ["05-28", "Spring bank holiday"], ["08-27", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2030: [["01-01", "New Year’s Day"], ["04-19", "Good Friday"], ["04-22", "Easter Monday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["08-26", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
};

const SCOTLAND: Record<number, [string, string][]> = {
  2024: [["01-01", "New Year’s Day"], ["01-02", "2nd January"], ["03-29", "Good Friday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["08-05", "Summer bank holiday"], ["12-02", "St Andrew’s Day (substitute day)"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2025: [["01-01", "New Year’s Day"], ["01-02", "2nd January"], ["04-18", "Good Friday"], ["05-05", "Early May bank holiday"], ["05-26", "Spring bank holiday"], ["08-04", "Summer bank holiday"], ["12-01", "St Andrew’s Day (substitute day)"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2026: [["01-01", "New Year’s Day"], ["01-02", "2nd January"], ["04-03", "Good Friday"], ["05-04", "Early May bank holiday"], ["05-25", "Spring bank holiday"], ["08-03", "Summer bank holiday"], ["11-30", "St Andrew’s Day"], ["12-25", "Christmas Day"], ["12-28", "Boxing Day (substitute day)"]],
  2027: [["01-01", "New Year’s Day"], ["01-04", "2nd January (substitute day)"], ["03-26", "Good Friday"], ["05-03", "Early May bank holiday"], ["05-31", "Spring bank holiday"], ["08-02", "Summer bank holiday"], ["11-30", "St Andrew’s Day"], ["12-27", "Christmas Day (substitute day)"], ["12-28", "Boxing Day (substitute day)"]],
  2028: [["01-03", "New Year’s Day (substitute day)"], ["01-04", "2nd January (substitute day)"], ["04-14", "Good Friday"], ["05-01", "Early May bank holiday"], ["05-29", "Spring bank holiday"], ["08-07", "Summer bank holiday"], ["11-30", "St Andrew’s Day"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2029: [["01-01", "New Year’s Day"], ["01-02", "2nd January"], ["03-30", "Good Friday"], ["05-07", "Early May bank holiday"], ["05-28", "Spring bank holiday"], ["08-06", "Summer bank holiday"], ["11-30", "St Andrew’s Day"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2030: [["01-01", "New Year’s Day"], ["01-02", "2nd January"], ["04-19", "Good Friday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["08-05", "Summer bank holiday"], ["12-02", "St Andrew’s Day (substitute day)"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
};

const NORTHERN_IRELAND: Record<number, [string, string][]> = {
  2024: [["01-01", "New Year’s Day"], ["03-18", "St Patrick’s Day (substitute day)"], ["03-29", "Good Friday"], ["04-01", "Easter Monday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["07-12", "Battle of the Boyne (Orangemen’s Day)"], ["08-26", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2025: [["01-01", "New Year’s Day"], ["03-17", "St Patrick’s Day"], ["04-18", "Good Friday"], ["04-21", "Easter Monday"], ["05-05", "Early May bank holiday"], ["05-26", "Spring bank holiday"], ["07-14", "Battle of the Boyne (substitute day)"], ["08-25", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2026: [["01-01", "New Year’s Day"], ["03-17", "St Patrick’s Day"], ["04-03", "Good Friday"], ["04-06", "Easter Monday"], ["05-04", "Early May bank holiday"], ["05-25", "Spring bank holiday"], ["07-13", "Battle of the Boyne (substitute day)"], ["08-31", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-28", "Boxing Day (substitute day)"]],
  2027: [["01-01", "New Year’s Day"], ["03-17", "St Patrick’s Day"], ["03-26", "Good Friday"], ["03-29", "Easter Monday"], ["05-03", "Early May bank holiday"], ["05-31", "Spring bank holiday"], ["07-12", "Battle of the Boyne (Orangemen’s Day)"], ["08-30", "Summer bank holiday"], ["12-27", "Christmas Day (substitute day)"], ["12-28", "Boxing Day (substitute day)"]],
  2028: [["01-03", "New Year’s Day (substitute day)"], ["03-17", "St Patrick’s Day"], ["04-14", "Good Friday"], ["04-17", "Easter Monday"], ["05-01", "Early May bank holiday"], ["05-29", "Spring bank holiday"], ["07-12", "Battle of the Boyne (Orangemen’s Day)"], ["08-28", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2029: [["01-01", "New Year’s Day"], ["03-19", "St Patrick’s Day (substitute day)"], ["03-30", "Good Friday"], ["04-02", "Easter Monday"], ["05-07", "Early May bank holiday"], ["05-28", "Spring bank holiday"], ["07-12", "Battle of the Boyne (Orangemen’s Day)"], ["08-27", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
  2030: [["01-01", "New Year’s Day"], ["03-18", "St Patrick’s Day (substitute day)"], ["04-19", "Good Friday"], ["04-22", "Easter Monday"], ["05-06", "Early May bank holiday"], ["05-27", "Spring bank holiday"], ["07-12", "Battle of the Boyne (Orangemen’s Day)"], ["08-26", "Summer bank holiday"], ["12-25", "Christmas Day"], ["12-26", "Boxing Day"]],
};

/**
 * A one-off bank holiday appointed by royal proclamation under s1(3) of the Banking and Financial
 * Dealings Act 1971. The standing rules cannot produce these, so each is kept as data with its
 * source, and counts in every calendar that includes its division (FOIA's "any part of the UK",
 * FOISA's Scotland, a SAR rolled forward in that nation), whatever an operator has imported.
 */
export interface ProclaimedBankHoliday extends BankHoliday {
  /** The day the proclamation was made. */
  proclaimedOn: IsoDate;
  /** Where it is recorded, for a DPO who wants to check. */
  source: string;
}

export const PROCLAIMED_BANK_HOLIDAYS: readonly ProclaimedBankHoliday[] = [
  {
    division: "scotland",
    date: "2026-06-15",
    title: "World Cup bank holiday",
    proclaimedOn: "2026-02-04",
    source:
      "Royal proclamation of 4 February 2026 under s1(3) of the Banking and Financial Dealings Act 1971, appointing Monday 15 June 2026 a bank holiday in Scotland (reported by the Scottish Government and the national press, quoting the proclamation; uk-rules.md §9.3)",
  },
];

const DIVISION_NAMES: Record<Division, string> = { "england-and-wales": "England and Wales", scotland: "Scotland", "northern-ireland": "Northern Ireland" };

/** "15 Jun 2026 is a bank holiday in Scotland, proclaimed 4 Feb 2026 under s1(3) of the 1971 Act", for a deadline's rule. */
export function describeProclaimed(day: ProclaimedBankHoliday): string {
  return `${formatDate(day.date)} is a bank holiday in ${DIVISION_NAMES[day.division]}, proclaimed ${formatDate(day.proclaimedOn)} under s1(3) of the Banking and Financial Dealings Act 1971`;
}

const BUILT_IN: Record<Division, Record<number, [string, string][]>> = {
  "england-and-wales": ENGLAND_AND_WALES,
  scotland: SCOTLAND,
  "northern-ireland": NORTHERN_IRELAND,
};

export function builtInBankHolidays(): BankHoliday[] {
  return DIVISIONS.flatMap((division) =>
    Object.entries(BUILT_IN[division]).flatMap(([year, days]) => days.map(([monthDay, title]) => ({ division, date: `${year}-${monthDay}`, title }))),
  );
}

/**
 * The bank holidays every deadline is counted against: the built-in list, with any year an
 * operator loaded from GOV.UK replacing that year's built-in days for that division, and the
 * proclaimed one-off days on top (a published file without one, or an older one, cannot drop it).
 */
export class HolidayCalendar {
  readonly #byDivision = new Map<Division, Map<IsoDate, string>>();
  /** Division → years loaded from a published file (so no longer projected). */
  readonly #publishedYears = new Map<Division, Set<number>>();
  /** Years with any holidays known (New Year's Day at least, in every year). */
  readonly #years = new Set<string>();

  constructor(updates: readonly BankHoliday[] = []) {
    const updatedYears = new Map<Division, Set<number>>();
    for (const update of updates) {
      const years = updatedYears.get(update.division) ?? new Set<number>();
      years.add(Number(update.date.slice(0, 4)));
      updatedYears.set(update.division, years);
    }
    for (const division of DIVISIONS) {
      const days = new Map<IsoDate, string>();
      const replaced = updatedYears.get(division) ?? new Set<number>();
      for (const holiday of builtInBankHolidays()) {
        if (holiday.division === division && !replaced.has(Number(holiday.date.slice(0, 4)))) {
          days.set(holiday.date, holiday.title);
        }
      }
      for (const update of updates) {
        if (update.division === division) {
          days.set(update.date, update.title);
        }
      }
      for (const proclaimed of PROCLAIMED_BANK_HOLIDAYS) {
        if (proclaimed.division === division) {
          days.set(proclaimed.date, days.get(proclaimed.date) ?? proclaimed.title);
        }
      }
      this.#byDivision.set(division, days);
      for (const day of days.keys()) {
        this.#years.add(day.slice(0, 4));
      }
      this.#publishedYears.set(division, replaced);
    }
  }

  /** The holiday's name in that division, or undefined on an ordinary day. */
  holidayIn(division: Division, date: IsoDate): string | undefined {
    return this.#byDivision.get(division)?.get(date);
  }

  /** The holiday's name in any part of the UK (FOIA s10(6)), or undefined. */
  holidayAnywhere(date: IsoDate): string | undefined {
    for (const division of DIVISIONS) {
      const title = this.holidayIn(division, date);
      if (title) {
        return title;
      }
    }
    return undefined;
  }

  /** The one-off days proclaimed in these divisions from `first` to `last` inclusive, in date order. */
  proclaimedBetween(divisions: readonly Division[], first: IsoDate, last: IsoDate): ProclaimedBankHoliday[] {
    return PROCLAIMED_BANK_HOLIDAYS.filter((day) => divisions.includes(day.division) && day.date >= first && day.date <= last).sort((a, b) =>
      a.date.localeCompare(b.date),
    );
  }

  /** True when a date's year is only projected for the division (not yet published by GOV.UK). */
  isProjected(division: Division, date: IsoDate): boolean {
    const year = Number(date.slice(0, 4));
    return year >= FIRST_PROJECTED_YEAR && !(this.#publishedYears.get(division)?.has(year) ?? false);
  }

  /** True when the year has holiday data; where it has none, deadlines say so rather than guess silently. */
  covers(date: IsoDate): boolean {
    return this.#years.has(date.slice(0, 4));
  }
}

/**
 * Reads GOV.UK's bank-holidays.json ({"england-and-wales": {"events": [{title, date}]}, …}).
 * Throws with a plain message for anything else, so a wrong file changes nothing.
 */
export function readGovUkBankHolidays(json: unknown): BankHoliday[] {
  if (typeof json !== "object" || json === null) {
    throw new Error("The file is not GOV.UK's bank-holidays.json: expected an object of divisions.");
  }
  const holidays: BankHoliday[] = [];
  for (const division of DIVISIONS) {
    const entry = (json as Record<string, unknown>)[division];
    const events = typeof entry === "object" && entry !== null ? (entry as { events?: unknown }).events : undefined;
    if (!Array.isArray(events)) {
      throw new Error(`The file has no events for ${division}.`);
    }
    for (const event of events) {
      const { date, title } = (event ?? {}) as { date?: unknown; title?: unknown };
      if (typeof date !== "string" || !isIsoDate(date) || typeof title !== "string" || title.length === 0 || title.length > 200) {
        throw new Error(`An event for ${division} has no valid date and title.`);
      }
      holidays.push({ division, date, title });
    }
  }
  return holidays;
}
