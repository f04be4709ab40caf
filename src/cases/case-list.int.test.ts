import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor, type Context } from "../accounts/actor.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { seedTrust, type TrustSeed } from "../testing/trust-seed.ts";
import { listCases } from "./case-list.ts";
import type { CaseFilter } from "./cases.schema.ts";

/**
 * The list reads each organisation's cases from an index and merges them a page at a time; this
 * checks every page of every filter against the rule written out plainly: open before closed,
 * then deadline day, then hour, newest received first, then id.
 */
describe(`the case list, page by page (${testEngine})`, () => {
  let steward: TestSteward;
  let seed: TrustSeed;
  beforeAll(async () => {
    steward = await startTestSteward();
    seed = await seedTrust(steward.services, { casesPerSchool: 60, users: 40, otherLicences: 1, casesPerOtherLicence: 20 });
  }, 120_000);
  afterAll(() => steward.close());

  async function contextOf(userId: string, organisationId: string): Promise<Context> {
    const actor = await inScope(steward.services.database.db, { organisationIds: [organisationId] }, (trx) => loadActor(trx, steward.services.keyring, organisationId, userId));
    return { actor: actor!, services: steward.services };
  }

  interface Row { orgId: string; id: string; type: string; closedAt: Date | null; dueOn: string | null; dueAt: Date | null; receivedAt: Date; createdBy: string; assigneeId: string | null }
  const rowsOf = async (organisationIds: string[]) =>
    (await sql<Row>`select org_id, id, type, closed_at, due_on, due_at, received_at, created_by, assignee_id from cases where org_id = any(${organisationIds}::uuid[])`.execute(steward.services.database.db)).rows;

  const nullsLast = (a: string | number | null, b: string | number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const inListOrder = (a: Row, b: Row) =>
    Number(a.closedAt !== null) - Number(b.closedAt !== null) ||
    nullsLast(a.dueOn, b.dueOn) ||
    nullsLast(a.dueAt ? new Date(a.dueAt).getTime() : null, b.dueAt ? new Date(b.dueAt).getTime() : null) ||
    new Date(b.receivedAt).getTime() - new Date(a.receivedAt).getTime() ||
    (a.id < b.id ? -1 : 1);

  async function everyPage(ctx: Context, filter: CaseFilter, perPage: number) {
    const first = await listCases(ctx, filter, { perPage, audit: null });
    const ids = first.cases.map((listed) => listed.id);
    for (let page = 2; page <= first.pages; page += 1) {
      const next = await listCases(ctx, { ...filter, page }, { perPage, audit: null });
      expect(next.total).toBe(first.total);
      ids.push(...next.cases.map((listed) => listed.id));
    }
    return { ids, total: first.total };
  }

  it("shows the trust DPO every school's cases in order, each once, on every filter", async () => {
    const dpo = await contextOf(seed.dpo.userId, seed.trustId);
    const all = await rowsOf([seed.trustId, ...seed.schoolIds]);
    const filters: [CaseFilter, (row: Row) => boolean][] = [
      [{}, (row) => row.closedAt === null],
      [{ state: "closed" }, (row) => row.closedAt !== null],
      [{ state: "all" }, () => true],
      [{ state: "overdue" }, (row) => row.closedAt === null && row.dueOn !== null && row.dueOn < steward.clock.now().toISOString().slice(0, 10)],
      [{ state: "all", type: "sar" }, (row) => row.type === "sar"],
      [{ state: "all", organisationId: seed.schoolIds[1]! }, (row) => row.orgId === seed.schoolIds[1]],
    ];
    for (const [filter, matches] of filters) {
      const expected = all.filter(matches).sort(inListOrder).map((row) => row.id);
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
      const { ids, total } = await everyPage(dpo, filter, 7);
      expect(total, JSON.stringify(filter)).toBe(expected.length);
      expect(ids, JSON.stringify(filter)).toEqual(expected);
    }
  });

  it("shows a member of staff only the cases they logged or were given, in the same order", async () => {
    const schoolId = seed.schoolIds[0]!;
    const rows = await rowsOf([schoolId]);
    const { rows: staff } = await sql<{ id: string }>`select id from users where org_id = ${schoolId} and role = 'staff' and exists (select 1 from cases c where c.created_by = users.id or c.assignee_id = users.id) order by id limit 1`.execute(steward.services.database.db);
    const member = await contextOf(staff[0]!.id, schoolId);
    const expected = rows.filter((row) => row.createdBy === staff[0]!.id || row.assigneeId === staff[0]!.id).sort(inListOrder).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(0);
    const { ids } = await everyPage(member, { state: "all" }, 5);
    expect(ids).toEqual(expected);
  });

  it("shows the last page for a page past the end, and an empty list for a school that is not the actor's", async () => {
    const dpo = await contextOf(seed.dpo.userId, seed.trustId);
    const last = await listCases(dpo, { page: 10_000 }, { perPage: 7, audit: null });
    expect(last.page).toBe(last.pages);
    expect(last.cases.length).toBeGreaterThan(0);
    const { rows: others } = await sql<{ id: string }>`select id from organisations where id <> all(${[seed.trustId, ...seed.schoolIds]}::uuid[]) limit 1`.execute(steward.services.database.db);
    const elsewhere = await listCases(dpo, { organisationId: others[0]!.id, state: "all" }, { audit: null });
    expect(elsewhere).toMatchObject({ cases: [], total: 0 });
  });
});
