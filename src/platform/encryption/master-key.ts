import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";

export const MASTER_KEY_FILE = "master.key";

/** Reads a base64 master key and insists on exactly 32 bytes (AES-256). */
export function parseMasterKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new Error(`The master key in ${source} must be 32 bytes, base64-encoded (openssl rand -base64 32)`);
  }
  return key;
}

/**
 * The key that wraps every organisation's data key. From STEWARD_MASTER_KEY when set (production:
 * keep it in a secret store, away from database backups); otherwise from a file in the data
 * folder, made on first start. Losing it makes every encrypted field unreadable.
 */
export function loadMasterKey(given: string | undefined, dataDir: string, logger: Logger): Buffer {
  if (given) {
    return parseMasterKey(given, "STEWARD_MASTER_KEY");
  }
  const file = path.join(dataDir, MASTER_KEY_FILE);
  try {
    return parseMasterKey(readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw error;
    }
  }
  mkdirSync(dataDir, { recursive: true });
  // "wx": if another process made the file a moment ago, fail rather than overwrite its key.
  writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  logger.warn(
    { file },
    "NEW MASTER KEY CREATED. Every organisation's personal data is encrypted under it. Back it up apart from the database, " +
      "or set STEWARD_MASTER_KEY in production: without it, encrypted data cannot be read.",
  );
  return parseMasterKey(readFileSync(file, "utf8"), file);
}
