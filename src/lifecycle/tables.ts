import { sql, type Kysely, type Transaction } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- backup and restore handle every table, whatever today's schema says
type AnyDb = Kysely<any> | Transaction<any>;

/** Kysely's own bookkeeping: the target's migrator writes these, never a backup. */
const MIGRATOR_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

export interface TableShape {
  name: string;
  /** Columns a row can be given (not generated ones), in table order. */
  columns: string[];
  /** Columns of a foreign key to the table itself, and the columns they point at (parents must come first). */
  selfReference?: { from: string[]; to: string[] };
}

/**
 * Every table of the public schema, parents before children (by foreign keys), so rows can be
 * inserted in this order with every constraint checked.
 */
export async function tablesInDependencyOrder(db: AnyDb): Promise<TableShape[]> {
  const { rows: tables } = await sql<{ name: string; columns: string[] }>`
    select c.relname as name,
           array_agg(a.attname::text order by a.attnum) as columns
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    group by c.relname`.execute(db);
  const { rows: keys } = await sql<{ child: string; parent: string; fromColumns: string[]; toColumns: string[] }>`
    select child.relname as child, parent.relname as parent,
           array(select attname::text from unnest(con.conkey) with ordinality k(num, i) join pg_attribute on attrelid = con.conrelid and attnum = k.num order by k.i) as from_columns,
           array(select attname::text from unnest(con.confkey) with ordinality k(num, i) join pg_attribute on attrelid = con.confrelid and attnum = k.num order by k.i) as to_columns
    from pg_constraint con
    join pg_class child on child.oid = con.conrelid
    join pg_class parent on parent.oid = con.confrelid
    join pg_namespace n on n.oid = child.relnamespace
    where con.contype = 'f' and n.nspname = 'public'`.execute(db);

  const shapes = new Map(
    tables.filter((table) => !MIGRATOR_TABLES.has(table.name)).map((table) => [table.name, { name: table.name, columns: table.columns } as TableShape]),
  );
  const parentsOf = new Map<string, Set<string>>();
  for (const key of keys) {
    if (key.child === key.parent) {
      shapes.get(key.child)!.selfReference = { from: key.fromColumns, to: key.toColumns };
    } else {
      parentsOf.set(key.child, (parentsOf.get(key.child) ?? new Set()).add(key.parent));
    }
  }
  const ordered: TableShape[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: string[]) => {
    if (placed.has(name) || !shapes.has(name)) {
      return;
    }
    if (path.includes(name)) {
      throw new Error(`The tables' foreign keys form a cycle (${[...path, name].join(" → ")}): no insert order satisfies them`);
    }
    for (const parent of [...(parentsOf.get(name) ?? [])].sort()) {
      place(parent, [...path, name]);
    }
    placed.add(name);
    ordered.push(shapes.get(name)!);
  };
  for (const name of [...shapes.keys()].sort()) {
    place(name, []);
  }
  return ordered;
}

/** Puts rows that point at another row of their own table after it (a trust before its schools). */
export function parentsFirst(rows: Record<string, unknown>[], reference: { from: string[]; to: string[] }): Record<string, unknown>[] {
  const keyOf = (row: Record<string, unknown>, columns: string[]) => JSON.stringify(columns.map((column) => row[column]));
  const present = new Set(rows.map((row) => keyOf(row, reference.to)));
  const done = new Set<string>();
  const ordered: Record<string, unknown>[] = [];
  let waiting = rows;
  while (waiting.length > 0) {
    const next: Record<string, unknown>[] = [];
    for (const row of waiting) {
      const parent = keyOf(row, reference.from);
      const ready = reference.from.some((column) => row[column] === null) || !present.has(parent) || done.has(parent);
      if (ready) {
        ordered.push(row);
        done.add(keyOf(row, reference.to));
      } else {
        next.push(row);
      }
    }
    if (next.length === waiting.length) {
      throw new Error("Rows of one table point at each other in a cycle: no insert order satisfies them");
    }
    waiting = next;
  }
  return ordered;
}

export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Deletes every row of the organisations from every table that has an org_id, children before
 * parents, then the organisations themselves (schools before their trust). As the schema owner,
 * in the caller's transaction: for a licence's destruction, and for a restore of organisations
 * whose keys are gone. Returns how many rows went.
 */
export async function deleteRowsOfOrganisations(trx: AnyDb, ids: readonly string[], { except = [] }: { except?: string[] } = {}): Promise<number> {
  if (ids.length === 0) return 0;
  const tables = (await tablesInDependencyOrder(trx)).filter((table) => table.columns.includes("org_id") && !except.includes(table.name)).reverse();
  let rows = 0;
  for (const table of tables) {
    const result = await sql`delete from ${sql.raw(quoteIdentifier(table.name))} where org_id = any (${sql.val(ids)}::uuid[])`.execute(trx);
    rows += Number(result.numAffectedRows ?? 0);
  }
  const schools = await sql`delete from organisations where id = any (${sql.val(ids)}::uuid[]) and parent_id is not null`.execute(trx);
  const tops = await sql`delete from organisations where id = any (${sql.val(ids)}::uuid[])`.execute(trx);
  return rows + Number(schools.numAffectedRows ?? 0) + Number(tops.numAffectedRows ?? 0);
}
