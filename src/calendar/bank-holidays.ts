import { formatDate, isIsoDate, type IsoDate } from "./dates.ts";
import { dayFromCivil, dayNumberOf, isoOfDay } from "./day-numbers.ts";
import type { TermDates } from "./school-days.ts";
import { copyTerm, DayTable, DIVISION_BIT, KeptByContent, sameTerm, SchoolDayIndex, WorkingDayIndex } from "./working-days.ts";

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

const BUILT_IN_LIST: readonly BankHoliday[] = DIVISIONS.flatMap((division) =>
  Object.entries(BUILT_IN[division]).flatMap(([year, days]) => days.map(([monthDay, title]) => ({ division, date: `${year}-${monthDay}`, title }))),
);

export function builtInBankHolidays(): BankHoliday[] {
  return BUILT_IN_LIST.map((holiday) => ({ ...holiday }));
}

/** The one-off days by division and day number, for a deadline that lands on one. */
const PROCLAIMED_BY_DAY = new Map<number, ProclaimedBankHoliday[]>();
for (const day of PROCLAIMED_BANK_HOLIDAYS) {
  const key = dayNumberOf(day.date) * 8 + DIVISION_BIT[day.division];
  PROCLAIMED_BY_DAY.set(key, [...(PROCLAIMED_BY_DAY.get(key) ?? []), day]);
}
/** The one-off days in date order, with their day numbers. */
const PROCLAIMED_IN_ORDER = [...PROCLAIMED_BANK_HOLIDAYS]
  .sort((a, b) => a.date.localeCompare(b.date))
  .map((holiday) => ({ holiday, day: dayNumberOf(holiday.date), bit: DIVISION_BIT[holiday.division] }));

/** The first one-off day proclaimed in the division on the day, if any (proclaimedBetween of that one day). */
export function proclaimedOnDay(division: Division, day: number): ProclaimedBankHoliday | undefined {
  return PROCLAIMED_BY_DAY.size === 0 ? undefined : PROCLAIMED_BY_DAY.get(day * 8 + DIVISION_BIT[division])?.[0];
}

/** The one-off days proclaimed in `mask`'s divisions from day `first` to day `last`, in date order (proclaimedBetween by day number). */
export function proclaimedBetweenDays(mask: number, first: number, last: number): readonly ProclaimedBankHoliday[] {
  let found: ProclaimedBankHoliday[] | undefined;
  for (const { holiday, day, bit } of PROCLAIMED_IN_ORDER) {
    if ((bit & mask) !== 0 && day >= first && day <= last) (found ??= []).push(holiday);
  }
  return found ?? NONE_PROCLAIMED;
}

const NONE_PROCLAIMED: readonly ProclaimedBankHoliday[] = Object.freeze([]);

/** Calendars built so far, by the updates they were built from, so each request does not build its own (about 0.4 ms each). */
const CALENDARS = new KeptByContent<BankHoliday, HolidayCalendar>(
  16,
  (kept, update) => kept.date === update.date && kept.division === update.division && kept.title === update.title,
  ({ division, date, title }) => ({ division, date, title }),
);

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
  /** The same years as numbers. */
  readonly #yearNumbers = new Set<number>();
  #table: DayTable | undefined;
  #titlesByDay: Map<number, string> | undefined;
  readonly #working = new Map<number, WorkingDayIndex>();
  /** Each school's indexes (by nation and working-day masks), kept by the content of its terms: the 128 used last. */
  readonly #schools = new KeptByContent<TermDates, Map<number, SchoolDayIndex>>(128, sameTerm, copyTerm);

  /**
   * The calendar for these published updates, built once and shared: a calendar never changes
   * after it is built, so every deadline counted against the same updates can use the same one.
   * Keeps the 16 used most recently.
   */
  static of(updates: readonly BankHoliday[] = []): HolidayCalendar {
    // Rows are compared in order: a later row for the same day wins, so order is part of the content.
    return CALENDARS.find(updates) ?? CALENDARS.keep(updates, new HolidayCalendar(updates));
  }

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
      for (const holiday of BUILT_IN_LIST) {
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
        this.#yearNumbers.add(Number(day.slice(0, 4)));
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

  /** covers() for a whole year. */
  coversYear(year: number): boolean {
    return this.#yearNumbers.has(year);
  }

  /** The divisions (as DIVISION_BIT bits) in which the year is only projected: isProjected() for a whole year. */
  projectedDivisions(year: number): number {
    if (year < FIRST_PROJECTED_YEAR) {
      return 0;
    }
    let bits = 0;
    for (const division of DIVISIONS) {
      if (!(this.#publishedYears.get(division)?.has(year) ?? false)) bits |= DIVISION_BIT[division];
    }
    return bits;
  }

  /** The holiday's name in that division on a day number (holidayIn by day). */
  holidayOnDay(division: Division, day: number): string | undefined {
    this.#titlesByDay ??= this.#titlesOfDays();
    return this.#titlesByDay.get(day * 8 + DIVISION_BIT[division]);
  }

  #titlesOfDays(): Map<number, string> {
    const titles = new Map<number, string>();
    for (const division of DIVISIONS) {
      for (const [date, title] of this.#byDivision.get(division)!) {
        titles.set(dayNumberOf(date) * 8 + DIVISION_BIT[division], title);
      }
    }
    return titles;
  }

  /** The holidays laid out by day number, from 2000 (or the first year known) to 2060 (or the year after the last), within 1900 to 2201. */
  get days(): DayTable {
    return (this.#table ??= this.#layOut());
  }

  /** Working days where the holidays of `mask`'s divisions (DIVISION_BIT bits) count. */
  workingDays(mask: number): WorkingDayIndex {
    let index = this.#working.get(mask);
    if (!index) {
      index = new WorkingDayIndex(this.days, mask);
      this.#working.set(mask, index);
    }
    return index;
  }

  /**
   * A school's days, counted against this calendar: its own nation's holidays (`nationBit`) are
   * not school days, and a counted day must also be a working day of `workingMask`. Kept by the
   * terms' content, so the same terms loaded afresh for each request are indexed once.
   */
  schoolDays(terms: readonly TermDates[], nationBit: number, workingMask: number): SchoolDayIndex {
    const byMasks = this.#schools.find(terms) ?? this.#schools.keep(terms, new Map());
    const masks = nationBit * 8 + workingMask;
    let index = byMasks.get(masks);
    if (!index) {
      index = new SchoolDayIndex(terms, this.days, nationBit, this.workingDays(workingMask));
      byMasks.set(masks, index);
    }
    return index;
  }

  #layOut(): DayTable {
    // A holiday outside the table (a file with a mistyped year) is still found, the slow way.
    const known = [...this.#yearNumbers].filter((year) => year >= 1900 && year <= 2200);
    const firstYear = Math.min(2000, ...known);
    const lastYear = Math.max(2060, ...known.map((year) => year + 1));
    const first = dayFromCivil(firstYear, 1, 1);
    const last = dayFromCivil(lastYear, 12, 31);
    const holidays = new Uint8Array(last - first + 1);
    for (const division of DIVISIONS) {
      for (const date of this.#byDivision.get(division)!.keys()) {
        const day = dayNumberOf(date);
        if (day >= first && day <= last) holidays[day - first]! |= DIVISION_BIT[division];
      }
    }
    const loud = new Uint8Array(last - first + 1);
    for (let year = firstYear; year <= lastYear; year += 1) {
      if (!this.coversYear(year) || this.projectedDivisions(year) !== 0) {
        loud.fill(1, dayFromCivil(year, 1, 1) - first, dayFromCivil(year + 1, 1, 1) - first);
      }
    }
    return new DayTable(first, last, holidays, loud, (day) => this.#holidayBitsOutside(day));
  }

  #holidayBitsOutside(day: number): number {
    const date = isoOfDay(day);
    let bits = 0;
    for (const division of DIVISIONS) {
      if (this.#byDivision.get(division)!.has(date)) bits |= DIVISION_BIT[division];
    }
    return bits;
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
