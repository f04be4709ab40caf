import { sql, type Kysely } from "kysely";

/* Failed sign-in attempts per account, for the growing delay and the 15-minute lock. */
const statements = [
  `alter table users add column failed_sign_ins integer not null default 0 check (failed_sign_ins >= 0)`,
  `alter table users add column last_failed_sign_in_at timestamptz`,
  `alter table users add column locked_until timestamptz`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ["failed_sign_ins", "last_failed_sign_in_at", "locked_until"]) {
    await sql.raw(`alter table users drop column if exists ${column}`).execute(db);
  }
}
