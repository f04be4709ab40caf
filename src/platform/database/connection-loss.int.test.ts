import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";

/** A PostgreSQL server that restarts, or an administrator ending connections, must not stop Steward. */
describe.runIf(testEngine === "postgres")("losing pooled database connections (postgres)", () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("carries on serving after its idle connections are ended by the server", async () => {
    const db = steward.services.database.db;
    // Fill the pool with a few idle connections.
    await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(db)));
    const { rows } = await sql<{ ended: number }>`
      select count(pg_terminate_backend(pid))::int as ended from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
    expect(rows[0]!.ended).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the pool hears of the ended connections
    const health = await steward.app.inject({ url: "/healthz" });
    expect(health.statusCode).toBe(200);
  });
});
