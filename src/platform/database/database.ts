import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { lockDataFolder } from "./data-folder-lock.ts";
import { durablePGliteOptions } from "./durable-pglite.ts";
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type Dialect } from "kysely";
import pg from "pg";
import { PGliteDialect } from "./pglite-dialect.ts";
import type { Config } from "../config.ts";
import type { Database } from "./schema.ts";

export type Engine = "pglite" | "postgres";

/** PostgreSQL's `date`: read as the YYYY-MM-DD text it is, never a JS Date at some time zone's midnight. */
const DATE_OID = 1082;
const keepDateText = (value: string) => value;
pg.types.setTypeParser(DATE_OID, keepDateText);

/** A statement worth keeping prepared: a query with parameters (not DDL, which cannot be), of a sane size. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const PREPARED = Symbol("prepares statements");
const FORGET_WAITING_BEGIN = Symbol("forgets a begin still waiting");

/**
 * Hands out the pool's connections, each changed in two ways that save a round trip to the
 * server and change no result:
 * - each parameterised query is sent as a named prepared statement (named by a hash of its
 *   text), so PostgreSQL parses and plans each distinct query once per connection instead of on
 *   every call; the same text always gets the same name, and a changed table invalidates the
 *   plans PostgreSQL keeps;
 * - a transaction's `begin` waits to travel with the statement after it when that statement has
 *   no parameters (the scope tenant-scope.ts sets), as one simple query: the server runs `begin`
 *   first either way, and an error in either fails that one call, so Kysely rolls back as before.
 *   A statement with parameters cannot share a simple query: `begin` is then sent just before it.
 *   A transaction that ends before any statement never reached the server, so its end is not sent.
 */
function preparingStatements(pool: pg.Pool) {
  return {
    async connect() {
      const client = (await pool.connect()) as pg.PoolClient & { [PREPARED]?: true; [FORGET_WAITING_BEGIN]?: () => void };
      if (!client[PREPARED]) {
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        const send = (text: unknown, values: unknown) =>
          typeof text === "string" && Array.isArray(values) && values.length > 0 && text.length < 8_000 && PREPARABLE.test(text)
            ? query({ name: `s${createHash("sha1").update(text).digest("base64url")}`, text, values })
            : query(text, values);
        let beginWaiting = false;
        // The combined query failed: whether `begin` ran is unknown (a syntax error fails the
        // whole query before any of it runs), so nothing but the rollback may follow.
        let failedAtBegin = false;
        const sendAfterBegin = async (text: unknown, values: unknown) => {
          const bare = typeof text === "string" && text.length <= 10 ? text.trim().toLowerCase() : "";
          const withoutParameters = !Array.isArray(values) || values.length === 0;
          if (failedAtBegin) {
            if (bare !== "rollback" || !withoutParameters) throw new Error("this transaction failed at its first statement: only a rollback may follow");
            failedAtBegin = false;
            return send(text, values);
          }
          if (bare === "begin" && withoutParameters) {
            if (beginWaiting) throw new Error("begin inside a transaction");
            beginWaiting = true;
            return { command: "BEGIN", rowCount: null, rows: [], fields: [] };
          }
          if (!beginWaiting) return send(text, values);
          beginWaiting = false;
          if ((bare === "commit" || bare === "rollback") && withoutParameters) {
            return { command: bare.toUpperCase(), rowCount: null, rows: [], fields: [] };
          }
          if (typeof text === "string" && withoutParameters) {
            try {
              // One simple query, two statements: pg answers with a result for each.
              const results = await query(`begin;\n${text}`);
              return Array.isArray(results) ? results[results.length - 1] : results;
            } catch (error) {
              failedAtBegin = true;
              throw error;
            }
          }
          // Both queued at once, so pg sends them in this order whatever else is asked meanwhile.
          const [, result] = await Promise.all([query("begin"), send(text, values)]);
          return result;
        };
        client.query = sendAfterBegin as typeof client.query;
        client[FORGET_WAITING_BEGIN] = () => {
          beginWaiting = false;
          failedAtBegin = false;
        };
        client[PREPARED] = true;
      }
      // A connection goes back to the pool with no transaction of its own waiting to begin (the
      // pool gives each checkout its own release, so this wraps each one).
      const release = client.release;
      client.release = ((error?: Error | boolean) => {
        client[FORGET_WAITING_BEGIN]?.();
        return release(error);
      }) as typeof client.release;
      return client;
    },
    end: () => pool.end(),
  };
}

/** The database handle the rest of Steward receives. */
export interface StewardDatabase {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

export type DatabaseLocation =
  | { engine: "postgres"; url: string }
  | { engine: "pglite"; dataDir: string }
  | { engine: "pglite"; inMemory: true };

/** Where the configured database is: DATABASE_URL's server, or PGlite in the data folder. */
export function databaseLocationOf(config: Pick<Config, "databaseUrl" | "dataDir">): DatabaseLocation {
  return config.databaseUrl ? { engine: "postgres", url: config.databaseUrl } : { engine: "pglite", dataDir: config.dataDir };
}

/**
 * Opens the database. `onConnectionLost` hears of a pooled PostgreSQL connection that died while
 * idle (a server restart, or an administrator ending it): the pool drops it and opens another
 * when next needed. Without a listener, Node would treat that as an unhandled error and stop.
 */
export async function openDatabase(
  location: DatabaseLocation,
  {
    onConnectionLost = () => {},
    purpose = "server",
    pool: poolOptions = { size: 10, waitMs: 10_000 },
  }: {
    onConnectionLost?: (error: Error) => void;
    /** What this process is, named to a second process the data folder lock turns away. */
    purpose?: string;
    /** PostgreSQL: how many connections at most, and how long a request waits for one before it is told to retry. */
    pool?: { size: number; waitMs: number };
  } = {},
): Promise<StewardDatabase> {
  let dialect: Dialect;
  let closeDriver: () => Promise<void>;

  if (location.engine === "postgres") {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: poolOptions.size,
      // A runaway query must not hold a connection for ever.
      statement_timeout: 30_000,
      // A request waits this long for a free connection, then is answered 503 (see isPoolWaitTimeout).
      connectionTimeoutMillis: poolOptions.waitMs,
    });
    pool.on("error", onConnectionLost);
    dialect = new PostgresDialect({ pool: preparingStatements(pool) });
    closeDriver = async () => {}; // Kysely's destroy() ends the pool.
  } else {
    let pglite: PGlite;
    if ("inMemory" in location) {
      pglite = await PGlite.create({ parsers: { [DATE_OID]: keepDateText } });
      const opened = pglite;
      closeDriver = () => opened.close();
    } else {
      // Before PGlite touches the folder: a second process must be refused, not let in to overwrite pages.
      const lock = lockDataFolder(location.dataDir, purpose);
      try {
        const folder = path.join(location.dataDir, "pgdata");
        await fs.mkdir(folder, { recursive: true });
        pglite = await PGlite.create({ ...durablePGliteOptions(folder), parsers: { [DATE_OID]: keepDateText } });
      } catch (error) {
        lock.release();
        throw error;
      }
      const opened = pglite;
      closeDriver = async () => {
        try {
          await opened.close();
        } finally {
          lock.release();
        }
      };
    }
    dialect = new PGliteDialect(pglite);
  }

  const db = new Kysely<Database>({ dialect, plugins: [new CamelCasePlugin()] });
  return {
    db,
    engine: location.engine,
    close: async () => {
      await db.destroy();
      await closeDriver();
    },
  };
}

/** True when the database answers. */
export async function isReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
