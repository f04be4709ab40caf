import { describe, expect, it } from "vitest";
import { HolidayCalendar, type Nation } from "./bank-holidays.ts";
import { computeDeadline, countdownTo, DeadlineInputError, type DeadlineInput } from "./deadlines.ts";
import type { TermDates } from "./school-days.ts";

/*
 * Every expected date below was worked out by hand from the rules in
 * ../shared/reference/uk-rules.md, counting on a printed calendar, not by running the code.
 */
const holidays = new HolidayCalendar();
const due = (input: Partial<DeadlineInput> & Pick<DeadlineInput, "type" | "received">) =>
  computeDeadline({ nation: "england", ...input }, holidays);

const autumn2026AndSpring2027: TermDates[] = [
  { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
  { kind: "term", firstDay: "2026-11-02", lastDay: "2026-12-18" },
  { kind: "closure", firstDay: "2026-11-27", lastDay: "2026-11-27" },
  { kind: "term", firstDay: "2027-01-05", lastDay: "2027-02-12" },
  { kind: "term", firstDay: "2027-02-22", lastDay: "2027-03-26" },
];

describe("subject access and other rights requests: one calendar month (ICO method)", () => {
  it.each<[string, string, Nation, string]>([
    ["the corresponding date next month", "2025-09-03", "england", "2025-10-03"],
    ["the time of day does not matter (23:59 counts as that day)", "2025-09-03T23:59", "england", "2025-10-03"],
    ["a month with no corresponding date ends on its last day", "2026-03-31", "england", "2026-04-30"],
    ["31 Dec runs to 31 Jan", "2024-12-31", "england", "2025-01-31"],
    ["30 Jan in a leap year runs to 29 Feb", "2028-01-30", "england", "2028-02-29"],
    ["30 Jan runs to 28 Feb, a Sunday, so Monday 1 Mar", "2027-01-30", "england", "2027-03-01"],
    ["31 Jan runs to 28 Feb, a Saturday, so Monday 2 Mar", "2026-01-31", "england", "2026-03-02"],
    ["Christmas Day, then the weekend and the Boxing Day substitute", "2026-11-25", "england", "2026-12-29"],
    ["the Boxing Day substitute itself", "2026-11-28", "england", "2026-12-29"],
    ["Good Friday and Easter Monday in England", "2026-03-03", "england", "2026-04-07"],
    ["Scotland has no Easter Monday", "2026-03-03", "scotland", "2026-04-06"],
    ["Scotland's 2 January substitute day", "2026-12-02", "scotland", "2027-01-05"],
    ["England has no 2 January holiday", "2026-12-02", "england", "2027-01-04"],
    ["Wales shares England's calendar", "2026-12-02", "wales", "2027-01-04"],
    ["the Battle of the Boyne in Northern Ireland", "2027-06-12", "northern-ireland", "2027-07-13"],
    ["12 July is a working day in England", "2027-06-12", "england", "2027-07-12"],
    ["St Andrew's Day substitute in Scotland", "2025-11-01", "scotland", "2025-12-02"],
    ["received on a bank holiday still counts from that day", "2026-05-25", "england", "2026-06-25"],
  ])("%s: received %s (%s) → %s", (_why, received, nation, expected) => {
    expect(due({ type: "sar", received, nation }).due).toBe(expected);
  });

  it("says which rule produced the date, month end and weekend included", () => {
    const deadline = due({ type: "sar", received: "2027-01-30" });
    expect(deadline.rule).toContain("One calendar month from 30 Jan 2027");
    expect(deadline.rule).toContain("28 Feb 2027 is the last day of that month");
    expect(deadline.rule).toContain("Monday 1 Mar 2027");
  });

  it("names each bank holiday it skips on the way to the next working day", () => {
    const deadline = due({ type: "sar", received: "2026-11-25" });
    expect(deadline.rule).toContain("25 Dec 2026 is a bank holiday in England (Christmas Day)");
    expect(deadline.rule).toContain("28 Dec 2026 is a bank holiday in England (Boxing Day (substitute day))");
    expect(deadline.rule).toContain("Tuesday 29 Dec 2026");
  });

  it("other rights requests follow the same clock", () => {
    expect(due({ type: "rights", received: "2027-01-30" }).due).toBe("2027-03-01");
  });

  it("runs from the day identity is confirmed, when that is later (Art 12A relevant time)", () => {
    const deadline = due({ type: "sar", received: "2026-01-05", stops: [{ reason: "identity", from: "2026-01-06", to: "2026-01-20" }] });
    expect(deadline.due).toBe("2026-02-20");
    expect(deadline.rule).toContain("the day identity was confirmed");
  });

  it("runs from the day a fee is paid", () => {
    expect(due({ type: "sar", received: "2026-03-02", stops: [{ reason: "fee", from: "2026-03-03", to: "2026-03-10" }] }).due).toBe("2026-04-10");
  });

  it("leaves out the days paused for clarification, from the day asked to the day answered", () => {
    const deadline = due({ type: "sar", received: "2026-03-02", stops: [{ reason: "clarification", from: "2026-03-10", to: "2026-03-16" }] });
    expect(deadline.due).toBe("2026-04-09");
    expect(deadline.rule).toContain("plus 7 days paused");
  });

  it("shows no date while the clock is stopped, and says why", () => {
    const deadline = due({ type: "sar", received: "2026-03-02", stops: [{ reason: "identity", from: "2026-03-03", to: null }] });
    expect(deadline).toMatchObject({ due: null, paused: true });
    expect(deadline.rule).toContain("waiting for proof of identity");
  });

  it("extends by two further months", () => {
    expect(due({ type: "sar", received: "2026-01-30", extended: true }).due).toBe("2026-04-30");
  });

  it("extends to a month end and past a weekend", () => {
    expect(due({ type: "sar", received: "2026-11-30", extended: true }).due).toBe("2027-03-01");
  });

  it("a Scottish deadline on the proclaimed 15 Jun 2026 moves to Tuesday, and says where the day came from", () => {
    const deadline = due({ type: "sar", received: "2026-05-15", nation: "scotland" });
    expect(deadline.due).toBe("2026-06-16");
    expect(deadline.rule).toContain("15 Jun 2026 is a bank holiday in Scotland (World Cup bank holiday, proclaimed 4 Feb 2026 under s1(3) of the Banking and Financial Dealings Act 1971)");
    expect(due({ type: "sar", received: "2026-05-15", nation: "england" }).due).toBe("2026-06-15");
  });

  it("a weekend then the proclaimed Monday: 13 Jun 2026 (a Saturday) rolls to Tuesday 16 Jun in Scotland", () => {
    const deadline = due({ type: "sar", received: "2026-05-13", nation: "scotland" });
    expect(deadline.due).toBe("2026-06-16");
    expect(deadline.rule).toContain("13 Jun 2026 is a Saturday and 15 Jun 2026 is a bank holiday in Scotland");
    expect(due({ type: "sar", received: "2026-05-13", nation: "northern-ireland" }).due).toBe("2026-06-15");
  });

  it("warns when it knows no bank holidays for the year at all", () => {
    expect(due({ type: "sar", received: "2031-01-10" }).warnings.join(" ")).toContain("knows no bank holidays for 2031");
  });

  it("warns that 2028 bank holidays are projected", () => {
    expect(due({ type: "sar", received: "2028-01-30" }).warnings.join(" ")).toContain("projected");
    expect(due({ type: "sar", received: "2026-01-30" }).warnings).toEqual([]);
  });
});

describe("freedom of information: the 20th working day after receipt", () => {
  it.each<[string, DeadlineInput["type"], string, string]>([
    ["an ordinary January", "foi", "2026-01-05", "2026-02-02"],
    ["received on a Saturday: day one is Monday", "foi", "2026-01-03", "2026-01-30"],
    ["St Andrew's Day (Scotland only) is not a working day anywhere for FOIA", "foi", "2026-11-23", "2026-12-22"],
    ["Christmas, Boxing Day, New Year and Scotland's 2 January substitute", "foi", "2026-12-14", "2027-01-15"],
    ["St Patrick's Day, Good Friday and Easter Monday", "foi", "2027-03-01", "2027-04-01"],
    ["the Battle of the Boyne counts against an English authority", "foi", "2027-07-01", "2027-07-30"],
    ["FOISA counts Scottish bank holidays only", "foi-scotland", "2027-07-01", "2027-07-29"],
    ["FOISA and St Andrew's Day", "foi-scotland", "2026-11-23", "2026-12-22"],
    ["EIR: 20 working days", "eir", "2026-01-05", "2026-02-02"],
    ["Scotland's proclaimed 15 Jun 2026 is not a working day for FOIA anywhere", "foi", "2026-06-01", "2026-06-30"],
    ["nor for the EIR", "eir", "2026-06-01", "2026-06-30"],
    ["FOISA leaves out the proclaimed 15 Jun 2026", "foi-scotland", "2026-06-01", "2026-06-30"],
    ["EISR: 20 Scottish working days, leaving out the proclaimed 15 Jun 2026", "eir-scotland", "2026-06-01", "2026-06-30"],
    ["EISR and St Andrew's Day", "eir-scotland", "2026-11-23", "2026-12-22"],
    ["EISR counts Scottish bank holidays only: the Boyne is a working day", "eir-scotland", "2027-07-01", "2027-07-29"],
    ["EISR over Christmas, New Year and Scotland's 2 January substitute", "eir-scotland", "2026-12-14", "2027-01-15"],
  ])("%s: %s received %s → %s", (_why, type, received, expected) => {
    expect(due({ type, received }).due).toBe(expected);
  });

  it("names the proclaimed day it left out, for FOIA and FOISA alike", () => {
    for (const type of ["foi", "foi-scotland", "eir-scotland"] as const) {
      expect(due({ type, received: "2026-06-01" }).rule).toContain(
        "15 Jun 2026 is a bank holiday in Scotland, proclaimed 4 Feb 2026 under s1(3) of the Banking and Financial Dealings Act 1971, so it was not counted.",
      );
    }
    expect(due({ type: "foi", received: "2026-07-01" }).rule).not.toContain("proclaimed");
  });

  it("EISR extends to the 40th Scottish working day for volume and complexity (reg 7): the Boyne substitute counts", () => {
    const deadline = due({ type: "eir-scotland", received: "2026-06-01", extended: true });
    expect(deadline.due).toBe("2026-07-28");
    expect(deadline.rule).toContain("EISR 2004 reg 7");
    expect(due({ type: "eir", received: "2026-06-01", extended: true }).due).toBe("2026-07-29");
  });

  it("a Scottish school outside the council's is warned that a school-day rule may apply, and counted in working days", () => {
    const foisa = due({ type: "foi-scotland", received: "2026-06-01", nation: "scotland", schoolType: "independent" });
    expect(foisa.due).toBe("2026-06-30");
    expect(foisa.warnings.join(" ")).toContain("FOISA s10(4)");
    expect(due({ type: "eir-scotland", received: "2026-06-01", nation: "scotland", schoolType: "independent" }).warnings.join(" ")).toContain("school-day variation");
    expect(due({ type: "foi-scotland", received: "2026-06-01", nation: "scotland", schoolType: "maintained" }).warnings).toEqual([]);
  });

  it("EISR: a fees notice sets aside the days until the fee arrives", () => {
    expect(due({ type: "eir-scotland", received: "2026-01-05", stops: [{ reason: "fee", from: "2026-01-12", to: "2026-01-16" }] }).due).toBe("2026-02-09");
  });

  it("EIR extends to the 40th working day when complex and voluminous", () => {
    expect(due({ type: "eir", received: "2026-01-05", extended: true }).due).toBe("2026-03-02");
  });

  it("a fees notice sets aside the days until the fee arrives", () => {
    expect(due({ type: "foi", received: "2026-01-05", stops: [{ reason: "fee", from: "2026-01-12", to: "2026-01-16" }] }).due).toBe("2026-02-09");
  });

  it("clarification restarts the count from the day it arrives", () => {
    expect(due({ type: "foi", received: "2026-01-05", stops: [{ reason: "clarification", from: "2026-01-06", to: "2026-01-09" }] }).due).toBe("2026-02-06");
  });

  it("a public interest extension takes the new date, and warns past 40 working days", () => {
    const within = due({ type: "foi", received: "2026-01-05", extendedTo: "2026-03-02" });
    expect(within.due).toBe("2026-03-02");
    expect(within.warnings).toEqual([]);
    expect(due({ type: "foi", received: "2026-01-05", extendedTo: "2026-03-03" }).warnings.join(" ")).toContain("no more than 20 further working days");
  });

  it("refuses an extension that is not after the original deadline", () => {
    expect(() => due({ type: "foi", received: "2026-01-05", extendedTo: "2026-02-02" })).toThrow(DeadlineInputError);
  });
});

describe("FOI for schools: the earlier of 20 school days and 60 working days", () => {
  it("counts only school days across the Christmas holiday", () => {
    const deadline = due({ type: "foi-school", received: "2026-12-07", schoolTerms: autumn2026AndSpring2027 });
    expect(deadline.due).toBe("2027-01-19");
    expect(deadline.rule).toContain("60th working day");
    expect(due({ type: "foi", received: "2026-12-07" }).due).toBe("2027-01-08");
  });

  it("the 60th working day wins when the school is closed for a long time", () => {
    const terms: TermDates[] = [
      { kind: "term", firstDay: "2027-04-12", lastDay: "2027-07-16" },
      { kind: "term", firstDay: "2027-10-18", lastDay: "2027-12-17" },
    ];
    expect(due({ type: "foi-school", received: "2027-07-15", schoolTerms: terms }).due).toBe("2027-10-11");
  });

  it("without term dates counts working days, which is earlier, and says so", () => {
    const deadline = due({ type: "foi-school", received: "2026-01-05" });
    expect(deadline.due).toBe("2026-02-02");
    expect(deadline.warnings.join(" ")).toContain("No term dates");
  });

  it("says when the count runs past the last term entered", () => {
    const deadline = due({ type: "foi-school", received: "2027-03-15", schoolTerms: autumn2026AndSpring2027 });
    expect(deadline.warnings.join(" ")).toContain("term dates entered end on 26 Mar 2027");
  });

  it("says it once, however many days are counted past the last term", () => {
    const deadline = due({ type: "foi-school", received: "2027-03-15", schoolTerms: autumn2026AndSpring2027 });
    expect(deadline.warnings.filter((warning) => warning.includes("term dates entered end"))).toHaveLength(1);
  });
});

describe("educational record (England): 15 school days", () => {
  it("skips half term", () => {
    expect(due({ type: "educational-record", received: "2026-10-19", schoolTerms: autumn2026AndSpring2027 }).due).toBe("2026-11-16");
  });

  it("skips an INSET day, and St Andrew's Day is a school day in England", () => {
    expect(due({ type: "educational-record", received: "2026-11-20", schoolTerms: autumn2026AndSpring2027 }).due).toBe("2026-12-14");
  });

  it("Scotland: 15 school days too, and St Andrew's Day is not a school day there", () => {
    const deadline = due({ type: "educational-record", received: "2026-11-20", nation: "scotland", schoolTerms: autumn2026AndSpring2027 });
    expect(deadline.due).toBe("2026-12-15");
    expect(deadline.rule).toContain("Pupils' Educational Records (Scotland) Regulations 2003, reg 5");
    expect(deadline.warnings).toEqual([]);
  });

  it("Scotland: the proclaimed 15 Jun 2026 is not a school day", () => {
    const summer2026: TermDates[] = [{ kind: "term", firstDay: "2026-04-13", lastDay: "2026-06-26" }];
    const deadline = due({ type: "educational-record", received: "2026-06-01", nation: "scotland", schoolTerms: summer2026 });
    expect(deadline.due).toBe("2026-06-23");
    expect(deadline.rule).toContain("15 Jun 2026 is a bank holiday in Scotland, proclaimed 4 Feb 2026");
    expect(due({ type: "educational-record", received: "2026-06-01", schoolTerms: summer2026 }).due).toBe("2026-06-22");
  });

  it("Wales and Northern Ireland: counted the same, with a warning naming what to check", () => {
    const wales = due({ type: "educational-record", received: "2026-10-19", nation: "wales", schoolTerms: autumn2026AndSpring2027 });
    expect(wales.due).toBe("2026-11-16");
    expect(wales.warnings.join(" ")).toContain("Pupil Information (Wales) Regulations 2011 (SI 2011/1942, reg 5)");
    const northernIreland = due({ type: "educational-record", received: "2026-10-19", nation: "northern-ireland", schoolTerms: autumn2026AndSpring2027 });
    expect(northernIreland.warnings.join(" ")).toContain("SR 2007/43");
    expect(due({ type: "educational-record", received: "2026-10-19", schoolTerms: autumn2026AndSpring2027 }).warnings).toEqual([]);
  });
});

describe("personal data breach: 72 clock hours from awareness", () => {
  it.each([
    ["in winter", "2027-02-01T09:15", "2027-02-04T09:15:00+00:00"],
    ["over Christmas: weekends and holidays count", "2026-12-24T16:00", "2026-12-27T16:00:00+00:00"],
    ["across the clocks going forward: 72 real hours", "2027-03-26T10:00", "2027-03-29T11:00:00+01:00"],
    ["given in UTC in summer", "2026-07-01T08:00:00Z", "2026-07-04T09:00:00+01:00"],
  ])("%s: aware %s → %s", (_why, received, expected) => {
    const deadline = due({ type: "breach", received });
    expect(deadline.due).toBe(expected);
    expect(deadline.rule).toContain("72 hours");
  });
});

describe("complaints and advice", () => {
  it("a complaint is acknowledged within 30 days, counting from the day after receipt", () => {
    const deadline = due({ type: "complaint", received: "2026-11-24" });
    expect(deadline.due).toBe("2026-12-24");
    expect(deadline.rule).toContain("counting from the next day");
  });

  it("a 30th day on a weekend and then a bank holiday moves to the next working day (ICO, February 2026)", () => {
    // Received Friday 27 Nov 2026: day 1 is 28 Nov, day 30 is Sunday 27 Dec; Monday 28 Dec is the Boxing Day substitute.
    const deadline = due({ type: "complaint", received: "2026-11-27" });
    expect(deadline.due).toBe("2026-12-29");
    expect(deadline.rule).toContain("27 Dec 2026 is a Sunday and 28 Dec 2026 is a bank holiday in England (Boxing Day (substitute day))");
    expect(deadline.rule).toContain("Tuesday 29 Dec 2026");
  });

  it("a complaint's 30th day on Scotland's proclaimed 15 Jun 2026 moves to Tuesday there only", () => {
    expect(due({ type: "complaint", received: "2026-05-16", nation: "scotland" }).due).toBe("2026-06-16");
    expect(due({ type: "complaint", received: "2026-05-16", nation: "england" }).due).toBe("2026-06-15");
  });

  it("advice follows the organisation's service target in working days", () => {
    const deadline = due({ type: "advice", received: "2026-11-24", adviceTargetDays: 10 });
    expect(deadline.due).toBe("2026-12-08");
    expect(deadline.rule).toContain("No legal deadline");
  });
});

describe("bad input", () => {
  it("refuses a received date that is not a date", () => {
    expect(() => due({ type: "sar", received: "2027-02-30" })).toThrow(DeadlineInputError);
    expect(() => due({ type: "breach", received: "yesterday" })).toThrow(DeadlineInputError);
  });
});

describe("countdown", () => {
  const now = new Date("2026-11-24T12:00:00Z");
  it.each([
    ["2026-11-24", "Due today", false],
    ["2026-11-29", "Due in 5 days", false],
    ["2026-11-23", "1 day overdue", true],
    ["2026-11-26T12:00:00+00:00", "48 hours left", false],
    ["2026-11-24T10:00:00+00:00", "2 hours past the 72 hours", true],
  ])("%s → %s", (dueDate, text, overdue) => {
    expect(countdownTo(dueDate, now)).toMatchObject({ text, overdue });
  });
});
