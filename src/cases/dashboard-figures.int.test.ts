import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor, type Context } from "../accounts/actor.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { seedTrust, type TrustSeed } from "../testing/trust-seed.ts";
import { caseDashboard } from "./dashboard.ts";
import { newCaseSchema } from "./cases.schema.ts";
import { logCase } from "./logging.ts";

/** The dashboard's figures are kept a few seconds; what a person may see, and a change to a case, are never behind. */
describe(`the dashboard's kept figures (${testEngine})`, () => {
  let steward: TestSteward;
  let seed: TrustSeed;
  beforeAll(async () => {
    steward = await startTestSteward();
    seed = await seedTrust(steward.services, { casesPerSchool: 40, users: 40, otherLicences: 0 });
  }, 120_000);
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  async function contextOf(userId: string, organisationId: string): Promise<Context> {
    const actor = await inScope(db(), { organisationIds: [organisationId] }, (trx) => loadActor(trx, steward.services.keyring, organisationId, userId));
    return { actor: actor!, services: steward.services };
  }
  const openCount = async (organisationIds: string[], userId?: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from cases where org_id = any(${organisationIds}::uuid[]) and closed_at is null
       and (${userId ?? null}::uuid is null or created_by = ${userId ?? null}::uuid or assignee_id = ${userId ?? null}::uuid)`.execute(db())).rows[0]!.n;

  it("counts a case logged a moment ago, though the figures were kept", async () => {
    const dpo = await contextOf(seed.dpo.userId, seed.trustId);
    const before = (await caseDashboard(dpo))!.openTotal;
    expect(before).toBe(await openCount([seed.trustId, ...seed.schoolIds]));
    await logCase(dpo, newCaseSchema.parse({
      organisationId: seed.schoolIds[0], type: "sar", receivedOn: steward.clock.now().toISOString().slice(0, 10), receivedTime: "", channel: "email",
      requesterName: "Jordan Parent", requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.", notDuplicate: "yes",
    }));
    expect((await caseDashboard(dpo))!.openTotal).toBe(before + 1);
  });

  it("shows a person whose role changed only what the new role shows, at once", async () => {
    const schoolId = seed.schoolIds[1]!;
    const { rows } = await sql<{ id: string }>`select id from users where org_id = ${schoolId} and role = 'dpo' limit 1`.execute(db());
    const userId = rows[0]!.id;
    const asDpo = (await caseDashboard(await contextOf(userId, schoolId)))!;
    expect(asDpo.openTotal).toBe(await openCount([schoolId]));
    await sql`update users set role = 'staff' where org_id = ${schoolId} and id = ${userId}`.execute(db());
    const asStaff = (await caseDashboard(await contextOf(userId, schoolId)))!;
    expect(asStaff.openTotal).toBe(await openCount([schoolId], userId));
    expect(asStaff.openTotal).toBeLessThan(asDpo.openTotal);
  });
});
