import { describe, expect, it } from "vitest";
import { HolidayCalendar, NATIONS, type BankHoliday } from "./bank-holidays.ts";
import { addDays, type IsoDate } from "./dates.ts";
import { CASE_TYPES, computeDeadline, type ClockStop, type DeadlineInput, STOP_REASONS } from "./deadlines.ts";
import { computeDeadlineDayByDay } from "./deadlines.day-by-day.ts";
import type { TermDates } from "./school-days.ts";

/*
 * The indexed computeDeadline against the day-by-day count it replaced, over generated cases:
 * every kind of case, every nation, received from 2019 (before any bank holidays are known) to
 * 2033 (after), on weekends and bank holidays, with and without term dates, clock stops and
 * extensions, against calendars with and without published years. The whole answer must match:
 * the date, the rule word for word, and the warnings in order (or the same error).
 */

/** A small seeded generator (mulberry32), so a failure can be run again. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = ReturnType<typeof generator>;
const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
const dayFrom = (random: Random, first: IsoDate, spanDays: number): IsoDate => addDays(first, between(random, 0, spanDays));

/** A school year's terms from early September of `year`: six half terms, with closures. */
function schoolYear(random: Random, year: number): TermDates[] {
  const terms: TermDates[] = [];
  let first = addDays(`${year}-09-01`, between(random, 0, 6));
  for (let half = 0; half < 6; half += 1) {
    const last = addDays(first, between(random, 30, 50));
    terms.push({ kind: "term", firstDay: first, lastDay: last });
    if (random() < 0.5) {
      const closed = addDays(first, between(random, 0, 30));
      terms.push({ kind: "closure", firstDay: closed, lastDay: addDays(closed, between(random, 0, 2)) });
    }
    first = addDays(last, between(random, 7, 16));
  }
  return terms;
}

function termsFor(random: Random, received: IsoDate): TermDates[] | undefined {
  const year = Number(received.slice(0, 4));
  switch (between(random, 0, 5)) {
    case 0:
      return undefined;
    case 1:
      return [];
    case 2:
      return [...schoolYear(random, year - 1), ...schoolYear(random, year)];
    case 3:
      // Terms that end soon after the request, so the count runs past them.
      return [{ kind: "term", firstDay: addDays(received, -between(random, 0, 60)), lastDay: addDays(received, between(random, -5, 25)) }];
    case 4:
      // Only closures: no term at all.
      return [{ kind: "closure", firstDay: received, lastDay: addDays(received, 3) }];
    default:
      // A long summer closure between two terms (the 60th working day wins).
      return [
        { kind: "term", firstDay: addDays(received, -40), lastDay: addDays(received, between(random, 0, 10)) },
        { kind: "term", firstDay: addDays(received, between(random, 60, 120)), lastDay: addDays(received, 200) },
      ];
  }
}

function stopsFor(random: Random, received: IsoDate): ClockStop[] | undefined {
  if (random() < 0.6) {
    return undefined;
  }
  const stops: ClockStop[] = [];
  let from = addDays(received, between(random, 0, 10));
  for (let count = between(random, 1, 2); count > 0; count -= 1) {
    const to = random() < 0.15 ? null : addDays(from, between(random, 0, 20));
    stops.push({ reason: pick(random, STOP_REASONS), from, to });
    if (to === null) break;
    from = addDays(to, between(random, 1, 10));
  }
  return stops;
}

function inputFor(random: Random): DeadlineInput {
  const type = pick(random, CASE_TYPES);
  const received = dayFrom(random, "2019-06-01", 5100);
  const input: DeadlineInput = {
    type,
    received: random() < 0.1 ? `${received}T${String(between(random, 0, 23)).padStart(2, "0")}:${String(between(random, 0, 59)).padStart(2, "0")}` : received,
    nation: pick(random, NATIONS),
    schoolType: pick(random, [undefined, "maintained", "academy", "independent"] as const),
    schoolTerms: termsFor(random, received),
    stops: stopsFor(random, received),
    extended: random() < 0.3,
  };
  if (type === "foi" && random() < 0.3) input.extendedTo = addDays(received, between(random, 20, 70));
  if (type === "advice") input.adviceTargetDays = pick(random, [undefined, 1, 5, 10, 15, 30, 0]);
  return input;
}

const published = (division: BankHoliday["division"], year: number): BankHoliday[] => [
  { division, date: `${year}-01-01`, title: "New Year’s Day" },
  { division, date: `${year}-05-03`, title: "Early May bank holiday" },
  { division, date: `${year}-06-14`, title: "An extra day" },
  { division, date: `${year}-12-25`, title: "Christmas Day" },
];

/** Built in; 2028 published for England and Wales only (so projected elsewhere); and 2032 known in Scotland alone. */
const CALENDARS = [HolidayCalendar.of(), HolidayCalendar.of(published("england-and-wales", 2028)), HolidayCalendar.of(published("scotland", 2032))];

function outcome(count: () => unknown): unknown {
  try {
    return count();
  } catch (error) {
    return { threw: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

/** DEADLINE_CASES=100000 DEADLINE_SEEDS=8 npx vitest run src/calendar/deadlines.property.test.ts for a longer look. */
const CASES = Number(process.env["DEADLINE_CASES"] ?? 1500);
const SEEDS = Array.from({ length: Number(process.env["DEADLINE_SEEDS"] ?? 4) }, (_, at) => at + 1);

describe("computeDeadline gives what the day-by-day count gave", () => {
  it.each(SEEDS)(`${CASES} generated cases (seed %i)`, (seed) => {
    const random = generator(seed);
    for (let n = 0; n < CASES; n += 1) {
      const input = inputFor(random);
      const holidays = pick(random, CALENDARS);
      const fast = outcome(() => computeDeadline(input, holidays));
      const slow = outcome(() => computeDeadlineDayByDay(input, holidays));
      if (JSON.stringify(fast) !== JSON.stringify(slow)) {
        expect({ input, calendar: CALENDARS.indexOf(holidays), fast }).toEqual({ input, calendar: CALENDARS.indexOf(holidays), fast: slow });
      }
    }
  }, 30_000 + CASES * 20);

  it("every third day (so every weekday in turn) from mid-2023 (no holidays known) to mid-2029 (projected): a SAR, an FOI and a school FOI", () => {
    const terms = [...schoolYear(generator(9), 2025), ...schoolYear(generator(10), 2026)];
    const holidays = CALENDARS[0]!;
    let n = 0;
    for (let day = "2023-06-01"; day <= "2029-06-30"; day = addDays(day, 3)) {
      const nation = NATIONS[n++ % NATIONS.length]!;
      for (const input of [
        { type: "sar", received: day, nation },
        { type: "foi", received: day, nation },
        { type: "foi-school", received: day, nation, schoolTerms: terms },
      ] as const) {
        const fast = outcome(() => computeDeadline(input, holidays));
        const slow = outcome(() => computeDeadlineDayByDay(input, holidays));
        if (JSON.stringify(fast) !== JSON.stringify(slow)) expect({ input, fast }).toEqual({ input, fast: slow });
      }
    }
  }, 30_000);
});
