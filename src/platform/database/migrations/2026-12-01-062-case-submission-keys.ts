import { sql, type Kysely } from "kysely";

/*
 * The log-a-case form carries a key made when the form was shown; the case it made keeps it, once
 * per person. A second post of the same form (a double click with no JavaScript to stop it, a
 * resend after a slow answer) finds that case instead of logging another. Frozen in time.
 */
const statements = [
  `alter table cases add column submission_key uuid`,
  `create unique index cases_submission_key on cases (org_id, created_by, submission_key) where submission_key is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table cases drop column if exists submission_key`).execute(db);
}
