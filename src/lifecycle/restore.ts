import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { Migrator, sql, type Kysely, type Transaction } from "kysely";
import type { StewardDatabase } from "../platform/database/database.ts";
import type { FileStore } from "../platform/files/file-store.ts";
import { migrations, migrateToLatest } from "../platform/database/migrate.ts";
import { open as openSealed } from "../platform/encryption/envelope.ts";
import { wrappingContext } from "../platform/encryption/keyring.ts";
import { FORMAT_VERSION, HEADER_BYTES, NotABackupError, startDecryption, TAG_BYTES, type BackupLine, type Manifest } from "./backup-format.ts";
import { DATA_KEYS_FILE, dataKeysFileBeside, readDataKeys } from "./data-keys.ts";
import { deleteRowsOfOrganisations, quoteIdentifier, tablesInDependencyOrder, type TableShape } from "./tables.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- restore handles every table, whatever today's schema says
type AnyDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
type AnyTx = Transaction<any>;

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

export interface RestoreSummary {
  createdAt: string;
  engine: string;
  tables: number;
  rows: number;
  files: number;
  ms: number;
  /** The data keys file read. */
  dataKeysFile: string;
  /** Organisations whose data key came back from the data keys file. */
  keysRestored: number;
  /**
   * Organisations whose key the backup's moment had but the data keys file does not (destroyed
   * since): restored with the key marked destroyed, so none of their sealed data can be read.
   */
  keysGone: number;
  /** Organisations destroyed since the backup: their rows were taken out again after the restore. */
  organisationsErased: number;
}

/**
 * Restores a backup made by writeBackup into an empty database (one that holds no organisation),
 * as the schema owner. The schema is first brought to the backup's own migration, the rows go in
 * in one transaction (committed only once the whole file has been read and its tag verified: an
 * altered or cut-short file, or the wrong master key, leaves the target as it was), the sequences
 * are set to the backup's values, and then any later migration runs as at start-up.
 *
 * The data keys come from the data keys file (by default the one beside the backup), never from
 * the backup: an organisation whose key is in it gets it back; one whose key is not (destroyed
 * since the backup) is restored with its key marked destroyed, its sealed data unreadable. With
 * no data keys file, nothing is restored. A backup of format 1 (keys inside) is read the same way:
 * the keys inside it are ignored.
 */
export async function restoreBackup(
  database: StewardDatabase,
  masterKey: Buffer,
  file: string,
  { files, dataKeysFile = dataKeysFileBeside(file), now = new Date() }: { files?: FileStore; dataKeysFile?: string; now?: Date } = {},
): Promise<RestoreSummary> {
  const started = performance.now();
  const db = database.db as AnyDb;
  const manifest = await readManifest(masterKey, file);
  if (typeof manifest.format !== "number" || manifest.format > FORMAT_VERSION) {
    throw new RestoreRefusedError(`This backup was made by a newer Steward (backup format ${String(manifest.format)}): restore it with that version or later.`);
  }
  const dataKeys = await readDataKeys(masterKey, dataKeysFile);
  if (!dataKeys) {
    throw new RestoreRefusedError(
      `There is no data keys file at ${dataKeysFile}. A backup holds no data keys: restore it with the ${DATA_KEYS_FILE} file written beside the backups ` +
        `(or name it with --keys FILE). Nothing has been restored.`,
    );
  }
  let keysRestored = 0;
  let keysGone = 0;
  const gone: string[] = [];
  const withKey = (row: unknown) => {
    const keyRow = row as { org_id: string; wrapped_key: string | null; destroyed_at: string | null };
    if (keyRow.destroyed_at !== null) {
      return { ...keyRow, wrapped_key: null }; // destroyed before the backup
    }
    const wrappedKey = dataKeys.get(keyRow.org_id);
    if (!wrappedKey) {
      keysGone += 1;
      gone.push(keyRow.org_id);
      return { ...keyRow, wrapped_key: null, destroyed_at: now.toISOString() };
    }
    try {
      openSealed(masterKey, wrappedKey, wrappingContext(keyRow.org_id));
    } catch {
      throw new NotABackupError("The data keys file holds a key the master key does not open for its organisation: it was altered. Nothing has been restored.");
    }
    keysRestored += 1;
    return { ...keyRow, wrapped_key: wrappedKey };
  };
  const known = Object.keys(migrations).sort();
  const unknown = manifest.migrations.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new RestoreRefusedError(`This backup was made by a newer Steward (its schema has migration ${unknown[0]}): restore it with that version or later.`);
  }
  await refuseUnlessEmpty(db, manifest);

  const last = manifest.migrations.at(-1);
  if (last) {
    const { error, results } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(last);
    const failed = results?.find((result) => result.status === "Error");
    if (error || failed) {
      throw new Error(`Database migration failed${failed ? ` (${failed.migrationName})` : ""}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let rows = 0;
  let tables = 0;
  let stored = 0;
  await db.transaction().execute(async (trx) => {
    const shapes = new Map((await tablesInDependencyOrder(trx)).map((table) => [table.name, table]));
    // Whatever a start on the empty target wrote (its own CSRF key) gives way to the backup's.
    for (const table of [...shapes.values()].reverse()) {
      await sql`delete from ${sql.raw(quoteIdentifier(table.name))}`.execute(trx);
    }
    let ended = false;
    await readLines(masterKey, file, async (line) => {
      if (line.kind === "table") {
        if (!shapes.has(line.table)) {
          throw new RestoreRefusedError(`The backup has a table (${line.table}) this schema does not`);
        }
        tables += 1;
      } else if (line.kind === "rows") {
        await insertRows(trx, shapes.get(line.table)!, line.table === "organisation_keys" ? line.rows.map(withKey) : line.rows);
        rows += line.rows.length;
      } else if (line.kind === "sequences") {
        for (const sequence of line.values) {
          if (sequence.lastValue !== null) {
            await sql`select setval(${quoteIdentifier(sequence.name)}::regclass, ${sequence.lastValue}::bigint, true)`.execute(trx);
          }
        }
      } else if (line.kind === "file") {
        // Into the (empty) target's store as they come; if the file then fails its check, the rows
        // roll back and these few files are left unreferenced, to be replaced by the next attempt.
        if (!files) {
          throw new Error("This backup holds attachments' files, and no file store was given to restore them into");
        }
        await files.put({ organisationId: line.organisationId, id: line.id }, Buffer.from(line.bytes, "base64"));
        stored += 1;
      } else if (line.kind === "end") {
        if (line.rows !== rows || (line.files ?? 0) !== stored) {
          throw new NotABackupError(`The backup says it holds ${line.rows} rows and ${line.files ?? 0} files, but ${rows} and ${stored} were read`);
        }
        ended = true;
      }
    });
    // Reached only when the tag verified: every byte is as written, under this master key.
    if (!ended) {
      throw new NotABackupError("The backup is cut short: it has no end");
    }
  });
  await migrateToLatest(db);
  // An organisation whose key is gone was destroyed after this backup: what of it was not sealed
  // (its name, sign-in times, the audit trail's addresses) goes too, and its licence shows as ended.
  const erased = await eraseDestroyedOrganisations(db, gone, now);
  for (const id of erased) {
    await files?.removeOrganisation(id);
  }
  return {
    createdAt: manifest.createdAt,
    engine: manifest.engine,
    tables,
    rows,
    files: stored,
    ms: Math.round(performance.now() - started),
    dataKeysFile,
    keysRestored,
    keysGone,
    organisationsErased: erased.length,
  };
}

/** Deletes the rows of organisations destroyed since the backup (and their schools), as their destruction did; returns their ids. */
async function eraseDestroyedOrganisations(db: AnyDb, gone: readonly string[], now: Date): Promise<string[]> {
  if (gone.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      select id from organisations where id = any (${sql.val(gone)}::uuid[]) or parent_id = any (${sql.val(gone)}::uuid[])`.execute(trx);
    const ids = rows.map((row) => row.id);
    await deleteRowsOfOrganisations(trx, ids, { except: ["licences"] });
    await sql`update licences set state = 'ended', ended_at = coalesce(ended_at, ${now}), destroyed_organisation_ids = ${sql.val(ids)}::uuid[],
                files_removed_at = ${now}, deletion_asked_by = null, deletion_approved_by = null, changed_at = ${now}
              where org_id = any (${sql.val(ids)}::uuid[])`.execute(trx);
    return ids;
  });
}

async function refuseUnlessEmpty(db: AnyDb, manifest: Manifest): Promise<void> {
  const { rows: found } = await sql<{ present: boolean }>`select to_regclass('public.organisations') is not null as present`.execute(db);
  if (!found[0]!.present) {
    return;
  }
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from organisations`.execute(db);
  if (rows[0]!.count > 0) {
    throw new RestoreRefusedError(
      `The target database is not empty (it holds ${rows[0]!.count} organisation(s)). Restore only into an empty data folder or database, so nothing is overwritten.`,
    );
  }
  const { rows: ran } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db).catch(() => ({ rows: [] as { name: string }[] }));
  const beyond = ran.filter((migration) => !manifest.migrations.includes(migration.name));
  if (beyond.length > 0) {
    throw new RestoreRefusedError(
      `The target database has been migrated past this backup (to ${beyond.at(-1)!.name}): restore into a new, empty data folder or database, and Steward migrates it after.`,
    );
  }
}

async function insertRows(trx: AnyTx, table: TableShape, rows: unknown[]): Promise<void> {
  const columns = sql.raw(table.columns.map(quoteIdentifier).join(", "));
  const name = sql.raw(quoteIdentifier(table.name));
  // json_populate_recordset turns each value back into its column's type (bytea, timestamptz, arrays).
  await sql`insert into ${name} (${columns}) overriding system value
    select ${columns} from json_populate_recordset(null::${name}, ${JSON.stringify(rows)}::json)`.execute(trx);
}

async function readManifest(masterKey: Buffer, file: string): Promise<Manifest> {
  let manifest: Manifest | undefined;
  await readLines(
    masterKey,
    file,
    async (line) => {
      if (line.kind !== "manifest") {
        throw new NotABackupError("This file is not a Steward backup: it does not start with a manifest");
      }
      manifest = line;
    },
    { firstLineOnly: true },
  );
  return manifest!;
}

/** Decrypts and reads the file line by line; rejects if the tag does not verify (after every line was read, so callers commit only on success). */
export async function readBackupLines(masterKey: Buffer, file: string, onLine: (line: BackupLine) => Promise<void>): Promise<void> {
  await readLines(masterKey, file, onLine);
}

async function readLines(
  masterKey: Buffer,
  file: string,
  onLine: (line: BackupLine) => Promise<void>,
  { firstLineOnly = false }: { firstLineOnly?: boolean } = {},
): Promise<void> {
  const { size } = await stat(file);
  if (size < HEADER_BYTES + TAG_BYTES) {
    throw new NotABackupError("This file is not a Steward backup: it is too short");
  }
  const handle = await open(file, "r");
  const header = Buffer.alloc(HEADER_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await handle.read(header, 0, HEADER_BYTES, 0);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  const decipher = startDecryption(masterKey, header, tag);
  const stop = new AbortController();
  try {
    await pipeline(
      size - TAG_BYTES > HEADER_BYTES ? createReadStream(file, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 }) : [],
      decipher,
      createGunzip(),
      async (source: AsyncIterable<Buffer>) => {
        const text = new StringDecoder("utf8"); // a character may straddle two chunks
        let rest = "";
        for await (const chunk of source) {
          const lines = (rest + text.write(chunk)).split("\n");
          rest = lines.pop()!;
          for (const line of lines) {
            await onLine(JSON.parse(line) as BackupLine);
            if (firstLineOnly) {
              stop.abort();
              return;
            }
          }
        }
        rest += text.end();
        if (rest.trim()) {
          await onLine(JSON.parse(rest) as BackupLine);
        }
      },
      { signal: stop.signal },
    );
  } catch (error) {
    if (firstLineOnly && stop.signal.aborted) {
      return;
    }
    if (error instanceof NotABackupError || error instanceof RestoreRefusedError) {
      throw error;
    }
    if ((error as Error).message?.includes("authenticate") || (error as NodeJS.ErrnoException).code === "Z_DATA_ERROR" || error instanceof SyntaxError) {
      throw new NotABackupError(
        "The backup cannot be read: it was altered or cut short, or it was made under another master key. Nothing has been restored.",
      );
    }
    throw error;
  }
}
