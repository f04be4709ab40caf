import { describeProclaimed, divisionOf, proclaimedBetweenDays, proclaimedOnDay, type Division, type HolidayCalendar, type Nation, NATION_NAMES, NATIONS } from "./bank-holidays.ts";
import {
  daysBetween,
  formatDate,
  formatDateWithWeekday,
  formatLondonDateTime,
  formatLondonDateTimeForPeople,
  isIsoDate,
  laterOf,
  londonDateOf,
  parseDateTime,
  type IsoDate,
} from "./dates.ts";
import {
  dayFromCivil,
  dayNumberOf,
  daysInMonthOf,
  formatDay,
  formatDayWithWeekday,
  isoDateParts,
  isoOfDay,
  isWeekendDay,
  weekdayOfDay,
  yearOfDay,
} from "./day-numbers.ts";
import type { TermDates } from "./school-days.ts";
import { ALL_DIVISIONS, DIVISION_BIT, type DayTable, type SchoolDayIndex, type WorkingDayIndex } from "./working-days.ts";

/** Every kind of case Steward runs a clock for, by its short name (also the CLI's). */
export const CASE_TYPES = ["sar", "rights", "educational-record", "foi", "foi-school", "eir", "foi-scotland", "eir-scotland", "breach", "complaint", "advice"] as const;
export type CaseType = (typeof CASE_TYPES)[number];

/**
 * Why a clock stopped. Identity and fee stop a data-protection clock, which then runs afresh from
 * the day they arrive (the "relevant time", Art 12A); a fee notice under FOI sets the days aside.
 * Clarification sets the days aside for a rights request, and restarts an FOI or EIR clock.
 */
export type StopReason = "identity" | "fee" | "clarification";
export const STOP_REASONS: readonly StopReason[] = ["identity", "fee", "clarification"];

export interface ClockStop {
  reason: StopReason;
  /** The day the school asked. */
  from: IsoDate;
  /** The day the answer (or fee) arrived; null while still waiting. */
  to: IsoDate | null;
}

export interface DeadlineInput {
  type: CaseType;
  /** A date (YYYY-MM-DD), or for a breach the date-time the school became aware. */
  received: string;
  nation: Nation;
  /** The kind of school, where a rule depends on it (a Scottish school outside the council's). */
  schoolType?: "maintained" | "academy" | "independent" | undefined;
  /** The school's term dates, where it has entered them (school-day counts need them). */
  schoolTerms?: readonly TermDates[] | undefined;
  stops?: readonly ClockStop[] | undefined;
  /** SAR and rights: two further months. EIR (either): 40 working days. */
  extended?: boolean | undefined;
  /** FOI: the new date set for considering the public interest (s10(3)). */
  extendedTo?: IsoDate | undefined;
  /** Advice requests: the organisation's own service target, in working days. */
  adviceTargetDays?: number | undefined;
}

export interface Deadline {
  type: CaseType;
  /** YYYY-MM-DD; for a breach a London date-time with its offset; null while the clock is stopped or there is none. */
  due: string | null;
  /** The rule that produced the date, in words a DPO can check by hand. */
  rule: string;
  /** True while waiting on the requester: the clock is stopped or paused. */
  paused: boolean;
  /** Things the DPO should know about how far to trust the date (projected bank holidays, missing term dates). */
  warnings: string[];
}

export class DeadlineInputError extends Error {}

/** The one deadline function: the case pages, reminders, the dashboard and the CLI all call it. */
export function computeDeadline(input: DeadlineInput, holidays: HolidayCalendar): Deadline {
  const count = new Counter(input, holidays);
  switch (input.type) {
    case "sar":
    case "rights":
      return count.calendarMonth();
    case "educational-record":
      return count.educationalRecord();
    case "foi":
    case "foi-school":
    case "eir":
    case "foi-scotland":
    case "eir-scotland":
      return count.workingDays();
    case "breach":
      return count.breach();
    case "complaint":
      return count.complaint();
    case "advice":
      return count.advice();
  }
}

/** What a stopped clock waits for, as the middle of a sentence. */
export const WAITED_FOR: Record<StopReason, string> = { identity: "proof of identity", fee: "the fee", clarification: "clarification" };

/**
 * How one kind of day is counted. Both answers make the same notes (warnings about the years the
 * count passes through) that a day-by-day count would: `nthAfter` for the whole stretch at once
 * from the precomputed indexes, `countsOn` one day at a time for the walk that clock stops and
 * dates outside the indexes need.
 */
interface DayCount {
  /** The n-th counted day after `start` (n ≥ 1), or NaN, noting nothing, where only the walk can tell. */
  nthAfter(counter: Counter, start: number, n: number): number;
  countsOn(counter: Counter, day: number): boolean;
}

/** Working days of a WorkingDayIndex; the count looks at the holidays of `noteMask`, on every day or on weekdays only. */
class WorkingDays implements DayCount {
  constructor(
    readonly index: WorkingDayIndex,
    readonly noteMask: number,
    readonly weekdaysOnly: boolean,
  ) {}

  nthAfter(counter: Counter, start: number, n: number): number {
    const due = this.index.nthAfter(start, n);
    if (!Number.isNaN(due)) this.note(counter, start + 1, due);
    return due;
  }

  /** The notes a count makes over every day from `first` to `last`. */
  note(counter: Counter, first: number, last: number): void {
    if (this.weekdaysOnly) counter.noteWeekdays(this.noteMask, first, last);
    else counter.noteDays(this.noteMask, first, last);
  }

  countsOn(counter: Counter, day: number): boolean {
    if (this.weekdaysOnly && isWeekendDay(day)) {
      return false;
    }
    counter.noteDay(this.noteMask, day);
    return this.index.isWorking(day);
  }
}

/** School days from the term dates, then the working days of `working` after the last term entered. */
class SchoolDays implements DayCount {
  constructor(
    readonly school: SchoolDayIndex,
    readonly working: WorkingDays,
    readonly nationBit: number,
  ) {}

  nthAfter(counter: Counter, start: number, n: number): number {
    const due = this.school.nthAfter(start, n);
    if (Number.isNaN(due)) {
      return due;
    }
    const { lastDay } = this.school;
    counter.noteSchoolDays(this.school, this.nationBit, this.working.noteMask, start + 1, Math.min(due, lastDay));
    if (due > lastDay) {
      counter.warnTermsEnd(lastDay);
      this.working.note(counter, Math.max(start + 1, lastDay + 1), due);
    }
    return due;
  }

  countsOn(counter: Counter, day: number): boolean {
    if (day > this.school.lastDay) {
      counter.warnTermsEnd(this.school.lastDay);
      return this.working.countsOn(counter, day);
    }
    if (isWeekendDay(day)) {
      return false;
    }
    counter.noteDay(this.nationBit, day);
    if ((counter.table.holidayBits(day) & this.nationBit) !== 0 || !this.school.inSession(day)) {
      return false;
    }
    return this.working.countsOn(counter, day);
  }
}

const NO_STOPS: readonly ClockStop[] = [];

interface Roll {
  date: number;
  reason: string;
}

/** Each calendar's rolls to the next working day, by day and nation (see rollToWorkingDay). */
const ROLLS = new WeakMap<HolidayCalendar, Map<number, Roll>>();

/** The longest a count may run, as the day-by-day count always allowed: ten years. */
const MAX_DAYS_COUNTED = 3660;

class Counter {
  readonly warnings: string[] = [];
  readonly division: Division;
  readonly nationBit: number;
  readonly table: DayTable;
  /** The date dayOf() read last, and its day number. */
  #lastDate = "";
  #lastDay = 0;

  constructor(
    private readonly input: DeadlineInput,
    private readonly holidays: HolidayCalendar,
  ) {
    this.division = divisionOf(input.nation);
    this.nationBit = DIVISION_BIT[this.division];
    this.table = holidays.days;
  }

  /** The day received: the time of day never matters to a day count (ICO: 23:59 counts as that day). */
  receivedDay(): IsoDate {
    const { received } = this.input;
    const day = dayNumberOf(received);
    if (!Number.isNaN(day)) {
      this.#lastDate = received;
      this.#lastDay = day;
      return received;
    }
    if (isIsoDate(received)) {
      return received;
    }
    const instant = parseDateTime(received);
    if (!instant) {
      throw new DeadlineInputError(`The received date must be a date (YYYY-MM-DD) or a date and time: ${received}`);
    }
    return londonDateOf(instant);
  }

  /** A date as a day number; a date before the year 100 is refused (dates.ts would read it as 19xx). */
  dayOf(date: IsoDate): number {
    if (date === this.#lastDate) {
      return this.#lastDay;
    }
    const day = dayNumberOf(date);
    if (Number.isNaN(day)) {
      throw new DeadlineInputError(`Not a date Steward can count from (YYYY-MM-DD, from the year 100): ${date}`);
    }
    this.#lastDate = date;
    this.#lastDay = day;
    return day;
  }

  stops(reasons: readonly StopReason[]): ClockStop[] {
    const found: ClockStop[] = [];
    for (const stop of this.input.stops ?? NO_STOPS) {
      if (reasons.includes(stop.reason)) found.push(stop);
    }
    return found;
  }

  /** Adds a warning unless one containing `kind` is already there: each kind is said once per deadline. */
  warnOnce(kind: string, warning: string): void {
    if (!this.warnings.some((given) => given.includes(kind))) {
      this.warnings.push(warning);
    }
  }

  /**
   * What looking at the holidays of `mask`'s divisions on a day of `year` has to say: that the
   * year has no bank holidays known, or that they are projected. Said once per deadline each, with
   * the year it was first met in; so a count need only say which years it looked at, in order.
   */
  noteYear(mask: number, year: number): void {
    const text = String(year).padStart(4, "0");
    if (!this.holidays.coversYear(year)) {
      this.warnOnce("knows no bank holidays", `Steward knows no bank holidays for ${text}, so none were left out. Load GOV.UK’s list for that year.`);
      return;
    }
    if ((this.holidays.projectedDivisions(year) & mask) !== 0) {
      this.warnOnce("projected", `The bank holidays for ${text} are projected, not yet published by GOV.UK. Check this date when they are.`);
    }
  }

  noteDay(mask: number, day: number): void {
    if (!this.table.isQuiet(day, day)) this.noteYear(mask, yearOfDay(day));
  }

  /** The notes of looking at every day from `first` to `last`. */
  noteDays(mask: number, first: number, last: number): void {
    if (first > last || this.table.isQuiet(first, last)) {
      return;
    }
    for (let year = yearOfDay(first), end = yearOfDay(last); year <= end; year += 1) {
      this.noteYear(mask, year);
    }
  }

  /** The notes of looking at the weekdays from `first` to `last`. */
  noteWeekdays(mask: number, first: number, last: number): void {
    if (first > last || this.table.isQuiet(first, last)) {
      return;
    }
    for (let year = yearOfDay(first), end = yearOfDay(last); year <= end; year += 1) {
      const [from, to] = [Math.max(first, dayFromCivil(year, 1, 1)), Math.min(last, dayFromCivil(year, 12, 31))];
      if (hasWeekday(from, to)) this.noteYear(mask, year);
    }
  }

  /**
   * The notes of a school-day count from `first` to `last` (on or before the last term day): the
   * nation's holidays on each weekday, and the working-day count's on each school day.
   */
  noteSchoolDays(school: SchoolDayIndex, nationBit: number, workingMask: number, first: number, last: number): void {
    if (first > last || this.table.isQuiet(first, last)) {
      return;
    }
    for (let year = yearOfDay(first), end = yearOfDay(last); year <= end; year += 1) {
      const [from, to] = [Math.max(first, dayFromCivil(year, 1, 1)), Math.min(last, dayFromCivil(year, 12, 31))];
      if (hasWeekday(from, to)) this.noteYear(nationBit, year);
      if (school.hasSchoolDayBetween(from, to)) this.noteYear(workingMask, year);
    }
  }

  warnTermsEnd(lastDay: number): void {
    this.warnOnce("term dates entered end", `The term dates entered end on ${formatDay(lastDay)}: days after that were counted as working days. Enter the next term's dates.`);
  }

  /** FOIA s10(6): a working day is not a bank holiday in any part of the UK. */
  foiaWorkingDays(): WorkingDays {
    return new WorkingDays(this.holidays.workingDays(ALL_DIVISIONS), ALL_DIVISIONS, false);
  }

  /** FOISA s73: Scottish bank holidays only. */
  scottishWorkingDays(): WorkingDays {
    const scotland = DIVISION_BIT.scotland;
    return new WorkingDays(this.holidays.workingDays(scotland), scotland, false);
  }

  nationalWorkingDays(): WorkingDays {
    return new WorkingDays(this.holidays.workingDays(this.nationBit), this.nationBit, true);
  }

  /**
   * Names each one-off proclaimed bank holiday a count left out (from the day after `start` to
   * `end`): the standing rules do not produce them, so the DPO is told where each came from.
   */
  withProclaimed(rule: string, mask: number, start: number, end: number): string {
    let named = rule;
    for (const day of proclaimedBetweenDays(mask, start + 1, end)) {
      if (!isWeekendDay(dayNumberOf(day.date))) named += ` ${describeProclaimed(day)}, so it was not counted.`;
    }
    return named;
  }

  /** The n-th day after `start` that `count` counts, skipping any day inside `setAside`. */
  nthDayAfter(start: number, n: number, count: DayCount, setAside: readonly ClockStop[] = []): number {
    if (setAside.length === 0 && Number.isInteger(n) && n >= 1) {
      const due = count.nthAfter(this, start, n);
      if (!Number.isNaN(due)) {
        if (due - start > MAX_DAYS_COUNTED) throw new DeadlineInputError("No deadline within ten years: check the term dates.");
        return due;
      }
    }
    let day = start;
    let counted = 0;
    for (let guard = 0; guard < MAX_DAYS_COUNTED; guard += 1) {
      day += 1;
      const date = setAside.length === 0 ? "" : isoOfDay(day);
      const isSetAside = setAside.some((stop) => stop.to !== null && date >= stop.from && date <= stop.to);
      if (!isSetAside && count.countsOn(this, day)) {
        counted += 1;
        if (counted === n) {
          return day;
        }
      }
    }
    throw new DeadlineInputError("No deadline within ten years: check the term dates.");
  }

  paused(rule: string): Deadline {
    return { type: this.input.type, due: null, rule, paused: true, warnings: this.warnings };
  }

  done(due: string | null, rule: string): Deadline {
    return { type: this.input.type, due, rule, paused: false, warnings: this.warnings };
  }

  /** An open stop: the clock is waiting on the requester. */
  openStop(reasons: readonly StopReason[]): ClockStop | undefined {
    const stops = this.input.stops;
    return stops === undefined || stops.length === 0 ? undefined : this.stops(reasons).find((stop) => stop.to === null);
  }

  waitingRule(stop: ClockStop): string {
    return `Clock stopped on ${formatDate(stop.from)} while waiting for ${WAITED_FOR[stop.reason]}. It runs again from the day that arrives.`;
  }

  /** UK GDPR Art 12 and 12A: one month (three if extended) from the relevant time, less paused days, rolled to a working day. */
  calendarMonth(): Deadline {
    const hasStops = this.input.stops !== undefined && this.input.stops.length > 0;
    const waiting = hasStops ? this.openStop(STOP_REASONS) : undefined;
    if (waiting) {
      return this.paused(this.waitingRule(waiting));
    }
    let start = this.receivedDay();
    let startedBy = "the day it was received";
    if (hasStops) {
      for (const stop of this.stops(["identity", "fee"])) {
        if (stop.to !== null && stop.to > start) {
          start = stop.to;
          startedBy = stop.reason === "identity" ? "the day identity was confirmed" : "the day the fee was paid";
        }
      }
    }
    const months = this.input.extended ? 3 : 1;
    const startDay = this.dayOf(start);
    const { year, month, day } = isoDateParts(start)!;
    const monthIndex = year * 12 + (month - 1) + months;
    const targetYear = Math.floor(monthIndex / 12);
    const targetMonth = (monthIndex % 12) + 1;
    const targetDay = Math.min(day, daysInMonthOf(targetYear, targetMonth));
    const monthOn = dayFromCivil(targetYear, targetMonth, targetDay);
    // The rule's parts, joined with "; " as they come, and a full stop at the end.
    let rule = `${this.input.extended ? "Three calendar months (one, extended by two further months)" : "One calendar month"} from ${formatDay(startDay)}, ${startedBy}`;
    if (targetDay < day) {
      rule += `; ${formatDay(monthOn)} is the last day of that month`;
    }
    let due = monthOn;
    let pausedDays = 0;
    if (hasStops) {
      for (const stop of this.stops(["clarification"])) {
        const from = laterOf(stop.from, start);
        if (stop.to !== null && stop.to >= from) pausedDays += daysBetween(from, stop.to) + 1;
      }
    }
    if (pausedDays > 0) {
      due += pausedDays;
      rule += `; plus ${pausedDays} day${pausedDays === 1 ? "" : "s"} paused for clarification (from the day asked to the day answered), making ${formatDay(due)}`;
    }
    const rolled = this.rollToWorkingDay(due);
    if (rolled.date !== due) {
      // Ends with a date, never a full stop.
      rule += `; ${formatDay(due)} is ${rolled.reason}, so the deadline moves to the next working day, ${formatDayWithWeekday(rolled.date)}.`;
    } else {
      rule = rule.endsWith(".") ? rule : `${rule}.`;
    }
    return this.done(isoOfDay(rolled.date), rule);
  }

  /** Why a day is not a working day in the nation, as rollToWorkingDay says it. */
  whyNotWorking(day: number, holiday: string | undefined): string | undefined {
    const nation = NATION_NAMES[this.input.nation];
    const proclaimed = proclaimedOnDay(this.division, day);
    if (proclaimed) return `a bank holiday in ${nation} (${holiday}, proclaimed ${formatDate(proclaimed.proclaimedOn)} under s1(3) of the Banking and Financial Dealings Act 1971)`;
    if (holiday) return `a bank holiday in ${nation} (${holiday})`;
    const weekday = weekdayOfDay(day);
    return weekday === 6 ? "a Saturday" : weekday === 0 ? "a Sunday" : undefined;
  }

  /**
   * A weekend or the nation's bank holiday moves a calendar-month deadline to the next working day.
   * The reason names the day itself and any bank holiday skipped after it (weekends go without saying).
   * Each day's answer is worked out once per calendar and nation; the notes of looking at each
   * day from `date` to the working day are made every time.
   */
  rollToWorkingDay(date: number): Roll {
    let rolls = ROLLS.get(this.holidays);
    if (!rolls) {
      rolls = new Map();
      ROLLS.set(this.holidays, rolls);
    }
    const key = date * 4 + NATIONS.indexOf(this.input.nation);
    let roll = rolls.get(key);
    if (!roll) {
      roll = this.rollFrom(date);
      if (date >= this.table.first && date <= this.table.last) rolls.set(key, roll);
    }
    this.noteDays(this.nationBit, date, roll.date);
    return roll;
  }

  rollFrom(date: number): Roll {
    const holidayOn = (day: number) => ((this.table.holidayBits(day) & this.nationBit) === 0 ? undefined : this.holidays.holidayOnDay(this.division, day));
    let reason = "";
    let rolled = date;
    for (let holiday = holidayOn(rolled); isWeekendDay(rolled) || holiday !== undefined; rolled += 1, holiday = holidayOn(rolled)) {
      const why = this.whyNotWorking(rolled, holiday);
      if (rolled === date) {
        reason = why ?? "";
      } else if (holiday) {
        reason += ` and ${formatDay(rolled)} is ${why}`;
      }
    }
    return { date: rolled, reason };
  }

  /**
   * A parent's own right to the educational record, 15 school days in England and Scotland (the
   * school's own bank holidays are not school days). Wales and Northern Ireland are counted the
   * same way, with a warning naming what is still to be confirmed (uk-rules.md §2.4).
   */
  educationalRecord(): Deadline {
    const { nation } = this.input;
    const unconfirmed = EDUCATIONAL_RECORD_UNCONFIRMED[nation];
    if (unconfirmed) {
      this.warnings.push(unconfirmed);
    }
    const received = this.receivedDay();
    const receivedDay = this.dayOf(received);
    const due = this.nthDayAfter(receivedDay, 15, this.schoolDayCount(this.nationalWorkingDays()));
    const rule = `The 15th school day after ${formatDay(receivedDay)}, the day the ${nation === "scotland" ? "" : "written "}request was received (${EDUCATIONAL_RECORD_RULE[nation]}): ${formatDayWithWeekday(due)}.`;
    return this.done(isoOfDay(due), this.withProclaimed(rule, this.nationBit, receivedDay, due));
  }

  /**
   * Counts school days from the term dates; where there are none (or the count runs past the last
   * term entered) it counts working days instead, which can only give an earlier, safe date.
   */
  schoolDayCount(working: WorkingDays): DayCount {
    const terms = this.input.schoolTerms ?? [];
    if (!hasTerm(terms)) {
      this.warnings.push("No term dates have been entered, so school days were counted as working days. The legal date may be later.");
      return working;
    }
    try {
      return new SchoolDays(this.holidays.schoolDays(terms, this.nationBit, working.noteMask), working, this.nationBit);
    } catch (error) {
      throw error instanceof RangeError ? new DeadlineInputError(error.message) : error;
    }
  }

  /** FOIA s10, EIR reg 5 and 7, FOISA s10, EISR reg 5 and 7: the 20th working day after receipt. */
  workingDays(): Deadline {
    const { type } = this.input;
    const hasStops = this.input.stops !== undefined && this.input.stops.length > 0;
    const waiting = hasStops ? this.openStop(["fee", "clarification"]) : undefined;
    if (waiting) {
      return this.paused(this.waitingRule(waiting));
    }
    let received = this.receivedDay();
    let receivedDay = this.dayOf(received);
    let from = `${formatDay(receivedDay)}, the day it was received`;
    if (hasStops) {
      for (const stop of this.stops(["clarification"])) {
        if (stop.to !== null && stop.to > received) {
          received = stop.to;
          receivedDay = this.dayOf(received);
          from = `${formatDay(receivedDay)}, the day the clarification arrived`;
        }
      }
    }
    const feeDays = hasStops ? this.stops(["fee"]).filter((stop) => stop.to !== null && stop.to >= received) : NO_STOPS;
    const feeNote = feeDays.length > 0 ? ", leaving out the days from the fees notice to the fee's arrival" : "";
    const scottish = "working days leave out weekends and Scottish bank holidays only";
    if ((type === "foi-scotland" || type === "eir-scotland") && this.input.schoolType !== undefined && this.input.schoolType !== "maintained") {
      this.warnings.push(SCOTTISH_SCHOOL_DAYS_UNCONFIRMED[type]);
    }
    const scotland = DIVISION_BIT.scotland;
    if (type === "foi-scotland") {
      const due = this.nthDayAfter(receivedDay, 20, this.scottishWorkingDays(), feeDays);
      const rule = `The 20th working day after ${from} (FOISA s10; ${scottish})${feeNote}: ${formatDayWithWeekday(due)}.`;
      return this.done(isoOfDay(due), this.withProclaimed(rule, scotland, receivedDay, due));
    }
    if (type === "eir-scotland") {
      const days = this.input.extended ? 40 : 20;
      const due = this.nthDayAfter(receivedDay, days, this.scottishWorkingDays(), feeDays);
      const why = this.input.extended
        ? "extended by up to 20 further working days because the volume and complexity of the information make 20 impracticable (EISR 2004 reg 7)"
        : "Environmental Information (Scotland) Regulations 2004, reg 5(2)(a)";
      const rule = `The ${days}th working day after ${from} (${why}; working days as in FOISA s73 leave out weekends and Scottish bank holidays only)${feeNote}: ${formatDayWithWeekday(due)}.`;
      return this.done(isoOfDay(due), this.withProclaimed(rule, scotland, receivedDay, due));
    }
    const anyNation = "working days leave out weekends and bank holidays in any part of the UK";
    const foia = this.foiaWorkingDays();
    if (type === "eir") {
      const days = this.input.extended ? 40 : 20;
      const due = this.nthDayAfter(receivedDay, days, foia, feeDays);
      const why = this.input.extended ? "extended to 40 because the request is complex and voluminous (EIR reg 7)" : "EIR reg 5(2)";
      const rule = `The ${days}th working day after ${from} (${why}; ${anyNation})${feeNote}: ${formatDayWithWeekday(due)}.`;
      return this.done(isoOfDay(due), this.withProclaimed(rule, ALL_DIVISIONS, receivedDay, due));
    }
    let due: number;
    let rule: string;
    if (type !== "foi-school") {
      due = this.nthDayAfter(receivedDay, 20, foia, feeDays);
      rule = `The 20th working day after ${from} (FOIA s10; ${anyNation})${feeNote}: ${formatDayWithWeekday(due)}.`;
    } else {
      // (The 20th working day is not needed here: counting to the 60th says all that counting to it would.)
      const sixtieth = this.nthDayAfter(receivedDay, 60, foia, feeDays);
      const warningsBefore = this.warnings.length;
      const schoolTwentieth = this.nthDayAfter(receivedDay, 20, this.schoolDayCount(foia), feeDays);
      const countedAsWorkingDays = this.warnings.length > warningsBefore;
      due = schoolTwentieth < sixtieth ? schoolTwentieth : sixtieth;
      rule =
        `For a school, the earlier of the 20th school day after ${from}, ${formatDay(schoolTwentieth)}${countedAsWorkingDays ? " (see the note on term dates)" : ""}, ` +
        `and the 60th working day, ${formatDay(sixtieth)} (FOI Time for Compliance Regulations; ${anyNation})${feeNote}: ${formatDayWithWeekday(due)}.`;
    }
    rule = this.withProclaimed(rule, ALL_DIVISIONS, receivedDay, due);
    const dueDate = isoOfDay(due);
    const { extendedTo } = this.input;
    if (extendedTo) {
      if (extendedTo <= dueDate) {
        throw new DeadlineInputError(`The extended date must be after the original deadline, ${formatDay(due)}.`);
      }
      const fortieth = this.nthDayAfter(receivedDay, 40, foia, feeDays);
      if (extendedTo > isoOfDay(fortieth)) {
        this.warnings.push(`The ICO expects a public interest extension to last no more than 20 further working days (to ${formatDay(fortieth)}).`);
      }
      return this.done(extendedTo, `${rule} Extended to ${formatDateWithWeekday(extendedTo)} to consider the public interest (FOIA s10(3)); the refusal notice naming the exemption was still due by the original date.`);
    }
    return this.done(dueDate, rule);
  }

  /** UK GDPR Art 33: 72 clock hours from becoming aware, weekends and nights included. */
  breach(): Deadline {
    const aware = isIsoDate(this.input.received) ? parseDateTime(`${this.input.received}T00:00`) : parseDateTime(this.input.received);
    if (!aware) {
      throw new DeadlineInputError(`The time of becoming aware must be a date and time: ${this.input.received}`);
    }
    if (isIsoDate(this.input.received)) {
      this.warnings.push("No time of day was given, so the 72 hours are counted from midnight at the start of that day.");
    }
    const due = new Date(aware.getTime() + 72 * 3_600_000);
    return this.done(
      formatLondonDateTime(due),
      `72 hours from becoming aware at ${formatLondonDateTimeForPeople(aware)} (UK GDPR Art 33; clock hours, nights and weekends count): decide whether to report to the ICO by ${formatLondonDateTimeForPeople(due)}. A report after that must give the reasons for the delay.`,
    );
  }

  /**
   * DPA 2018 as amended by DUAA s103 (from 19 Jun 2026): acknowledge within 30 days. The ICO's
   * guidance on data protection complaints (February 2026): day one is the day after receipt, and a
   * 30th day on a weekend or bank holiday moves to the next working day (the school's own nation's).
   */
  complaint(): Deadline {
    const received = this.dayOf(this.receivedDay());
    const thirtieth = received + 30;
    const counted = `Acknowledge within 30 days of receiving the complaint on ${formatDay(received)}, counting from the next day (ICO guidance on data protection complaints, February 2026)`;
    const rolled = this.rollToWorkingDay(thirtieth);
    const moved = rolled.date === thirtieth ? "" : `: day 30 is ${formatDay(thirtieth)}; ${formatDay(thirtieth)} is ${rolled.reason}, so the deadline moves to the next working day`;
    return this.done(isoOfDay(rolled.date), `${counted}${moved}: by ${formatDayWithWeekday(rolled.date)}. Then respond without undue delay, keeping the complainant told of progress.`);
  }

  /** No legal clock: the organisation's own service target. */
  advice(): Deadline {
    const received = this.dayOf(this.receivedDay());
    const days = this.input.adviceTargetDays ?? 10;
    const due = this.nthDayAfter(received, days, this.nationalWorkingDays());
    const rule = `No legal deadline. Your organisation's service target is ${days} working days from ${formatDay(received)}: ${formatDayWithWeekday(due)}.`;
    return this.done(isoOfDay(due), this.withProclaimed(rule, this.nationBit, received, due));
  }
}

function hasTerm(terms: readonly TermDates[]): boolean {
  for (const term of terms) {
    if (term.kind === "term") return true;
  }
  return false;
}

/** True when a weekday falls from `first` to `last` inclusive. */
function hasWeekday(first: number, last: number): boolean {
  if (last - first >= 2) {
    return true;
  }
  for (let day = first; day <= last; day += 1) {
    if (!isWeekendDay(day)) return true;
  }
  return false;
}

/**
 * A grant-aided or independent special school in Scotland is a Scottish public authority itself
 * (from 1 Sep 2016), and may have longer in the holidays; Steward's reference has not confirmed the
 * regulations (uk-rules.md §3.4), so the plain count stands, which is never later.
 */
export const SCOTTISH_SCHOOL_DAYS_UNCONFIRMED: Record<"foi-scotland" | "eir-scotland", string> = {
  "foi-scotland":
    "A grant-aided or independent special school may have 20 school days, up to the 60th working day, under regulations made under FOISA s10(4) in 2016. Steward's reference has not confirmed them, so this counts 20 working days, which is never later. Check with your adviser.",
  "eir-scotland":
    "Steward's reference has not confirmed whether a grant-aided or independent special school has any school-day variation for environmental requests, so this counts 20 working days, which is never later. Check with your adviser.",
};

/** The regulation behind the 15 school days, by nation, as a rule's citation. */
export const EDUCATIONAL_RECORD_RULE: Record<Nation, string> = {
  england: "Education (Pupil Information) (England) Regulations 2005, reg 5(2)",
  scotland: "Pupils' Educational Records (Scotland) Regulations 2003, reg 5; school days leave out Scottish bank holidays",
  wales: "counted as England's 15 school days; see the warning",
  "northern-ireland": "counted as England's 15 school days; see the warning",
};

/** What is not yet confirmed for a nation's educational-record rule, said on every such deadline there. */
export const EDUCATIONAL_RECORD_UNCONFIRMED: Record<Nation, string | undefined> = {
  england: undefined,
  scotland: undefined,
  wales:
    "Steward's reference has not confirmed the time limit in the Pupil Information (Wales) Regulations 2011 (SI 2011/1942, reg 5), commonly cited as 15 school days. Check it, and treat this as a subject access request too unless your adviser says otherwise.",
  "northern-ireland":
    "Steward's reference has not confirmed a time limit for a parent's request in Northern Ireland: the Education (Pupil Records) Regulations (NI) 1998 were revoked by SR 2007/43, whose reg 9 gives the right without a confirmed time limit. Check which regulations are in force, and treat this as a subject access request too unless your adviser says otherwise.",
};

export interface Countdown {
  /** Whole days (or, for a breach, hours) left; negative when overdue. */
  left: number;
  unit: "days" | "hours";
  text: string;
  overdue: boolean;
}

/** "Due in 5 days", "Due today", "3 days overdue"; for a breach, hours left. */
export function countdownTo(due: string, now: Date): Countdown {
  if (!isIsoDate(due)) {
    const hours = Math.floor((new Date(due).getTime() - now.getTime()) / 3_600_000);
    const overdue = hours < 0;
    const text = overdue ? `${-hours} hour${hours === -1 ? "" : "s"} past the 72 hours` : `${hours} hour${hours === 1 ? "" : "s"} left`;
    return { left: hours, unit: "hours", text, overdue };
  }
  const left = daysBetween(londonDateOf(now), due);
  const text = left === 0 ? "Due today" : left > 0 ? `Due in ${left} day${left === 1 ? "" : "s"}` : `${-left} day${left === -1 ? "" : "s"} overdue`;
  return { left, unit: "days", text, overdue: left < 0 };
}
