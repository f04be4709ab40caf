import { describe, expect, it } from "vitest";
import { overlappingTerms, readPastedTermDates, readTermDatesCsv, readUkDate, schoolDayTest, schoolDaysIn, writeTermDatesCsv } from "./school-days.ts";

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

describe("term dates pasted from a spreadsheet", () => {
  it("reads tab-separated DD/MM/YYYY rows with a header and term names, and INSET days as closures", () => {
    const pasted = "Term\tFirst day\tLast day\nAutumn 1\t03/09/2026\t23/10/2026\nINSET\t04/09/2026\t\nSpring 1\t5/1/2027\t12/02/2027\n";
    expect(readPastedTermDates(pasted)).toEqual({
      ok: true,
      terms: [
        { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
        { kind: "closure", firstDay: "2026-09-04", lastDay: "2026-09-04" },
        { kind: "term", firstDay: "2027-01-05", lastDay: "2027-02-12" },
      ],
    });
  });

  it("still reads the CSV shape", () => {
    expect(readPastedTermDates("first_day,last_day,kind\n2026-09-03,2026-10-23,term\n2026-09-04,,closure\n")).toEqual(readTermDatesCsv("first_day,last_day,kind\n2026-09-03,2026-10-23,term\n2026-09-04,,closure\n"));
  });

  it("names each bad line and accepts nothing", () => {
    const result = readPastedTermDates("03/09/2026\t31/02/2027\n23/10/2026\t03/09/2026\n03/09/2026\n");
    expect(result).toEqual({
      ok: false,
      errors: ["Line 1: 31/02/2027 is not a real date", "Line 2: the last day is before the first day", "Line 3: enter the term's last day as well as its first"],
    });
  });

  it.each([
    ["31/01/2027", "2027-01-31"],
    ["1/2/27", "2027-02-01"],
    ["2027-02-01", "2027-02-01"],
    ["29/02/2027", undefined],
    ["Autumn", undefined],
  ])("reads %s as %s", (cell, date) => {
    expect(readUkDate(cell)).toBe(date);
  });
});

describe("checking and counting terms", () => {
  it("refuses terms that overlap, not closures inside a term", () => {
    expect(overlappingTerms([
      { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
      { kind: "closure", firstDay: "2026-09-04", lastDay: "2026-09-04" },
      { kind: "term", firstDay: "2026-10-23", lastDay: "2026-12-18" },
    ])).toEqual([{ index: 2, message: "The term from 23 Oct 2026 to 18 Dec 2026 overlaps the term from 3 Sep 2026 to 23 Oct 2026" }]);
    expect(overlappingTerms([{ kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" }, { kind: "term", firstDay: "2026-11-02", lastDay: "2026-12-18" }])).toEqual([]);
  });

  it("counts a term's school days: weekdays, less closures and bank holidays", () => {
    const terms = [
      { kind: "term" as const, firstDay: "2027-04-19", lastDay: "2027-05-07" },
      { kind: "closure" as const, firstDay: "2027-04-19", lastDay: "2027-04-19" },
    ];
    // 15 weekdays, less the INSET day and the early May bank holiday (3 May 2027).
    expect(schoolDaysIn(terms[0]!, schoolDayTest(terms, (date) => date === "2027-05-03"))).toBe(13);
  });
});
