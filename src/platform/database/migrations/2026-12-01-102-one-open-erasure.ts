import { sql, type Kysely } from "kysely";

/*
 * A person has at most one open erasure request: asking again while one is open says so and
 * records nothing new. Duplicates from before are closed (the oldest stays open). Frozen in time.
 */
const statements = [
  `update erasure_requests later set closed_at = later.created_at
     where later.closed_at is null and exists (
       select 1 from erasure_requests earlier
        where earlier.org_id = later.org_id and earlier.user_id = later.user_id and earlier.closed_at is null
          and (earlier.created_at, earlier.id) < (later.created_at, later.id))`,
  `create unique index erasure_requests_one_open on erasure_requests (org_id, user_id) where closed_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop index if exists erasure_requests_one_open`).execute(db);
}
