import { describe, expect, it } from "vitest";
import { HolidayCalendar } from "./bank-holidays.ts";
import { addDays, isWeekend, type IsoDate } from "./dates.ts";
import { dayNumberOf, isoOfDay } from "./day-numbers.ts";
import { computeDeadline } from "./deadlines.ts";
import { computeDeadlineDayByDay } from "./deadlines.day-by-day.ts";
import { schoolDayTest, type TermDates } from "./school-days.ts";
import { ALL_DIVISIONS, DIVISION_BIT, KeptByContent } from "./working-days.ts";

const holidays = HolidayCalendar.of();
const day = dayNumberOf;
const date = isoOfDay;

/** The n-th day after `start` for which `counts` holds, one day at a time. */
function walk(start: IsoDate, n: number, counts: (date: IsoDate) => boolean): IsoDate {
  let at = start;
  for (let counted = 0; counted < n; ) {
    at = addDays(at, 1);
    if (counts(at)) counted += 1;
  }
  return at;
}

const foiaWorkingDay = (at: IsoDate) => !isWeekend(at) && holidays.holidayAnywhere(at) === undefined;

describe("working days by look-up", () => {
  const foia = holidays.workingDays(ALL_DIVISIONS);
  const england = holidays.workingDays(DIVISION_BIT["england-and-wales"]);

  it("the 20th working day across Christmas and New Year, in any part of the UK", () => {
    // 25, 28 Dec 2026 and 1 Jan 2027 everywhere; 4 Jan 2027 in Scotland (2 January substitute).
    expect(date(foia.nthAfter(day("2026-12-14"), 20))).toBe("2027-01-15");
    expect(date(england.nthAfter(day("2026-12-14"), 20))).toBe("2027-01-14");
  });

  it("counts from the day after a request received on a bank holiday or a weekend", () => {
    expect(date(foia.nthAfter(day("2026-12-25"), 1))).toBe("2026-12-29");
    expect(date(foia.nthAfter(day("2027-01-02"), 1))).toBe("2027-01-05");
  });

  it("agrees with a day-by-day count from every day of 2025 to 2028", () => {
    const wrong: string[] = [];
    for (let start = "2025-01-01"; start <= "2028-12-31"; start = addDays(start, 1)) {
      for (const n of [1, 20, 60]) {
        const [fast, slow] = [date(foia.nthAfter(day(start), n)), walk(start, n, foiaWorkingDay)];
        if (fast !== slow) wrong.push(`${n} after ${start}: ${fast}, not ${slow}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 30_000);

  it("says NaN, never a guess, for a start or an answer outside its table (2000 to 2060)", () => {
    expect(foia.nthAfter(day("1999-12-30"), 1)).toBeNaN();
    expect(date(foia.nthAfter(day("1999-12-31"), 1))).toBe("2000-01-03");
    expect(foia.nthAfter(day("2060-12-29"), 5)).toBeNaN();
    expect(foia.nthAfter(day("2070-01-01"), 1)).toBeNaN();
    expect(foia.isWorking(day("2070-01-01"))).toBe(true);
    expect(foia.isWorking(day("2070-01-04"))).toBe(false);
  });

  it("a holiday far outside the table (a mistyped year) still counts", () => {
    const odd = HolidayCalendar.of([{ division: "england-and-wales", date: "2999-01-07", title: "A mistyped day" }]);
    expect(odd.days.last).toBeLessThan(day("2300-01-01"));
    expect(odd.workingDays(ALL_DIVISIONS).isWorking(day("2999-01-07"))).toBe(false);
    const input = { type: "foi" as const, received: "2999-01-01", nation: "england" as const };
    expect(computeDeadline(input, odd)).toEqual(computeDeadlineDayByDay(input, odd));
    expect(computeDeadline(input, odd).due).not.toBe(computeDeadline(input, holidays).due);
  });

  it("a deadline counted outside the table falls back to the day-by-day answer", () => {
    for (const received of ["1995-12-20", "2060-12-20", "2075-03-03"]) {
      for (const type of ["sar", "foi", "foi-school", "advice", "educational-record"] as const) {
        const input = { type, received, nation: "scotland" as const, schoolTerms: [{ kind: "term" as const, firstDay: received, lastDay: addDays(received, 10) }] };
        expect(computeDeadline(input, holidays)).toEqual(computeDeadlineDayByDay(input, holidays));
      }
    }
  });
});

describe("school days by look-up", () => {
  const terms: TermDates[] = [
    { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
    { kind: "term", firstDay: "2026-11-02", lastDay: "2026-12-18" },
    { kind: "closure", firstDay: "2026-11-27", lastDay: "2026-11-27" },
  ];
  const school = holidays.schoolDays(terms, DIVISION_BIT["england-and-wales"], ALL_DIVISIONS);
  const isSchoolDay = schoolDayTest(terms, (at) => holidays.holidayIn("england-and-wales", at) !== undefined);

  it("counts school days, then working days after the last term entered", () => {
    const counts = (at: IsoDate) => (at > "2026-12-18" ? foiaWorkingDay(at) : isSchoolDay(at) && foiaWorkingDay(at));
    for (let start = "2026-08-01"; start <= "2027-01-31"; start = addDays(start, 1)) {
      for (const n of [1, 15, 20]) {
        expect(date(school.nthAfter(day(start), n))).toBe(walk(start, n, counts));
      }
    }
  });

  it("skips half term and the closure, and runs on into working days when the terms end before the count does", () => {
    expect(date(school.nthAfter(day("2026-10-19"), 5))).toBe("2026-11-02");
    expect(school.isSchoolDay(day("2026-11-27"))).toBe(false);
    // 18 Dec is the last school day: the 20th counted day after 14 Dec is well into January.
    expect(date(school.nthAfter(day("2026-12-14"), 20))).toBe(walk("2026-12-18", 16, foiaWorkingDay));
  });

  it("knows where a school day falls", () => {
    expect(school.hasSchoolDayBetween(day("2026-10-24"), day("2026-11-01"))).toBe(false);
    expect(school.hasSchoolDayBetween(day("2026-10-24"), day("2026-11-02"))).toBe(true);
  });

  it("terms that end before they begin hold no school day", () => {
    const backwards = holidays.schoolDays([{ kind: "term", firstDay: "2026-09-10", lastDay: "2026-09-03" }], 1, ALL_DIVISIONS);
    expect(date(backwards.nthAfter(day("2026-09-01"), 1))).toBe("2026-09-04");
  });

  it("is kept by the terms' content: the same terms loaded afresh share one index", () => {
    const again = terms.map((term) => ({ ...term }));
    expect(holidays.schoolDays(again, DIVISION_BIT["england-and-wales"], ALL_DIVISIONS)).toBe(school);
    expect(holidays.schoolDays(again, DIVISION_BIT.scotland, ALL_DIVISIONS)).not.toBe(school);
  });
});

describe("school indexes kept by the terms' content", () => {
  it("a deadline counted after its terms were changed in place uses the new terms", () => {
    const terms: TermDates[] = [{ kind: "term", firstDay: "2026-09-03", lastDay: "2026-12-18" }];
    const input = { type: "educational-record" as const, received: "2026-11-20", nation: "england" as const, schoolTerms: terms };
    expect(computeDeadline(input, holidays).due).toBe("2026-12-11");
    terms.push({ kind: "closure", firstDay: "2026-11-23", lastDay: "2026-11-27" });
    expect(computeDeadline(input, holidays).due).toBe("2026-12-18");
    expect(computeDeadline(input, holidays)).toEqual(computeDeadlineDayByDay(input, holidays));
  });
});

describe("calendars shared by content", () => {
  it("the same updates give the same calendar, other updates another", () => {
    const update = { division: "england-and-wales" as const, date: "2028-06-02", title: "Extra bank holiday" };
    expect(HolidayCalendar.of()).toBe(HolidayCalendar.of([]));
    expect(HolidayCalendar.of([update])).toBe(HolidayCalendar.of([{ ...update }]));
    expect(HolidayCalendar.of([update])).not.toBe(HolidayCalendar.of());
    expect(HolidayCalendar.of([{ ...update, title: "Another name" }]).holidayIn("england-and-wales", "2028-06-02")).toBe("Another name");
  });

  it("keeps the 16 calendars used most recently", () => {
    const updates = (year: number) => [{ division: "scotland" as const, date: `${year}-06-01`, title: "A day" }];
    const kept = HolidayCalendar.of(updates(2040));
    const forgotten = HolidayCalendar.of(updates(2041));
    for (let year = 2042; year < 2042 + 15; year += 1) {
      HolidayCalendar.of(updates(year));
      HolidayCalendar.of(updates(2040)); // used again each time
    }
    expect(HolidayCalendar.of(updates(2040))).toBe(kept);
    expect(HolidayCalendar.of(updates(2041))).not.toBe(forgotten);
  });

  it("values kept by content: found by equal rows, changed rows are another list, the one used longest ago goes first", () => {
    const kept = new KeptByContent<{ n: number }, string>(2, (a, b) => a.n === b.n, (row) => ({ ...row }));
    const rows = [{ n: 1 }, { n: 2 }];
    kept.keep(rows, "one-two");
    expect(kept.find([{ n: 1 }, { n: 2 }])).toBe("one-two");
    rows[1]!.n = 3; // changed after it was kept: the copy kept still says 1, 2
    expect(kept.find(rows)).toBeUndefined();
    expect(kept.find([{ n: 1 }])).toBeUndefined();
    kept.keep([{ n: 3 }], "three");
    kept.find([{ n: 1 }, { n: 2 }]); // used again, so "three" is now the one used longest ago
    kept.keep([{ n: 4 }], "four");
    expect(kept.size).toBe(2);
    expect(kept.find([{ n: 3 }])).toBeUndefined();
    expect(kept.find([{ n: 1 }, { n: 2 }])).toBe("one-two");
  });
});
