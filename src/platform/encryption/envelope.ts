import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/*
 * AES-256-GCM sealing. A sealed value is "v1." + base64url(iv | tag | ciphertext). The
 * associated data binds it to where it belongs (an organisation), so a value copied into another
 * organisation's row does not open.
 */
const VERSION = "v1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class UnreadableError extends Error {
  constructor(message = "The value cannot be decrypted: its key is gone or it has been altered") {
    super(message);
    this.name = "UnreadableError";
  }
}

export function seal(key: Buffer, plaintext: Buffer | string, associatedData: string): string {
  return VERSION + sealBytes(key, plaintext, associatedData).toString("base64url");
}

export function open(key: Buffer, sealed: string, associatedData: string): Buffer {
  if (!sealed.startsWith(VERSION)) {
    throw new UnreadableError("The value is not in a format Steward seals");
  }
  return openBytes(key, Buffer.from(sealed.slice(VERSION.length), "base64url"), associatedData);
}

/** As seal, as raw bytes (iv | tag | ciphertext) rather than text: for files, kept outside the database. */
export function sealBytes(key: Buffer, plaintext: Buffer | string, associatedData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens what sealBytes sealed (a v1 value's bytes are the same, base64url-decoded). */
export function openBytes(key: Buffer, bytes: Buffer, associatedData: string): Buffer {
  if (bytes.length < IV_BYTES + TAG_BYTES) {
    throw new UnreadableError();
  }
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new UnreadableError();
  }
}
