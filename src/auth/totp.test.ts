import { describe, expect, it } from "vitest";
import { fromBase32, matchingStep, otpauthUri, stepAt, toBase32, totpCode } from "./totp.ts";

// RFC 6238 appendix B: the SHA-1 secret is the ASCII string "12345678901234567890".
const RFC_SECRET = Buffer.from("12345678901234567890", "ascii");

describe("TOTP (RFC 6238)", () => {
  it.each([
    [59, "287082"],
    [1111111109, "081804"],
    [1111111111, "050471"],
    [1234567890, "005924"],
    [2000000000, "279037"],
    [20000000000, "353130"],
  ])("gives the RFC's code at %i seconds", (seconds, code) => {
    // The RFC lists 8-digit codes; the last 6 digits are the 6-digit code.
    expect(totpCode(RFC_SECRET, stepAt(new Date(seconds * 1000)))).toBe(code);
  });

  it("accepts the code of the step before and after, and nothing further", () => {
    const at = new Date("2026-11-24T09:00:00Z");
    const now = stepAt(at);
    expect(matchingStep(RFC_SECRET, totpCode(RFC_SECRET, now - 1), at, null)).toBe(now - 1);
    expect(matchingStep(RFC_SECRET, totpCode(RFC_SECRET, now + 1), at, null)).toBe(now + 1);
    expect(matchingStep(RFC_SECRET, totpCode(RFC_SECRET, now - 2), at, null)).toBeUndefined();
    expect(matchingStep(RFC_SECRET, totpCode(RFC_SECRET, now + 2), at, null)).toBeUndefined();
  });

  it("refuses a code from a step already used, or earlier", () => {
    const at = new Date("2026-11-24T09:00:00Z");
    const now = stepAt(at);
    const code = totpCode(RFC_SECRET, now);
    expect(matchingStep(RFC_SECRET, code, at, now - 1)).toBe(now);
    expect(matchingStep(RFC_SECRET, code, at, now)).toBeUndefined();
    expect(matchingStep(RFC_SECRET, totpCode(RFC_SECRET, now - 1), at, now)).toBeUndefined();
  });

  it("refuses anything that is not six digits", () => {
    const at = new Date("2026-11-24T09:00:00Z");
    for (const code of ["", "12345", "1234567", "abcdef", " 123456"]) {
      expect(matchingStep(RFC_SECRET, code, at, null)).toBeUndefined();
    }
  });

  it("round-trips base32 and writes an address authenticator apps read", () => {
    expect(toBase32(RFC_SECRET)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(fromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")).toEqual(RFC_SECRET);
    const uri = new URL(otpauthUri(RFC_SECRET, "Steward", "alex@oakfield.example"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(uri.searchParams.get("issuer")).toBe("Steward");
  });
});
