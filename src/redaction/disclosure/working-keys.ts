import { randomBytes } from "node:crypto";
import { access, link, mkdir, open as openFile, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { open, openBytes, seal, sealBytes } from "../../platform/encryption/envelope.ts";
import { JobError } from "../../platform/jobs/jobs.ts";
import type { Services } from "../../platform/services.ts";

/**
 * The working data of a case's disclosure (the originals, their PDFs and text as read, the words
 * each mark would remove, why, and the names of the people listed) is sealed under a key of the
 * case's own, kept in the data folder's `working-keys` folder and never in the database or a
 * backup. Thirty days after the case closes the key is destroyed (see purge.ts), so no copy of
 * that data, in the file store, the database or any backup taken before, can be read again.
 * The cost, said in the README: restoring a backup loses open cases' working data (the key is
 * not in it), though their redacted copies and bundles, sealed under the organisation's key, stay.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type KeyServices = Pick<Services, "config" | "keyring">;

export const workingKeysFolderOf = (config: { dataDir: string }) => path.join(config.dataDir, "working-keys");

function keyFileOf(services: KeyServices, organisationId: string, caseId: string): string {
  // Only UUIDs reach the file system, so no name can climb out of the folder.
  if (!UUID.test(organisationId) || !UUID.test(caseId)) {
    throw new Error("A working key's place must be two UUIDs");
  }
  return path.join(workingKeysFolderOf(services.config), organisationId.toLowerCase(), caseId.toLowerCase());
}

const wrapping = (organisationId: string, caseId: string) => `steward working key ${organisationId.toLowerCase()}/${caseId.toLowerCase()}`;

/** The case's working data can no longer be read: its key was destroyed (or is not on this server, as after a restore). */
export class WorkingDataGone extends JobError {
  override name = "WorkingDataGone";
  constructor() {
    super("This document’s working files are gone (deleted 30 days after the case closed, or not on this server after a restore). Remove it and add it again.");
  }
}

/**
 * The case's working key, made on first use when `create` is set. Wrapped under the master key on
 * disk, so the folder alone opens nothing. Two processes making it at once agree on one: the file
 * is linked into place, never overwritten.
 */
export async function workingKeyOf(services: KeyServices, organisationId: string, caseId: string, { create = false } = {}): Promise<Buffer> {
  const file = keyFileOf(services, organisationId, caseId);
  try {
    return openBytes(services.keyring.masterKey, await readFile(file), wrapping(organisationId, caseId));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw error;
    }
  }
  if (!create) {
    throw new WorkingDataGone();
  }
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString("hex")}.partial`;
  const handle = await openFile(temporary, "wx", 0o600);
  try {
    await handle.writeFile(sealBytes(services.keyring.masterKey, randomBytes(32), wrapping(organisationId, caseId)));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw error;
    }
  } finally {
    await rm(temporary, { force: true });
  }
  const folderHandle = await openFile(folder, "r");
  try {
    await folderHandle.sync();
  } finally {
    await folderHandle.close();
  }
  return workingKeyOf(services, organisationId, caseId);
}

/** Whether the case's working key is on this server. */
export async function hasWorkingKey(services: KeyServices, organisationId: string, caseId: string): Promise<boolean> {
  try {
    await access(keyFileOf(services, organisationId, caseId));
    return true;
  } catch {
    return false;
  }
}

/** Destroys the case's working key: everything sealed under it is unreadable from then on, wherever a copy is. */
export async function destroyWorkingKey(services: KeyServices, organisationId: string, caseId: string): Promise<void> {
  await rm(keyFileOf(services, organisationId, caseId), { force: true });
}

/** Destroys every working key of an organisation whose data is being destroyed. */
export async function destroyWorkingKeysOf(services: KeyServices, organisationId: string): Promise<void> {
  if (!UUID.test(organisationId)) {
    throw new Error("An organisation's working keys are named by its UUID");
  }
  await rm(path.join(workingKeysFolderOf(services.config), organisationId.toLowerCase()), { recursive: true, force: true });
}

/** Every working key on this server, by organisation and case. */
export async function workingKeysOnDisk(services: KeyServices): Promise<{ organisationId: string; caseId: string }[]> {
  const root = workingKeysFolderOf(services.config);
  const keys: { organisationId: string; caseId: string }[] = [];
  for (const organisationId of (await readdir(root).catch(() => [] as string[])).filter((name) => UUID.test(name))) {
    for (const caseId of (await readdir(path.join(root, organisationId)).catch(() => [] as string[])).filter((name) => UUID.test(name))) {
      keys.push({ organisationId, caseId });
    }
  }
  return keys;
}

/** Where a sealed value sits, bound into its seal so it cannot be moved to another place. */
export interface WorkingPlace {
  table: string;
  column: string;
  rowId: string;
}

const placeText = (place: WorkingPlace) => `working ${place.table}/${place.rowId}/${place.column}`;

export const sealWorkingText = (key: Buffer, place: WorkingPlace, value: string): string => seal(key, value, placeText(place));
export const openWorkingText = (key: Buffer, place: WorkingPlace, sealed: string): string => open(key, sealed, placeText(place)).toString("utf8");
export const sealWorkingBytes = (key: Buffer, place: WorkingPlace, value: Uint8Array): Buffer => sealBytes(key, Buffer.from(value), placeText(place));
export const openWorkingBytes = (key: Buffer, place: WorkingPlace, sealed: Buffer): Buffer => openBytes(key, sealed, placeText(place));
