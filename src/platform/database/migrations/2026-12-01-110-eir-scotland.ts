import { sql, type Kysely } from "kysely";

/*
 * Environmental information requests in Scotland (the Environmental Information (Scotland)
 * Regulations 2004) are a case type of their own: counted in Scottish working days, not FOIA's.
 * And a record of each change to how deadlines are counted, so that start-up works out every open
 * case's stored due date again once after such a change (applyDeadlineRuleChanges). Not tenant
 * data: only the migrating role reads or writes it. Frozen in time.
 */
const TYPES_BEFORE = `'sar', 'rights', 'educational-record', 'foi', 'foi-school', 'eir', 'foi-scotland', 'breach', 'complaint', 'advice'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table cases drop constraint cases_type_check`,
    `alter table cases add constraint cases_type_check check (type in (${TYPES_BEFORE}, 'eir-scotland'))`,
    `create table deadline_rule_changes (
       name text primary key,
       applied_at timestamptz not null
     )`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `drop table if exists deadline_rule_changes`,
    `alter table cases drop constraint cases_type_check`,
    `alter table cases add constraint cases_type_check check (type in (${TYPES_BEFORE}))`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
