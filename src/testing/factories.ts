import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { TestClock } from "../platform/clock.ts";
import { TEST_PASSWORD, TestAgent } from "./test-agent.ts";
import { registerLicence } from "../accounts/registration.ts";
import type { Services } from "../platform/services.ts";

// Kept in test-agent.ts (which signs in with it), so the two files do not import each other.
export { TEST_PASSWORD } from "./test-agent.ts";

/** A unique suffix, so every test builds its own organisations and never meets another test's. */
export function unique(): string {
  return randomBytes(4).toString("hex");
}

export function licenceForm(overrides: Record<string, string> = {}): Record<string, string> {
  const id = unique();
  return {
    organisationKind: "school",
    nation: "england",
    schoolType: "maintained",
    organisationName: `Oakfield Primary ${id}`,
    postalAddress: "1 School Lane\nLeeds\nLS1 1AA",
    telephone: "0113 496 0000",
    fullName: `Alex Owner ${id}`,
    email: `owner-${id}@oakfield.example`,
    username: `owner-${id}`,
    password: TEST_PASSWORD,
    ...overrides,
  };
}

/** Registers a licence through the domain function and returns who and what it made. */
export async function buildLicence(services: Services, overrides: Partial<{ organisationKind: "trust" | "school"; organisationName: string; nation: string; schoolType: string }> = {}) {
  const form = licenceForm(overrides);
  const result = await registerLicence(services, {
    organisationKind: form["organisationKind"] as "trust" | "school",
    nation: form["nation"] as "england",
    schoolType: form["schoolType"] as "maintained" | "academy" | "independent",
    organisationName: form["organisationName"]!,
    postalAddress: form["postalAddress"]!,
    telephone: form["telephone"]!,
    fullName: form["fullName"]!,
    email: form["email"]!,
    username: form["username"]!,
    password: TEST_PASSWORD,
  });
  if (!result.ok) {
    throw new Error(`buildLicence failed: ${JSON.stringify(result.errors)}`);
  }
  return { ...result, username: form["username"]!, email: form["email"]!, name: form["organisationName"]! };
}

/**
 * Adds a person with a role through the admin's own pages (as an admin would), sets their
 * password through their one-time link, and returns a signed-in agent for them.
 */
export async function addPerson(
  app: FastifyInstance,
  clock: TestClock,
  admin: TestAgent,
  role: "staff" | "dpo" | "admin" | "adviser" | "auditor",
  organisationId: string,
): Promise<{ agent: TestAgent; username: string; fullName: string; email: string }> {
  const id = unique();
  const person = { fullName: `${role} person ${id}`, email: `${role}-${id}@school.example`, username: `${role}-${id}` };
  await admin.get("/users/new");
  const created = await admin.post("/users/new", { ...person, role, organisationId, ...(role === "staff" || role === "auditor" ? {} : { trainingConfirmed: "yes" }) });
  const link = /id="set-password-link" href="http:\/\/steward\.test(\/set-password\/[^"]+)"/.exec(created.body)?.[1];
  if (!link) {
    throw new Error(`addPerson: no set-password link (status ${created.statusCode})`);
  }
  const agent = new TestAgent(app, clock);
  await agent.submit(link, { password: TEST_PASSWORD });
  await agent.signIn(person.username);
  return { agent, ...person };
}
