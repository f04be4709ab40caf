import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readForm, requiredText } from "./forms.ts";

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
});
