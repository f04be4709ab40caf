import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { verifyAuditChains } from "../audit/audit.ts";
import type { Config } from "../platform/config.ts";
import { databaseLocationOf, openDatabase, type StewardDatabase } from "../platform/database/database.ts";
import { loadMasterKey, masterKeyForDatabase, MasterKeyRefusedError, MASTER_KEY_FILE } from "../platform/encryption/master-key.ts";
import { folderFileStore } from "../platform/files/file-store.ts";
import { createLogger } from "../platform/logger.ts";
import { askServerForBackup } from "./backup-socket.ts";
import { filesFolderOf, writeBackup, type BackupSummary } from "./backup.ts";
import { restoreBackup } from "./restore.ts";

/** Thin adapters for `steward backup FILE` and `steward restore FILE`: they report through `print` (errors to stderr) and return the exit code. */
export type Print = (line: string) => void;

const logger = () => createLogger("warn");

export async function backupCommand(config: Config, target: string, print: Print): Promise<number> {
  const file = path.resolve(target);
  if (existsSync(file)) {
    console.error(`${file} already exists: choose a new file name (a backup never overwrites one)`);
    return 1;
  }
  let summary: BackupSummary | undefined;
  if (!config.databaseUrl) {
    // A server running on the folder holds it: it writes the backup itself.
    summary = await askServerForBackup(config.dataDir, file);
    if (!summary && !existsSync(path.join(config.dataDir, "pgdata", "PG_VERSION"))) {
      console.error(`There is no Steward database in ${config.dataDir} to back up (set STEWARD_DATA_DIR or DATABASE_URL)`);
      return 1;
    }
  }
  if (!summary) {
    const database = await openDatabase(databaseLocationOf(config), { purpose: "steward backup" });
    try {
      summary = await writeBackup(database, await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger()), file, {
        filesFolder: filesFolderOf(config),
      });
    } finally {
      await database.close();
    }
  }
  print(`OK: backup written to ${summary.file}: ${summary.rows} rows from ${summary.tables} tables and ${summary.files} attachment files, ${summary.bytes} bytes, in ${summary.ms} ms`);
  print("It is encrypted under the master key: keep the master key safe, and never in the same place as the backups.");
  return 0;
}

export async function restoreCommand(config: Config, source: string, print: Print): Promise<number> {
  const file = path.resolve(source);
  if (!existsSync(file)) {
    console.error(`${file} does not exist`);
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
    const summary = await restoreBackup(database, masterKey, file, { files: folderFileStore(filesFolderOf(config)) });
    // The same checks a start makes, and the audit trail's own: the restored database is whole.
    await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger());
    const audit = await verifyAuditChains(database.db);
    print(
      `OK: restored ${summary.rows} rows into ${summary.tables} tables and ${summary.files} attachment files from the backup of ${summary.createdAt} (${summary.engine}), in ${summary.ms} ms`,
    );
    print(`Audit trail: ${audit.events} events in ${audit.organisations} organisations checked, ${audit.breaks.length} broken chain(s)`);
    return audit.breaks.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}
