import { sql, type Kysely } from "kysely";

/*
 * An information request (FOI, EIR and Scotland's) or a request for advice is not about anyone's
 * personal data: the log form no longer asks whose data it is, and such a case records none.
 * Frozen in time.
 */
const statements = [
  `alter table cases alter column subject_kind drop not null`,
  `update cases set subject_kind = null, subject_name = null
     where type in ('foi', 'foi-school', 'eir', 'foi-scotland', 'eir-scotland', 'advice') and subject_kind = 'requester'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`update cases set subject_kind = 'requester' where subject_kind is null`).execute(db);
  await sql.raw(`alter table cases alter column subject_kind set not null`).execute(db);
}
