import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StewardDatabase } from "../platform/database/database.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { destroyDataKey, openFor, type SealedPlace } from "../platform/encryption/keyring.ts";
import { masterKeyForDatabase } from "../platform/encryption/master-key.ts";
import { createLogger } from "../platform/logger.ts";
import { folderFileStore } from "../platform/files/file-store.ts";
import { buildLicence } from "../testing/factories.ts";
import { openTestDatabase, testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { startEncryption, type BackupLine } from "./backup-format.ts";
import { filesFolderOf } from "./backup.ts";
import { DATA_KEYS_FILE, readDataKeys } from "./data-keys.ts";
import { readBackupLines, restoreBackup, RestoreRefusedError } from "./restore.ts";
import { backUpDaily, BackupUnderWayError, pruneBackups, writeRollingBackup, type RollingSummary } from "./rolling.ts";

const DAY = 24 * 60 * 60_000;

async function linesOf(masterKey: Buffer, file: string): Promise<BackupLine[]> {
  const lines: BackupLine[] = [];
  await readBackupLines(masterKey, file, async (line) => {
    lines.push(line);
  });
  return lines;
}

describe(`rolling backups and the data keys file (${testEngine})`, () => {
  let steward: TestSteward;
  let folder: string;
  let dir: string;
  let a: Awaited<ReturnType<typeof buildLicence>>;
  let b: Awaited<ReturnType<typeof buildLicence>>;
  let start: Date;
  let first: RollingSummary;
  let second: RollingSummary;
  /** Every organisation's wrapped key before the shred, as the database held them. */
  let keysBefore: Map<string, string>;
  const targets: StewardDatabase[] = [];
  const target = async () => {
    const database = await openTestDatabase();
    targets.push(database);
    return database;
  };
  const masterKey = () => steward.services.keyring.masterKey;
  const keysFile = () => path.join(dir, DATA_KEYS_FILE);
  const rolling = (now: Date) => writeRollingBackup(steward.services.database, masterKey(), dir, { now, filesFolder: filesFolderOf(steward.services.config) });
  const userPlace = (organisationId: string, userId: string, column: "fullName" | "email"): SealedPlace => ({ organisationId, table: "users", column, rowId: userId });
  /** Opens a user's sealed email in `db`, as the application would. */
  const emailIn = (db: StewardDatabase, licence: typeof a) =>
    inScope(db.db, { organisationIds: [licence.organisationId] }, async (trx) => {
      const user = await trx.selectFrom("users").select(["fullName", "email"]).where("orgId", "=", licence.organisationId).where("id", "=", licence.userId).executeTakeFirstOrThrow();
      await openFor(trx, steward.services.keyring, userPlace(licence.organisationId, licence.userId, "fullName"), user.fullName);
      return openFor(trx, steward.services.keyring, userPlace(licence.organisationId, licence.userId, "email"), user.email);
    });
  const liveKeys = async () => {
    const rows = await steward.services.database.db.selectFrom("organisationKeys").select(["orgId", "wrappedKey"]).execute();
    return new Map(rows.map((row) => [row.orgId, row.wrappedKey]));
  };
  const runs = () => steward.services.database.db.selectFrom("backupRuns").selectAll().orderBy("takenAt").execute();

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "steward-rolling-"));
    dir = path.join(folder, "backups");
    steward = await startTestSteward({ STEWARD_BACKUP_DIR: dir });
    a = await buildLicence(steward.services);
    b = await buildLicence(steward.services);
    start = steward.clock.now();
  });
  afterAll(async () => {
    await Promise.all(targets.map((database) => database.close()));
    await steward.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("writes a backup that holds no data key, beside a data keys file (0600) that holds every live one, and records it", async () => {
    keysBefore = new Map([...(await liveKeys())].map(([orgId, key]) => [orgId, key!]));
    expect(keysBefore.size).toBe(2);
    first = await rolling(start);
    expect(path.basename(first.file)).toMatch(/^steward-\d{8}T\d{6}Z\.backup$/);
    expect(path.dirname(first.file)).toBe(dir);
    expect(first.dataKeysFile).toBe(keysFile());
    expect(first.dataKeys).toBe(2);

    // Decrypted, the backup still has the key rows (which organisations, when), never a key.
    const lines = await linesOf(masterKey(), first.file);
    expect(lines[0]).toMatchObject({ kind: "manifest", format: 2 });
    const keyRows = lines.flatMap((line) => (line.kind === "rows" && line.table === "organisation_keys" ? line.rows : [])) as Record<string, unknown>[];
    expect(keyRows.map((row) => row["org_id"]).sort()).toEqual([a.organisationId, b.organisationId].sort());
    expect(keyRows.every((row) => row["wrapped_key"] === null && row["destroyed_at"] === null)).toBe(true);
    const text = lines.map((line) => JSON.stringify(line)).join("\n");
    for (const key of keysBefore.values()) {
      expect(text.includes(key)).toBe(false);
    }

    // The data keys file: the same keys as the database, readable only under the master key.
    expect(Object.fromEntries((await readDataKeys(masterKey(), keysFile()))!)).toEqual(Object.fromEntries(keysBefore));
    expect(statSync(keysFile()).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual([path.basename(first.file), DATA_KEYS_FILE].sort());

    const [run] = await runs();
    expect(run).toMatchObject({ fileName: first.file, prunedAt: null });
    expect(Number(run!.bytes)).toBe(first.bytes);
    expect(new Date(run!.takenAt)).toEqual(start);
  });

  it("after a shred and the next backup, a backup from before restores the other organisation readable and the shredded one unreadable", async () => {
    await inScope(steward.services.database.db, { organisationIds: [a.organisationId] }, (trx) => destroyDataKey(trx, a.organisationId, steward.clock.now()));
    second = await rolling(new Date(start.getTime() + DAY));
    expect(second.dataKeys).toBe(1);
    // The data keys file, rewritten: never a destroyed key, only the keys the database holds now.
    const held = (await readDataKeys(masterKey(), keysFile()))!;
    expect([...held.keys()]).toEqual([b.organisationId]);
    const live = await liveKeys();
    for (const [orgId, key] of held) {
      expect(live.get(orgId)).toBe(key);
    }
    expect(readdirSync(dir).filter((name) => name.startsWith(DATA_KEYS_FILE))).toEqual([DATA_KEYS_FILE]);

    // The backup from before the shred, restored into a scratch database with the data keys file as it is now.
    const restored = await target();
    const summary = await restoreBackup(restored, masterKey(), first.file, { files: folderFileStore(path.join(folder, `files-${randomUUID()}`)) });
    expect(summary).toMatchObject({ keysRestored: 1, keysGone: 1, organisationsErased: 1, dataKeysFile: keysFile() });
    // A's key is not restored, and its rows, which nothing could open, are taken out again as its destruction had.
    expect(await restored.db.selectFrom("organisationKeys").selectAll().where("orgId", "=", a.organisationId).executeTakeFirst()).toBeUndefined();
    expect(await restored.db.selectFrom("users").select("id").where("orgId", "=", a.organisationId).execute()).toEqual([]);
    expect(await restored.db.selectFrom("organisations").select("id").where("id", "=", a.organisationId).execute()).toEqual([]);
    // A's sealed values, as the backup file holds them, open nowhere: there is no key for them.
    const sealedA = (await linesOf(masterKey(), first.file))
      .flatMap((line) => (line.kind === "rows" && line.table === "users" ? (line.rows as { org_id: string; id: string; email: string }[]) : []))
      .find((row) => row.org_id === a.organisationId)!;
    await expect(
      inScope(restored.db, { organisationIds: [a.organisationId] }, (trx) => openFor(trx, steward.services.keyring, userPlace(a.organisationId, a.userId, "email"), sealedA.email)),
    ).rejects.toThrow();
    // B's open as before.
    expect(await emailIn(restored, b)).toBe(b.email);
    // The restored database passes the start-up check of its master key.
    await expect(masterKeyForDatabase(restored.db, steward.services.config.masterKey, folder, createLogger("silent"))).resolves.toEqual(masterKey());
  });

  it("refuses a restore with no data keys file, restoring nothing; with --keys it reads the one named", async () => {
    const elsewhere = path.join(folder, "copied");
    mkdirSync(elsewhere);
    const copy = path.join(elsewhere, path.basename(first.file));
    copyFileSync(first.file, copy);
    const restored = await target();
    await expect(restoreBackup(restored, masterKey(), copy)).rejects.toThrow(RestoreRefusedError);
    await expect(restoreBackup(restored, masterKey(), copy)).rejects.toThrow(/There is no data keys file at .*copied.steward-data-keys/);
    const { rows } = await sql<{ present: boolean }>`select to_regclass('public.organisations') is not null as present`.execute(restored.db);
    expect(rows[0]!.present, "refused before anything was made").toBe(false);
    // A data keys file under another name, or another master key, is refused too.
    writeFileSync(path.join(elsewhere, DATA_KEYS_FILE), "not keys");
    await expect(restoreBackup(restored, masterKey(), copy)).rejects.toThrow(/not a Steward data keys file/);

    const summary = await restoreBackup(restored, masterKey(), copy, { dataKeysFile: keysFile() });
    expect(summary).toMatchObject({ keysRestored: 1, keysGone: 1 });
    expect(await emailIn(restored, b)).toBe(b.email);
  });

  it("restores an old-format backup (keys inside it) only with the data keys file, whose keys win: the shredded organisation stays unreadable", async () => {
    const lines = await linesOf(masterKey(), first.file);
    const old = lines.map((line) => {
      if (line.kind === "manifest") return { ...line, format: 1 as const };
      if (line.kind === "rows" && line.table === "organisation_keys") {
        return { ...line, rows: (line.rows as Record<string, unknown>[]).map((row) => ({ ...row, wrapped_key: keysBefore.get(row["org_id"] as string) })) };
      }
      return line;
    });
    const oldFolder = path.join(folder, "old");
    mkdirSync(oldFolder);
    const oldFile = path.join(oldFolder, "steward-old.backup");
    const { header, cipher } = startEncryption(masterKey());
    const body = cipher.update(gzipSync(`${old.map((line) => JSON.stringify(line)).join("\n")}\n`));
    writeFileSync(oldFile, Buffer.concat([header, body, cipher.final(), cipher.getAuthTag()]));

    const restored = await target();
    await expect(restoreBackup(restored, masterKey(), oldFile)).rejects.toThrow(/no data keys file/);
    const summary = await restoreBackup(restored, masterKey(), oldFile, { dataKeysFile: keysFile() });
    expect(summary).toMatchObject({ keysRestored: 1, keysGone: 1, organisationsErased: 1 });
    expect(await restored.db.selectFrom("users").select("id").where("orgId", "=", a.organisationId).execute()).toEqual([]);
    expect(await emailIn(restored, b)).toBe(b.email);
  });

  it("prunes backups older than the keep period (files and rows), keeping newer ones and other files", async () => {
    const unrecorded = path.join(dir, "steward-20200101T000000Z.backup");
    const notes = path.join(dir, "notes.txt");
    writeFileSync(unrecorded, "an old backup, copied back by hand");
    writeFileSync(notes, "not a backup");
    const at = new Date(start.getTime() + 30 * DAY + 12 * 60 * 60_000);
    const third = await rolling(at);
    expect(third.pruned.sort()).toEqual([first.file, unrecorded].sort());
    expect(existsSync(first.file)).toBe(false);
    expect(existsSync(unrecorded)).toBe(false);
    expect(existsSync(second.file)).toBe(true);
    expect(existsSync(third.file)).toBe(true);
    expect(existsSync(notes)).toBe(true);
    expect(existsSync(keysFile())).toBe(true);
    const recorded = await runs();
    expect(recorded.map((run) => [run.fileName, run.prunedAt && new Date(run.prunedAt).toISOString()])).toEqual([
      [first.file, at.toISOString()],
      [second.file, null],
      [third.file, null],
    ]);
    // Run again at the same moment: nothing more to prune, and the rows stay as they were.
    expect(await pruneBackups(steward.services.database.db, dir, { now: at })).toEqual([]);
    expect((await runs())[0]!.prunedAt).toEqual(recorded[0]!.prunedAt);
  });

  it("the server's hourly look takes a backup only once the newest is a day old, and drops a key destroyed meanwhile from the data keys file", async () => {
    const newest = new Date((await runs()).at(-1)!.takenAt);
    steward.clock.set(new Date(newest.getTime() + 60 * 60_000));
    expect(await backUpDaily(steward.services)).toBeUndefined();
    expect(await runs()).toHaveLength(3);

    // B's key destroyed: the next hourly look rewrites the data keys file without it, taking no backup.
    await inScope(steward.services.database.db, { organisationIds: [b.organisationId] }, (trx) => destroyDataKey(trx, b.organisationId, steward.clock.now()));
    steward.clock.set(new Date(newest.getTime() + 2 * 60 * 60_000));
    expect(await backUpDaily(steward.services)).toBeUndefined();
    expect((await readDataKeys(masterKey(), keysFile()))!.size).toBe(0);
    expect(await runs()).toHaveLength(3);

    steward.clock.set(new Date(newest.getTime() + DAY));
    const taken = await backUpDaily(steward.services);
    expect(taken).toBeDefined();
    expect(path.dirname(taken!.file)).toBe(dir);
    expect(await runs()).toHaveLength(4);
    const logs = steward.logs.join("");
    expect(logs).toContain("scheduled backup written");
    expect(logs).toContain("data keys file rewritten");
    for (const personal of [a.email, b.email, a.username, b.username]) {
      expect(logs).not.toContain(personal);
    }
  });

  it.runIf(testEngine === "postgres")("does nothing while another process holds the rolling set's lock (PostgreSQL)", async () => {
    const { rows } = await sql<{ url: string }>`select current_database() as url`.execute(steward.services.database.db);
    const url = new URL(process.env["DATABASE_URL"]!);
    url.pathname = `/${rows[0]!.url}`;
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtextextended('steward rolling backup', 0))`);
      steward.clock.set(new Date(steward.clock.now().getTime() + 3 * DAY));
      expect(await backUpDaily(steward.services)).toBeUndefined();
      await expect(rolling(steward.clock.now())).rejects.toThrow(BackupUnderWayError);
      expect(await runs()).toHaveLength(4);
    } finally {
      await other.end();
    }
    expect(await backUpDaily(steward.services)).toBeDefined();
  });
});
