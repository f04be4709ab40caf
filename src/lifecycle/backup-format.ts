import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type CipherGCM, type DecipherGCM } from "node:crypto";

/**
 * A Steward backup file: one logical copy of the whole database, encrypted.
 *
 *   "STEWARDBK1" | salt (16) | iv (12) | AES-256-GCM( gzip( JSON lines ) ) | tag (16)
 *
 * The key is derived from the master key (HKDF-SHA-256 with the file's own salt), and the header
 * is bound in as associated data. The rows inside still hold personal data only sealed under data
 * keys that are themselves only wrapped by the master key: without the master key, a backup is
 * noise. So the master key must never be stored with the backups.
 *
 * Since format 2 a backup holds no data key at all: its organisation_keys rows keep their
 * organisation and dates, with wrapped_key left out. The wrapped keys of every organisation whose
 * key still exists are kept apart, in one data keys file beside the backups (keys.ts), which
 * every backup replaces: once an organisation's key is destroyed (crypto-shredding) and the next
 * backup has replaced that file, no backup, however old, can be read for it.
 *
 * The JSON lines, in order: one manifest; then per table a header and its rows (in an order that
 * satisfies every foreign key); then the sequences' values; then the file store's files; then an end line. A file without the
 * end line, or whose tag does not verify, is refused as a whole.
 */
export const MAGIC = Buffer.from("STEWARDBK1", "ascii");
const SALT_BYTES = 16;
const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = MAGIC.length + SALT_BYTES + IV_BYTES;
/** 1: the data keys inside the backup (still restored, but only with a data keys file, whose keys win); 2: the data keys apart. */
export const FORMAT_VERSION = 2;

export interface Manifest {
  kind: "manifest";
  format: 1 | typeof FORMAT_VERSION;
  createdAt: string;
  /** The engine it was taken from: a backup restores into either. */
  engine: "pglite" | "postgres";
  /** Every migration the database had run, in order: the schema the rows fit. */
  migrations: string[];
  tables: string[];
}
export interface TableStart {
  kind: "table";
  table: string;
  rows: number;
}
/** Rows as PostgreSQL's row_to_json wrote them; read back with json_populate_recordset. */
export interface Rows {
  kind: "rows";
  table: string;
  rows: unknown[];
}
export interface Sequences {
  kind: "sequences";
  values: { name: string; lastValue: string | null }[];
}
/** One file of the attachments' file store (already sealed under its organisation's key), base64. */
export interface StoredFile {
  kind: "file";
  organisationId: string;
  id: string;
  bytes: string;
}
export interface End {
  kind: "end";
  rows: number;
  files?: number;
}
export type BackupLine = Manifest | TableStart | Rows | Sequences | StoredFile | End;

function backupKey(masterKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, salt, "steward backup v1", 32));
}

/** A fresh header and the cipher that goes with it; `magic` tells a data keys file from a backup (it is bound in with the header). */
export function startEncryption(masterKey: Buffer, magic: Buffer = MAGIC): { header: Buffer; cipher: CipherGCM } {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([magic, salt, iv]);
  const cipher = createCipheriv("aes-256-gcm", backupKey(masterKey, salt), iv);
  cipher.setAAD(header);
  return { header, cipher };
}

export class NotABackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotABackupError";
  }
}

/** The decipher for a file's header and tag; its final() throws if anything was altered or the key is wrong. */
export function startDecryption(masterKey: Buffer, header: Buffer, tag: Buffer, magic: Buffer = MAGIC): DecipherGCM {
  if (header.length !== HEADER_BYTES || !header.subarray(0, magic.length).equals(magic)) {
    throw new NotABackupError(magic === MAGIC ? "This file is not a Steward backup" : "This file is not a Steward data keys file");
  }
  const salt = header.subarray(MAGIC.length, MAGIC.length + SALT_BYTES);
  const iv = header.subarray(MAGIC.length + SALT_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", backupKey(masterKey, salt), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  return decipher;
}

/**
 * The data keys file: "STEWARDKY1" | salt | iv | AES-256-GCM( JSON ) | tag, under the same key
 * derivation as a backup. It holds each organisation's data key still wrapped by the master key,
 * for the organisations whose key has not been destroyed, and nothing else.
 */
export const KEYS_MAGIC = Buffer.from("STEWARDKY1", "ascii");

export interface DataKeys {
  kind: "steward-data-keys";
  format: 1;
  writtenAt: string;
  keys: { orgId: string; wrappedKey: string }[];
}

export function sealDataKeys(masterKey: Buffer, content: DataKeys): Buffer {
  const { header, cipher } = startEncryption(masterKey, KEYS_MAGIC);
  const body = Buffer.concat([cipher.update(JSON.stringify(content), "utf8"), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Throws NotABackupError if the bytes are not a data keys file under this master key, whole. */
export function openDataKeys(masterKey: Buffer, bytes: Buffer): DataKeys {
  if (bytes.length < HEADER_BYTES + TAG_BYTES) {
    throw new NotABackupError("This file is not a Steward data keys file: it is too short");
  }
  const decipher = startDecryption(masterKey, bytes.subarray(0, HEADER_BYTES), bytes.subarray(bytes.length - TAG_BYTES), KEYS_MAGIC);
  let text: string;
  try {
    text = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new NotABackupError("The data keys file cannot be read: it was altered, or it was written under another master key");
  }
  const content = JSON.parse(text) as DataKeys;
  if (content.kind !== "steward-data-keys" || content.format !== 1 || !Array.isArray(content.keys)) {
    throw new NotABackupError("This file is not a data keys file this Steward can read");
  }
  return content;
}
