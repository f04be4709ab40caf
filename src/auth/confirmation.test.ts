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

  it.each([
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "/%5Cevil",
    "/%5cevil.example/",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "javascript:alert(1)",
    " /cases",
    "/%E0%A4%A",
    "/login",
    "/logout",
    "",
  ])("sends a sign-in's next of %j to the dashboard", (next) => {
    expect(safeReturnPath(next, "/dashboard")).toBe("/dashboard");
  });

  it("keeps a same-site path with its query", () => {
    expect(safeReturnPath("/cases/0b7c9a4e-1d2f-4a8b-9c3d-5e6f7a8b9c0d?done=assigned", "/dashboard")).toBe("/cases/0b7c9a4e-1d2f-4a8b-9c3d-5e6f7a8b9c0d?done=assigned");
    expect(safeReturnPath("/audit?from-day=1&from-month=12", "/dashboard")).toBe("/audit?from-day=1&from-month=12");
  });
});
