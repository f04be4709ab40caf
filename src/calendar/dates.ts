/**
 * Calendar dates as plain "YYYY-MM-DD" strings. The law counts whole days in the school's own
 * calendar, so a date here has no time and no time zone; arithmetic goes through UTC midnights,
 * where every day is exactly 24 hours long.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** True for a real calendar date written YYYY-MM-DD (so 2027-02-29 is false). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function parseIsoDate(text: string): IsoDate {
  if (!isIsoDate(text)) {
    throw new RangeError(`Not a date (YYYY-MM-DD): ${text}`);
  }
  return text;
}

function toDayNumber(date: IsoDate): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function fromDayNumber(days: number): IsoDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The same date `months` later; where that month is too short, its last day (30 Jan + 1 month is
 * 28 Feb, or 29 Feb in a leap year): the ICO's corresponding-date and month-end rules.
 */
export function addCalendarMonths(date: IsoDate, months: number): { date: IsoDate; clampedToMonthEnd: boolean } {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  const lastDay = daysInMonth(targetYear, targetMonth);
  const targetDay = Math.min(day, lastDay);
  const text = `${String(targetYear).padStart(4, "0")}-${String(targetMonth).padStart(2, "0")}-${String(targetDay).padStart(2, "0")}`;
  return { date: text, clampedToMonthEnd: targetDay < day };
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toDayNumber(date) * DAY_MS).getUTCDay();
}

export function isWeekend(date: IsoDate): boolean {
  const day = dayOfWeek(date);
  return day === 0 || day === 6;
}

export function laterOf(...dates: IsoDate[]): IsoDate {
  return dates.reduce((latest, date) => (date > latest ? date : latest));
}

export function earlierOf(...dates: IsoDate[]): IsoDate {
  return dates.reduce((earliest, date) => (date < earliest ? date : earliest));
}

/** "30 Jan 2027", the way GOV.UK writes dates in running text. */
export function formatDate(date: IsoDate): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** "Friday 30 Jan 2027". */
export function formatDateWithWeekday(date: IsoDate): string {
  return `${WEEKDAYS[dayOfWeek(date)]} ${formatDate(date)}`;
}

/** Every date from `first` to `last` inclusive. */
export function* eachDay(first: IsoDate, last: IsoDate): Generator<IsoDate> {
  for (let day = toDayNumber(first); day <= toDayNumber(last); day += 1) {
    yield fromDayNumber(day);
  }
}

// Made once: building an Intl formatter costs far more than using one.
const LONDON_PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** The calendar date in London of an instant: what "today" means to a UK school. */
export function londonDateOf(instant: Date): IsoDate {
  const ms = instant.getTime();
  return new Date(ms + londonOffsetMinutes(instant) * 60_000).toISOString().slice(0, 10);
}

const HOUR_MS = 3_600_000;
/** London's offset by UTC hour, as asked for: the clocks only ever change on the hour, so the hour decides it. */
const offsetByHour = new Map<number, number>();

/** London's offset from UTC at an instant, in minutes (0 in winter, 60 in summer time). */
function londonOffsetMinutes(instant: Date): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    if (offsetByHour.size >= 100_000) offsetByHour.clear();
    offset = londonOffsetAt(new Date(hour * HOUR_MS));
    offsetByHour.set(hour, offset);
  }
  return offset;
}

function londonOffsetAt(instant: Date): number {
  const parts = LONDON_PARTS.formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads a date-time. Without a zone it is London wall-clock time, which is how a school writes
 * "we found out at 9:15 on Monday". Returns undefined for anything else.
 */
export function parseDateTime(text: string): Date | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match || !isIsoDate(match[1]!)) {
    return undefined;
  }
  const [, date, hours, minutes, seconds = "00", zone] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    return undefined;
  }
  if (zone) {
    return new Date(`${date}T${hours}:${minutes}:${seconds}${zone === "Z" ? "Z" : zone}`);
  }
  const wallClockAsUtc = new Date(`${date}T${hours}:${minutes}:${seconds}Z`);
  // Try both of London's offsets and keep the one that reads back as the same wall-clock time.
  for (const offset of [0, 60]) {
    const candidate = new Date(wallClockAsUtc.getTime() - offset * 60_000);
    if (londonOffsetMinutes(candidate) === offset) {
      return candidate;
    }
  }
  // A time skipped when the clocks go forward: read it as if they had not yet changed.
  return new Date(wallClockAsUtc.getTime());
}

/** An instant as London time with its offset: 2027-02-02T09:15:00+00:00. */
export function formatLondonDateTime(instant: Date): string {
  const offset = londonOffsetMinutes(instant);
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${offset === 0 ? "+00:00" : "+01:00"}`;
}

/**
 * A London clock time as GOV.UK writes it: "9am", "9:15am", "12:15pm", "midday", "midnight",
 * "12:05am". (Intl's en-GB 12-hour clock says "0:15 pm" for a quarter past twelve.)
 */
export function formatLondonTime(instant: Date): string {
  const iso = formatLondonDateTime(instant);
  const hour = Number(iso.slice(11, 13));
  const minute = iso.slice(14, 16);
  if (minute === "00" && (hour === 0 || hour === 12)) {
    return hour === 0 ? "midnight" : "midday";
  }
  return `${hour % 12 === 0 ? 12 : hour % 12}${minute === "00" ? "" : `:${minute}`}${hour < 12 ? "am" : "pm"}`;
}

/** "9:15am on Tuesday 2 Feb 2027", for sentences (a deadline's rule). */
export function formatLondonDateTimeForPeople(instant: Date): string {
  return `${formatLondonTime(instant)} on ${formatDateWithWeekday(londonDateOf(instant))}`;
}

const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "1 July 2026 at 12:15pm", for tables and summaries: the one way pages show a moment. */
export function formatLondonMoment(instant: Date): string {
  const [year, month, day] = londonDateOf(instant).split("-").map(Number) as [number, number, number];
  return `${day} ${LONG_MONTHS[month - 1]} ${year} at ${formatLondonTime(instant)}`;
}
