import { describe, expect, it } from "vitest";
import { isRecentlyConfirmed, safeReturnPath } from "./confirmation.ts";

describe("confirming it is you", () => {
  it("counts a confirmation as recent for 15 minutes", () => {
    const at = new Date("2026-11-24T09:00:00Z");
    expect(isRecentlyConfirmed(at, new Date("2026-11-24T09:14:59Z"))).toBe(true);
    expect(isRecentlyConfirmed(at, new Date("2026-11-24T09:15:00Z"))).toBe(false);
  });

  it.each([
    ["/account/email", "/account/email"],
    ["/account/export.json", "/account/export.json"],
    ["https://evil.example/", "/account"],
    ["//evil.example/", "/account"],
    ["/\\evil.example", "/account"],
    ["/account email", "/account"],
    [undefined, "/account"],
    [["/a", "/b"], "/account"],
  ])("returns to %j as %j, never to another site", (next, expected) => {
    expect(safeReturnPath(next)).toBe(expected);
  });
});
