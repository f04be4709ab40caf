import { sql, type Kysely } from "kysely";

/*
 * The requester's side: each organisation's public request page (by its public name), a request
 * waiting for its email address to be confirmed, the requester's address on a case, the links and
 * one-time codes that open the requester's own page, their sessions, messages between requester
 * and school, letters, each organisation's own letter wording, and the copies of bundles released.
 * Free text is sealed under the organisation's key. Frozen in time.
 */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table} using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const hex64 = (column: string) => `${column} text not null check (${column} ~ '^[0-9a-f]{64}$')`;

const statements = [
  // The address of the public page, /r/<public_name>: lower-case letters, digits and single hyphens.
  `alter table organisations add column public_name text unique
     check (public_name ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(public_name) between 3 and 40)`,
  // How long a released response stays downloadable from the requester's page.
  `alter table organisations add column release_days integer not null default 28 check (release_days between 1 and 365)`,
  // Every existing organisation gets a public name from its own name (a number added where two would clash).
  `do $$
   declare
     org record;
     base text;
     candidate text;
     n integer;
   begin
     for org in select id, name from organisations where public_name is null order by created_at loop
       base := trim(both '-' from regexp_replace(lower(org.name), '[^a-z0-9]+', '-', 'g'));
       base := left(trim(both '-' from base), 34);
       base := trim(both '-' from base);
       if length(base) < 3 then base := 'school-' || coalesce(nullif(base, ''), 'x'); end if;
       candidate := base;
       n := 1;
       while exists (select 1 from organisations where public_name = candidate) loop
         n := n + 1;
         candidate := base || '-' || n;
       end loop;
       update organisations set public_name = candidate where id = org.id;
     end loop;
   end $$`,

  // A case a requester makes may have nobody at the school as its author.
  `alter table cases alter column created_by drop not null`,
  // A requester's file (their proof of identity, a file with a message) has no staff uploader.
  `alter table case_attachments alter column uploaded_by drop not null`,
  `alter table case_attachments add column from_requester boolean not null default false`,
  `alter table case_attachments add column purpose text check (purpose in ('identity', 'message'))`,
  `alter table case_attachments add column message_id uuid`,

  // A clock the requester's reply set running again: the DPO may put the pause back if the reply did not give what was asked.
  `alter table case_stops add column ended_by_requester boolean not null default false`,

  // A public form posted and waiting for its address to be confirmed by the code emailed to it.
  `create table request_confirmations (
     org_id uuid not null references organisations (id),
     id uuid not null,
     email_index text not null,
     form_kind text not null check (form_kind ~ '^[a-z]{3,20}$'),
     form text,
     ${hex64("code_hash")},
     attempts integer not null default 0 check (attempts >= 0),
     created_at timestamptz not null,
     expires_at timestamptz not null,
     case_id uuid,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index request_confirmations_address on request_confirmations (org_id, email_index, created_at)`,
  `create index request_confirmations_recent on request_confirmations (org_id, form_kind, created_at)`,
  ...guardedByOrganisation("request_confirmations"),
  `grant select, insert, update, delete on request_confirmations to steward_app`,

  // The requester's confirmed email address on a case: where letters and codes go.
  `create table case_requesters (
     org_id uuid not null,
     case_id uuid not null,
     email text not null,
     email_index text not null,
     confirmed_at timestamptz,
     -- What the requester asked, in their own words (sealed): their page shows this, never the staff's summary.
     asked text,
     created_at timestamptz not null,
     primary key (org_id, case_id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  ...guardedByOrganisation("case_requesters"),
  `grant select, insert, update on case_requesters to steward_app`,

  // A link in an email to the requester: it opens their page only with a one-time code sent to the same address.
  `create table requester_links (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     ${hex64("token_hash")},
     created_at timestamptz not null,
     expires_at timestamptz not null,
     code_hash text check (code_hash ~ '^[0-9a-f]{64}$'),
     code_sent_at timestamptz,
     code_attempts integer not null default 0 check (code_attempts >= 0),
     -- Over the link's life, whatever codes it sent: a link that has had too many stops working.
     codes_sent integer not null default 0 check (codes_sent >= 0),
     failed_attempts integer not null default 0 check (failed_attempts >= 0),
     primary key (org_id, id),
     unique (org_id, token_hash),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  ...guardedByOrganisation("requester_links"),
  `grant select, insert, update on requester_links to steward_app`,

  `create table requester_sessions (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     ${hex64("token_hash")},
     created_at timestamptz not null,
     last_seen_at timestamptz not null,
     primary key (org_id, id),
     unique (org_id, token_hash),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  ...guardedByOrganisation("requester_sessions"),
  `grant select, insert, update, delete on requester_sessions to steward_app`,

  // Messages between the requester and the school, kept apart from internal notes.
  `create table case_messages (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     from_requester boolean not null,
     author_user_id uuid,
     body text not null,
     sent_at timestamptz not null,
     answered_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id),
     check (from_requester = (author_user_id is null))
   )`,
  `create index case_messages_case on case_messages (org_id, case_id, sent_at)`,
  `create index case_messages_waiting on case_messages (org_id, sent_at) where from_requester and answered_at is null`,
  ...guardedByOrganisation("case_messages"),
  `grant select, insert, update on case_messages to steward_app`,

  // An organisation's own wording of a letter (Steward's is used where there is none).
  `create table letter_templates (
     org_id uuid not null references organisations (id),
     kind text not null check (kind ~ '^[a-z-]{3,40}$'),
     subject text not null check (length(subject) <= 300),
     body text not null check (length(body) <= 20000),
     changed_by uuid not null,
     changed_at timestamptz not null,
     primary key (org_id, kind)
   )`,
  ...guardedByOrganisation("letter_templates"),
  `grant select, insert, update, delete on letter_templates to steward_app`,

  // A response released to the requester: the bundle as sent (sealed, in the file store under its id), with its hash.
  `create table case_releases (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     ${hex64("content_sha256")},
     size_bytes bigint not null check (size_bytes > 0),
     released_by uuid not null,
     released_at timestamptz not null,
     expires_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index case_releases_case on case_releases (org_id, case_id, released_at)`,
  ...guardedByOrganisation("case_releases"),
  `grant select, insert on case_releases to steward_app`,

  // A letter sent: by email through the outbox, or downloaded to post. Subject and body sealed.
  `create table case_letters (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     kind text not null,
     subject text not null,
     body text not null,
     method text not null check (method in ('email', 'post')),
     postal_address text,
     sent_on date not null,
     sent_by uuid not null,
     sent_at timestamptz not null,
     release_id uuid,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id),
     foreign key (org_id, release_id) references case_releases (org_id, id)
   )`,
  `create index case_letters_case on case_letters (org_id, case_id, sent_at)`,
  ...guardedByOrganisation("case_letters"),
  `grant select, insert on case_letters to steward_app`,

  // The one way a visitor's page finds an organisation: by its public name, with (for a trust) its schools. No personal data.
  `create function steward_public_organisation(wanted text)
     returns table (id uuid, name text, kind text, parent_id uuid, public_name text, nation text, school_type text)
     language sql stable security definer set search_path = public as $$
       select o.id, o.name, o.kind, o.parent_id, o.public_name, o.nation, o.school_type from organisations o where o.public_name = wanted
       union all
       select s.id, s.name, s.kind, s.parent_id, s.public_name, s.nation, s.school_type from organisations s
         join organisations t on t.id = s.parent_id where t.public_name = wanted
     $$`,
  `revoke all on function steward_public_organisation(text) from public`,
  // The licence's storage counts the responses released as it counts attachments and disclosure originals.
  `create or replace function steward_storage_use(org uuid)
     returns table (licence_id uuid, licence_limit bigint, licence_used bigint, platform_used bigint)
     language sql stable security definer set search_path = public as $$
       with licence as (
         select coalesce(parent_id, id) as id from organisations where id = org and org = any (steward_org_ids())
       ),
       files as (
         select org_id, size_bytes::bigint as size_bytes from case_attachments where removed_at is null
         union all
         select org_id, size_bytes from disclosure_documents where removed_at is null
         union all
         select org_id, size_bytes from case_releases
       )
       select licence.id,
              top.storage_limit_bytes,
              (select coalesce(sum(f.size_bytes), 0) from files f join organisations o on o.id = f.org_id
                where coalesce(o.parent_id, o.id) = licence.id)::bigint,
              (select coalesce(sum(size_bytes), 0) from files)::bigint
         from licence join organisations top on top.id = licence.id
     $$`,
  // Housekeeping across organisations: forms never confirmed (and confirmed ones' leftovers) after a day, requester sessions past their timeouts.
  `create function steward_purge_requester_leftovers(now_at timestamptz, made_before timestamptz, idle_since timestamptz, started_before timestamptz) returns integer
     language sql volatile security definer set search_path = public as $$
       with emptied as (
         update request_confirmations set form = null where form is not null and expires_at <= now_at and created_at > made_before returning 1
       ), forms as (
         delete from request_confirmations where created_at <= made_before returning 1
       ), sessions as (
         delete from requester_sessions where last_seen_at <= idle_since or created_at <= started_before returning 1
       )
       select ((select count(*) from emptied) + (select count(*) from forms) + (select count(*) from sessions))::int
     $$`,
  `revoke all on function steward_purge_requester_leftovers(timestamptz, timestamptz, timestamptz, timestamptz) from public`,
  `grant execute on function steward_purge_requester_leftovers(timestamptz, timestamptz, timestamptz, timestamptz) to steward_app`,
  `grant execute on function steward_public_organisation(text) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Migration 155's storage count, without the releases.
  await sql
    .raw(
      `create or replace function steward_storage_use(org uuid)
         returns table (licence_id uuid, licence_limit bigint, licence_used bigint, platform_used bigint)
         language sql stable security definer set search_path = public as $$
           with licence as (
             select coalesce(parent_id, id) as id from organisations where id = org and org = any (steward_org_ids())
           ),
           files as (
             select org_id, size_bytes::bigint as size_bytes from case_attachments where removed_at is null
             union all
             select org_id, size_bytes from disclosure_documents where removed_at is null
           )
           select licence.id,
                  top.storage_limit_bytes,
                  (select coalesce(sum(f.size_bytes), 0) from files f join organisations o on o.id = f.org_id
                    where coalesce(o.parent_id, o.id) = licence.id)::bigint,
                  (select coalesce(sum(size_bytes), 0) from files)::bigint
             from licence join organisations top on top.id = licence.id
         $$`,
    )
    .execute(db);
  await sql.raw(`drop function if exists steward_purge_requester_leftovers(timestamptz, timestamptz, timestamptz, timestamptz)`).execute(db);
  await sql.raw(`drop function if exists steward_public_organisation(text)`).execute(db);
  for (const table of ["case_letters", "case_releases", "letter_templates", "case_messages", "requester_sessions", "requester_links", "case_requesters", "request_confirmations"]) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw(`alter table case_stops drop column if exists ended_by_requester`).execute(db);
  await sql.raw(`alter table case_attachments drop column if exists message_id, drop column if exists purpose, drop column if exists from_requester`).execute(db);
  await sql.raw(`alter table organisations drop column if exists release_days, drop column if exists public_name`).execute(db);
}
