import { describe, expect, it } from "vitest";
import { readTermDatesCsv, schoolDayTest, writeTermDatesCsv } from "./school-days.ts";

describe("term dates from CSV", () => {
  it("reads terms and one-day closures, and writes them back the same", () => {
    const csv = "first_day,last_day,kind\n2026-09-03,2026-10-23,term\n# INSET\n2026-09-04,,closure\n";
    const result = readTermDatesCsv(csv);
    expect(result).toEqual({
      ok: true,
      terms: [
        { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
        { kind: "closure", firstDay: "2026-09-04", lastDay: "2026-09-04" },
      ],
    });
    if (result.ok) {
      expect(readTermDatesCsv(writeTermDatesCsv(result.terms))).toEqual(result);
    }
  });

  it("reports every bad line by number and accepts nothing", () => {
    const result = readTermDatesCsv("first_day,last_day,kind\n2026-09-03,2026-08-01,term\n2026-02-30,2026-03-01,term\n2026-01-05,2026-01-09,holiday\n");
    expect(result).toEqual({
      ok: false,
      errors: ["Line 2: the last day is before the first day", "Line 3: dates must be real dates written YYYY-MM-DD", "Line 4: kind must be term or closure"],
    });
  });

  it("refuses a file without the header", () => {
    expect(readTermDatesCsv("2026-09-03,2026-10-23,term\n")).toMatchObject({ ok: false });
  });

  it("a school day is a weekday in term, not closed and not a bank holiday", () => {
    const isSchoolDay = schoolDayTest(
      [
        { kind: "term", firstDay: "2026-04-13", lastDay: "2026-07-22" },
        { kind: "closure", firstDay: "2026-06-01", lastDay: "2026-06-01" },
      ],
      (date) => date === "2026-05-25",
    );
    expect(isSchoolDay("2026-04-13")).toBe(true);
    expect(isSchoolDay("2026-04-12")).toBe(false); // Sunday
    expect(isSchoolDay("2026-05-25")).toBe(false); // bank holiday
    expect(isSchoolDay("2026-06-01")).toBe(false); // closure
    expect(isSchoolDay("2026-07-23")).toBe(false); // after term
  });
});
