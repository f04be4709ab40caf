import { once } from "node:events";
import { access, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createGzip } from "node:zlib";
import { sql, type Transaction } from "kysely";
import type { StewardDatabase } from "../platform/database/database.ts";
import type { Database } from "../platform/database/schema.ts";
import { FORMAT_VERSION, startEncryption, type BackupLine } from "./backup-format.ts";
import { DATA_KEYS_FILE, dataKeysFileBeside, syncFolder, writeDataKeys } from "./data-keys.ts";
import { parentsFirst, quoteIdentifier, tablesInDependencyOrder } from "./tables.ts";

export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  files: number;
  bytes: number;
  ms: number;
  /** The data keys file written with it, and how many organisations' keys it holds. */
  dataKeysFile: string;
  dataKeys: number;
}

/** What a backup reads through: the database, or one of its connections held for the whole run (rolling.ts). */
export type BackupSource = Pick<StewardDatabase, "db" | "engine">;

/** The table of data keys: a backup keeps its rows (which organisations had a key, and when one was destroyed) but never a key. */
const DATA_KEYS_TABLE = "organisation_keys";
const withoutKey = (row: unknown) => ({ ...(row as Record<string, unknown>), wrapped_key: null });

/** Where the attachments' files are kept: the file store folder in the data folder, as createSteward sets it up. */
export const filesFolderOf = (config: { dataDir: string }) => path.join(config.dataDir, "files");

/** Rows read per query: a page of a big table, never the whole of it in memory. */
const PAGE_ROWS = 500;

/**
 * Writes one consistent, encrypted backup of the whole database to `file` (refusing to overwrite
 * one). Every table is read in one REPEATABLE READ, READ ONLY transaction, so the backup is one
 * moment's database while the server carries on writing (on PostgreSQL; on PGlite, one session,
 * requests wait while it reads). It runs as the schema owner, like migrations, so row-level
 * security does not hide any organisation's rows. The file appears only once complete and synced.
 *
 * The backup holds no data key: they go into the data keys file (by default `steward-data-keys`
 * beside the backup), which is replaced, just before the backup appears, with the keys as they are
 * then, never with one destroyed since the backup's moment. Refuses to overwrite a file.
 */
export async function writeBackup(
  database: BackupSource,
  masterKey: Buffer,
  file: string,
  { filesFolder, now = new Date(), dataKeysFile = dataKeysFileBeside(file) }: { filesFolder?: string; now?: Date; dataKeysFile?: string } = {},
): Promise<BackupSummary> {
  const started = performance.now();
  if (path.resolve(file) === path.resolve(dataKeysFile)) {
    throw new Error(`A backup cannot be called ${DATA_KEYS_FILE}: that is the data keys file's name`);
  }
  if (await access(file).then(() => true, () => false)) {
    throw new Error(`${file} already exists: a backup never overwrites a file`);
  }
  const partial = `${file}.partial`;
  const out = await open(partial, "wx", 0o600);
  let bytes = 0;
  let rows = 0;
  let tableCount = 0;
  let fileCount = 0;
  let dataKeys = 0;
  try {
    const { header, cipher } = startEncryption(masterKey);
    await out.write(header);
    bytes += header.length;
    const gzip = createGzip();
    const written = (async () => {
      for await (const chunk of gzip) {
        const sealed = cipher.update(chunk as Buffer);
        await out.write(sealed);
        bytes += sealed.length;
      }
    })();
    const emit = async (line: BackupLine) => {
      if (!gzip.write(`${JSON.stringify(line)}\n`)) {
        await once(gzip, "drain");
      }
    };

    await database.db
      .transaction()
      .setIsolationLevel("repeatable read")
      .setAccessMode("read only")
      .execute(async (trx) => {
        const tables = await tablesInDependencyOrder(trx);
        tableCount = tables.length;
        const { rows: migrations } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(trx);
        await emit({
          kind: "manifest",
          format: FORMAT_VERSION,
          createdAt: now.toISOString(),
          engine: database.engine,
          migrations: migrations.map((migration) => migration.name),
          tables: tables.map((table) => table.name),
        });
        for (const table of tables) {
          const count = await countRows(trx, table.name);
          await emit({ kind: "table", table: table.name, rows: count });
          if (table.selfReference) {
            // Few rows (organisations): read whole, so parents can be written before their children.
            const { rows: all } = await sql<{ r: string }>`select row_to_json(t)::text as r from ${sql.raw(quoteIdentifier(table.name))} t`.execute(trx);
            const ordered = parentsFirst(
              all.map((row) => JSON.parse(row.r) as Record<string, unknown>),
              table.selfReference,
            );
            for (let i = 0; i < ordered.length; i += PAGE_ROWS) {
              const slice = ordered.slice(i, i + PAGE_ROWS);
              await emit({ kind: "rows", table: table.name, rows: table.name === DATA_KEYS_TABLE ? slice.map(withoutKey) : slice });
            }
            rows += ordered.length;
            continue;
          }
          // Pages by physical row position: stable within the snapshot, and an index-free range scan.
          let after = "(0,0)";
          for (;;) {
            // As text: the database handle's camelCase plugin would otherwise rename the row's own keys.
            const { rows: page } = await sql<{ r: string; at: string }>`
              select row_to_json(t)::text as r, t.ctid::text as at from ${sql.raw(quoteIdentifier(table.name))} t
              where t.ctid > ${after}::tid order by t.ctid limit ${PAGE_ROWS}`.execute(trx);
            if (page.length === 0) {
              break;
            }
            const read = page.map((row) => JSON.parse(row.r) as unknown);
            await emit({ kind: "rows", table: table.name, rows: table.name === DATA_KEYS_TABLE ? read.map(withoutKey) : read });
            rows += page.length;
            after = page.at(-1)!.at;
          }
        }
        const { rows: sequences } = await sql<{ name: string; lastValue: string | null }>`
          select sequencename as name, last_value::text as last_value from pg_sequences where schemaname = 'public' order by sequencename`.execute(trx);
        await emit({ kind: "sequences", values: sequences });
        // The attachments' files, still inside the transaction: on PGlite nothing commits meanwhile,
        // so every file a row names is there (a file with no row, from an upload under way, is harmless).
        for (const stored of filesFolder ? await storedFiles(filesFolder) : []) {
          const bytes = await readFile(stored.path).catch(() => undefined);
          if (bytes) {
            await emit({ kind: "file", organisationId: stored.organisationId, id: stored.id, bytes: bytes.toString("base64") });
            fileCount += 1;
          }
        }
        await emit({ kind: "end", rows, files: fileCount });
      });

    gzip.end();
    await written;
    const tail = Buffer.concat([cipher.final(), cipher.getAuthTag()]);
    await out.write(tail);
    bytes += tail.length;
    await out.sync();
    await out.close();
    // The keys as they are now, before the backup appears: a backup is never there without a data keys file that reads it.
    ({ keys: dataKeys } = await writeDataKeys(database.db, masterKey, dataKeysFile, { now }));
    await rename(partial, file);
    await syncFolder(path.dirname(file));
  } catch (error) {
    await out.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
  return { file, tables: tableCount, rows, files: fileCount, bytes, ms: Math.round(performance.now() - started), dataKeysFile, dataKeys };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The folder file store's files: `<organisation id>/<file id>`, leaving out writes still under way (`.partial`). */
async function storedFiles(root: string): Promise<{ organisationId: string; id: string; path: string }[]> {
  const found: { organisationId: string; id: string; path: string }[] = [];
  const organisations = await readdir(root).catch(() => [] as string[]);
  for (const organisationId of organisations.filter((name) => UUID.test(name)).sort()) {
    for (const id of (await readdir(path.join(root, organisationId)).catch(() => [] as string[])).filter((name) => UUID.test(name)).sort()) {
      found.push({ organisationId, id, path: path.join(root, organisationId, id) });
    }
  }
  return found;
}

async function countRows(trx: Transaction<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.raw(quoteIdentifier(table))}`.execute(trx);
  return rows[0]!.count;
}
