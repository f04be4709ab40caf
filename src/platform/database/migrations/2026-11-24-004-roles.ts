import { sql, type Kysely } from "kysely";

/* The full set of roles: the data protection officer, an external adviser and a read-only auditor. */
const statements = [
  `alter table users drop constraint users_role_check`,
  `alter table users add constraint users_role_check
     check (role in ('owner', 'admin', 'dpo', 'staff', 'adviser', 'auditor'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table users drop constraint users_role_check`).execute(db);
  await sql.raw(`alter table users add constraint users_role_check check (role in ('owner', 'admin', 'staff'))`).execute(db);
}
