import { sql, type Kysely } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";

/**
 * Runs `work` in one transaction as the role steward_operator: it is granted the licence rows, the
 * operators' own tables and a few functions that return figures (migration 158), and nothing of
 * any organisation's records. This is the only way operator code reaches the database, so no
 * operator page can show a case, a person's name or a file, whatever its query asks for.
 */
export async function asOperator<T>(db: Kysely<Database>, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', 'steward_operator', true), set_config('steward.org_ids', '{}', true)`.execute(trx);
    return work(trx);
  });
}
