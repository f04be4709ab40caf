import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence } from "../../testing/factories.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";
import { inScope, type Tx } from "../database/tenant-scope.ts";
import { enqueueJob, JobError, LEASE_SECONDS, runDueJobs, runNextJob, type JobHandler } from "./jobs.ts";

/**
 * The job queue: asked for in the transaction that needs the work, run once across processes,
 * a crash part-way leaving nothing and the job claimed again, retries then a failure with its
 * reason, and one organisation's jobs invisible to another's scope.
 */
describe(`jobs (${testEngine})`, () => {
  let steward: TestSteward;
  let organisationId: string;
  let otherOrganisationId: string;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-03-01T09:00:00Z");
    organisationId = (await buildLicence(steward.services)).organisationId;
    otherOrganisationId = (await buildLicence(steward.services)).organisationId;
    await sql`create table job_effects (org_id uuid not null, note text not null)`.execute(steward.services.database.db);
    await sql`grant select, insert on job_effects to steward_app`.execute(steward.services.database.db);
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  const jobState = (id: string) =>
    inScope(db(), { organisationIds: [organisationId, otherOrganisationId] }, (trx) => trx.selectFrom("jobs").select(["state", "attempts", "lastError", "claimedBy"]).where("id", "=", id).executeTakeFirstOrThrow());
  const effects = async () => (await sql<{ note: string }>`select note from job_effects order by note`.execute(db())).rows.map((row) => row.note);
  const enqueue = (kind: string, payload: Record<string, unknown> = {}, organisation = organisationId) =>
    inScope(db(), { organisationIds: [organisation] }, (trx) => enqueueJob(trx, steward.services, { organisationId: organisation, kind, payload }));
  const write = (note: string) => async (trx: Tx) => {
    await sql`insert into job_effects (org_id, note) values (${organisationId}, ${note})`.execute(trx);
  };
  const note: JobHandler = (run) => run.complete(write(String(run.job.payload["note"])));

  it("asks for a job only if the transaction asking commits", async () => {
    await expect(
      inScope(db(), { organisationIds: [organisationId] }, async (trx) => {
        await enqueueJob(trx, steward.services, { organisationId, kind: "note", payload: { note: "never" } });
        throw new Error("the upload failed");
      }),
    ).rejects.toThrow("the upload failed");
    expect(await runDueJobs(steward.services, { note }, "worker-a")).toBe(0);
  });

  it("runs a job once, however many workers look for it at once", async () => {
    const id = await enqueue("note", { note: "once" });
    const ran = await Promise.all([runNextJob(steward.services, { note }, "worker-a"), runNextJob(steward.services, { note }, "worker-b"), runNextJob(steward.services, { note }, "worker-c")]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await effects()).toContain("once");
    expect((await effects()).filter((value) => value === "once")).toHaveLength(1);
    expect(await jobState(id)).toMatchObject({ state: "done", attempts: 1, claimedBy: null });
  });

  it("keeps nothing of an attempt that crashed part-way, and tries again later, then fails with its reason", async () => {
    class DocumentProblem extends JobError {}
    let tries = 0;
    const crashing: JobHandler = async (run) => {
      tries += 1;
      await run.complete(async (trx) => {
        await write(`half-done ${tries}`)(trx);
        throw new DocumentProblem("The PDF could not be read: no objects found");
      });
    };
    const id = await enqueue("crash");
    expect(await runNextJob(steward.services, { crash: crashing }, "worker-a")).toBe(true);
    expect(await effects()).not.toContain("half-done 1");
    expect(await jobState(id)).toMatchObject({ state: "waiting", attempts: 1, lastError: "The PDF could not be read: no objects found" });
    // Not again at once: after a minute, then four.
    expect(await runNextJob(steward.services, { crash: crashing }, "worker-a")).toBe(false);
    steward.clock.advance({ seconds: 61 });
    await runNextJob(steward.services, { crash: crashing }, "worker-a");
    steward.clock.advance({ minutes: 4, seconds: 1 });
    await runNextJob(steward.services, { crash: crashing }, "worker-a");
    expect(await jobState(id)).toMatchObject({ state: "failed", attempts: 3 });
    steward.clock.advance({ hours: 1 });
    expect(await runNextJob(steward.services, { crash: crashing }, "worker-a")).toBe(false);
    expect(tries).toBe(3);
  });

  it("names an unexpected error by its kind only, so nothing it carried reaches the page", async () => {
    const id = await enqueue("oops");
    await runNextJob(steward.services, { oops: async () => { throw new SyntaxError("Unexpected token in JSON at 'Jamie Hill'"); } }, "worker-a");
    expect((await jobState(id)).lastError).toBe("Steward could not finish this work (an unexpected error; the server log has the details)");
  });

  it("lets another worker claim a job whose worker died, once its lease has run out, and the dead worker's late finish does not count", async () => {
    const id = await enqueue("note", { note: "after a crash" });
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    // The dead worker's long work runs between transactions, as every job's must (PGlite has one connection).
    const slow: JobHandler = async (run) => {
      await stuck;
      await run.complete(write("late"));
    };
    const dying = runNextJob(steward.services, { note: slow }, "worker-dies");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runNextJob(steward.services, { note }, "worker-b")).toBe(false);
    steward.clock.advance({ seconds: LEASE_SECONDS + 1 });
    expect(await runNextJob(steward.services, { note }, "worker-b")).toBe(true);
    expect(await jobState(id)).toMatchObject({ state: "done", attempts: 2 });
    release();
    await dying;
    expect(await effects()).toContain("after a crash");
    expect(await effects()).not.toContain("late");
  });

  it("shows an organisation only its own jobs", async () => {
    const theirs = await enqueue("note", { note: "theirs" }, otherOrganisationId);
    const seen = await inScope(db(), { organisationIds: [organisationId] }, (trx) => trx.selectFrom("jobs").select("id").where("id", "=", theirs).execute());
    expect(seen).toEqual([]);
    await runDueJobs(steward.services, { note }, "worker-a");
  });
});
