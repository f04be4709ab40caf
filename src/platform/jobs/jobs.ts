import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inScope, type Tx } from "../database/tenant-scope.ts";
import type { Services } from "../services.ts";

/**
 * Jobs in the database: the smallest claim-based queue that works the same on PGlite and
 * PostgreSQL (pg-boss was the other choice: it needs a connection of its own to a PostgreSQL
 * server, which the embedded PGlite database cannot give it). Asked for inside the transaction
 * whose change needs the work; claimed by any app process for a lease; done in one transaction
 * with the job's own writes, so a crash part-way leaves nothing of the attempt and the job is
 * claimed again; retried with a growing wait, then marked failed with its reason for the page to
 * show. A job's payload and its error hold ids and plain reasons, never personal data.
 */
export interface Job {
  id: string;
  organisationId: string;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first try. */
  attempts: number;
}

/**
 * What a handler is given. Long work (converting, OCR) must run between transactions, never in
 * one: PGlite has one connection, and a transaction held for a minute would hold up every page.
 * So a handler reads what it needs in short transactions (`read`), works, and writes its results
 * with `complete`, in the same transaction that marks the job done: a crash before that leaves
 * nothing of the attempt. A handler that never calls `complete` is marked done after it returns.
 */
export interface JobRun {
  job: Job;
  read<T>(work: (trx: Tx) => Promise<T>): Promise<T>;
  complete(work: (trx: Tx) => Promise<void>): Promise<void>;
}

/** What a handler throws is the job's error: a JobError's message is shown to the people the work is for. */
export type JobHandler = (run: JobRun, services: Services) => Promise<void>;

/** How long a claim lasts: past it, a job whose worker died is claimed by another. Longer than any job's own time limits. */
export const LEASE_SECONDS = 30 * 60;

export async function enqueueJob(trx: Tx, services: Pick<Services, "clock">, job: { organisationId: string; kind: string; payload?: Record<string, unknown>; maxAttempts?: number }): Promise<string> {
  const id = randomUUID();
  const now = services.clock.now();
  await trx
    .insertInto("jobs")
    .values({ orgId: job.organisationId, id, kind: job.kind, payload: JSON.stringify(job.payload ?? {}), runAfter: now, createdAt: now, ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}) })
    .execute();
  return id;
}

/** What a handler throws on purpose, for the people the work is for: a plain sentence, with no personal data in it. */
export class JobError extends Error {
  override name = "JobError";
}

/** Why the job failed, kept short: a JobError's sentence; anything else is named by its kind only (its text may quote what it read). */
function reasonOf(error: unknown): string {
  if (error instanceof JobError) {
    return error.message.slice(0, 500);
  }
  return "Steward could not finish this work (an unexpected error; the server log has the details)";
}

/** After a failed try: a minute, then four, then sixteen. */
function retryDelayMs(attempts: number): number {
  return 60_000 * 4 ** (attempts - 1);
}

/**
 * Claims the next due job and runs it. Returns false when none was due. A handler's kind that
 * this process does not know leaves the job to a process that does (its lease runs out).
 */
export async function runNextJob(services: Services, handlers: Readonly<Record<string, JobHandler>>, worker: string): Promise<boolean> {
  const { db } = services.database;
  const claimed = await inScope(db, {}, async (trx) => {
    const { rows } = await sql<{ id: string; orgId: string; kind: string; payload: Record<string, unknown>; attempts: number }>`
      select id, org_id, kind, payload, attempts from steward_claim_job(${worker}, ${services.clock.now()}, ${LEASE_SECONDS})`.execute(trx);
    return rows[0];
  });
  if (!claimed) {
    return false;
  }
  const job: Job = { id: claimed.id, organisationId: claimed.orgId, kind: claimed.kind, payload: typeof claimed.payload === "string" ? JSON.parse(claimed.payload) : claimed.payload, attempts: claimed.attempts };
  const handler = handlers[job.kind];
  if (!handler) {
    return true;
  }
  const scope = { organisationIds: [job.organisationId] };
  let completed = false;
  const run: JobRun = {
    job,
    read: (work) => inScope(db, scope, work),
    complete: async (work) => {
      if (completed) {
        throw new Error("A job can complete once");
      }
      await inScope(db, scope, async (trx) => {
        await work(trx);
        const finished = await trx
          .updateTable("jobs")
          .set({ state: "done", finishedAt: services.clock.now(), claimedBy: null, claimedUntil: null, lastError: null })
          .where("id", "=", job.id)
          .where("claimedBy", "=", worker)
          .where("state", "=", "running")
          .executeTakeFirst();
        // Another worker took the job over (this one outlived its lease): its attempt is the one that counts.
        if (finished.numUpdatedRows === 0n) {
          throw new LostClaimError();
        }
      });
      completed = true;
    },
  };
  try {
    await handler(run, services);
    if (!completed) {
      await run.complete(async () => {});
    }
  } catch (error) {
    if (error instanceof LostClaimError) {
      return true;
    }
    services.logger.warn({ job: job.id, kind: job.kind, attempts: job.attempts, err: error }, "a job failed");
    await inScope(db, scope, async (trx) => {
      const row = await trx.selectFrom("jobs").select(["maxAttempts"]).where("id", "=", job.id).executeTakeFirst();
      const last = !row || job.attempts >= row.maxAttempts;
      await trx
        .updateTable("jobs")
        .set({
          state: last ? "failed" : "waiting",
          runAfter: new Date(services.clock.now().getTime() + retryDelayMs(job.attempts)),
          finishedAt: last ? services.clock.now() : null,
          claimedBy: null,
          claimedUntil: null,
          lastError: reasonOf(error),
        })
        .where("id", "=", job.id)
        .where("claimedBy", "=", worker)
        .execute();
    });
  }
  return true;
}

class LostClaimError extends Error {
  override name = "LostClaimError";
}

/** Runs due jobs one after another until none is due (one at a time per process: the work is CPU-bound and the machine small). */
export async function runDueJobs(services: Services, handlers: Readonly<Record<string, JobHandler>>, worker: string, limit = 100): Promise<number> {
  let ran = 0;
  while (ran < limit && (await runNextJob(services, handlers, worker))) {
    ran += 1;
  }
  return ran;
}
