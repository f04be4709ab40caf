/**
 * `npm run steward -- <command>`: operator commands, thin adapters over domain functions.
 *   audit verify   re-computes every organisation's audit chain; exits 1 naming the first broken link
 *   deadline …     prints the legal deadline for a case as JSON (no database needed)
 *   bank-holidays import FILE   loads GOV.UK's bank-holidays.json over the built-in years it covers
 *   storage limit ORGANISATION SIZE   sets the storage limit of the organisation's licence
 * It opens the same database as `npm start` (DATABASE_URL, or PGlite in STEWARD_DATA_DIR). PGlite
 * allows one process at a time on a data folder: stop Steward before running a command against it.
 */
import { readFile } from "node:fs/promises";
import { verifyAuditChains } from "./audit/audit.ts";
import { readGovUkBankHolidays } from "./calendar/bank-holidays.ts";
import { importPublishedBankHolidays } from "./calendar/calendar-settings.ts";
import { systemClock } from "./platform/clock.ts";
import { DEADLINE_USAGE, deadlineCommand, UsageError } from "./calendar/deadline-command.ts";
import { loadConfig } from "./platform/config.ts";
import { openDatabase } from "./platform/database/database.ts";
import { migrateToLatest } from "./platform/database/migrate.ts";
import { databaseLocationOf } from "./platform/steward.ts";

const STORAGE_USAGE = "       npm run steward -- storage limit ORGANISATION-ID-OR-NAME SIZE (such as 2GB)";
const USAGE = `usage: npm run steward -- audit verify\n       npm run steward -- bank-holidays import FILE (GOV.UK's bank-holidays.json)\n${DEADLINE_USAGE}\n${STORAGE_USAGE}`;

async function main(args: string[]): Promise<number> {
  const [area, command] = args;
  if (area === "deadline") {
    try {
      console.log(await deadlineCommand(args.slice(1)));
      return 0;
    } catch (error) {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n${DEADLINE_USAGE}`);
        return 2;
      }
      throw error;
    }
  }
  if (area === "bank-holidays" && command === "import" && args[2]) {
    return importBankHolidaysCommand(args[2]);
  }
  if (area === "storage" && command === "limit" && args.length === 4) {
    return storageLimitCommand(args[2]!, args[3]!);
  }
  if (area !== "audit" || command !== "verify") {
    console.error(USAGE);
    return 2;
  }
  const database = await openDatabase(databaseLocationOf(loadConfig()));
  try {
    await migrateToLatest(database.db);
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
  let holidays;
  try {
    holidays = readGovUkBankHolidays(JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const database = await openDatabase(databaseLocationOf(loadConfig()));
  try {
    await migrateToLatest(database.db);
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
  const database = await openDatabase(databaseLocationOf(loadConfig()));
  try {
    await migrateToLatest(database.db);
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

process.exitCode = await main(process.argv.slice(2));
