import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesFolderOf } from "../lifecycle/backup.ts";
import { readBackupLines, restoreBackup } from "../lifecycle/restore.ts";
import { DATA_KEYS_FILE, readDataKeys } from "../lifecycle/data-keys.ts";
import { writeRollingBackup } from "../lifecycle/rolling.ts";
import type { StewardDatabase } from "../platform/database/database.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { openFor } from "../platform/encryption/keyring.ts";
import { folderFileStore } from "../platform/files/file-store.ts";
import { buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { openTestDatabase, testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { advanceLicences } from "./licences.ts";

/**
 * The promise at the end of a licence: once its data is destroyed, no backup Steward made can
 * give it back. A backup taken before a school's deletion, restored into a scratch database after
 * it (with the data keys file as the next backup left it), holds that school's rows but opens
 * none of them, and opens every other licence's as before.
 */
describe(`a backup from before a licence's destruction (${testEngine})`, () => {
  let steward: TestSteward;
  let folder: string;
  let restored: StewardDatabase | undefined;
  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "steward-shred-backup-"));
    steward = await startTestSteward();
    steward.clock.set("2027-03-01T09:00:00Z");
  });
  afterAll(async () => {
    await restored?.close();
    await steward.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("cannot be read for the destroyed licence, and reads every other", async () => {
    const leaving = await buildLicence(steward.services);
    const staying = await buildLicence(steward.services);
    const dir = path.join(folder, "backups");
    const masterKey = steward.services.keyring.masterKey;
    const backUp = () => writeRollingBackup(steward.services.database, masterKey, dir, { now: steward.clock.now(), filesFolder: filesFolderOf(steward.services.config) });
    const before = await backUp();

    // The school leaves: its owner asks for the deletion, and the cooling-off runs out.
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(leaving.username);
    await owner.get("/licence/delete");
    expect((await owner.post("/licence/delete", { confirmName: leaving.name })).statusCode).toBe(303);
    steward.clock.advance({ hours: 7 * 24, minutes: 1 });
    await advanceLicences(steward.services);
    expect((await steward.services.database.db.selectFrom("licences").select("state").where("orgId", "=", leaving.organisationId).executeTakeFirstOrThrow()).state).toBe("ended");
    steward.clock.advance({ hours: 24 });
    await backUp();

    restored = await openTestDatabase();
    const summary = await restoreBackup(restored, masterKey, before.file, { files: folderFileStore(path.join(folder, `files-${randomUUID()}`)) });
    expect(summary).toMatchObject({ keysGone: 1, organisationsErased: 1 });
    // Its rows, which nothing could open, are taken out again, as its destruction had; its licence shows as ended.
    expect(await restored.db.selectFrom("users").select("id").where("orgId", "=", leaving.organisationId).execute()).toEqual([]);
    expect((await restored.db.selectFrom("licences").select("state").where("orgId", "=", leaving.organisationId).executeTakeFirstOrThrow()).state).toBe("ended");
    // And its sealed values, as the backup file itself holds them, open nowhere.
    const sealed: { id: string; email: string }[] = [];
    await readBackupLines(masterKey, before.file, async (line) => {
      if (line.kind === "rows" && line.table === "users") {
        sealed.push(...(line.rows as { org_id: string; id: string; email: string }[]).filter((row) => row.org_id === leaving.organisationId));
      }
    });
    expect(sealed).toHaveLength(1);
    await expect(
      inScope(restored.db, { organisationIds: [leaving.organisationId] }, (trx) =>
        openFor(trx, steward.services.keyring, { organisationId: leaving.organisationId, table: "users", column: "email", rowId: sealed[0]!.id }, sealed[0]!.email),
      ),
    ).rejects.toThrow();
    // Nor could they anywhere: the backup holds no key, and the data keys file no longer holds this one.
    expect((await readDataKeys(masterKey, path.join(dir, DATA_KEYS_FILE)))!.has(leaving.organisationId)).toBe(false);
    const emailIn = (licence: typeof leaving) =>
      inScope(restored!.db, { organisationIds: [licence.organisationId] }, async (trx) => {
        const user = await trx.selectFrom("users").select(["email"]).where("orgId", "=", licence.organisationId).where("id", "=", licence.userId).executeTakeFirstOrThrow();
        return openFor(trx, steward.services.keyring, { organisationId: licence.organisationId, table: "users", column: "email", rowId: licence.userId }, user.email);
      });
    expect(await emailIn(staying)).toBe(staying.email);
  });
});
