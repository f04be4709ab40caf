import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../database/schema.ts";
import { open } from "./envelope.ts";
import { wrappingContext } from "./keyring.ts";

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
export function loadMasterKey(given: string | undefined, dataDir: string, logger: Logger, { mayCreate = true }: { mayCreate?: boolean } = {}): Buffer {
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
  if (!mayCreate) {
    throw new MasterKeyRefusedError(
      `Steward cannot start: this database holds personal data encrypted under a master key, and there is none here ` +
        `(STEWARD_MASTER_KEY is not set and ${file} does not exist). A new key would read nothing, so none has been made. ` +
        `Put back the master key you keep apart from the database (as ${file}, or in STEWARD_MASTER_KEY), then start again.`,
    );
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

/** Steward will not start with this master key: it is missing, or is not the one the database was made with. */
export class MasterKeyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MasterKeyRefusedError";
  }
}

/**
 * The master key for this database, refusing to start rather than serve a database it cannot read:
 * no new key is made once the database has organisations, and a key (from either place) that does
 * not unwrap every wrapped data key is refused. Run as the schema owner, like migrations.
 */
export async function masterKeyForDatabase(db: Kysely<Database>, given: string | undefined, dataDir: string, logger: Logger): Promise<Buffer> {
  const [wrapped, organisations] = await Promise.all([
    db.selectFrom("organisationKeys").select(["orgId", "wrappedKey"]).where("wrappedKey", "is not", null).execute(),
    db.selectFrom("organisations").select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow(),
  ]);
  const holdsData = wrapped.length > 0 || Number(organisations.count) > 0;
  const key = loadMasterKey(given, dataDir, logger, { mayCreate: !holdsData });
  const unopened = wrapped.filter((row) => {
    try {
      open(key, row.wrappedKey!, wrappingContext(row.orgId));
      return false;
    } catch {
      return true;
    }
  });
  if (unopened.length > 0) {
    const source = given ? "STEWARD_MASTER_KEY" : path.join(dataDir, MASTER_KEY_FILE);
    throw new MasterKeyRefusedError(
      `Steward cannot start: the master key in ${source} is not the one this database was made with ` +
        `(it opens ${wrapped.length - unopened.length} of ${wrapped.length} organisations' data keys), so nothing encrypted could be read. ` +
        `Nothing has been changed. Use the master key kept for this database, then start again.`,
    );
  }
  return key;
}
