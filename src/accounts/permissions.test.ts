import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Actor } from "./actor.ts";
import { can, mustUseTwoFactor, PERMISSIONS, ROLES, type Action } from "./permissions.ts";

function actor(role: Actor["role"], kind: "trust" | "school"): Actor {
  return { userId: "u", username: "u", fullName: "U", role, organisation: { id: "o", name: "O", kind }, organisationIds: ["o"], reachable: [{ id: "o", name: "O" }], wrappedDataKeys: new Map(), twoFactor: { enabled: true, required: true } };
}

describe("the permission table", () => {
  it("gives staff nothing but the dashboard, and schools only to a trust's owner and admins", () => {
    expect(can(actor("staff", "school"), "dashboard:view")).toBe(true);
    expect(can(actor("staff", "trust"), "users:manage")).toBe(false);
    expect(can(actor("admin", "school"), "users:manage")).toBe(true);
    expect(can(actor("owner", "school"), "schools:manage")).toBe(false);
    expect(can(actor("admin", "trust"), "schools:manage")).toBe(true);
  });

  it("is the table the README shows, role by role", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const action of Object.keys(PERMISSIONS) as Action[]) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${action}\``));
      expect(row, `README row for ${action}`).toBeDefined();
      const cells = row!.split("|").slice(3, 3 + ROLES.length).map((cell) => cell.trim());
      const expected = ROLES.map((role) => (can(actor(role, "trust"), action) ? "yes" : "no"));
      expect(cells, action).toEqual(expected);
    }
  });

  it("requires two-factor sign-in of everyone who can read every case's content, auditors included", () => {
    for (const role of ROLES) {
      if (can(actor(role, "school"), "cases:view-all") || can(actor(role, "school"), "users:manage")) {
        expect(mustUseTwoFactor(role, false), role).toBe(true);
      }
    }
    expect(mustUseTwoFactor("auditor", false)).toBe(true);
    expect(mustUseTwoFactor("staff", false)).toBe(false);
    expect(mustUseTwoFactor("staff", true)).toBe(true);
  });
});
