import { sql, type Kysely } from "kysely";

/*
 * An email address is unique within an organisation, no longer across Steward: a clash with
 * another organisation's user told an admin (or anyone registering) that the address has an
 * account elsewhere. Usernames stay unique across Steward: sign-in finds an account by them.
 * Sign-in by email looks the address up by its blind index (users_email_lookup). Frozen in time.
 */
const statements = [
  `drop index users_email_unique`,
  `create unique index users_email_unique_in_organisation on users (org_id, email_index)`,
  `create index users_email_lookup on users (email_index)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop index if exists users_email_lookup`).execute(db);
  await sql.raw(`drop index if exists users_email_unique_in_organisation`).execute(db);
  await sql.raw(`create unique index users_email_unique on users (email_index)`).execute(db);
}
