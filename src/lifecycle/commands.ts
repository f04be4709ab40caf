import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { verifyAuditChains } from "../audit/audit.ts";
import type { Config } from "../platform/config.ts";
import { databaseLocationOf, openDatabase, type StewardDatabase } from "../platform/database/database.ts";
import { loadMasterKey, masterKeyForDatabase, MasterKeyRefusedError, MASTER_KEY_FILE } from "../platform/encryption/master-key.ts";
import { folderFileStore } from "../platform/files/file-store.ts";
import { createLogger } from "../platform/logger.ts";
import { askServerForBackup, type BackupRequest } from "./backup-socket.ts";
import { filesFolderOf, writeBackup, type BackupSummary } from "./backup.ts";
import { dataKeysFileBeside } from "./data-keys.ts";
import { restoreBackup } from "./restore.ts";
import { BackupUnderWayError, writeRollingBackup, type RollingSummary } from "./rolling.ts";

/**
 * Thin adapters for `steward backup FILE`, `steward backup --rolling DIR` and `steward restore FILE
 * [--keys FILE]`: they report through `print` (errors to stderr) and return the exit code.
 */
export type Print = (line: string) => void;

const logger = () => createLogger("warn");

export async function backupCommand(config: Config, target: string, print: Print): Promise<number> {
  const file = path.resolve(target);
  if (existsSync(file)) {
    console.error(`${file} already exists: choose a new file name (a backup never overwrites one)`);
    return 1;
  }
  const summary = await backUpThroughServerOrDatabase(config, { file }, (database, masterKey) => writeBackup(database, masterKey, file, { filesFolder: filesFolderOf(config) }));
  if (!summary) {
    return 1;
  }
  printBackup(summary, print);
  return 0;
}

/**
 * A backup the one way it can be taken now: by the server running on the embedded database's
 * folder (which holds it), or by opening the database. Undefined (having said why) when there is
 * no database to back up.
 */
async function backUpThroughServerOrDatabase<Summary extends BackupSummary>(
  config: Config,
  request: BackupRequest,
  write: (database: StewardDatabase, masterKey: Buffer) => Promise<Summary>,
): Promise<Summary | undefined> {
  if (!config.databaseUrl) {
    // Either request: the overloads only narrow the answer's type, which the caller already knows.
    const summary = (await askServerForBackup(config.dataDir, request as { file: string })) as Summary | undefined;
    if (summary) {
      return summary;
    }
    if (!existsSync(path.join(config.dataDir, "pgdata", "PG_VERSION"))) {
      console.error(`There is no Steward database in ${config.dataDir} to back up (set STEWARD_DATA_DIR or DATABASE_URL)`);
      return undefined;
    }
  }
  const database = await openDatabase(databaseLocationOf(config), { purpose: "steward backup" });
  try {
    return await write(database, await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger()));
  } finally {
    await database.close();
  }
}

function printBackup(summary: BackupSummary, print: Print): void {
  print(`OK: backup written to ${summary.file}: ${summary.rows} rows from ${summary.tables} tables and ${summary.files} attachment files, ${summary.bytes} bytes, in ${summary.ms} ms`);
  print(
    `Data keys: ${summary.dataKeys} organisations' keys in ${summary.dataKeysFile}, replaced by this backup. The backup holds none: ` +
      "it is read only with the newest data keys file (never keep old copies of it).",
  );
  print("Both are encrypted under the master key: keep the master key safe, and never in the same place as the backups.");
}

/** `steward backup --rolling DIR`: a backup into the rolling set in DIR, then the backups older than the keep period deleted. */
export async function rollingBackupCommand(config: Config, target: string, print: Print): Promise<number> {
  const folder = path.resolve(target);
  let summary: RollingSummary | undefined;
  try {
    summary = await backUpThroughServerOrDatabase(config, { rolling: folder, keepDays: config.backupKeepDays }, (database, masterKey) =>
      writeRollingBackup(database, masterKey, folder, { filesFolder: filesFolderOf(config), keepDays: config.backupKeepDays }),
    );
    if (!summary) {
      return 1;
    }
  } catch (error) {
    if (error instanceof BackupUnderWayError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  printBackup(summary, print);
  print(
    summary.pruned.length === 0
      ? `Kept: no backup in ${folder} is older than ${config.backupKeepDays} days`
      : `Pruned: ${summary.pruned.length} backup(s) older than ${config.backupKeepDays} days deleted from ${folder}`,
  );
  return 0;
}

export async function restoreCommand(config: Config, source: string, print: Print, { keys }: { keys?: string } = {}): Promise<number> {
  const file = path.resolve(source);
  if (!existsSync(file)) {
    console.error(`${file} does not exist`);
    return 1;
  }
  const dataKeysFile = keys ? path.resolve(keys) : dataKeysFileBeside(file);
  if (!existsSync(dataKeysFile)) {
    console.error(
      `There is no data keys file at ${dataKeysFile}. A backup holds no data keys: a restore needs the steward-data-keys file written beside the backups ` +
        "(copy it beside the backup, or name it with --keys FILE). Nothing has been restored.",
    );
    return 1;
  }
  if (!config.databaseUrl) {
    const pgdata = path.join(config.dataDir, "pgdata");
    if (existsSync(pgdata) && readdirSync(pgdata).length > 0 && !existsSync(path.join(pgdata, "PG_VERSION"))) {
      console.error(`${pgdata} holds files that are not a database: restore into an empty data folder`);
      return 1;
    }
  }
  let masterKey: Buffer;
  try {
    masterKey = loadMasterKey(config.masterKey, config.dataDir, logger(), { mayCreate: false });
  } catch (error) {
    if (!(error instanceof MasterKeyRefusedError)) {
      throw error;
    }
    console.error(
      `A restore needs the master key the backup was made under: put it in ${path.join(config.dataDir, MASTER_KEY_FILE)} (mode 600) or set STEWARD_MASTER_KEY, then run the restore again.`,
    );
    return 1;
  }
  const database: StewardDatabase = await openDatabase(databaseLocationOf(config), { purpose: "steward restore" });
  try {
    const summary = await restoreBackup(database, masterKey, file, { files: folderFileStore(filesFolderOf(config)), dataKeysFile });
    // The same checks a start makes, and the audit trail's own: the restored database is whole.
    await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger());
    const audit = await verifyAuditChains(database.db);
    print(
      `OK: restored ${summary.rows} rows into ${summary.tables} tables and ${summary.files} attachment files from the backup of ${summary.createdAt} (${summary.engine}), in ${summary.ms} ms`,
    );
    print(`Data keys: ${summary.keysRestored} organisations' keys restored from ${summary.dataKeysFile}`);
    print(
      `${summary.keysGone} organisation(s)' data could not be restored because their keys are gone (destroyed since the backup): ` +
        `none of their personal data could be read, so their rows (${summary.organisationsErased} organisation(s), schools included) were taken out again, as their destruction had.`,
    );
    print(`Audit trail: ${audit.events} events in ${audit.organisations} organisations checked, ${audit.breaks.length} broken chain(s)`);
    return audit.breaks.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}
