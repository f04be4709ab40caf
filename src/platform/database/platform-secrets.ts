import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.ts";

/**
 * The key that signs CSRF tokens. Made once per installation and kept in the database, so every
 * app process (and a restart) agrees on it. Read as the migrating owner, before any request:
 * the application role cannot see this table.
 */
export async function loadCsrfKey(db: Kysely<Database>): Promise<Buffer> {
  const candidate = randomBytes(32).toString("base64");
  await sql`insert into platform_secrets (name, value) values ('csrf_key', ${candidate}) on conflict (name) do nothing`.execute(db);
  const { rows } = await sql<{ value: string }>`select value from platform_secrets where name = 'csrf_key'`.execute(db);
  const value = rows[0]?.value;
  if (!value) {
    throw new Error("The CSRF key could not be stored");
  }
  return Buffer.from(value, "base64");
}
