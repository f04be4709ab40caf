import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase32, stepAt, totpCode } from "../auth/totp.ts";
import { deadlineOf } from "../cases/case-deadlines.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { testEngine } from "./test-database.ts";
import { TestAgent } from "./test-agent.ts";
import { startTestSteward, type TestSteward } from "./test-steward.ts";
import { seedTrust, type TrustSeed } from "./trust-seed.ts";

/* The bench's data set is only worth measuring if the app reads it as its own: checked on a small one. */
describe(`the bench's trust seed (${testEngine})`, () => {
  let steward: TestSteward;
  let seed: TrustSeed;
  let dpo: TestAgent;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2026-12-02T10:00:00Z");
    seed = await seedTrust(steward.services, { casesPerSchool: 40, users: 20, otherLicences: 1, casesPerOtherLicence: 15, batch: 7 });
    dpo = new TestAgent(steward.app, steward.clock);
    const password = await dpo.submit("/login", { login: seed.dpo.username, password: seed.dpo.password });
    expect(password.headers.location).toBe("/login/two-factor");
    const code = totpCode(fromBase32(seed.dpo.totpSecret), stepAt(steward.clock.now()));
    expect((await dpo.submit("/login/two-factor", { code })).statusCode).toBe(303);
  });
  afterAll(() => steward.close());

  it("signs the DPO in with a password and two-factor, and shows the trust's cases, not another licence's", async () => {
    const { total, others } = await inScope(steward.services.database.db, { organisationIds: [seed.trustId, ...seed.schoolIds] }, async (trx) => ({
      total: (await trx.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).where("closedAt", "is", null).executeTakeFirstOrThrow()).n,
      others: (await trx.selectFrom("cases").select("orgId").where("orgId", "not in", [seed.trustId, ...seed.schoolIds]).execute()).length,
    }));
    expect(others).toBe(0);
    expect(Number(total)).toBeGreaterThan(10);
    const list = await dpo.get("/cases");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(String(total));
    for (const id of seed.openCaseIds.slice(0, 3)) {
      expect((await dpo.get(`/cases/${id}`)).statusCode).toBe(200);
    }
    expect((await dpo.get("/dashboard")).statusCode).toBe(200);
  });

  it("stores each case's deadline as the app works it out, and numbers references as logging does", async () => {
    await inScope(steward.services.database.db, { organisationIds: seed.schoolIds }, async (trx) => {
      const rows = await trx.selectFrom("cases").selectAll().where("orgId", "in", seed.schoolIds).execute();
      expect(rows).toHaveLength(80);
      for (const row of rows) {
        const { deadline } = await deadlineOf(trx, row);
        const dueAt = row.dueAt ? new Date(row.dueAt).toISOString() : null;
        expect(dueAt ? new Date(deadline.due!).toISOString() : deadline.due, row.reference).toBe(dueAt ?? row.dueOn);
      }
      expect(new Set(rows.map((row) => row.reference)).size).toBe(rows.length);
      const counters = await trx.selectFrom("caseCounters").select(["orgId", "prefix", "year", "lastNumber"]).where("orgId", "in", seed.schoolIds).execute();
      for (const counter of counters) {
        const numbers = rows.filter((row) => row.orgId === counter.orgId && row.reference.includes(`-${counter.prefix}-${counter.year}-`)).map((row) => Number(row.reference.slice(-4)));
        expect(Math.max(...numbers)).toBe(counter.lastNumber);
      }
    });
  });
});
