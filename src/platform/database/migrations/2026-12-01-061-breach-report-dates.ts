import { sql, type Kysely } from "kysely";

/*
 * The ICO report and telling the people affected are recorded as the day they happened: the form
 * asks for a date, and storing it as midday of that day showed "reported at 12pm", before a school
 * that became aware at 2pm knew of the breach. Existing moments keep their London date. Frozen in time.
 */
const statements = [
  `alter table cases add column ico_reported_on date`,
  `alter table cases add column people_told_on date`,
  `update cases set ico_reported_on = (ico_reported_at at time zone 'Europe/London')::date where ico_reported_at is not null`,
  `update cases set people_told_on = (people_told_at at time zone 'Europe/London')::date where people_told_at is not null`,
  `alter table cases drop column ico_reported_at`,
  `alter table cases drop column people_told_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table cases add column ico_reported_at timestamptz`,
    `alter table cases add column people_told_at timestamptz`,
    `update cases set ico_reported_at = (ico_reported_on + time '12:00') at time zone 'Europe/London'`,
    `update cases set people_told_at = (people_told_on + time '12:00') at time zone 'Europe/London'`,
    `alter table cases drop column ico_reported_on`,
    `alter table cases drop column people_told_on`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
