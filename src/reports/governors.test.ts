import { describe, expect, it } from "vitest";
import { academicYearOf, figuresOf, median, termPeriod } from "./governors.ts";
import { pdfString, pdfTextString, textPdf } from "./pdf.ts";

const terms = [
  { kind: "term" as const, firstDay: "2026-09-03", lastDay: "2026-10-23" },
  { kind: "term" as const, firstDay: "2026-11-02", lastDay: "2026-12-18" },
  { kind: "term" as const, firstDay: "2027-01-05", lastDay: "2027-03-26" },
  { kind: "closure" as const, firstDay: "2027-02-15", lastDay: "2027-02-19" },
  { kind: "term" as const, firstDay: "2027-04-12", lastDay: "2027-07-21" },
];

describe("the governors' report", () => {
  it("runs a school year from 1 September to 31 August", () => {
    expect(academicYearOf("2026-09-01")).toBe(2026);
    expect(academicYearOf("2027-08-31")).toBe(2026);
    expect(termPeriod(terms, 2026)).toEqual({ first: "2026-09-01", last: "2027-08-31", assumed: false });
  });

  it("takes each term from the school's own term dates, the holidays with the term before them, so the three cover the year", () => {
    expect(termPeriod(terms, 2026, "autumn")).toEqual({ first: "2026-09-01", last: "2027-01-04", assumed: false });
    expect(termPeriod(terms, 2026, "spring")).toEqual({ first: "2027-01-05", last: "2027-04-11", assumed: false });
    expect(termPeriod(terms, 2026, "summer")).toEqual({ first: "2027-04-12", last: "2027-08-31", assumed: false });
  });

  it("uses the usual dates, and says so, where the school has no term dates for the year", () => {
    expect(termPeriod([], 2025, "spring")).toEqual({ first: "2026-01-01", last: "2026-03-31", assumed: true });
    expect(termPeriod(terms, 2025, "autumn")).toEqual({ first: "2025-09-01", last: "2025-12-31", assumed: true });
  });

  it("takes the median of an odd and an even number of days", () => {
    expect(median([])).toBeNull();
    expect(median([30, 2, 9])).toBe(9);
    expect(median([1, 4, 10, 20])).toBe(7);
  });

  it("counts requests answered on time, leaves withdrawn and unrecorded ones out of the share, and counts breaches by their ICO report", () => {
    const closed = new Date("2027-01-30T10:00:00Z");
    const request = { type: "sar", outcome: "disclosed-in-full", closedAt: closed, receivedOn: "2026-11-30", dueOn: "2026-12-30", icoReportedOn: null };
    const figures = figuresOf([
      { ...request, responseSentOn: "2026-12-10" },
      { ...request, responseSentOn: "2026-12-30" },
      { ...request, responseSentOn: "2027-01-04" },
      { ...request, responseSentOn: null },
      { ...request, outcome: "withdrawn", responseSentOn: null },
      { ...request, type: "complaint", outcome: null, closedAt: null, responseSentOn: null },
      { type: "breach", outcome: "reported", closedAt: closed, receivedOn: "2027-01-10", dueOn: "2027-01-13", icoReportedOn: "2027-01-12", responseSentOn: null },
      { type: "breach", outcome: "reported", closedAt: closed, receivedOn: "2027-01-10", dueOn: "2027-01-13", icoReportedOn: "2027-01-15", responseSentOn: null },
      { type: "breach", outcome: "not-reportable", closedAt: closed, receivedOn: "2027-01-10", dueOn: "2027-01-13", icoReportedOn: null, responseSentOn: null },
    ]);
    expect(figures).toMatchObject({ received: 9, answered: 3, onTime: 2, shareOnTime: 67, notRecorded: 1, medianDays: 30, breaches: 3, icoReports: 2, icoReportsOnTime: 1, complaints: 1, stillOpen: 1 });
    expect(figures.byType.find((type) => type.type === "sar")?.count).toBe(5);
  });
});

describe("the PDF writer", () => {
  it("escapes PDF string syntax and writes Latin-1 and typographic marks in Helvetica's encoding", () => {
    expect(pdfString("a (b) \\ c")).toBe("(a \\(b\\) \\\\ c)");
    expect(pdfString("Sep – Dec’s café")).toBe("(Sep \\226 Dec\\222s caf\\351)");
    expect(pdfString("漢")).toBe("(?)");
    // The title lives outside the page, where readers take UTF-16 rather than Helvetica's encoding.
    expect(pdfTextString("Sep – Dec")).toBe("<FEFF005300650070002020130020004400650063>");
  });

  it("writes a PDF whose cross-reference table points at every object", () => {
    const pdf = Buffer.from(textPdf("Title", Array.from({ length: 120 }, (_unused, index) => ({ text: `Line ${index}` })))).toString("latin1");
    expect(pdf.startsWith("%PDF-1.4")).toBe(true);
    expect(pdf).toContain("/Count 3");
    const xrefAt = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xrefAt, xrefAt + 4)).toBe("xref");
    const offsets = [...pdf.slice(xrefAt).matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    offsets.forEach((offset, index) => expect(pdf.slice(offset, offset + 12)).toMatch(new RegExp(`^${index + 1} 0 obj`)));
    for (const stream of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      expect(pdf.slice(stream.index + stream[0].length + Number(stream[1]), stream.index + stream[0].length + Number(stream[1]) + 10)).toBe("\nendstream");
    }
  });
});
