import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";

describe("password policy", () => {
  it.each([
    ["elevenchars", "Password must be 12 characters or more"],
    ["x".repeat(129), "Password must be 128 characters or fewer"],
    ["qwertyuiop123", "Password is too common; choose a password that is harder to guess"],
    ["QWERTYUIOP123", "Password is too common; choose a password that is harder to guess"],
    ["1q2w3e4r5t6y", "Password is too common; choose a password that is harder to guess"],
    ["steward2026!!", "Password must not be built from your name, username, email or organisation"],
  ])("refuses %j", (password, message) => {
    expect(passwordProblem(password)).toBe(message);
  });

  it("refuses passwords built from the person's own context", () => {
    const context = { username: "jbloggs", email: "joe.bloggs@oakfield.sch.uk", organisationName: "Oakfield Primary" };
    expect(passwordProblem("OakfieldPrimary1", context)).toMatch(/must not be built/);
    expect(passwordProblem("jbloggs-2026-xx", context)).toMatch(/must not be built/);
    expect(passwordProblem("joe.bloggs!!!!", context)).toMatch(/must not be built/);
  });

  it("refuses the person's own full name, whole, without its spaces, or lightly dressed up", () => {
    const context = { fullName: "Alexandra Whitfield-Jones", username: "awj", email: "head@oakfield.sch.uk" };
    expect(passwordProblem("Alexandra Whitfield-Jones", context)).toMatch(/must not be built/);
    expect(passwordProblem("AlexandraWhitfieldJones", context)).toMatch(/must not be built/);
    expect(passwordProblem("alexandra whitfield-jones 1!", context)).toMatch(/must not be built/);
    expect(passwordProblem("Whitfield-Jones2026", context)).toMatch(/must not be built/);
    expect(passwordProblem("Alexandra2026!!", context)).toMatch(/must not be built/);
    expect(passwordProblem("correct horse battery staple", context)).toBeUndefined();
  });

  it.each([
    "correct horse battery staple",
    "x".repeat(128),
    "名前はまだ無い猫である吾輩は", // Unicode counts as characters, with no composition rules
    "jbloggs and seven unrelated words",
  ])("accepts %j", (password) => {
    expect(passwordProblem(password, { username: "jbloggs" })).toBeUndefined();
  });

  it("hashes with argon2id, verifies exactly as typed, and rejects near misses", async () => {
    const hash = await hashPassword("Tricky Password 64 ✓");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "Tricky Password 64 ✓")).toBe(true);
    expect(await verifyPassword(hash, "tricky Password 64 ✓")).toBe(false);
    expect(await verifyPassword(hash, "Tricky Password 64 ✓ ")).toBe(false);
    expect(await verifyPassword("not a hash", "anything")).toBe(false);
  });
});
