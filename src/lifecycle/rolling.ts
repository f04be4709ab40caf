import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import type { Logger } from "pino";
import type { StewardDatabase } from "../platform/database/database.ts";
import type { Database } from "../platform/database/schema.ts";
import { NotABackupError } from "./backup-format.ts";
import type { Services } from "../platform/services.ts";
import { filesFolderOf, writeBackup, type BackupSummary } from "./backup.ts";
import { DATA_KEYS_FILE, dataKeysFileIsStale, writeDataKeys } from "./data-keys.ts";

/**
 * The rolling set: backups in one folder, `steward-<UTC timestamp>.backup`, beside the one data
 * keys file they share, each recorded in backup_runs; a backup older than the keep period is
 * deleted (and its row marked pruned). `steward backup --rolling DIR` takes one; the server takes
 * one a day when STEWARD_BACKUP_DIR is set (backUpWhenDue, checked hourly).
 */
export const DEFAULT_KEEP_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;
/** A day, less a little: the hourly look that falls a day after the last backup takes the next, whatever the timer's drift. */
const DUE_AFTER_MS = DAY_MS - 10 * 60_000;

const ROLLING_NAME = /^steward-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.backup(\.partial)?$/;

/** `steward-20261201T020000Z.backup`: sortable, and the moment it was taken, in UTC. */
export function rollingFileName(at: Date): string {
  return `steward-${at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "")}.backup`;
}

/** When a rolling backup was taken, from its name; undefined for any other file. */
function takenAtOf(name: string): Date | undefined {
  const match = ROLLING_NAME.exec(name);
  return match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!)) : undefined;
}

export interface RollingOptions {
  filesFolder?: string;
  keepDays?: number;
  now?: Date;
}

export interface RollingSummary extends BackupSummary {
  /** Backups deleted for being older than the keep period. */
  pruned: string[];
}

export class BackupUnderWayError extends Error {
  constructor() {
    super("Another backup into the rolling set is under way: try again once it has finished");
    this.name = "BackupUnderWayError";
  }
}

/** One connection held for a whole rolling run: every query of the run goes through it (PGlite has only one). */
type Held = Kysely<Database>;

/**
 * Runs `work` on one connection holding the rolling set's advisory lock, so two processes (two
 * servers on one PostgreSQL database, or the command and a server) never run at once; undefined
 * when another holds it. On PGlite the lock is the one session's, and the connection is held anyway.
 */
async function withRollingLock<T>(database: StewardDatabase, work: (db: Held) => Promise<T>): Promise<T | undefined> {
  return database.db.connection().execute(async (db) => {
    const { rows } = await sql<{ taken: boolean }>`select pg_try_advisory_lock(hashtextextended('steward rolling backup', 0)) as taken`.execute(db);
    if (!rows[0]!.taken) {
      return undefined;
    }
    try {
      return await work(db);
    } finally {
      // A connection that failed has lost its lock with its session: the run's own error is the one to hear.
      await sql`select pg_advisory_unlock(hashtextextended('steward rolling backup', 0))`.execute(db).catch(() => {});
    }
  });
}

/** `steward backup --rolling DIR`: one backup into the set, then the prune. Throws BackupUnderWayError if one is running. */
export async function writeRollingBackup(database: StewardDatabase, masterKey: Buffer, folder: string, options: RollingOptions = {}): Promise<RollingSummary> {
  const summary = await withRollingLock(database, (db) => backUpAndPrune({ db, engine: database.engine }, masterKey, folder, options));
  if (!summary) {
    throw new BackupUnderWayError();
  }
  return summary;
}

async function backUpAndPrune(
  source: { db: Held; engine: StewardDatabase["engine"] },
  masterKey: Buffer,
  folder: string,
  { filesFolder, keepDays = DEFAULT_KEEP_DAYS, now = new Date() }: RollingOptions,
): Promise<RollingSummary> {
  const dir = path.resolve(folder);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, rollingFileName(now));
  const summary = await writeBackup(source, masterKey, file, { filesFolder, now });
  await source.db.insertInto("backupRuns").values({ id: randomUUID(), takenAt: now, fileName: file, bytes: summary.bytes }).execute();
  const pruned = await pruneBackups(source.db, dir, { keepDays, now });
  return { ...summary, pruned };
}

/**
 * Deletes the rolling backups in `folder` taken `keepDays` or more before `now` (by the time in
 * their names, and by backup_runs), and marks their rows pruned. Other files are left alone.
 */
export async function pruneBackups(db: Kysely<Database>, folder: string, { keepDays = DEFAULT_KEEP_DAYS, now = new Date() }: { keepDays?: number; now?: Date } = {}): Promise<string[]> {
  const dir = path.resolve(folder);
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS);
  const expired = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const takenAt = takenAtOf(name);
    if (takenAt && takenAt <= cutoff) {
      expired.add(path.join(dir, name));
    }
  }
  const recorded = await db.selectFrom("backupRuns").select(["fileName"]).where("prunedAt", "is", null).where("takenAt", "<=", cutoff).execute();
  for (const run of recorded) {
    if (path.dirname(run.fileName) === dir) {
      expired.add(run.fileName); // perhaps deleted by hand already: its row is marked all the same
    }
  }
  const pruned: string[] = [];
  for (const file of [...expired].sort()) {
    await rm(file, { force: true });
    await db.updateTable("backupRuns").set({ prunedAt: now }).where("fileName", "=", file).where("prunedAt", "is", null).execute();
    if (!file.endsWith(".partial")) {
      pruned.push(file);
    }
  }
  return pruned;
}

export interface DueBackupOptions {
  folder: string;
  keepDays: number;
  filesFolder?: string;
  now: Date;
  logger: Logger;
}

/**
 * The server's daily backup, looked at hourly: takes one into the rolling set when the newest
 * backup_runs row is a day old (or there is none). Between backups it still prunes (a backup
 * reaches the keep period between two runs) and rewrites the data keys file if a key in it has
 * been destroyed since, so a shredded organisation's key leaves it within the hour. Does nothing
 * while another process runs it. Logs figures only.
 */
export async function backUpWhenDue(database: StewardDatabase, masterKey: Buffer, { folder, keepDays, filesFolder, now, logger }: DueBackupOptions): Promise<RollingSummary | undefined> {
  return withRollingLock(database, async (db) => {
    const newest = await db.selectFrom("backupRuns").select((eb) => eb.fn.max("takenAt").as("takenAt")).executeTakeFirst();
    const last = newest?.takenAt ? new Date(newest.takenAt) : undefined;
    if (last && now.getTime() - last.getTime() < DUE_AFTER_MS) {
      const pruned = await pruneBackups(db, folder, { keepDays, now });
      const dir = path.resolve(folder);
      const keysFile = path.join(dir, DATA_KEYS_FILE);
      // A file that cannot be read (altered, or another master key's) is replaced as well.
      if (await dataKeysFileIsStale(db, masterKey, keysFile).catch((error: unknown) => error instanceof NotABackupError)) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const { keys } = await writeDataKeys(db, masterKey, keysFile, { now });
        logger.info({ keys }, "data keys file rewritten: a key in it had been destroyed");
      }
      if (pruned.length > 0) {
        logger.info({ pruned: pruned.length }, "old backups pruned from the rolling set");
      }
      return undefined;
    }
    const summary = await backUpAndPrune({ db, engine: database.engine }, masterKey, folder, { filesFolder, keepDays, now });
    logger.info(
      { file: path.basename(summary.file), tables: summary.tables, rows: summary.rows, files: summary.files, bytes: summary.bytes, ms: summary.ms, keys: summary.dataKeys, pruned: summary.pruned.length },
      "scheduled backup written",
    );
    return summary;
  });
}

/** The server's hourly look at the rolling set in STEWARD_BACKUP_DIR (see backUpWhenDue). */
export function backUpDaily(services: Pick<Services, "config" | "database" | "keyring" | "clock" | "logger">): Promise<RollingSummary | undefined> {
  const { config } = services;
  if (!config.backupDir) {
    return Promise.resolve(undefined);
  }
  return backUpWhenDue(services.database, services.keyring.masterKey, {
    folder: config.backupDir,
    keepDays: config.backupKeepDays,
    filesFolder: filesFolderOf(config),
    now: services.clock.now(),
    logger: services.logger,
  });
}
