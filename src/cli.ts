/**
 * `npm run steward -- <command>`: operator commands, thin adapters over domain functions.
 *   audit verify   re-computes every organisation's audit chain; exits 1 naming the first broken link
 *   deadline …     prints the legal deadline for a case as JSON (no database needed)
 *   detect …       prints suggestions of personal data to remove from text, as JSON (no database needed)
 *   redact IN OUT  redacts a PDF: detects, applies, verifies, prints a JSON summary (no database needed)
 *   evaluate-detection   detection's precision, recall and F2 on synthetic school documents or a gold set
 *   evaluate-notices   the privacy-notice reader's precision and recall per fact kind on labelled notices
 *   bank-holidays import FILE   loads GOV.UK's bank-holidays.json over the built-in years it covers
 *   backup FILE    writes one consistent, encrypted backup of the whole database (and the data keys file beside it)
 *   backup --rolling DIR   a backup into the rolling set in DIR; deletes those older than STEWARD_BACKUP_KEEP_DAYS
 *   restore FILE [--keys FILE]   restores a backup (with its data keys file) into an empty data folder or database
 *   storage limit ORGANISATION SIZE   sets the storage limit of the organisation's licence
 *   operator create --email ADDRESS   makes an operator account (password from STEWARD_OPERATOR_PASSWORD or standard input)
 * It opens the same database as `npm start` (DATABASE_URL, or PGlite in STEWARD_DATA_DIR). PGlite
 * allows one process at a time on a data folder, so a command is refused while Steward runs on it
 * (except backup, which the running server writes). Each command loads only the code it needs.
 */
import { readFile } from "node:fs/promises";
import { loadConfig } from "./platform/config.ts";

const STORAGE_USAGE = "       npm run steward -- storage limit ORGANISATION-ID-OR-NAME SIZE (such as 2GB)";
const USAGE = `usage: npm run steward -- audit verify
       npm run steward -- bank-holidays import FILE (GOV.UK's bank-holidays.json)
       npm run steward -- backup FILE | --rolling DIR
       npm run steward -- restore FILE [--keys DATA-KEYS-FILE] (into an empty data folder or database)
       npm run steward -- deadline TYPE RECEIVED [--nation NATION] [--school-days FILE]
       npm run steward -- detect [--known-people "Name;Name"] [FILE] | --jsonl FILE
       npm run steward -- redact IN.pdf OUT.pdf [--known-people "Name;Name"]
       npm run steward -- evaluate-detection [--seed N] [--documents N] [--write FILE] | --gold FILE
       npm run steward -- evaluate-notices [--notices DIR]
       npm run steward -- send-update --kind product-updates|surveys --subject "SUBJECT" --body-file FILE
       npm run steward -- operator create --email ADDRESS (password from STEWARD_OPERATOR_PASSWORD, or asked for)
${STORAGE_USAGE}`;

async function main(args: string[]): Promise<number> {
  const [area, command] = args;
  if (area === "deadline") {
    const { DEADLINE_USAGE, deadlineCommand } = await import("./calendar/deadline-command.ts");
    return withUsage(DEADLINE_USAGE, async () => {
      console.log(await deadlineCommand(args.slice(1)));
      return 0;
    });
  }
  if (area === "detect") {
    const { DETECT_USAGE, detectCommand } = await import("./redaction/detect-command.ts");
    return withUsage(DETECT_USAGE, async () => {
      await detectCommand(args.slice(1), (line) => process.stdout.write(`${line}\n`), readStandardInput);
      return 0;
    });
  }
  if (area === "evaluate-detection") {
    const { EVALUATE_USAGE, evaluateCommand } = await import("./redaction/evaluation/evaluate-command.ts");
    return withUsage(EVALUATE_USAGE, () => evaluateCommand(args.slice(1), console.log));
  }
  if (area === "evaluate-notices") {
    const { EVALUATE_NOTICES_USAGE, evaluateNoticesCommand } = await import("./registers/notice-reader/evaluate-notices.ts");
    return withUsage(EVALUATE_NOTICES_USAGE, () => evaluateNoticesCommand(args.slice(1), console.log));
  }
  if (area === "redact") {
    const { REDACT_USAGE, redactCommand } = await import("./redaction/redact-command.ts");
    return withUsage(REDACT_USAGE, () => redactCommand(args.slice(1), (line) => process.stdout.write(`${line}\n`)));
  }
  if (area === "bank-holidays" && command === "import" && args[2]) {
    return importBankHolidaysCommand(args[2]);
  }
  if (area === "backup" && command === "--rolling" && args.length === 3) {
    const { rollingBackupCommand } = await import("./lifecycle/commands.ts");
    return rollingBackupCommand(loadConfig(), args[2]!, console.log);
  }
  if (area === "backup" && command && !command.startsWith("--") && args.length === 2) {
    const { backupCommand } = await import("./lifecycle/commands.ts");
    return backupCommand(loadConfig(), command, console.log);
  }
  if (area === "restore" && command && !command.startsWith("--") && (args.length === 2 || (args.length === 4 && args[2] === "--keys"))) {
    const { restoreCommand } = await import("./lifecycle/commands.ts");
    return restoreCommand(loadConfig(), command, console.log, { keys: args[3] });
  }
  if (area === "audit" && command === "verify") {
    return auditVerifyCommand();
  }
  if (area === "operator") {
    const { OPERATOR_USAGE, operatorCommand, readOperatorPassword } = await import("./operator/operator-command.ts");
    return withUsage(OPERATOR_USAGE, () =>
      operatorCommand(args.slice(1), { openDatabase: openConfiguredDatabase, readPassword: readOperatorPassword, print: console.log, printError: console.error }),
    );
  }
  if (area === "send-update") {
    const { SEND_UPDATE_USAGE, sendUpdateCommand } = await import("./contact/send-command.ts");
    return withUsage(SEND_UPDATE_USAGE, () => sendUpdateCommand(loadConfig(), args.slice(1), console.log));
  }
  if (area === "storage" && command === "limit" && args.length === 4) {
    return storageLimitCommand(args[2]!, args[3]!);
  }
  console.error(USAGE);
  return 2;
}

/** Runs a command; a usage mistake prints its message and the command's usage, and exits 2. */
async function withUsage(usage: string, command: () => Promise<number>): Promise<number> {
  const { UsageError } = await import("./platform/errors.ts");
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage}`);
      return 2;
    }
    throw error;
  }
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function openConfiguredDatabase(purpose: string) {
  const [{ databaseLocationOf, openDatabase }, { migrateToLatest }] = await Promise.all([
    import("./platform/database/database.ts"),
    import("./platform/database/migrate.ts"),
  ]);
  const database = await openDatabase(databaseLocationOf(loadConfig()), { purpose });
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function auditVerifyCommand(): Promise<number> {
  const { sealAuditTrail, verifyAuditChains } = await import("./audit/audit.ts");
  const database = await openConfiguredDatabase("steward audit verify");
  try {
    // Events a stopped server left waiting are sealed first (as the server would), so every committed event is checked.
    const sealed = await sealAuditTrail(database.db);
    if (sealed > 0) {
      console.log(`sealed ${sealed} event(s) that were waiting for their place in the chain`);
    }
    const report = await verifyAuditChains(database.db);
    for (const broken of report.breaks) {
      console.log(`BROKEN organisation ${broken.organisationId}: event ${broken.seq} ${broken.reason}`);
    }
    console.log(
      `${report.breaks.length === 0 ? "OK" : "FAILED"}: ${report.events} events in ${report.organisations} organisations checked, ${report.breaks.length} broken chain(s)`,
    );
    return report.breaks.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

/** Loads a published bank-holidays.json; every open case's deadline is then worked out again. */
async function importBankHolidaysCommand(file: string): Promise<number> {
  const [{ readGovUkBankHolidays }, { importPublishedBankHolidays }, { systemClock }] = await Promise.all([
    import("./calendar/bank-holidays.ts"),
    import("./calendar/calendar-settings.ts"),
    import("./platform/clock.ts"),
  ]);
  let holidays;
  try {
    holidays = readGovUkBankHolidays(JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const database = await openConfiguredDatabase("steward bank-holidays import");
  try {
    const { years, refreshed } = await importPublishedBankHolidays({ database, clock: systemClock }, holidays);
    console.log(`OK: ${holidays.length} bank holidays loaded for ${years.join(", ")}; ${refreshed} open case deadline(s) worked out again`);
    return 0;
  } finally {
    await database.close();
  }
}

/** Sets the storage limit of an organisation's licence (a new licence has 200 MB until this raises it). */
async function storageLimitCommand(organisation: string, size: string): Promise<number> {
  const [{ parseByteSize }, { setStorageLimit, sizeInWords, StorageLimitError }] = await Promise.all([import("./platform/config.ts"), import("./cases/storage.ts")]);
  const limitBytes = parseByteSize(size);
  if (limitBytes === undefined) {
    console.error(`${size} is not a size: give one such as 500MB or 2GB\n${STORAGE_USAGE}`);
    return 2;
  }
  const database = await openConfiguredDatabase("steward storage limit");
  try {
    const set = await setStorageLimit(database.db, organisation, limitBytes);
    console.log(`OK: ${set.name}'s licence may keep ${sizeInWords(set.limitBytes)} of files; it keeps ${sizeInWords(set.usedBytes)} now`);
    return 0;
  } catch (error) {
    if (error instanceof StorageLimitError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** Refusals Steward explains (folder in use, wrong master key, not a backup, non-empty target): the message, no stack. */
const EXPLAINED = new Set(["DataFolderLockedError", "MasterKeyRefusedError", "RestoreRefusedError", "NotABackupError"]);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof Error && EXPLAINED.has(error.name)) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
