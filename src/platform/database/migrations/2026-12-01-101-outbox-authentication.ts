import { sql, type Kysely } from "kysely";

/*
 * The outbox marks authentication emails (set-password, reset and email-change links), whose body
 * nobody may read on the outbox page: an admin who could read them could take the account. Rows
 * from before are treated as such, the safe default. Frozen in time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table outbox add column authentication boolean not null default true`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table outbox drop column if exists authentication`).execute(db);
}
