import { sql, type Kysely } from "kysely";

/*
 * When the person behind a session last proved who they are (password, and second factor if they
 * have one): sensitive actions ask again once this is more than a few minutes old. Frozen in time.
 */
const statements = [
  `alter table sessions add column confirmed_at timestamptz`,
  `update sessions set confirmed_at = created_at`,
  `alter table sessions alter column confirmed_at set not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table sessions drop column if exists confirmed_at`).execute(db);
}
