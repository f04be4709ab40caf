import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";

/** Under load, a request that cannot get a database connection in time is told to retry: never a 500. */
describe.runIf(testEngine === "postgres")("every database connection busy (postgres)", () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward({}, { pool: { size: 2, waitMs: 200 } });
  });
  afterAll(() => steward.close());

  it("answers 503 with Retry-After and a page that says to wait, and serves again once a connection is free", async () => {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    expect((await agent.get("/dashboard")).statusCode).toBe(200);

    const db = steward.services.database.db;
    const holding = Promise.all([sql`select pg_sleep(1)`.execute(db), sql`select pg_sleep(1)`.execute(db)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const busy = await agent.get("/cases");
    expect(busy.statusCode).toBe(503);
    expect(busy.headers["retry-after"]).toBe("5");
    expect(busy.body).toContain("Wait a few seconds, then try again");
    expect(steward.logs.join("")).toContain("no database connection came free in time");

    await holding;
    expect((await agent.get("/cases")).statusCode).toBe(200);
  });
});
