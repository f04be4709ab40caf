import { readFile } from "node:fs/promises";
import type { Config } from "../platform/config.ts";
import { systemClock } from "../platform/clock.ts";
import { databaseLocationOf, openDatabase } from "../platform/database/database.ts";
import { migrateToLatest } from "../platform/database/migrate.ts";
import { createKeyring } from "../platform/encryption/keyring.ts";
import { masterKeyForDatabase } from "../platform/encryption/master-key.ts";
import { UsageError } from "../platform/errors.ts";
import { createLogger } from "../platform/logger.ts";
import { createSmtpMailer } from "../platform/mailer.ts";
import { NonServiceEmailRefused, sendNonServiceEmail, type NonServiceEmail } from "./sending.ts";
import { CONTACT_KINDS, isContactKind } from "./wording.ts";

export const SEND_UPDATE_USAGE = `usage: npm run steward -- send-update --kind ${CONTACT_KINDS.join("|")} --subject "SUBJECT" --body-file FILE`;

/** The command's arguments, read strictly: each option once, nothing else. */
export function readSendUpdateArguments(args: readonly string[]): { kind: NonServiceEmail["kind"]; subject: string; bodyFile: string } {
  const options = new Map<string, string>();
  for (let at = 0; at < args.length; at += 2) {
    const name = args[at]!;
    const value = args[at + 1];
    if (!["--kind", "--subject", "--body-file"].includes(name) || value === undefined || options.has(name)) {
      throw new UsageError(`send-update: ${value === undefined && name.startsWith("--") ? `${name} needs a value` : `unexpected ${JSON.stringify(name)}`}`);
    }
    options.set(name, value);
  }
  const kind = options.get("--kind");
  if (!isContactKind(kind)) {
    throw new UsageError(`send-update: --kind must be one of ${CONTACT_KINDS.join(", ")}`);
  }
  const subject = options.get("--subject");
  const bodyFile = options.get("--body-file");
  if (!subject || !bodyFile) {
    throw new UsageError("send-update: --subject and --body-file are both needed");
  }
  return { kind, subject, bodyFile };
}

/**
 * `steward send-update`: emails news or a survey to everyone who said yes to that kind, through
 * the outbox (Steward's mail sender delivers it: the running server's, or on the embedded
 * database, which a command may open only while Steward is stopped, the next start's). Prints the counts, never an address. Returns the exit code.
 */
export async function sendUpdateCommand(config: Config, args: readonly string[], print: (line: string) => void): Promise<number> {
  const { kind, subject, bodyFile } = readSendUpdateArguments(args);
  let body: string;
  try {
    body = await readFile(bodyFile, "utf8");
  } catch (error) {
    console.error(`${bodyFile}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (!config.smtpUrl) {
    console.error("There is no mail server (SMTP_URL): email beyond the service's own is sent only through one, never held in the outbox");
    return 1;
  }
  const logger = createLogger("warn");
  const database = await openDatabase(databaseLocationOf(config), { purpose: "steward send-update" });
  const mailer = createSmtpMailer(config.smtpUrl, config.mailFrom);
  try {
    await migrateToLatest(database.db);
    const keyring = createKeyring(await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger));
    const counts = await sendNonServiceEmail({ database, clock: systemClock, keyring, mailer, config, logger }, { kind, subject, body });
    print(`OK: ${counts.sent} email(s) of ${kind} queued, ${counts.skipped} account(s) skipped (no yes to ${kind}, withdrawn, unsubscribed, or an address already emailed)`);
    print("Steward's mail sender delivers them: at once if Steward is running on this database, otherwise when it next starts.");
    return 0;
  } catch (error) {
    if (error instanceof NonServiceEmailRefused) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    mailer.close();
    await database.close();
  }
}
