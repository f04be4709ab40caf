import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { csrfTokenFor, isSameOriginRequest, isValidCsrfToken } from "./csrf.ts";

describe("CSRF tokens", () => {
  const key = randomBytes(32);

  it("accepts the token made for this cookie, and nothing else", () => {
    const token = csrfTokenFor(key, "cookie-a");
    expect(isValidCsrfToken(key, "cookie-a", token)).toBe(true);
    expect(isValidCsrfToken(key, "cookie-b", token)).toBe(false);
    expect(isValidCsrfToken(randomBytes(32), "cookie-a", token)).toBe(false);
    expect(isValidCsrfToken(key, undefined, token)).toBe(false);
    expect(isValidCsrfToken(key, "cookie-a", undefined)).toBe(false);
    expect(isValidCsrfToken(key, "cookie-a", [token])).toBe(false);
    expect(isValidCsrfToken(key, "cookie-a", `${token}x`)).toBe(false);
  });

  it.each([
    [{ origin: "http://steward.test", "sec-fetch-site": "same-origin" }, true],
    [{}, true],
    [{ "sec-fetch-site": "none" }, true],
    [{ origin: "https://evil.example" }, false],
    [{ origin: "http://steward.test.evil.example" }, false],
    [{ "sec-fetch-site": "cross-site" }, false],
    [{ "sec-fetch-site": "same-site" }, false],
    [{ origin: "null" }, false],
    [{ origin: "not a url" }, false],
  ])("judges a request with %j as same-origin: %s", (headers, expected) => {
    expect(isSameOriginRequest(headers, "steward.test")).toBe(expected);
  });
});
