import { formatDate, formatDateWithWeekday, type IsoDate } from "./dates.ts";

/*
 * Dates as whole day numbers (days since 1 Jan 1970, the UTC midnights dates.ts counts through),
 * for the deadline counts: adding, comparing and indexing integers costs nothing next to parsing
 * and printing "YYYY-MM-DD" strings. Each function here gives exactly what its dates.ts
 * counterpart gives, and the strings a day is shown as are made once per day and kept.
 */

const DAY_MS = 86_400_000;

/** Days from 1 Jan 1970 to the given proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function dayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The year of a day number. */
export function yearOfDay(dayNumber: number): number {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  return yearOfEra + era * 400 + (monthIndex >= 10 ? 1 : 0);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonthOf(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

const digit = (text: string, at: number): number => {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : NaN;
};

/**
 * The parts of a real calendar date written YYYY-MM-DD, or undefined: the same dates isIsoDate
 * accepts. Years before 100 are left out (undefined), where dates.ts's Date.UTC reads "0050" as
 * 1950; callers that must still take them fall back to dates.ts.
 */
export function isoDateParts(text: string): { year: number; month: number; day: number } | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) {
    return undefined;
  }
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const month = digit(text, 5) * 10 + digit(text, 6);
  const day = digit(text, 8) * 10 + digit(text, 9);
  if (!(year >= 100) || !(month >= 1 && month <= 12) || !(day >= 1 && day <= daysInMonthOf(year, month))) {
    return undefined;
  }
  return { year, month, day };
}

/** Dates read recently and their day numbers: a look-up costs less than reading ten characters. */
const readDays = new Map<string, number>();

/** The day number of a real date written YYYY-MM-DD (year 100 or later), or NaN. */
export function dayNumberOf(text: string): number {
  if (text.length !== 10) {
    return NaN;
  }
  const known = readDays.get(text);
  if (known !== undefined) {
    return known;
  }
  const day = readDayNumber(text);
  if (readDays.size >= 4096) {
    readDays.clear();
  }
  readDays.set(text, day);
  return day;
}

function readDayNumber(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) {
    return NaN;
  }
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const month = digit(text, 5) * 10 + digit(text, 6);
  const day = digit(text, 8) * 10 + digit(text, 9);
  if (!(year >= 100) || !(month >= 1 && month <= 12) || !(day >= 1 && day <= daysInMonthOf(year, month))) {
    return NaN;
  }
  return dayFromCivil(year, month, day);
}

/** 0 = Sunday … 6 = Saturday (1 Jan 1970 was a Thursday). */
export function weekdayOfDay(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function isWeekendDay(dayNumber: number): boolean {
  const weekday = weekdayOfDay(dayNumber);
  return weekday === 0 || weekday === 6;
}

// The strings each day is shown as, made the first time they are asked for: 1 Jan 1990 to 31 Dec 2109.
const CACHE_FIRST = dayFromCivil(1990, 1, 1);
const CACHE_SIZE = dayFromCivil(2110, 1, 1) - CACHE_FIRST;
const isoCache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);
const formattedCache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);
const withWeekdayCache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);

function isoOfDayUncached(dayNumber: number): IsoDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** A day number as YYYY-MM-DD, as dates.ts's addDays writes it. */
export function isoOfDay(dayNumber: number): IsoDate {
  const at = dayNumber - CACHE_FIRST;
  if (at >= 0 && at < CACHE_SIZE) {
    return (isoCache[at] ??= isoOfDayUncached(dayNumber));
  }
  return isoOfDayUncached(dayNumber);
}

/** "30 Jan 2027": formatDate of the day. */
export function formatDay(dayNumber: number): string {
  const at = dayNumber - CACHE_FIRST;
  if (at >= 0 && at < CACHE_SIZE) {
    return (formattedCache[at] ??= formatDate(isoOfDay(dayNumber)));
  }
  return formatDate(isoOfDay(dayNumber));
}

/** "Saturday 30 Jan 2027": formatDateWithWeekday of the day. */
export function formatDayWithWeekday(dayNumber: number): string {
  const at = dayNumber - CACHE_FIRST;
  if (at >= 0 && at < CACHE_SIZE) {
    return (withWeekdayCache[at] ??= formatDateWithWeekday(isoOfDay(dayNumber)));
  }
  return formatDateWithWeekday(isoOfDay(dayNumber));
}
