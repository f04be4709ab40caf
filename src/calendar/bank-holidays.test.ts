import { describe, expect, it } from "vitest";
import { builtInBankHolidays, HolidayCalendar, PROCLAIMED_BANK_HOLIDAYS, readGovUkBankHolidays, type Division } from "./bank-holidays.ts";
import { addDays, dayOfWeek, type IsoDate } from "./dates.ts";

/*
 * The built-in list is typed in from GOV.UK and the reference's projections. This re-derives every
 * year from the Banking and Financial Dealings Act rules, so a typing slip cannot hide.
 */
function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

const mondayOnOrAfter = (date: IsoDate): IsoDate => (dayOfWeek(date) === 1 ? date : mondayOnOrAfter(addDays(date, 1)));
const lastMondayOf = (year: number, month: string, lastDay: number) => {
  let date = `${year}-${month}-${lastDay}`;
  while (dayOfWeek(date) !== 1) date = addDays(date, -1);
  return date;
};

function derived(division: Division, year: number): IsoDate[] {
  const easter = easterSunday(year);
  const moving = [addDays(easter, -2), mondayOnOrAfter(`${year}-05-01`), lastMondayOf(year, "05", 31)];
  if (division !== "scotland") moving.push(addDays(easter, 1), lastMondayOf(year, "08", 31));
  else moving.push(mondayOnOrAfter(`${year}-08-01`));
  const fixed = [`${year}-01-01`];
  if (division === "scotland") fixed.push(`${year}-01-02`);
  if (division === "northern-ireland") fixed.push(`${year}-03-17`, `${year}-07-12`);
  if (division === "scotland") fixed.push(`${year}-11-30`);
  fixed.push(`${year}-12-25`, `${year}-12-26`);
  const taken = new Set(moving);
  for (const date of fixed) {
    let day = date;
    while (dayOfWeek(day) === 0 || dayOfWeek(day) === 6 || taken.has(day)) day = addDays(day, 1);
    taken.add(day);
  }
  return [...taken].sort();
}

describe("built-in bank holidays", () => {
  for (const division of ["england-and-wales", "scotland", "northern-ireland"] as const) {
    for (let year = 2024; year <= 2030; year += 1) {
      it(`${division} ${year} follows the 1971 Act's rules`, () => {
        const listed = builtInBankHolidays()
          .filter((holiday) => holiday.division === division && holiday.date.startsWith(String(year)))
          .map((holiday) => holiday.date)
          .sort();
        expect(listed).toEqual(derived(division, year));
      });
    }
  }

  it("marks 2028 onwards as projected", () => {
    const calendar = new HolidayCalendar();
    expect(calendar.isProjected("scotland", "2027-11-30")).toBe(false);
    expect(calendar.isProjected("scotland", "2028-11-30")).toBe(true);
  });
});

describe("one-off bank holidays proclaimed under s1(3) of the 1971 Act", () => {
  it("Monday 15 June 2026 is a bank holiday in Scotland only, kept with its source", () => {
    const calendar = new HolidayCalendar();
    expect(calendar.holidayIn("scotland", "2026-06-15")).toBe("World Cup bank holiday");
    expect(calendar.holidayIn("england-and-wales", "2026-06-15")).toBeUndefined();
    expect(calendar.holidayIn("northern-ireland", "2026-06-15")).toBeUndefined();
    expect(calendar.holidayAnywhere("2026-06-15")).toBe("World Cup bank holiday");
    const [day] = calendar.proclaimedBetween(["scotland"], "2026-06-01", "2026-06-30");
    expect(day).toMatchObject({ proclaimedOn: "2026-02-04" });
    expect(day!.source).toContain("s1(3) of the Banking and Financial Dealings Act 1971");
    expect(calendar.proclaimedBetween(["england-and-wales", "northern-ireland"], "2026-01-01", "2026-12-31")).toEqual([]);
  });

  it("every one-off is on a weekday, inside the built-in years, and not one the standing rules already give", () => {
    for (const day of PROCLAIMED_BANK_HOLIDAYS) {
      expect(dayOfWeek(day.date)).not.toBe(0);
      expect(dayOfWeek(day.date)).not.toBe(6);
      expect(builtInBankHolidays().some((standing) => standing.division === day.division && standing.date === day.date)).toBe(false);
    }
  });

  it("survives a published file for that year that lacks it", () => {
    const published = readGovUkBankHolidays({
      "england-and-wales": { events: [] },
      scotland: { events: builtInBankHolidays().filter((day) => day.division === "scotland" && day.date.startsWith("2026")) },
      "northern-ireland": { events: [] },
    });
    const calendar = new HolidayCalendar(published);
    expect(calendar.holidayIn("scotland", "2026-06-15")).toBe("World Cup bank holiday");
  });

  it("keeps the published title when the file has the day too", () => {
    const published = readGovUkBankHolidays({
      "england-and-wales": { events: [] },
      scotland: { events: [{ title: "Bank holiday for the FIFA World Cup", date: "2026-06-15" }] },
      "northern-ireland": { events: [] },
    });
    expect(new HolidayCalendar(published).holidayIn("scotland", "2026-06-15")).toBe("Bank holiday for the FIFA World Cup");
  });
});

describe("updating from GOV.UK's bank-holidays.json", () => {
  const published = {
    "england-and-wales": { division: "england-and-wales", events: [{ title: "Extra bank holiday", date: "2028-06-02", notes: "", bunting: true }] },
    scotland: { division: "scotland", events: [] },
    "northern-ireland": { division: "northern-ireland", events: [] },
  };

  it("replaces a division's year and stops calling it projected", () => {
    const calendar = new HolidayCalendar(readGovUkBankHolidays(published));
    expect(calendar.holidayIn("england-and-wales", "2028-06-02")).toBe("Extra bank holiday");
    expect(calendar.holidayIn("england-and-wales", "2028-04-14")).toBeUndefined();
    expect(calendar.isProjected("england-and-wales", "2028-06-02")).toBe(false);
    expect(calendar.holidayIn("scotland", "2028-04-14")).toBe("Good Friday");
  });

  it("refuses a file that is not the GOV.UK shape", () => {
    expect(() => readGovUkBankHolidays({ events: [] })).toThrow(/no events/);
    expect(() => readGovUkBankHolidays({ ...published, scotland: { events: [{ date: "2028-02-30", title: "x" }] } })).toThrow(/valid date/);
  });
});
