import { sql, type Kysely } from "kysely";

/*
 * Organisations, users, sessions, one-time password links and the email outbox, with row-level
 * security on every tenant table. Frozen in time: never import application code here.
 *
 * Tenant rule: the application runs each transaction as the role steward_app (which owns nothing,
 * is not a superuser and cannot bypass row-level security) with the setting steward.org_ids naming
 * the organisations the current user may reach. Three narrow lookups happen before the
 * organisation is known (finding a session by its token hash, a user by the name they sign in
 * with, a one-time link by its token hash); each has a read-only policy that matches exactly one
 * value the caller already holds.
 */
/** Row-level security, enabled and forced, letting a transaction reach only its organisations' rows. */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table}
       using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const statements = [
  // The role every request runs as. Roles belong to the whole cluster, so several databases on one
  // server (tests run in parallel) may race to create it: the loser carries on.
  `do $$ begin
     create role steward_app nologin noinherit;
   exception when duplicate_object or unique_violation then null;
   end $$`,
  `do $$ begin
     if not pg_has_role(current_user, 'steward_app', 'member') then
       execute format('grant steward_app to %I', current_user);
     end if;
   exception when unique_violation then null;
   end $$`,

  `create function steward_org_ids() returns uuid[] language sql stable as $$
     select coalesce(nullif(current_setting('steward.org_ids', true), ''), '{}')::uuid[]
   $$`,
  `create function steward_setting(name text) returns text language sql stable as $$
     select nullif(current_setting(name, true), '')
   $$`,

  `create table organisations (
     id uuid primary key,
     parent_id uuid references organisations (id),
     kind text not null check (kind in ('trust', 'school')),
     name text not null check (length(name) between 1 and 200),
     postal_address text not null check (length(postal_address) between 1 and 500),
     telephone text not null check (length(telephone) between 1 and 30),
     created_at timestamptz not null default now(),
     constraint only_schools_sit_under_a_trust check (parent_id is null or kind = 'school')
   )`,
  `create index organisations_parent on organisations (parent_id)`,

  `create table users (
     org_id uuid not null references organisations (id),
     id uuid not null,
     full_name text not null check (length(full_name) between 1 and 200),
     email text not null check (length(email) between 3 and 254),
     username text not null check (length(username) between 3 and 40),
     role text not null check (role in ('owner', 'admin', 'staff')),
     password_hash text,
     deactivated_at timestamptz,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (org_id, id)
   )`,
  `create unique index users_username_unique on users (lower(username))`,
  `create unique index users_email_unique on users (lower(email))`,
  `create unique index users_one_owner_per_organisation on users (org_id) where role = 'owner'`,

  `create table sessions (
     org_id uuid not null,
     id uuid not null,
     token_hash text not null unique,
     user_id uuid not null,
     created_at timestamptz not null,
     last_seen_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,
  `create index sessions_user on sessions (org_id, user_id)`,

  `create table password_links (
     org_id uuid not null,
     id uuid not null,
     token_hash text not null unique,
     user_id uuid not null,
     purpose text not null check (purpose in ('invitation', 'reset')),
     created_at timestamptz not null,
     expires_at timestamptz not null,
     used_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,

  `create table outbox (
     org_id uuid not null references organisations (id),
     id uuid not null,
     recipient text not null,
     subject text not null,
     body text not null,
     status text not null check (status in ('held', 'pending', 'sent', 'failed')),
     attempts integer not null default 0,
     next_attempt_at timestamptz,
     last_error text,
     created_at timestamptz not null,
     sent_at timestamptz,
     primary key (org_id, id)
   )`,
  `create index outbox_due on outbox (next_attempt_at) where status = 'pending'`,

  // Platform secrets (the CSRF signing key). No tenant owns them and steward_app cannot read them.
  `create table platform_secrets (
     name text primary key,
     value text not null
   )`,

  // Row-level security, enabled and forced, on every tenant table.
  `alter table organisations enable row level security`,
  `alter table organisations force row level security`,
  `create policy tenant on organisations
     using (id = any (steward_org_ids()) or parent_id = any (steward_org_ids()))
     with check (id = any (steward_org_ids()) or parent_id = any (steward_org_ids()))`,

  ...guardedByOrganisation("users"),
  `create policy sign_in_lookup on users for select
     using (lower(username) = steward_setting('steward.login_name')
         or lower(email) = steward_setting('steward.login_name'))`,

  ...guardedByOrganisation("sessions"),
  `create policy session_lookup on sessions for select
     using (token_hash = steward_setting('steward.session_token_hash'))`,

  ...guardedByOrganisation("password_links"),
  `create policy link_lookup on password_links for select
     using (token_hash = steward_setting('steward.link_token_hash'))`,

  ...guardedByOrganisation("outbox"),

  // The mail sender needs to know which organisations have mail due, and nothing more.
  `create function steward_organisations_with_mail_due(due_by timestamptz) returns setof uuid
     language sql stable security definer set search_path = public as $$
       select distinct org_id from outbox where status = 'pending' and next_attempt_at <= due_by
     $$`,
  `revoke all on function steward_organisations_with_mail_due(timestamptz) from public`,
  `grant execute on function steward_organisations_with_mail_due(timestamptz) to steward_app`,

  // Housekeeping: sessions past either timeout are deleted whoever they belong to. Returns a count only.
  `create function steward_purge_ended_sessions(idle_since timestamptz, started_before timestamptz) returns integer
     language sql volatile security definer set search_path = public as $$
       with ended as (
         delete from sessions where last_seen_at <= idle_since or created_at <= started_before returning 1
       )
       select count(*)::int from ended
     $$`,
  `revoke all on function steward_purge_ended_sessions(timestamptz, timestamptz) from public`,
  `grant execute on function steward_purge_ended_sessions(timestamptz, timestamptz) to steward_app`,

  `grant usage on schema public to steward_app`,
  `grant select, insert, update, delete on organisations, users, sessions, password_links, outbox to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["outbox", "password_links", "sessions", "users", "organisations", "platform_secrets"]) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  }
  await sql.raw(`drop function if exists steward_organisations_with_mail_due(timestamptz)`).execute(db);
  await sql.raw(`drop function if exists steward_purge_ended_sessions(timestamptz, timestamptz)`).execute(db);
  await sql.raw(`drop function if exists steward_org_ids()`).execute(db);
  await sql.raw(`drop function if exists steward_setting(text)`).execute(db);
}
