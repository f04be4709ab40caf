import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChains } from "../audit/audit.ts";
import { loadConfig } from "../platform/config.ts";
import type { StewardDatabase } from "../platform/database/database.ts";
import { folderFileStore } from "../platform/files/file-store.ts";
import { createLogger } from "../platform/logger.ts";
import { createSteward } from "../steward.ts";
import { buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { openTestDatabase, testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { NotABackupError } from "./backup-format.ts";
import { filesFolderOf, writeBackup } from "./backup.ts";
import { DATA_KEYS_FILE, readDataKeys } from "./data-keys.ts";
import { readBackupLines, restoreBackup, RestoreRefusedError } from "./restore.ts";
import { quoteIdentifier, tablesInDependencyOrder } from "./tables.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every table, read as text
type AnyDb = Kysely<any>;

/** Every row of every table, as PostgreSQL's own text of it, sorted: two databases with the same rows give the same. */
async function everyRow(db: AnyDb): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {};
  for (const table of await tablesInDependencyOrder(db)) {
    const { rows } = await sql<{ r: string }>`select row_to_json(t)::text as r from ${sql.raw(quoteIdentifier(table.name))} t`.execute(db);
    all[table.name] = rows.map((row) => row.r).sort();
  }
  return all;
}

async function sequences(db: AnyDb) {
  const { rows } = await sql<{ name: string; value: string | null }>`select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public' order by 1`.execute(db);
  return rows;
}

describe(`backup and restore (${testEngine})`, () => {
  let source: TestSteward;
  let folder: string;
  let file: string;
  let owner: string;
  let caseReference: string;
  const storedFile = { organisationId: randomUUID(), id: randomUUID() };
  const sealedBytes = randomBytes(5000);
  const restoredFiles = () => folderFileStore(path.join(folder, `files-${randomUUID()}`));
  const targets: StewardDatabase[] = [];
  const target = async () => {
    const database = await openTestDatabase();
    targets.push(database);
    return database;
  };

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "steward-backup-"));
    file = path.join(folder, "steward.backup");
    source = await startTestSteward();
    const licence = await buildLicence(source.services, { organisationKind: "trust" });
    owner = licence.username;
    const agent = new TestAgent(source.app, source.clock);
    await agent.signIn(owner);
    await agent.get("/schools/new");
    expect((await agent.post("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" })).statusCode).toBe(303);
    const organisationId = /<option value="([^"]+)"[^>]*selected/.exec((await agent.get("/users/new")).body)?.[1] ?? licence.organisationId;
    for (const i of [1, 2]) {
      await agent.get("/cases/new");
      const logged = await agent.post("/cases", {
        organisationId, type: "sar", receivedOn: `2026-11-0${i}`, receivedTime: "", channel: "email",
        requesterName: `Requester ${i}`, requesterContact: "", subjectKind: "requester", subjectName: "", summary: `Request ${i}`,
      });
      expect(logged.statusCode).toBe(303);
      caseReference = /([A-Z]+-)?SAR-\d{4}-\d{4}/.exec((await agent.get(logged.headers.location!)).body)![0];
    }
    // A file in the attachments' store (sealed bytes, as the store keeps them).
    await source.services.files.put(storedFile, sealedBytes);
  });
  afterAll(async () => {
    await Promise.all(targets.map((database) => database.close()));
    await source.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("restores every row, the sequences, an unbroken audit trail and sign-in into an empty database", async () => {
    const summary = await writeBackup(source.services.database, source.services.keyring.masterKey, file, { filesFolder: filesFolderOf(source.services.config) });
    expect(summary.rows).toBeGreaterThan(20);
    expect(summary.files).toBe(1);
    // Encrypted as a whole: no name, username or reference can be read from the file.
    const bytes = readFileSync(file);
    for (const known of [owner, "Elm Academy", "Requester 1", caseReference, "organisations"]) {
      expect(bytes.includes(Buffer.from(known))).toBe(false);
    }
    // Decrypted, it holds no data key: they are in the data keys file beside it.
    const { rows: keys } = await sql<{ orgId: string; wrappedKey: string }>`select org_id, wrapped_key from organisation_keys`.execute(source.services.database.db);
    expect(keys.length).toBeGreaterThan(0);
    expect(summary).toMatchObject({ dataKeysFile: path.join(folder, DATA_KEYS_FILE), dataKeys: keys.length });
    let text = "";
    await readBackupLines(source.services.keyring.masterKey, file, async (line) => {
      text += JSON.stringify(line);
    });
    expect(text).toContain('"table":"organisation_keys"');
    for (const key of keys) {
      expect(text.includes(key.wrappedKey)).toBe(false);
    }
    expect(Object.fromEntries((await readDataKeys(source.services.keyring.masterKey, summary.dataKeysFile))!)).toEqual(
      Object.fromEntries(keys.map((key) => [key.orgId, key.wrappedKey])),
    );

    const restored = await target();
    const files = restoredFiles();
    // The data keys file beside the backup gives every organisation its key back.
    expect(await restoreBackup(restored, source.services.keyring.masterKey, file, { files })).toMatchObject({ files: 1, keysRestored: keys.length, keysGone: 0 });
    expect(await files.get(storedFile)).toEqual(sealedBytes);
    const before = await everyRow(source.services.database.db);
    expect(await everyRow(restored.db)).toEqual(before);
    expect(before["organisations"]).toHaveLength(2);
    expect(before["cases"]).toHaveLength(2);
    expect(await sequences(restored.db)).toEqual(await sequences(source.services.database.db));
    const audit = await verifyAuditChains(restored.db);
    expect(audit.breaks).toEqual([]);
    expect(audit.events).toBe((await verifyAuditChains(source.services.database.db)).events);

    // A Steward on the restored database: the owner signs in (two-factor too), sees the cases and logs another.
    const steward = await createSteward({
      config: loadConfig({ PORT: "0", STEWARD_DATA_DIR: folder, PUBLIC_URL: "http://steward.test", STEWARD_MASTER_KEY: source.services.config.masterKey! }),
      logger: createLogger("silent"),
      clock: source.clock,
      database: restored,
      mailIntervalMs: 0,
      housekeepingIntervalMs: 0,
      reminderIntervalMs: 0,
    });
    targets.splice(targets.indexOf(restored), 1); // the restored Steward closes it
    try {
      source.clock.advance({ minutes: 1 });
      const agent = new TestAgent(steward.app, source.clock);
      expect((await agent.signIn(owner)).statusCode).toBeLessThan(400);
      expect((await agent.get("/cases")).body).toContain(caseReference);
      await agent.get("/cases/new");
      const organisationId = /<option value="([^"]+)"[^>]*selected/.exec((await agent.get("/users/new")).body)?.[1];
      const another = await agent.post("/cases", {
        organisationId: organisationId!, type: "sar", receivedOn: "2026-11-03", receivedTime: "", channel: "email",
        requesterName: "Requester 3", requesterContact: "", subjectKind: "requester", subjectName: "", summary: "Request 3",
      });
      expect(another.statusCode).toBe(303);
      expect((await verifyAuditChains(steward.services.database.db)).breaks).toEqual([]);
    } finally {
      await steward.close();
    }
  });

  it("refuses a target that already holds organisations, and changes nothing there", async () => {
    await expect(restoreBackup(source.services.database, source.services.keyring.masterKey, file)).rejects.toThrow(RestoreRefusedError);
    await expect(restoreBackup(source.services.database, source.services.keyring.masterKey, file)).rejects.toThrow(/not empty \(it holds 2 organisation/);
  });

  it("refuses an altered backup, or one under another master key, restoring nothing", async () => {
    const altered = path.join(folder, "altered.backup");
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(altered, bytes);
    const restored = await target();
    await expect(restoreBackup(restored, source.services.keyring.masterKey, altered)).rejects.toThrow(NotABackupError);
    await expect(restoreBackup(restored, randomBytes(32), file)).rejects.toThrow(/altered or cut short, or it was made under another master key/);
    // Either no schema at all (the file failed at its first bytes) or the schema with no rows.
    const { rows } = await sql<{ present: boolean }>`select to_regclass('public.organisations') is not null as present`.execute(restored.db);
    if (rows[0]!.present) {
      const { rows: counted } = await sql<{ count: number }>`select count(*)::int as count from organisations`.execute(restored.db);
      expect(counted[0]!.count).toBe(0);
    }
    // Still empty, so the right file then restores.
    await restoreBackup(restored, source.services.keyring.masterKey, file, { files: restoredFiles() });
    expect(await everyRow(restored.db)).toEqual(await everyRow(source.services.database.db));
  });
});
