import { sql, type Kysely } from "kysely";

/*
 * A user's own rights: changing their email address (confirmed by a one-time link sent to the new
 * address) and asking for their data to be erased (recorded for their organisation's admins until
 * case work exists). Frozen in time.
 */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table}
       using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const statements = [
  `create table email_changes (
     org_id uuid not null,
     id uuid not null,
     token_hash text not null unique,
     user_id uuid not null,
     new_email text not null,
     created_at timestamptz not null,
     expires_at timestamptz not null,
     used_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,
  ...guardedByOrganisation("email_changes"),
  // Found by its token before the organisation is known, like a password link.
  `create policy link_lookup on email_changes for select
     using (token_hash = steward_setting('steward.link_token_hash'))`,
  `grant select, insert, update, delete on email_changes to steward_app`,

  `create table erasure_requests (
     org_id uuid not null,
     id uuid not null,
     user_id uuid not null,
     reason text,
     created_at timestamptz not null,
     closed_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,
  `create index erasure_requests_open on erasure_requests (org_id) where closed_at is null`,
  ...guardedByOrganisation("erasure_requests"),
  `grant select, insert, update on erasure_requests to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop table if exists erasure_requests`).execute(db);
  await sql.raw(`drop table if exists email_changes`).execute(db);
}
