import { sql, type Kysely } from "kysely";

/*
 * The case list reads each organisation's cases in the order it shows them (deadline day, then
 * hour, newest received first, then id), open and closed apart, straight from these indexes, and
 * stops at the page: no sorting or reading every matching case on each page. The included
 * columns answer the list's filters (type; a member of staff's own cases) and its count from the
 * index alone. The open index replaces cases_open_due, whose columns it begins with. The dashboard
 * has two more: open cases nobody has yet, newest first, and the last year's closed cases with
 * what their timeliness is worked out from. Frozen in time.
 */
const statements = [
  `create index cases_list_open on cases (org_id, due_on, due_at, received_at desc, id)
     include (type, status, created_by, assignee_id) where closed_at is null`,
  `create index cases_list_closed on cases (org_id, due_on, due_at, received_at desc, id)
     include (type, status, created_by, assignee_id) where closed_at is not null`,
  `drop index cases_open_due`,
  `create index cases_open_unassigned on cases (org_id, received_at desc) where closed_at is null and assignee_id is null`,
  `create index cases_closed_when on cases (org_id, closed_at)
     include (type, outcome, received_on, due_on, ico_reported_on, response_sent_on, created_by, assignee_id) where closed_at is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create index if not exists cases_open_due on cases (org_id, due_on) where closed_at is null`).execute(db);
  await sql.raw(`drop index if exists cases_list_open`).execute(db);
  await sql.raw(`drop index if exists cases_list_closed`).execute(db);
  await sql.raw(`drop index if exists cases_open_unassigned`).execute(db);
  await sql.raw(`drop index if exists cases_closed_when`).execute(db);
}
