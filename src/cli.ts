/**
 * `npm run steward -- <command>`: operator commands, thin adapters over domain functions.
 *   audit verify   re-computes every organisation's audit chain; exits 1 naming the first broken link
 *   deadline …     prints the legal deadline for a case as JSON (no database needed)
 * It opens the same database as `npm start` (DATABASE_URL, or PGlite in STEWARD_DATA_DIR). PGlite
 * allows one process at a time on a data folder: stop Steward before running a command against it.
 */
import { verifyAuditChains } from "./audit/audit.ts";
import { DEADLINE_USAGE, deadlineCommand, UsageError } from "./calendar/deadline-command.ts";
import { loadConfig } from "./platform/config.ts";
import { openDatabase } from "./platform/database/database.ts";
import { migrateToLatest } from "./platform/database/migrate.ts";
import { databaseLocationOf } from "./platform/steward.ts";

const USAGE = `usage: npm run steward -- audit verify\n${DEADLINE_USAGE}`;

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

process.exitCode = await main(process.argv.slice(2));
