import { describe, expect, it } from "vitest";
import { emailAddress, telephone, username } from "./accounts.schema.ts";

describe("identifier formats", () => {
  it.each(["01632 960001", "01632960001", "+44 1632 960001", "+44 (0)1632 960001", "020 7946 0000", "07700 900123", "0113-496-0000"])(
    "accepts the UK telephone number %j",
    (value) => expect(telephone.safeParse(value).success).toBe(true),
  );
  it.each(["12345", "+1 415 555 0100", "0163 296", "phone me", "0".repeat(31)])("refuses %j as a telephone number", (value) => {
    expect(telephone.safeParse(value).success).toBe(false);
  });

  it.each(["jo", "has space", "-leading", "x".repeat(41), "jo@school"])("refuses the username %j", (value) => {
    expect(username.safeParse(value).success).toBe(false);
  });
  it.each(["jo.bloggs", "JB_2026", "a-b"])("accepts the username %j", (value) => {
    expect(username.safeParse(value).success).toBe(true);
  });

  it("trims emails and refuses malformed or header-injecting ones", () => {
    expect(emailAddress.parse("  head@school.example ")).toBe("head@school.example");
    for (const bad of ["head", "head@", "a@b@c.example", "head@school.example\r\nBcc: x@evil.example"]) {
      expect(emailAddress.safeParse(bad).success, bad).toBe(false);
    }
  });
});
