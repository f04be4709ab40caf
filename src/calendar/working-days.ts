import type { Division } from "./bank-holidays.ts";
import { dayNumberOf, isWeekendDay } from "./day-numbers.ts";
import type { TermDates } from "./school-days.ts";

/*
 * The precomputed side of the deadline counts. A HolidayCalendar lays its bank holidays out once
 * as a table by day number; from it, for each set of divisions whose holidays count, a sorted list
 * of the working days and the running count of working days up to each day, so that "the 20th
 * working day after" is two array reads instead of a walk. A school's terms get the same treatment
 * (SchoolDayIndex). Days outside what a table holds are answered one by one, never guessed.
 */

/** Each division as a bit, so "a holiday anywhere in the UK" is a mask of all three. */
export const DIVISION_BIT: Record<Division, number> = { "england-and-wales": 1, scotland: 2, "northern-ireland": 4 };
export const ALL_DIVISIONS = 7;

/** One HolidayCalendar's holidays by day number, and which days fall in a year with something to warn about. */
export class DayTable {
  /** The day numbers of its first and last day. */
  readonly first: number;
  readonly last: number;
  /** Per day from `first`: the divisions (bits) in which it is a bank holiday. */
  readonly #holidays: Uint8Array;
  /** Per day from `first`: how many days up to and including it are in a "loud" year (no holidays known, or projected). */
  readonly #loudUpTo: Int32Array;

  constructor(
    first: number,
    last: number,
    holidays: Uint8Array,
    loud: Uint8Array,
    /** The holiday bits of a day outside the table (looked up the slow way). */
    private readonly holidaysOutside: (day: number) => number,
  ) {
    this.first = first;
    this.last = last;
    this.#holidays = holidays;
    this.#loudUpTo = new Int32Array(loud.length);
    let running = 0;
    for (let at = 0; at < loud.length; at += 1) {
      running += loud[at]!;
      this.#loudUpTo[at] = running;
    }
  }

  holidayBits(day: number): number {
    const at = day - this.first;
    return at >= 0 && at < this.#holidays.length ? this.#holidays[at]! : this.holidaysOutside(day);
  }

  /** True when every day from `from` to `to` is in a year with bank holidays known and published: nothing to warn about. */
  isQuiet(from: number, to: number): boolean {
    if (from < this.first || to > this.last) {
      return false;
    }
    const before = from === this.first ? 0 : this.#loudUpTo[from - this.first - 1]!;
    return this.#loudUpTo[to - this.first]! === before;
  }
}

/**
 * Working days where the holidays of `mask`'s divisions count: a weekday that is a bank holiday in
 * none of them. Within the table, the n-th working day after any day is a look-up.
 */
export class WorkingDayIndex {
  readonly #first: number;
  readonly #working: Uint8Array;
  /** Per day from `first`: how many working days up to and including it. */
  readonly #upTo: Int32Array;
  /** Every working day in the table, in order. */
  readonly #days: Int32Array;

  constructor(
    private readonly table: DayTable,
    readonly mask: number,
  ) {
    const size = table.last - table.first + 1;
    this.#first = table.first;
    this.#working = new Uint8Array(size);
    this.#upTo = new Int32Array(size);
    const days: number[] = [];
    for (let at = 0; at < size; at += 1) {
      const day = table.first + at;
      if (!isWeekendDay(day) && (table.holidayBits(day) & mask) === 0) {
        this.#working[at] = 1;
        days.push(day);
      }
      this.#upTo[at] = days.length;
    }
    this.#days = Int32Array.from(days);
  }

  isWorking(day: number): boolean {
    const at = day - this.#first;
    if (at >= 0 && at < this.#working.length) {
      return this.#working[at] === 1;
    }
    return !isWeekendDay(day) && (this.table.holidayBits(day) & this.mask) === 0;
  }

  /** The n-th working day after `start` (n ≥ 1), or NaN when the answer is not inside the table. */
  nthAfter(start: number, n: number): number {
    const at = start - this.#first;
    if (at < -1 || at >= this.#upTo.length) {
      return NaN;
    }
    const index = (at === -1 ? 0 : this.#upTo[at]!) + n - 1;
    return index < this.#days.length ? this.#days[index]! : NaN;
  }
}

/** Terms longer than this (about 110 years, from dates mistyped) are counted one day at a time. */
const MAX_INDEXED_SPAN = 40_000;

interface Span {
  first: number;
  last: number;
}

/**
 * A school's school days as a deadline counts them: up to the last term entered, a day counts
 * when it is a school day (a weekday in a term, not in a closure, not a bank holiday in the
 * school's own nation) and a working day of `working`; after it, every working day counts.
 */
export class SchoolDayIndex {
  /** The first day of the earliest term and the last day of the latest (the "term dates entered end" day). */
  readonly firstDay: number;
  readonly lastDay: number;
  readonly #open: Span[];
  readonly #closed: Span[];
  /** Per day from firstDay (when the span is indexed): 1 for a school day in the nation's sense. */
  readonly #school: Uint8Array | undefined;
  /** Per day from firstDay: school days up to and including it. */
  readonly #schoolUpTo: Int32Array | undefined;
  /** Per day from firstDay: counted days (school days that are also working days) up to and including it. */
  readonly #countedUpTo: Int32Array | undefined;
  /** Every counted day up to lastDay, in order. */
  readonly #counted: Int32Array | undefined;

  constructor(
    terms: readonly TermDates[],
    private readonly table: DayTable,
    private readonly nationBit: number,
    readonly working: WorkingDayIndex,
  ) {
    const spanOf = (term: TermDates): Span => {
      const span = { first: dayNumberOf(term.firstDay), last: dayNumberOf(term.lastDay) };
      if (Number.isNaN(span.first) || Number.isNaN(span.last)) {
        throw new RangeError(`Term dates must be real dates written YYYY-MM-DD: ${term.firstDay} to ${term.lastDay}`);
      }
      return span;
    };
    this.#open = terms.filter((term) => term.kind === "term").map(spanOf);
    this.#closed = terms.filter((term) => term.kind === "closure").map(spanOf);
    if (this.#open.length === 0) {
      throw new RangeError("A school-day index needs at least one term");
    }
    this.firstDay = Math.min(...this.#open.map((span) => span.first));
    this.lastDay = Math.max(...this.#open.map((span) => span.last));
    // Zero when the only terms end before they begin (no day is in one).
    const size = Math.max(0, this.lastDay - this.firstDay + 1);
    if (size > MAX_INDEXED_SPAN) {
      return;
    }
    const inSession = new Uint8Array(size);
    for (const span of this.#open) {
      inSession.fill(1, span.first - this.firstDay, span.last - this.firstDay + 1);
    }
    for (const span of this.#closed) {
      const from = Math.max(span.first, this.firstDay);
      const to = Math.min(span.last, this.lastDay);
      if (from <= to) inSession.fill(0, from - this.firstDay, to - this.firstDay + 1);
    }
    this.#school = new Uint8Array(size);
    this.#schoolUpTo = new Int32Array(size);
    this.#countedUpTo = new Int32Array(size);
    const counted: number[] = [];
    let schoolDays = 0;
    for (let at = 0; at < size; at += 1) {
      const day = this.firstDay + at;
      if (inSession[at] === 1 && !isWeekendDay(day) && (table.holidayBits(day) & nationBit) === 0) {
        this.#school[at] = 1;
        schoolDays += 1;
        if (working.isWorking(day)) counted.push(day);
      }
      this.#schoolUpTo[at] = schoolDays;
      this.#countedUpTo[at] = counted.length;
    }
    this.#counted = Int32Array.from(counted);
  }

  /** In a term and not in a closure (weekends and holidays aside). */
  inSession(day: number): boolean {
    if (day < this.firstDay || day > this.lastDay) {
      return false;
    }
    const within = (span: Span) => day >= span.first && day <= span.last;
    return this.#open.some(within) && !this.#closed.some(within);
  }

  /** A school day in the nation's sense: a weekday in session that is not the nation's bank holiday. */
  isSchoolDay(day: number): boolean {
    if (this.#school && day >= this.firstDay && day <= this.lastDay) {
      return this.#school[day - this.firstDay] === 1;
    }
    return !isWeekendDay(day) && (this.table.holidayBits(day) & this.nationBit) === 0 && this.inSession(day);
  }

  /** True when a school day falls between `from` and `to` inclusive (both on or before lastDay). */
  hasSchoolDayBetween(from: number, to: number): boolean {
    const first = Math.max(from, this.firstDay);
    const last = Math.min(to, this.lastDay);
    if (first > last) {
      return false;
    }
    if (this.#schoolUpTo) {
      const before = first === this.firstDay ? 0 : this.#schoolUpTo[first - this.firstDay - 1]!;
      return this.#schoolUpTo[last - this.firstDay]! > before;
    }
    for (let day = first; day <= last; day += 1) {
      if (this.isSchoolDay(day)) return true;
    }
    return false;
  }

  /** The n-th counted day after `start` (n ≥ 1), or NaN when only a day-by-day count can tell. */
  nthAfter(start: number, n: number): number {
    if (start >= this.lastDay) {
      return this.working.nthAfter(start, n);
    }
    if (!this.#countedUpTo || !this.#counted) {
      return NaN;
    }
    const before = start < this.firstDay ? 0 : this.#countedUpTo[start - this.firstDay]!;
    const left = this.#counted.length - before;
    return n <= left ? this.#counted[before + n - 1]! : this.working.nthAfter(this.lastDay, n - left);
  }
}

/**
 * Values kept by the content of what each was made from (a list of rows), the most recently used
 * first, at most `limit` of them. Rows are compared one by one, which costs less than making a
 * key of them, and a list changed after it was kept is simply a different list.
 */
export class KeptByContent<Row, Value> {
  readonly #kept: { rows: Row[]; value: Value }[] = [];

  constructor(
    private readonly limit: number,
    private readonly sameRow: (kept: Row, row: Row) => boolean,
    private readonly copyRow: (row: Row) => Row,
  ) {}

  get size(): number {
    return this.#kept.length;
  }

  find(rows: readonly Row[]): Value | undefined {
    for (let at = 0; at < this.#kept.length; at += 1) {
      const kept = this.#kept[at]!;
      if (this.#same(kept.rows, rows)) {
        if (at > 0) this.#kept.unshift(...this.#kept.splice(at, 1));
        return kept.value;
      }
    }
    return undefined;
  }

  keep(rows: readonly Row[], value: Value): Value {
    this.#kept.unshift({ rows: rows.map(this.copyRow), value });
    this.#kept.length = Math.min(this.#kept.length, this.limit);
    return value;
  }

  #same(kept: readonly Row[], rows: readonly Row[]): boolean {
    if (kept.length !== rows.length) {
      return false;
    }
    for (let at = 0; at < rows.length; at += 1) {
      if (!this.sameRow(kept[at]!, rows[at]!)) return false;
    }
    return true;
  }
}

export const sameTerm = (kept: TermDates, term: TermDates): boolean => kept.kind === term.kind && kept.firstDay === term.firstDay && kept.lastDay === term.lastDay;
export const copyTerm = ({ kind, firstDay, lastDay }: TermDates): TermDates => ({ kind, firstDay, lastDay });
