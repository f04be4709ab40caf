import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readForm, requiredText, UNSTORABLE_CHARACTER } from "./forms.ts";

const schema = z.object({ name: requiredText("your name"), password: z.string().min(12, { error: "Too short" }) });

describe("reading a form", () => {
  it("returns the data, trimmed, without the CSRF field", () => {
    expect(readForm(schema, { name: "  Ada ", password: "long enough pw", _csrf: "t" })).toEqual({
      ok: true,
      data: { name: "Ada", password: "long enough pw" },
    });
  });

  it("reports every field's first problem at once, and never echoes a password", () => {
    const result = readForm(schema, { name: "", password: "short", _csrf: "t" });
    expect(result).toEqual({ ok: false, errors: { name: "Enter your name", password: "Too short" }, values: { name: "" } });
  });

  it("says how long a field may be", () => {
    const result = readForm(schema, { name: "x".repeat(201), password: "long enough pw" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors["name"]).toBe("Name must be 200 characters or fewer");
  });

  it("refuses unexpected fields, repeated fields and non-objects outright", () => {
    expect(() => readForm(schema, { name: "Ada", password: "long enough pw", role: "admin" })).toThrow(/does not expect/);
    expect(readForm(schema, { name: ["Ada", "Bob"], password: "long enough pw" }).ok).toBe(false);
    expect(() => readForm(schema, "name=Ada")).toThrow();
    expect(() => readForm(schema, null)).toThrow();
  });

  describe("a date written in GOV.UK's three boxes", () => {
    const dated = z.object({
      receivedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Date it was received must be a real date" }),
      toldOn: z.string().optional(),
    });

    it("becomes one YYYY-MM-DD value, padded", () => {
      expect(readForm(dated, { "receivedOn-day": " 5 ", "receivedOn-month": "1", "receivedOn-year": "2027" })).toEqual({ ok: true, data: { receivedOn: "2027-01-05" } });
    });

    it("is empty when all three boxes are, and no date at all when they do not make one", () => {
      expect(readForm(dated, { receivedOn: "2027-01-30", "toldOn-day": "", "toldOn-month": "", "toldOn-year": "" })).toEqual({ ok: true, data: { receivedOn: "2027-01-30", toldOn: "" } });
      for (const [day, month, year] of [["30", "", "2027"], ["1", "1", "27"], ["x", "1", "2027"], ["123", "1", "2027"]]) {
        const result = readForm(dated, { "receivedOn-day": day, "receivedOn-month": month, "receivedOn-year": year });
        expect(result.ok).toBe(false);
        // The boxes come back as typed, to be corrected.
        expect(!result.ok && result.values).toEqual({ "receivedOn-day": day, "receivedOn-month": month, "receivedOn-year": year });
        expect(!result.ok && result.errors["receivedOn"]).toBe("Date it was received must be a real date");
      }
    });

    it("is refused for a field the form does not have, or sent twice", () => {
      expect(() => readForm(dated, { receivedOn: "2027-01-30", "role-day": "1", "role-month": "1", "role-year": "2027" })).toThrow(/does not expect/);
      expect(() => readForm(dated, { "receivedOn-day": ["1", "2"], "receivedOn-month": "1", "receivedOn-year": "2027" })).toThrow();
    });
  });

  it("refuses U+0000 in any field with that field's error, echoing the rest without it", () => {
    const result = readForm(schema, { name: "Ada\u0000", password: "long enough pw" });
    expect(result).toEqual({ ok: false, errors: { name: UNSTORABLE_CHARACTER }, values: { name: "Ada" } });
    const dated = readForm(z.object({ receivedOn: z.string() }), { "receivedOn-day": "1\u0000", "receivedOn-month": "2", "receivedOn-year": "2026" });
    expect(!dated.ok && dated.errors).toEqual({ receivedOn: UNSTORABLE_CHARACTER });
  });

  it("drops bidirectional override and isolate characters from every field but a password", () => {
    const result = readForm(schema, { name: "\u202EAda\u2066 Lovelace\u2069\u202C", password: "long\u202Eenough pw" });
    expect(result).toEqual({ ok: true, data: { name: "Ada Lovelace", password: "long\u202Eenough pw" } });
  });
});
