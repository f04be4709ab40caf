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
 * The JSON lines, in order: one manifest; then per table a header and its rows (in an order that
 * satisfies every foreign key); then the sequences' values; then the file store's files; then an end line. A file without the
 * end line, or whose tag does not verify, is refused as a whole.
 */
export const MAGIC = Buffer.from("STEWARDBK1", "ascii");
const SALT_BYTES = 16;
const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = MAGIC.length + SALT_BYTES + IV_BYTES;
export const FORMAT_VERSION = 1;

export interface Manifest {
  kind: "manifest";
  format: typeof FORMAT_VERSION;
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

/** A fresh header and the cipher that goes with it. */
export function startEncryption(masterKey: Buffer): { header: Buffer; cipher: CipherGCM } {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([MAGIC, salt, iv]);
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
export function startDecryption(masterKey: Buffer, header: Buffer, tag: Buffer): DecipherGCM {
  if (header.length !== HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new NotABackupError("This file is not a Steward backup");
  }
  const salt = header.subarray(MAGIC.length, MAGIC.length + SALT_BYTES);
  const iv = header.subarray(MAGIC.length + SALT_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", backupKey(masterKey, salt), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  return decipher;
}
