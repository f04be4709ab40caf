import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { TestClock } from "../platform/clock.ts";
import { loadConfig } from "../platform/config.ts";
import { createLogger } from "../platform/logger.ts";
import { createSteward, type Steward, type StewardOptions } from "../steward.ts";
import { openTestDatabase } from "./test-database.ts";

export interface TestSteward extends Steward {
  clock: TestClock;
  /** Every log line written so far, as text: tests check it for personal data. */
  logs: string[];
}

/** A whole Steward on a fresh database, with a clock the test moves and logs the test can read. */
export async function startTestSteward(
  env: Record<string, string> = {},
  { pool, ...jobs }: Pick<StewardOptions, "auditSealIntervalMs"> & { pool?: { size: number; waitMs: number } } = {},
): Promise<TestSteward> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  // The database is the test's own (openTestDatabase); the data folder holds only the file store.
  const dataDir = mkdtempSync(path.join(tmpdir(), "steward-test-"));
  const config = loadConfig({ PORT: "0", STEWARD_DATA_DIR: dataDir, PUBLIC_URL: "http://steward.test", STEWARD_MASTER_KEY: randomBytes(32).toString("base64"), ...env });
  const clock = new TestClock();
  const steward = await createSteward({
    config,
    logger: createLogger("info", sink),
    clock,
    database: await openTestDatabase(pool ? { pool } : {}),
    mailIntervalMs: 0,
    housekeepingIntervalMs: 0,
    reminderIntervalMs: 0,
    auditSealIntervalMs: 0,
    jobIntervalMs: 0,
    ...jobs,
  });
  return {
    ...steward,
    clock,
    logs,
    async close() {
      await steward.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
