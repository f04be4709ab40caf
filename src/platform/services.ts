import type { Logger } from "pino";
import type { Mailer } from "./mailer.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { StewardDatabase } from "./database/database.ts";
import type { Keyring } from "./encryption/keyring.ts";
import type { FileStore } from "./files/file-store.ts";

/** What every adapter (routes, CLI, jobs) hands to domain code: built once at start-up. */
export interface Services {
  config: Config;
  logger: Logger;
  database: StewardDatabase;
  clock: Clock;
  /** Absent when no SMTP server is configured: email then waits in the outbox. */
  mailer: Mailer | undefined;
  /** Key for CSRF tokens, shared by every app process through the database. */
  csrfKey: Buffer;
  /** Seals and opens personal data under each organisation's data key. */
  keyring: Keyring;
  /** Attachments' sealed bytes, kept outside the database (a folder in STEWARD_DATA_DIR). */
  files: FileStore;
}
