import { sql, type Kysely } from "kysely";

/*
 * Personal data is stored sealed (AES-256-GCM under the organisation's data key): users' names,
 * email addresses and usernames, and every email in the outbox. Equality lookups that sign-in
 * needs, and uniqueness, move to blind indexes (keyed hashes of the lower-cased value). The
 * sealing itself happens in the application, which alone holds the keys: rows written before this
 * migration are sealed at the next start (sealPlaintextRows). Frozen in time.
 */
const statements = [
  `alter table users add column username_index text`,
  `alter table users add column email_index text`,
  // A sealed value is longer than its plaintext; the forms still hold each field to its limit.
  `alter table users drop constraint if exists users_full_name_check`,
  `alter table users drop constraint if exists users_email_check`,
  `alter table users drop constraint if exists users_username_check`,
  `drop index users_username_unique`,
  `drop index users_email_unique`,
  `create unique index users_username_unique on users (username_index)`,
  `create unique index users_email_unique on users (email_index)`,

  `drop policy sign_in_lookup on users`,
  `create policy sign_in_lookup on users for select
     using (username_index = steward_setting('steward.login_username_index')
         or email_index = steward_setting('steward.login_email_index'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Going back needs the plaintext back first: only possible from a backup taken before sealing.
  await sql.raw(`drop policy sign_in_lookup on users`).execute(db);
  await sql.raw(`create policy sign_in_lookup on users for select
     using (lower(username) = steward_setting('steward.login_name') or lower(email) = steward_setting('steward.login_name'))`).execute(db);
  await sql.raw(`drop index users_username_unique`).execute(db);
  await sql.raw(`drop index users_email_unique`).execute(db);
  await sql.raw(`create unique index users_username_unique on users (lower(username))`).execute(db);
  await sql.raw(`create unique index users_email_unique on users (lower(email))`).execute(db);
  await sql.raw(`alter table users drop column username_index`).execute(db);
  await sql.raw(`alter table users drop column email_index`).execute(db);
}
