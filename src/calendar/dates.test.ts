import { describe, expect, it } from "vitest";
import { formatLondonDateTimeForPeople, formatLondonMoment, formatLondonTime, londonDateOf } from "./dates.ts";
import { createViews } from "../platform/http/views.ts";
import { DATE_FILTERS } from "./date-filters.ts";

describe("times as GOV.UK writes them, in London time", () => {
  it.each([
    // Summer (BST, UTC+1)
    ["2026-07-01T11:15:00Z", "12:15pm"],
    ["2026-07-01T11:00:00Z", "midday"],
    ["2026-07-01T11:59:00Z", "12:59pm"],
    ["2026-06-30T23:00:00Z", "midnight"],
    ["2026-06-30T23:05:00Z", "12:05am"],
    ["2026-07-01T08:30:00Z", "9:30am"],
    ["2026-07-01T17:00:00Z", "6pm"],
    // Winter (GMT)
    ["2026-12-01T12:15:00Z", "12:15pm"],
    ["2026-12-01T12:00:00Z", "midday"],
    ["2026-12-01T00:00:00Z", "midnight"],
    ["2026-12-01T00:45:00Z", "12:45am"],
    ["2026-12-01T13:01:00Z", "1:01pm"],
  ])("%s is %s", (instant, time) => {
    expect(formatLondonTime(new Date(instant))).toBe(time);
  });

  it("says the London date with the time, in summer and in winter", () => {
    expect(formatLondonMoment(new Date("2026-06-30T23:20:00Z"))).toBe("1 July 2026 at 12:20am");
    expect(formatLondonMoment(new Date("2026-12-01T12:15:00Z"))).toBe("1 December 2026 at 12:15pm");
    expect(formatLondonDateTimeForPeople(new Date("2027-02-02T12:30:00Z"))).toBe("12:30pm on Tuesday 2 Feb 2027");
    expect(formatLondonDateTimeForPeople(new Date("2027-02-02T00:00:00Z"))).toBe("midnight on Tuesday 2 Feb 2027");
  });

  it("is what every page shows through the dateTime filter", () => {
    const views = createViews(DATE_FILTERS);
    expect(views.renderString("{{ at | dateTime }}", { at: new Date("2026-07-01T11:15:00Z") })).toBe("1 July 2026 at 12:15pm");
    expect(views.renderString("{{ at | dateTime }}", { at: "2026-12-01T00:10:00.000Z" })).toBe("1 December 2026 at 12:10am");
  });
});

describe("London dates and offsets, worked out once per hour", () => {
  it("agree with the time zone database on every hour either side of each change of the clocks, 1970 to 2040", () => {
    const reference = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" });
    const start = Date.UTC(1970, 0, 1);
    const end = Date.UTC(2040, 0, 1);
    let checked = 0;
    // Every 37 minutes: lands on every part of every hour, either side of every change.
    for (let ms = start; ms < end; ms += 37 * 60_000 * 11) {
      const instant = new Date(ms);
      expect(londonDateOf(instant)).toBe(reference.format(instant));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(50_000);
    // And minute by minute around each change since 1996 (01:00 UTC on the last Sunday of March and of October).
    for (let year = 1996; year <= 2040; year += 1) {
      for (const month of [2, 9]) {
        const lastDay = new Date(Date.UTC(year, month + 1, 0));
        const change = Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
        for (let ms = change - 90 * 60_000; ms <= change + 90 * 60_000; ms += 60_000) {
          expect(londonDateOf(new Date(ms)), new Date(ms).toISOString()).toBe(reference.format(new Date(ms)));
        }
      }
    }
  }, 60_000); // 70 years of hours against Intl: seconds alone, longer when the redaction tests (OCR, LibreOffice) share the machine
});
