import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Database } from "../database/schema.ts";
import type { Tx } from "../database/tenant-scope.ts";
import { open, openBytes, seal, sealBytes, UnreadableError } from "./envelope.ts";

/**
 * Envelope encryption. Each organisation has its own random data key, kept in the database only
 * wrapped (sealed) by the master key, which never enters the database. Personal data fields are
 * sealed under their organisation's data key; destroying that key (crypto-shredding) leaves
 * every one of them unreadable.
 */
export interface Keyring {
  readonly masterKey: Buffer;
  /** Keys the blind indexes: equality lookups on encrypted values without storing them. */
  readonly blindIndexKey: Buffer;
}

export function createKeyring(masterKey: Buffer): Keyring {
  return {
    masterKey,
    blindIndexKey: Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "steward blind index v1", 32)),
  };
}

/** What a data key is bound to when wrapped: its organisation. */
export const wrappingContext = (organisationId: string) => `steward data key ${organisationId}`;

/** Data keys already unwrapped in this transaction, so a page of records costs one lookup. */
const unwrapped = new WeakMap<Tx, Map<string, Buffer>>();

/** Unwraps an organisation's data key and keeps it in `caches` for this transaction. */
function unwrapFor(caches: WeakMap<Tx, Map<string, Buffer>>, trx: Tx, keyring: Keyring, organisationId: string, wrappedKey: string): Buffer {
  const key = open(keyring.masterKey, wrappedKey, wrappingContext(organisationId));
  const cache = caches.get(trx) ?? new Map<string, Buffer>();
  cache.set(organisationId, key);
  caches.set(trx, cache);
  return key;
}

/** The organisation's data key, made on first use. Refuses once the key has been destroyed. */
export async function dataKeyOf(trx: Tx, keyring: Keyring, organisationId: string): Promise<Buffer> {
  const known = unwrapped.get(trx)?.get(organisationId);
  if (known) {
    return known;
  }
  // Read first: the key almost always exists, and a read is no write. Made (race-safely) only when absent.
  let row = await trx.selectFrom("organisationKeys").select(["wrappedKey"]).where("orgId", "=", organisationId).executeTakeFirst();
  if (!row) {
    const candidate = randomBytes(32);
    await trx
      .insertInto("organisationKeys")
      .values({ orgId: organisationId, wrappedKey: seal(keyring.masterKey, candidate, wrappingContext(organisationId)) })
      .onConflict((oc) => oc.column("orgId").doNothing())
      .execute();
    row = await trx.selectFrom("organisationKeys").select(["wrappedKey"]).where("orgId", "=", organisationId).executeTakeFirst();
  }
  if (!row?.wrappedKey) {
    throw new UnreadableError("This organisation's data key has been destroyed");
  }
  return unwrapFor(unwrapped, trx, keyring, organisationId, row.wrappedKey);
}

/** Takes several organisations' wrapped data keys read in this transaction with other rows (a session's). */
export function useWrappedDataKeys(trx: Tx, keyring: Keyring, wrappedKeys: ReadonlyMap<string, string>): void {
  for (const [organisationId, wrappedKey] of wrappedKeys) {
    unwrapFor(unwrapped, trx, keyring, organisationId, wrappedKey);
  }
}

/**
 * Wrapped data keys read in an earlier transaction of the same request (the session's), for
 * this one: used only to open values, and unwrapped only when one is opened. Sealing always reads
 * its key in its own transaction, so nothing new is ever sealed under a key destroyed meanwhile.
 */
const readEarlier = new WeakMap<Tx, ReadonlyMap<string, string>>();
const openedFromEarlier = new WeakMap<Tx, Map<string, Buffer>>();

/** Lets this transaction open values with keys its request read earlier (see readEarlier). */
export function useKeysReadEarlier(trx: Tx, wrappedKeys: ReadonlyMap<string, string>): void {
  if (wrappedKeys.size > 0) readEarlier.set(trx, wrappedKeys);
}

/** The key that opens an organisation's values in this transaction. */
async function openingKeyOf(trx: Tx, keyring: Keyring, organisationId: string): Promise<Buffer> {
  const known = unwrapped.get(trx)?.get(organisationId) ?? openedFromEarlier.get(trx)?.get(organisationId);
  if (known) {
    return known;
  }
  const wrappedKey = readEarlier.get(trx)?.get(organisationId);
  return wrappedKey ? unwrapFor(openedFromEarlier, trx, keyring, organisationId, wrappedKey) : dataKeyOf(trx, keyring, organisationId);
}

/**
 * Reads the data keys of several organisations in one query, ahead of opening a page of their
 * records; those that are missing or destroyed are left to dataKeyOf, which makes or refuses them.
 */
export async function readDataKeys(trx: Tx, keyring: Keyring, organisationIds: readonly string[]): Promise<void> {
  const known = unwrapped.get(trx);
  const earlier = readEarlier.get(trx);
  const wanted = [...new Set(organisationIds)].filter((id) => !known?.has(id) && !earlier?.has(id));
  if (wanted.length === 0) {
    return;
  }
  const rows = await trx.selectFrom("organisationKeys").select(["orgId", "wrappedKey"]).where("orgId", "in", wanted).execute();
  for (const row of rows) {
    if (row.wrappedKey) {
      unwrapFor(unwrapped, trx, keyring, row.orgId, row.wrappedKey);
    }
  }
}

/**
 * Where a sealed value lives. It is bound into the ciphertext (as associated data), so a value
 * copied to another organisation, table, row or column does not open there.
 */
export interface SealedPlace {
  organisationId: string;
  table: keyof Database;
  column: string;
  rowId: string;
}

const placeText = (place: SealedPlace) => `${place.organisationId}/${place.table}/${place.rowId}/${place.column}`;

/** Seals a personal data value under its organisation's data key, for one place. */
export async function sealFor(trx: Tx, keyring: Keyring, place: SealedPlace, plaintext: string | Buffer): Promise<string> {
  return seal(await dataKeyOf(trx, keyring, place.organisationId), plaintext, placeText(place));
}

/** Opens a value sealed by sealFor for the same place; throws UnreadableError if its key is gone, or it was altered or moved. */
export async function openFor(trx: Tx, keyring: Keyring, place: SealedPlace, sealed: string): Promise<string> {
  return (await openBytesFor(trx, keyring, place, sealed)).toString("utf8");
}

/** As openFor, for a sealed file: the bytes as they were. */
export async function openBytesFor(trx: Tx, keyring: Keyring, place: SealedPlace, sealed: string): Promise<Buffer> {
  return open(await openingKeyOf(trx, keyring, place.organisationId), sealed, placeText(place));
}

/** Seals a file for one place, as raw bytes: what a file store keeps. */
export async function sealFileFor(trx: Tx, keyring: Keyring, place: SealedPlace, bytes: Buffer): Promise<Buffer> {
  return sealBytes(await dataKeyOf(trx, keyring, place.organisationId), bytes, placeText(place));
}

/** Opens a file sealed by sealFileFor for the same place. */
export async function openFileFor(trx: Tx, keyring: Keyring, place: SealedPlace, sealed: Buffer): Promise<Buffer> {
  return openBytes(await openingKeyOf(trx, keyring, place.organisationId), sealed, placeText(place));
}

/**
 * Crypto-shredding: forgets the organisation's data key for good. The row stays, marked, so the
 * key is never silently remade and old values stay unreadable rather than half-readable.
 */
export async function destroyDataKey(trx: Tx, organisationId: string, at: Date): Promise<void> {
  await trx
    .insertInto("organisationKeys")
    .values({ orgId: organisationId, wrappedKey: null, destroyedAt: at })
    .onConflict((oc) => oc.column("orgId").doUpdateSet({ wrappedKey: null, destroyedAt: at }))
    .execute();
  unwrapped.get(trx)?.delete(organisationId);
}

/**
 * A keyed hash of a normalised value, for finding a row by a value that is stored only sealed
 * (an email address at sign-in). `purpose` keeps indexes of different fields apart.
 */
export function blindIndex(keyring: Keyring, purpose: string, value: string): string {
  return createHmac("sha256", keyring.blindIndexKey).update(`${purpose}\u0000${value}`).digest("base64url");
}
