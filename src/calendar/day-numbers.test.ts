import { describe, expect, it } from "vitest";
import { addDays, dayOfWeek, formatDate, formatDateWithWeekday, isIsoDate } from "./dates.ts";
import { dayFromCivil, dayNumberOf, formatDay, formatDayWithWeekday, isoDateParts, isoOfDay, weekdayOfDay, yearOfDay } from "./day-numbers.ts";

describe("day numbers", () => {
  it("1 Jan 1970 is day 0, and days before it are negative", () => {
    expect(dayNumberOf("1970-01-01")).toBe(0);
    expect(dayNumberOf("1969-12-31")).toBe(-1);
    expect(isoOfDay(-1)).toBe("1969-12-31");
  });

  it("agree with dates.ts on every day from 1899 to 2101, across every year and month boundary", () => {
    const wrong: string[] = [];
    let day = dayNumberOf("1899-01-01");
    for (let date = "1899-01-01"; date <= "2101-12-31"; date = addDays(date, 1), day += 1) {
      if (dayNumberOf(date) !== day || isoOfDay(day) !== date || yearOfDay(day) !== Number(date.slice(0, 4)) || weekdayOfDay(day) !== dayOfWeek(date)) {
        wrong.push(date);
      }
    }
    expect(wrong).toEqual([]);
    expect(day).toBe(dayNumberOf("2102-01-01"));
  });

  it("show a day as dates.ts does, inside and outside the kept strings (1990 to 2109)", () => {
    for (const date of ["2026-12-29", "2028-02-29", "1989-12-31", "1990-01-01", "2109-12-31", "2110-01-01", "1066-10-14"]) {
      expect(formatDay(dayNumberOf(date))).toBe(formatDate(date));
      expect(formatDayWithWeekday(dayNumberOf(date))).toBe(formatDateWithWeekday(date));
      expect(isoOfDay(dayNumberOf(date))).toBe(date);
    }
  });

  it("read only real dates written YYYY-MM-DD, as isIsoDate does", () => {
    for (const text of ["2028-02-29", "2000-02-29", "2027-12-31", "0100-01-01", "9999-12-31"]) {
      expect(isIsoDate(text)).toBe(true);
      expect(dayNumberOf(text)).not.toBeNaN();
    }
    for (const text of ["2027-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05", "2026-01-5", " 2026-01-05", "2026/01/05", "2026-01-05T00:00", "20260105", "abcd-ef-gh", ""]) {
      expect(isIsoDate(text)).toBe(false);
      expect(dayNumberOf(text)).toBeNaN();
      expect(isoDateParts(text)).toBeUndefined();
    }
  });

  it("leave out years before 100, which dates.ts reads as 19xx", () => {
    expect(dayNumberOf("0050-01-01")).toBeNaN();
  });

  it("read the same string the same way twice (the read dates are kept)", () => {
    expect(dayNumberOf("2026-06-15")).toBe(dayFromCivil(2026, 6, 15));
    expect(dayNumberOf("2026-06-15")).toBe(dayFromCivil(2026, 6, 15));
    expect(dayNumberOf("2027-02-29")).toBeNaN();
    expect(dayNumberOf("2027-02-29")).toBeNaN();
  });
});
