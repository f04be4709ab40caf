/*
 * The deadline count as it was before the indexes (commit 030477a): it walks day by day through
 * "YYYY-MM-DD" strings, asking the HolidayCalendar about each. Kept only so the tests can check
 * the indexed computeDeadline against it over many generated cases (deadlines.property.test.ts);
 * nothing else may import it. Only what it shares with deadlines.ts (types, the sentences of the
 * law) is imported from there.
 */
import { describeProclaimed, DIVISIONS, divisionOf, type Division, type HolidayCalendar, NATION_NAMES } from "./bank-holidays.ts";
import {
  addCalendarMonths,
  addDays,
  daysBetween,
  dayOfWeek,
  formatDate,
  formatDateWithWeekday,
  formatLondonDateTime,
  formatLondonDateTimeForPeople,
  isIsoDate,
  isWeekend,
  laterOf,
  londonDateOf,
  parseDateTime,
  type IsoDate,
} from "./dates.ts";
import {
  type ClockStop,
  type Deadline,
  type DeadlineInput,
  DeadlineInputError,
  EDUCATIONAL_RECORD_RULE,
  EDUCATIONAL_RECORD_UNCONFIRMED,
  SCOTTISH_SCHOOL_DAYS_UNCONFIRMED,
  STOP_REASONS,
  type StopReason,
  WAITED_FOR,
} from "./deadlines.ts";
import { lastTermDay, schoolDayTest } from "./school-days.ts";

/** computeDeadline, day by day. */
export function computeDeadlineDayByDay(input: DeadlineInput, holidays: HolidayCalendar): Deadline {
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

class Counter {
  readonly warnings: string[] = [];

  constructor(
    private readonly input: DeadlineInput,
    private readonly holidays: HolidayCalendar,
  ) {}

  /** The day received: the time of day never matters to a day count (ICO: 23:59 counts as that day). */
  receivedDay(): IsoDate {
    const { received } = this.input;
    if (isIsoDate(received)) {
      return received;
    }
    const instant = parseDateTime(received);
    if (!instant) {
      throw new DeadlineInputError(`The received date must be a date (YYYY-MM-DD) or a date and time: ${received}`);
    }
    return londonDateOf(instant);
  }

  stops(reasons: readonly StopReason[]): ClockStop[] {
    return (this.input.stops ?? []).filter((stop) => reasons.includes(stop.reason));
  }

  /** The nation's own bank holiday on a date, noting when the date's year is only projected. */
  nationalHoliday(date: IsoDate): string | undefined {
    const division = divisionOf(this.input.nation);
    this.noteProjected(division, date);
    return this.holidays.holidayIn(division, date);
  }

  /** Adds a warning unless one containing `kind` is already there: each kind is said once per deadline. */
  warnOnce(kind: string, warning: string): void {
    if (!this.warnings.some((given) => given.includes(kind))) {
      this.warnings.push(warning);
    }
  }

  noteProjected(division: Parameters<HolidayCalendar["isProjected"]>[0], date: IsoDate): void {
    if (!this.holidays.covers(date)) {
      this.warnOnce("knows no bank holidays", `Steward knows no bank holidays for ${date.slice(0, 4)}, so none were left out. Load GOV.UK’s list for that year.`);
      return;
    }
    if (this.holidays.isProjected(division, date)) {
      this.warnOnce("projected", `The bank holidays for ${date.slice(0, 4)} are projected, not yet published by GOV.UK. Check this date when they are.`);
    }
  }

  /**
   * Names each one-off proclaimed bank holiday a count left out (from the day after `start` to
   * `end`): the standing rules do not produce them, so the DPO is told where each came from.
   */
  withProclaimed(rule: string, divisions: readonly Division[], start: IsoDate, end: IsoDate): string {
    const skipped = this.holidays.proclaimedBetween(divisions, addDays(start, 1), end).filter((day) => !isWeekend(day.date));
    return [rule, ...skipped.map((day) => `${describeProclaimed(day)}, so it was not counted.`)].join(" ");
  }

  isFoiaWorkingDay = (date: IsoDate): boolean => {
    for (const division of ["england-and-wales", "scotland", "northern-ireland"] as const) {
      this.noteProjected(division, date);
    }
    return !isWeekend(date) && this.holidays.holidayAnywhere(date) === undefined;
  };

  isScottishWorkingDay = (date: IsoDate): boolean => {
    this.noteProjected("scotland", date);
    return !isWeekend(date) && this.holidays.holidayIn("scotland", date) === undefined;
  };

  isNationalWorkingDay = (date: IsoDate): boolean => !isWeekend(date) && this.nationalHoliday(date) === undefined;

  /** The n-th day after `start` that `counts`, skipping any day inside `setAside`. */
  nthDayAfter(start: IsoDate, n: number, counts: (date: IsoDate) => boolean, setAside: readonly ClockStop[] = []): IsoDate {
    let date = start;
    let counted = 0;
    for (let guard = 0; guard < 3660; guard += 1) {
      date = addDays(date, 1);
      const isSetAside = setAside.some((stop) => stop.to !== null && date >= stop.from && date <= stop.to);
      if (!isSetAside && counts(date)) {
        counted += 1;
        if (counted === n) {
          return date;
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
    return this.stops(reasons).find((stop) => stop.to === null);
  }

  waitingRule(stop: ClockStop): string {
    return `Clock stopped on ${formatDate(stop.from)} while waiting for ${WAITED_FOR[stop.reason]}. It runs again from the day that arrives.`;
  }

  /** UK GDPR Art 12 and 12A: one month (three if extended) from the relevant time, less paused days, rolled to a working day. */
  calendarMonth(): Deadline {
    const waiting = this.openStop(STOP_REASONS);
    if (waiting) {
      return this.paused(this.waitingRule(waiting));
    }
    let start = this.receivedDay();
    let startedBy = "the day it was received";
    for (const stop of this.stops(["identity", "fee"])) {
      if (stop.to !== null && stop.to > start) {
        start = stop.to;
        startedBy = stop.reason === "identity" ? "the day identity was confirmed" : "the day the fee was paid";
      }
    }
    const months = this.input.extended ? 3 : 1;
    const { date: monthOn, clampedToMonthEnd } = addCalendarMonths(start, months);
    const parts = [
      `${this.input.extended ? "Three calendar months (one, extended by two further months)" : "One calendar month"} from ${formatDate(start)}, ${startedBy}`,
    ];
    if (clampedToMonthEnd) {
      parts.push(`${formatDate(monthOn)} is the last day of that month`);
    }
    let due = monthOn;
    const pausedDays = this.stops(["clarification"]).reduce((total, stop) => {
      const from = laterOf(stop.from, start);
      return stop.to !== null && stop.to >= from ? total + daysBetween(from, stop.to) + 1 : total;
    }, 0);
    if (pausedDays > 0) {
      due = addDays(due, pausedDays);
      parts.push(`plus ${pausedDays} day${pausedDays === 1 ? "" : "s"} paused for clarification (from the day asked to the day answered), making ${formatDate(due)}`);
    }
    const rolled = this.rollToWorkingDay(due);
    if (rolled.date !== due) {
      parts.push(`${formatDate(due)} is ${rolled.reason}, so the deadline moves to the next working day, ${formatDateWithWeekday(rolled.date)}`);
    }
    return this.done(rolled.date, sentence(parts));
  }

  /**
   * A weekend or the nation's bank holiday moves a calendar-month deadline to the next working day.
   * The reason names the day itself and any bank holiday skipped after it (weekends go without saying).
   */
  rollToWorkingDay(date: IsoDate): { date: IsoDate; reason: string } {
    const nation = NATION_NAMES[this.input.nation];
    const division = divisionOf(this.input.nation);
    const why = (day: IsoDate): string | undefined => {
      const holiday = this.nationalHoliday(day);
      const [proclaimed] = this.holidays.proclaimedBetween([division], day, day);
      if (proclaimed) return `a bank holiday in ${nation} (${holiday}, proclaimed ${formatDate(proclaimed.proclaimedOn)} under s1(3) of the Banking and Financial Dealings Act 1971)`;
      if (holiday) return `a bank holiday in ${nation} (${holiday})`;
      return dayOfWeek(day) === 6 ? "a Saturday" : dayOfWeek(day) === 0 ? "a Sunday" : undefined;
    };
    const reasons: string[] = [];
    let rolled = date;
    while (!this.isNationalWorkingDay(rolled)) {
      const reason = why(rolled);
      if (rolled === date) {
        reasons.push(reason ?? "");
      } else if (this.nationalHoliday(rolled)) {
        reasons.push(`${formatDate(rolled)} is ${reason}`);
      }
      rolled = addDays(rolled, 1);
    }
    return { date: rolled, reason: reasons.join(" and ") };
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
    const due = this.nthDayAfter(received, 15, this.schoolDayCounter(this.isNationalWorkingDay));
    const rule = `The 15th school day after ${formatDate(received)}, the day the ${nation === "scotland" ? "" : "written "}request was received (${EDUCATIONAL_RECORD_RULE[nation]}): ${formatDateWithWeekday(due)}.`;
    return this.done(due, this.withProclaimed(rule, [divisionOf(nation)], received, due));
  }

  /**
   * Counts school days from the term dates; where there are none (or the count runs past the last
   * term entered) it counts working days instead, which can only give an earlier, safe date.
   */
  schoolDayCounter(isWorkingDay: (date: IsoDate) => boolean): (date: IsoDate) => boolean {
    const terms = this.input.schoolTerms ?? [];
    const lastDay = lastTermDay(terms);
    if (!lastDay) {
      this.warnings.push("No term dates have been entered, so school days were counted as working days. The legal date may be later.");
      return isWorkingDay;
    }
    const isSchoolDay = schoolDayTest(terms, (date) => this.nationalHoliday(date) !== undefined);
    return (date) => {
      if (date > lastDay) {
        this.warnOnce("term dates entered end", `The term dates entered end on ${formatDate(lastDay)}: days after that were counted as working days. Enter the next term's dates.`);
        return isWorkingDay(date);
      }
      return isSchoolDay(date) && isWorkingDay(date);
    };
  }

  /** FOIA s10, EIR reg 5 and 7, FOISA s10, EISR reg 5 and 7: the 20th working day after receipt. */
  workingDays(): Deadline {
    const { type } = this.input;
    const waiting = this.openStop(["fee", "clarification"]);
    if (waiting) {
      return this.paused(this.waitingRule(waiting));
    }
    let received = this.receivedDay();
    let from = `${formatDate(received)}, the day it was received`;
    for (const stop of this.stops(["clarification"])) {
      if (stop.to !== null && stop.to > received) {
        received = stop.to;
        from = `${formatDate(received)}, the day the clarification arrived`;
      }
    }
    const feeDays = this.stops(["fee"]).filter((stop) => stop.to !== null && stop.to >= received);
    const feeNote = feeDays.length > 0 ? ", leaving out the days from the fees notice to the fee's arrival" : "";
    const scottish = "working days leave out weekends and Scottish bank holidays only";
    if ((type === "foi-scotland" || type === "eir-scotland") && this.input.schoolType !== undefined && this.input.schoolType !== "maintained") {
      this.warnings.push(SCOTTISH_SCHOOL_DAYS_UNCONFIRMED[type]);
    }
    if (type === "foi-scotland") {
      const due = this.nthDayAfter(received, 20, this.isScottishWorkingDay, feeDays);
      const rule = `The 20th working day after ${from} (FOISA s10; ${scottish})${feeNote}: ${formatDateWithWeekday(due)}.`;
      return this.done(due, this.withProclaimed(rule, ["scotland"], received, due));
    }
    if (type === "eir-scotland") {
      const days = this.input.extended ? 40 : 20;
      const due = this.nthDayAfter(received, days, this.isScottishWorkingDay, feeDays);
      const why = this.input.extended
        ? "extended by up to 20 further working days because the volume and complexity of the information make 20 impracticable (EISR 2004 reg 7)"
        : "Environmental Information (Scotland) Regulations 2004, reg 5(2)(a)";
      const rule = `The ${days}th working day after ${from} (${why}; working days as in FOISA s73 leave out weekends and Scottish bank holidays only)${feeNote}: ${formatDateWithWeekday(due)}.`;
      return this.done(due, this.withProclaimed(rule, ["scotland"], received, due));
    }
    const anyNation = "working days leave out weekends and bank holidays in any part of the UK";
    if (type === "eir") {
      const days = this.input.extended ? 40 : 20;
      const due = this.nthDayAfter(received, days, this.isFoiaWorkingDay, feeDays);
      const why = this.input.extended ? "extended to 40 because the request is complex and voluminous (EIR reg 7)" : "EIR reg 5(2)";
      const rule = `The ${days}th working day after ${from} (${why}; ${anyNation})${feeNote}: ${formatDateWithWeekday(due)}.`;
      return this.done(due, this.withProclaimed(rule, DIVISIONS, received, due));
    }
    const twentieth = this.nthDayAfter(received, 20, this.isFoiaWorkingDay, feeDays);
    let due = twentieth;
    let rule = `The 20th working day after ${from} (FOIA s10; ${anyNation})${feeNote}: ${formatDateWithWeekday(twentieth)}.`;
    if (type === "foi-school") {
      const sixtieth = this.nthDayAfter(received, 60, this.isFoiaWorkingDay, feeDays);
      const warningsBefore = this.warnings.length;
      const schoolTwentieth = this.nthDayAfter(received, 20, this.schoolDayCounter(this.isFoiaWorkingDay), feeDays);
      const countedAsWorkingDays = this.warnings.length > warningsBefore;
      due = schoolTwentieth < sixtieth ? schoolTwentieth : sixtieth;
      rule =
        `For a school, the earlier of the 20th school day after ${from}, ${formatDate(schoolTwentieth)}${countedAsWorkingDays ? " (see the note on term dates)" : ""}, ` +
        `and the 60th working day, ${formatDate(sixtieth)} (FOI Time for Compliance Regulations; ${anyNation})${feeNote}: ${formatDateWithWeekday(due)}.`;
    }
    rule = this.withProclaimed(rule, DIVISIONS, received, due);
    const { extendedTo } = this.input;
    if (extendedTo) {
      if (extendedTo <= due) {
        throw new DeadlineInputError(`The extended date must be after the original deadline, ${formatDate(due)}.`);
      }
      const fortieth = this.nthDayAfter(received, 40, this.isFoiaWorkingDay, feeDays);
      if (extendedTo > fortieth) {
        this.warnings.push(`The ICO expects a public interest extension to last no more than 20 further working days (to ${formatDate(fortieth)}).`);
      }
      return this.done(extendedTo, `${rule} Extended to ${formatDateWithWeekday(extendedTo)} to consider the public interest (FOIA s10(3)); the refusal notice naming the exemption was still due by the original date.`);
    }
    return this.done(due, rule);
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
    const received = this.receivedDay();
    const thirtieth = addDays(received, 30);
    const counted = `Acknowledge within 30 days of receiving the complaint on ${formatDate(received)}, counting from the next day (ICO guidance on data protection complaints, February 2026)`;
    const rolled = this.rollToWorkingDay(thirtieth);
    const moved = rolled.date === thirtieth ? "" : `: day 30 is ${formatDate(thirtieth)}; ${formatDate(thirtieth)} is ${rolled.reason}, so the deadline moves to the next working day`;
    return this.done(rolled.date, `${counted}${moved}: by ${formatDateWithWeekday(rolled.date)}. Then respond without undue delay, keeping the complainant told of progress.`);
  }

  /** No legal clock: the organisation's own service target. */
  advice(): Deadline {
    const received = this.receivedDay();
    const days = this.input.adviceTargetDays ?? 10;
    const due = this.nthDayAfter(received, days, this.isNationalWorkingDay);
    const rule = `No legal deadline. Your organisation's service target is ${days} working days from ${formatDate(received)}: ${formatDateWithWeekday(due)}.`;
    return this.done(due, this.withProclaimed(rule, [divisionOf(this.input.nation)], received, due));
  }
}




function sentence(parts: string[]): string {
  const text = parts.join("; ");
  return text.endsWith(".") ? text : `${text}.`;
}
