import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../auth/passwords.ts";
import type { Role } from "../platform/database/schema.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { can, PERMISSIONS, ROLES, type Action } from "./permissions.ts";
import { sealPersonalFields } from "./personal-fields.ts";

describe(`roles, grants and ownership (${testEngine})`, () => {
  let steward: TestSteward;
  let passwordHash: string;
  beforeAll(async () => {
    steward = await startTestSteward();
    passwordHash = await hashPassword(TEST_PASSWORD);
  });
  afterAll(() => steward.close());

  /** A signed-in user with a given role in a given organisation, made directly in the database. */
  async function signedInAs(role: Role, organisationId: string) {
    const id = randomUUID();
    const username = `${role}-${unique()}`;
    await inScope(steward.services.database.db, { organisationIds: [organisationId] }, async (trx) => {
      const person = await sealPersonalFields(trx, steward.services.keyring, organisationId, id, { fullName: `A ${role}`, email: `${username}@school.example`, username });
      await trx
        .insertInto("users")
        .values({ orgId: organisationId, id, ...person, role, passwordHash, deactivatedAt: null, updatedAt: new Date() })
        .execute();
    });
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(username);
    await agent.get("/dashboard");
    return { agent, id, username };
  }

  it("lets every role reach exactly the pages the permission table allows (trust users)", async () => {
    const trust = await buildLicence(steward.services, { organisationKind: "trust" });
    const guarded = steward.app.routeTable.filter((route) => route.method === "GET" && route.access in PERMISSIONS && !route.url.includes(":"));
    expect(guarded.length).toBeGreaterThanOrEqual(6);
    for (const role of ROLES.filter((r) => r !== "owner")) {
      const { agent } = await signedInAs(role, trust.organisationId);
      for (const route of guarded) {
        const allowed = can({ userId: "", username: "", fullName: "", role, organisation: { id: "", name: "", kind: "trust" }, organisationIds: [], reachable: [], wrappedDataKeys: new Map(), twoFactor: { enabled: true, required: true } }, route.access as Action);
        const response = await agent.get(route.url);
        expect(response.statusCode, `${role} GET ${route.url}`).toBe(allowed ? 200 : 403);
      }
    }
  });

  it("asks for confirmed training before granting a sensitive role, and records the grant", async () => {
    const owner = await signedInAs("admin", (await buildLicence(steward.services)).organisationId);
    const page = await owner.agent.get("/users/new");
    const organisationId = /name="organisationId" value="([^"]+)"/.exec(page.body)![1]!;
    const id = unique();
    const fields = { fullName: `Dee Dpo ${id}`, email: `dee-${id}@school.example`, username: `dee-${id}`, role: "dpo", organisationId };

    const refused = await owner.agent.post("/users/new", fields);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("Confirm they have had data protection training");
    expect(refused.body).toContain('href="#trainingConfirmed"');

    const granted = await owner.agent.post("/users/new", { ...fields, trainingConfirmed: "yes" });
    expect(granted.statusCode).toBe(200);
    const { rows } = await sql<{ action: string }>`select action from audit_events where org_id = ${organisationId} and action in ('user.create', 'role.grant') order by append_order`.execute(steward.services.database.db);
    expect(rows.map((row) => row.action)).toEqual(["user.create", "role.grant"]);
  });

  it("changes a role from the next request, with the same confirmation", async () => {
    const licence = await buildLicence(steward.services);
    const admin = await signedInAs("admin", licence.organisationId);
    const staff = await signedInAs("staff", licence.organisationId);
    expect((await staff.agent.get("/audit")).statusCode).toBe(403);

    await admin.agent.get(`/users/${staff.id}/role`);
    expect((await admin.agent.post(`/users/${staff.id}/role`, { role: "admin" })).statusCode).toBe(400);
    expect((await admin.agent.post(`/users/${staff.id}/role`, { role: "auditor" })).headers.location).toBe(`/users/${staff.id}`);
    // An auditor reads every case's content: two-factor sign-in first, like the DPO.
    expect((await staff.agent.get("/audit")).headers.location).toBe("/account/two-factor");
    await staff.agent.setUpTwoFactor(staff.username);
    expect((await staff.agent.get("/audit")).statusCode).toBe(200);
    expect((await staff.agent.get("/users")).statusCode).toBe(403);

    await admin.agent.get(`/users/${admin.id}`);
    expect((await admin.agent.post(`/users/${admin.id}/role`, { role: "staff" })).statusCode).toBe(400);
  });

  it("hands ownership to an active admin of the same organisation, and only the owner can", async () => {
    const licence = await buildLicence(steward.services);
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.get("/dashboard");
    const admin = await signedInAs("admin", licence.organisationId);
    const staff = await signedInAs("staff", licence.organisationId);

    expect((await admin.agent.get(`/users/${admin.id}/transfer-ownership`)).statusCode).toBe(403);
    await owner.get(`/users/${staff.id}/transfer-ownership`);
    expect((await owner.post(`/users/${staff.id}/transfer-ownership`)).statusCode).toBe(400);

    const page = await owner.get(`/users/${admin.id}`);
    expect(page.body).toContain("licence owner");
    await owner.get(`/users/${admin.id}/transfer-ownership`);
    expect((await owner.post(`/users/${admin.id}/transfer-ownership`)).headers.location).toBe(`/users/${admin.id}`);

    const { rows } = await sql<{ id: string; role: string }>`select id, role from users where org_id = ${licence.organisationId} and role in ('owner', 'admin') order by role`.execute(steward.services.database.db);
    expect(rows).toEqual([
      { id: licence.userId, role: "admin" },
      { id: admin.id, role: "owner" },
    ]);
    expect((await owner.get(`/users/${admin.id}/transfer-ownership`)).statusCode).toBe(403);
    expect((await admin.agent.get(`/users/${licence.userId}/transfer-ownership`)).statusCode).toBe(200);
  });
});
