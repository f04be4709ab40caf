import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type StewardDatabase } from "../platform/database/database.ts";

/**
 * A fresh, empty database for one test file: in-memory PGlite by default, or a new database on the
 * PostgreSQL server named by DATABASE_URL (CI runs the whole suite both ways). Dropped afterwards.
 */
export async function openTestDatabase(options: { pool?: { size: number; waitMs: number } } = {}): Promise<StewardDatabase> {
  const serverUrl = process.env["DATABASE_URL"];
  if (!serverUrl) {
    return openDatabase({ engine: "pglite", inMemory: true });
  }
  const name = `steward_test_${randomBytes(6).toString("hex")}`;
  await administer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ engine: "postgres", url: url.toString() }, options);
  return {
    ...database,
    async close() {
      await database.close();
      await administer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Runs one statement (create or drop a database) on the PostgreSQL server at serverUrl. */
export async function administer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const testEngine = process.env["DATABASE_URL"] ? "postgres" : "pglite";

/**
 * A database that outlives one Steward, for tests that stop and start it: a PGlite data folder,
 * or a new database on DATABASE_URL's server. `env` points a config at it; `drop` removes both.
 */
export async function openPersistentTestDatabase(): Promise<{ env: Record<string, string>; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "steward-persistent-"));
  const serverUrl = process.env["DATABASE_URL"];
  if (!serverUrl) {
    return { env: { STEWARD_DATA_DIR: dataDir, DATABASE_URL: "" }, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `steward_test_${randomBytes(6).toString("hex")}`;
  await administer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { STEWARD_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    async drop() {
      await administer(serverUrl, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
