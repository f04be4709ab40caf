import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import { openDataKeys, sealDataKeys } from "./backup-format.ts";

/**
 * The data keys file: one file beside the backups, `steward-data-keys`, holding the wrapped data
 * key of every organisation whose key has not been destroyed, encrypted under the master key.
 * Backups hold no data key, so a backup is read only with this file, and every backup replaces
 * it (atomically: written aside, synced, renamed over the old one), never keeping an old copy.
 * Once an organisation's key is destroyed, the next backup (or the server's hourly look, see
 * rolling.ts) writes a file without it, and from then on no backup can be read for it.
 */
export const DATA_KEYS_FILE = "steward-data-keys";

/** The data keys file a backup is written beside, and read with by default. */
export const dataKeysFileBeside = (backupFile: string) => path.join(path.dirname(backupFile), DATA_KEYS_FILE);

/**
 * Replaces the data keys file with the keys as they are now. The keys are read under a share lock
 * held until the new file is in place, so a key destroyed meanwhile waits and is never written
 * after its destruction; writers take turns (an advisory lock), so the last file written is the
 * newest state. Run as the schema owner, with no transaction open on the handle.
 */
export async function writeDataKeys(db: Kysely<Database>, masterKey: Buffer, file: string, { now = new Date() }: { now?: Date } = {}): Promise<{ keys: number }> {
  const folder = path.dirname(file);
  const partialPrefix = `${path.basename(file)}.`;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended('steward data keys file', 0))`.execute(trx);
    const keys = await trx
      .selectFrom("organisationKeys")
      .select(["orgId", "wrappedKey"])
      .where("wrappedKey", "is not", null)
      .orderBy("orgId")
      .forShare()
      .execute();
    // A file half written by a run that stopped is an old copy of the keys: it goes first.
    for (const name of await readdir(folder)) {
      if (name.startsWith(partialPrefix) && name.endsWith(".partial")) {
        await rm(path.join(folder, name), { force: true });
      }
    }
    const partial = path.join(folder, `${partialPrefix}${randomBytes(6).toString("hex")}.partial`);
    const bytes = sealDataKeys(masterKey, {
      kind: "steward-data-keys",
      format: 1,
      writtenAt: now.toISOString(),
      keys: keys.map((key) => ({ orgId: key.orgId, wrappedKey: key.wrappedKey! })),
    });
    const out = await open(partial, "wx", 0o600);
    try {
      await out.write(bytes);
      await out.sync();
      await out.close();
      await rename(partial, file);
    } catch (error) {
      await out.close().catch(() => {});
      await rm(partial, { force: true });
      throw error;
    }
    await syncFolder(folder);
    return { keys: keys.length };
  });
}

/** The wrapped data keys a data keys file holds, by organisation; undefined when there is no such file. */
export async function readDataKeys(masterKey: Buffer, file: string): Promise<Map<string, string> | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw error;
  }
  return new Map(openDataKeys(masterKey, bytes).keys.map((key) => [key.orgId, key.wrappedKey]));
}

/** True when the data keys file is missing, or holds a key that is no longer its organisation's (destroyed since). */
export async function dataKeysFileIsStale(db: Kysely<Database>, masterKey: Buffer, file: string): Promise<boolean> {
  const held = await readDataKeys(masterKey, file);
  if (!held) {
    return true;
  }
  if (held.size === 0) {
    return false;
  }
  const live = await db.selectFrom("organisationKeys").select(["orgId", "wrappedKey"]).where("orgId", "in", [...held.keys()]).execute();
  const current = new Map(live.map((row) => [row.orgId, row.wrappedKey]));
  return [...held].some(([orgId, wrappedKey]) => current.get(orgId) !== wrappedKey);
}

/** Makes a rename in the folder durable (where the platform allows a folder to be synced). */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r").catch(() => undefined);
  try {
    await handle?.sync();
  } catch {
    // Some platforms and file systems cannot sync a folder: the rename is then as durable as they make it.
  } finally {
    await handle?.close();
  }
}
