import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { ContactKind } from "../platform/database/schema.ts";
import { blindIndex, type Keyring } from "../platform/encryption/keyring.ts";

/*
 * Unsubscribe links, signed rather than stored: the token is the recipient's organisation and
 * user ids, the kind of email and the keyed hash of the address it was sent to, followed by an
 * HMAC-SHA-256 of all of it (cut to 128 bits) under a key derived from the master key. Nothing is
 * written when an email is sent, a link works for as long as the master key does, and one that
 * has been altered in any way (another kind, another person, another address) fails its check.
 * The address travels only as its keyed hash, so the link itself names nobody, and it still
 * works when the account or the whole organisation is gone: the suppression needs the hash alone.
 */

const VERSION = 1;
const KIND_CODES: Record<ContactKind, number> = { "product-updates": 1, surveys: 2 };
const KIND_OF_CODE = new Map(Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as ContactKind]));
const MAC_BYTES = 16;
/** version, kind, organisation id, user id, address hash. */
const PAYLOAD_BYTES = 1 + 1 + 16 + 16 + 32;
/** The token's length in base64url characters (no padding). */
export const UNSUBSCRIBE_TOKEN_LENGTH = Math.ceil(((PAYLOAD_BYTES + MAC_BYTES) * 4) / 3);
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${UNSUBSCRIBE_TOKEN_LENGTH}}$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UnsubscribeLink {
  kind: ContactKind;
  organisationId: string;
  userId: string;
  /** The keyed hash of the address the email went to (addressIndexOf). */
  addressIndex: string;
}

/** The suppression list's key for an address: a keyed hash of it, trimmed and lower-cased. Never the address. */
export function addressIndexOf(keyring: Keyring, address: string): string {
  return blindIndex(keyring, "email suppression", address.trim().toLowerCase());
}

const linkKeys = new WeakMap<Keyring, Buffer>();

/** The key that signs unsubscribe links, derived from the master key for this purpose alone. */
function linkKeyOf(keyring: Keyring): Buffer {
  let key = linkKeys.get(keyring);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", keyring.masterKey, Buffer.alloc(0), "steward unsubscribe link v1", 32));
    linkKeys.set(keyring, key);
  }
  return key;
}

const uuidBytes = (id: string) => Buffer.from(id.replaceAll("-", ""), "hex");
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const macOf = (keyring: Keyring, payload: Buffer) => createHmac("sha256", linkKeyOf(keyring)).update(payload).digest().subarray(0, MAC_BYTES);

/** The token of one recipient's link for one kind of email. */
export function unsubscribeToken(keyring: Keyring, link: UnsubscribeLink): string {
  const addressHash = Buffer.from(link.addressIndex, "base64url");
  if (!UUID.test(link.organisationId) || !UUID.test(link.userId) || addressHash.length !== 32) {
    throw new Error("An unsubscribe link needs two ids and an address hash");
  }
  const payload = Buffer.concat([Buffer.from([VERSION, KIND_CODES[link.kind]]), uuidBytes(link.organisationId), uuidBytes(link.userId), addressHash]);
  return Buffer.concat([payload, macOf(keyring, payload)]).toString("base64url");
}

/** What a token says, when Steward made it and nothing in it has changed; otherwise undefined. */
export function readUnsubscribeToken(keyring: Keyring, token: unknown): UnsubscribeLink | undefined {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) {
    return undefined;
  }
  const bytes = Buffer.from(token, "base64url");
  // Only the one spelling Steward writes: base64url decoding forgives stray bits in the last character.
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES || bytes.toString("base64url") !== token) {
    return undefined;
  }
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), macOf(keyring, payload))) {
    return undefined;
  }
  const kind = KIND_OF_CODE.get(payload[1]!);
  if (payload[0] !== VERSION || !kind) {
    return undefined;
  }
  return {
    kind,
    organisationId: uuidOf(payload.subarray(2, 18)),
    userId: uuidOf(payload.subarray(18, 34)),
    addressIndex: payload.subarray(34).toString("base64url"),
  };
}
