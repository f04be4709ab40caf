import { describe, expect, it } from "vitest";
import { daysToRespond, responseSummaryOf, timelinessOf } from "./response.ts";

const closedAt = new Date("2027-01-30T10:00:00Z");
const sar = { type: "sar", outcome: "disclosed-in-full", closedAt, receivedOn: "2026-11-30", dueOn: "2026-12-30", icoReportedOn: null, responseSentOn: "2026-12-30" };
const breach = { ...sar, type: "breach", outcome: "reported", receivedOn: "2027-01-26", dueOn: "2027-01-29", responseSentOn: null };

describe("whether a case was answered on time", () => {
  it("is on time on the due date itself and late the day after; an open case has no answer yet", () => {
    expect(timelinessOf(sar)).toBe("on-time");
    expect(timelinessOf({ ...sar, responseSentOn: "2026-12-31" })).toBe("late");
    expect(timelinessOf({ ...sar, closedAt: null, outcome: null })).toBeNull();
  });

  it("says not recorded for a case closed before the date was asked, and not applicable for a withdrawn one", () => {
    expect(timelinessOf({ ...sar, responseSentOn: null })).toBe("not-recorded");
    expect(timelinessOf({ ...sar, outcome: "withdrawn", responseSentOn: null })).toBe("not-applicable");
  });

  it("judges a breach by its ICO report against the day its 72 hours end, and one not reported as not applicable", () => {
    expect(timelinessOf({ ...breach, icoReportedOn: "2027-01-29" })).toBe("on-time");
    expect(timelinessOf({ ...breach, icoReportedOn: "2027-01-30" })).toBe("late");
    expect(timelinessOf({ ...breach, outcome: "not-reportable" })).toBe("not-applicable");
    expect(timelinessOf({ ...breach, closedAt: null, outcome: null })).toBeNull();
  });

  it("counts calendar days from receipt to sending, and says how it went in words", () => {
    expect(daysToRespond(sar)).toBe(30);
    expect(responseSummaryOf({ ...sar, responseChannel: "collected" }).text).toBe("Sent 30 Dec 2026, collected from the school");
  });
});
