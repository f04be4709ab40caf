import { sql, type Kysely } from "kysely";

/*
 * A form posted after its session ran out is kept, sealed, for the person who typed it to see
 * again, once, after they sign in (kept_forms). Only the latest per person, for an hour, and
 * never a password or a file. Frozen in time.
 */
const statements = [
  `create table kept_forms (
     org_id uuid not null,
     id uuid not null,
     user_id uuid not null,
     path text not null,
     fields text not null,
     created_at timestamptz not null,
     expires_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,
  `create index kept_forms_user on kept_forms (org_id, user_id)`,
  `alter table kept_forms enable row level security`,
  `alter table kept_forms force row level security`,
  `create policy tenant on kept_forms
     using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  `grant select, insert, delete on kept_forms to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop table if exists kept_forms`).execute(db);
}
