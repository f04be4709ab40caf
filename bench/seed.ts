/**
 * The bench's data set, made once per engine before any server starts: Steward itself opens the
 * database (migrating it, as a first start does), then src/testing/trust-seed.ts fills it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { sql } from "kysely";
import { sealAuditTrail } from "../src/audit/audit.ts";
import { loadConfig } from "../src/platform/config.ts";
import { createLogger } from "../src/platform/logger.ts";
import { createSteward } from "../src/steward.ts";
import { seedTrust, type TrustSeed, type TrustSeedOptions } from "../src/testing/trust-seed.ts";
import { administer } from "../src/testing/test-database.ts";

export type Engine = "pglite" | "postgres";

/** Where one engine's seeded database lives, and the environment a server process needs to open it. */
export interface BenchDatabase {
  engine: Engine;
  /** STEWARD_DATA_DIR, DATABASE_URL and STEWARD_MASTER_KEY for a server process. */
  env: Record<string, string>;
  dataDir: string;
  seed: TrustSeed;
  seedSeconds: number;
  /** Then sealing the seeded audit events into their chains, and vacuuming. */
  sealSeconds: number;
  drop(): Promise<void>;
}

/** Whether the PostgreSQL server answers (the bench then runs on it too). */
export async function postgresReachable(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh database for one engine (a PGlite data folder, or a new database on the PostgreSQL
 * server, made and dropped as src/testing/test-database.ts does), seeded. Closed afterwards, so
 * the servers can open it.
 */
export async function seedBenchDatabase(engine: Engine, options: TrustSeedOptions, postgresUrl: string): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `steward-bench-${engine}-`));
  const masterKey = randomBytes(32).toString("base64");
  let databaseUrl = "";
  let name = "";
  if (engine === "postgres") {
    name = `steward_bench_${randomBytes(6).toString("hex")}`;
    await administer(postgresUrl, `create database ${name}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const env = { STEWARD_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, STEWARD_MASTER_KEY: masterKey };
  const drop = async () => {
    if (name) await administer(postgresUrl, `drop database if exists ${name} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const steward = await createSteward({
      config: loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...env }),
      logger: createLogger("silent"),
      mailIntervalMs: 0,
      housekeepingIntervalMs: 0,
      reminderIntervalMs: 0,
    });
    const started = performance.now();
    let seed: TrustSeed;
    let seededAt = started;
    try {
      seed = await seedTrust(steward.services, options);
      seededAt = performance.now();
      // The trail is sealed after commit: seal the seeded events now, so that the first server
      // does not spend its first seconds on them.
      await sealAuditTrail(steward.services.database.db);
      // As autovacuum would leave the tables after a bulk load (it is off on some servers, this
      // machine's among them): the visibility map set, so the list's count reads its index only.
      await sql`vacuum analyze`.execute(steward.services.database.db);
    } finally {
      await steward.close();
    }
    return { engine, env, dataDir, seed, seedSeconds: (seededAt - started) / 1000, sealSeconds: (performance.now() - seededAt) / 1000, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}
