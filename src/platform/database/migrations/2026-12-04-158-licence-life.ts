import { sql, type Kysely } from "kysely";

/*
 * The licence's life and the operator who runs the service. A licence (a trust with its schools,
 * or a standalone school) has a term and a state: active, dormant once the term has ended (only
 * the owner signs in), ended once its data has been destroyed (12 months dormant, or deleted on
 * request after a 7-day cooling-off). The licence row outlives its organisation's rows, so the
 * operator's list still shows an ended licence; it holds no personal data.
 *
 * The operator runs as its own database role, steward_operator, which is granted the licence
 * rows, its own account tables and a few functions that return figures: nothing else, so no
 * query an operator's request makes can reach a case, a person's name or a file.
 *
 * Also: each account holder's consent to non-service email (a history: every change kept with
 * its time and wording), the suppression list (keyed hashes of addresses that opted out, kept
 * apart from any organisation so they survive its deletion and a re-registration), a request to
 * take over a licence whose owner has gone, and the backups Steward has taken. Frozen in time.
 */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table} using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const sessionOf = (licenceField: string) => `create function steward_session_of(token_hash_wanted text)
     returns table (
       org_id uuid, session_id uuid, user_id uuid, created_at timestamptz, last_seen_at timestamptz,
       awaiting_second_factor boolean, confirmed_at timestamptz,
       username text, full_name text, role text, deactivated_at timestamptz, totp_confirmed_at timestamptz,
       two_factor_required boolean, organisation_name text, organisation_kind text, wrapped_key text,
       schools json${licenceField ? ", licence_state text" : ""}
     )
     language sql stable security definer set search_path = public as $$
       select s.org_id, s.id, s.user_id, s.created_at, s.last_seen_at, s.awaiting_second_factor, s.confirmed_at,
              u.username, u.full_name, u.role, u.deactivated_at, u.totp_confirmed_at,
              o.two_factor_required, o.name, o.kind, k.wrapped_key,
              coalesce((select json_agg(json_build_object('id', c.id, 'name', c.name, 'wrappedKey', ck.wrapped_key) order by c.name)
                          from organisations c
                          left join organisation_keys ck on ck.org_id = c.id
                         where c.parent_id = o.id and o.kind = 'trust'), '[]'::json)${licenceField}
         from sessions s
         join users u on u.org_id = s.org_id and u.id = s.user_id
         join organisations o on o.id = s.org_id
         left join organisation_keys k on k.org_id = s.org_id
        where s.token_hash = token_hash_wanted
     $$`;

const statements = [
  `do $$ begin
     create role steward_operator nologin noinherit;
   exception when duplicate_object or unique_violation then null;
   end $$`,
  `do $$ begin
     if not pg_has_role(current_user, 'steward_operator', 'member') then
       execute format('grant steward_operator to %I', current_user);
     end if;
   exception when unique_violation then null;
   end $$`,
  `grant usage on schema public to steward_operator`,

  // One row per licence, keyed by its top organisation's id (no foreign key: it outlives the organisation).
  `create table licences (
     org_id uuid primary key,
     organisation_name text not null check (length(organisation_name) between 1 and 200),
     organisation_kind text not null check (organisation_kind in ('trust', 'school')),
     state text not null default 'active' check (state in ('active', 'dormant', 'deletion-pending', 'ending', 'ended')),
     term_starts_on date not null,
     term_ends_on date not null check (term_ends_on > term_starts_on),
     -- Expiry warnings already sent for this term end (60, 30, 7 days before); a new end date starts afresh.
     warnings_sent integer[] not null default '{}',
     dormant_since timestamptz,
     -- The state it was in before a deletion was asked for (a cancelled deletion goes back to it).
     state_before_deletion text,
     deletion_asked_at timestamptz,
     deletion_asked_by uuid,
     deletion_approved_at timestamptz,
     deletion_approved_by uuid,
     -- The end of the cooling-off: the data is destroyed from then on.
     deletion_due_at timestamptz,
     reinstated_at timestamptz,
     -- What the licence job still has to tell the owner about an operator's change (a new term, a cancelled deletion).
     notices_due text[] not null default '{}',
     ended_at timestamptz,
     ended_reason text check (ended_reason in ('dormant-12-months', 'deleted-on-request')),
     -- The organisations whose data was destroyed (the licence's and its schools'), and when their files on disk went too.
     destroyed_organisation_ids uuid[] not null default '{}',
     files_removed_at timestamptz,
     created_at timestamptz not null,
     changed_at timestamptz not null
   )`,
  `create index licences_due on licences (state, term_ends_on)`,
  ...guardedByOrganisation("licences"),
  `create policy operator_reads on licences to steward_operator using (true) with check (true)`,
  `grant select, insert, update on licences to steward_app`,
  `grant select, update on licences to steward_operator`,
  // Every licence there is today: its term runs a year from now (nobody is surprised by an expiry).
  `insert into licences (org_id, organisation_name, organisation_kind, term_starts_on, term_ends_on, created_at, changed_at)
     select id, name, kind, created_at::date, (now() + interval '1 year')::date, now(), now()
       from organisations where parent_id is null`,

  // A licence whose owner has gone: an admin asks to take it over; the operator checks and decides.
  `create table ownership_requests (
     org_id uuid not null references organisations (id),
     id uuid not null,
     asked_by uuid not null,
     asked_at timestamptz not null,
     -- Why, in the admin's words: sealed, it may name the owner who left.
     reason text not null,
     state text not null default 'waiting' check (state in ('waiting', 'approved', 'refused', 'withdrawn')),
     decided_at timestamptz,
     -- When the licence job carried out the operator's decision (the roles changed, the people told).
     applied_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, asked_by) references users (org_id, id)
   )`,
  `create unique index one_waiting_ownership_request on ownership_requests (org_id) where state = 'waiting'`,
  ...guardedByOrganisation("ownership_requests"),
  `grant select, insert, update on ownership_requests to steward_app`,

  // The operators: people who run the service. Not in any organisation; two-factor always.
  `create table operators (
     id uuid primary key,
     email text not null unique check (length(email) between 3 and 320),
     password_hash text not null,
     -- The authenticator secret, sealed under the master key.
     totp_secret text,
     totp_confirmed_at timestamptz,
     totp_last_step bigint,
     failed_sign_ins integer not null default 0,
     locked_until timestamptz,
     created_at timestamptz not null,
     deactivated_at timestamptz
   )`,
  `create table operator_sessions (
     id uuid primary key,
     token_hash text not null unique,
     operator_id uuid not null references operators (id),
     awaiting_second_factor boolean not null default true,
     created_at timestamptz not null,
     last_seen_at timestamptz not null
   )`,
  // What operators did (and what the licence jobs did): the operator's own trail, kept after a licence ends.
  `create table operator_events (
     id uuid primary key,
     occurred_at timestamptz not null,
     operator_id uuid references operators (id),
     action text not null check (action ~ '^[a-z.-]{3,60}$'),
     licence_id uuid,
     detail jsonb not null default '{}'
   )`,
  `create index operator_events_when on operator_events (occurred_at desc)`,
  `grant select, insert, update, delete on operators, operator_sessions to steward_operator`,
  `grant select, insert on operator_events to steward_operator`,
  `grant insert on operator_events to steward_app`,

  // Backups Steward took (the rolling set): when, which file, its size, and when it was pruned.
  `create table backup_runs (
     id uuid primary key,
     taken_at timestamptz not null,
     file_name text not null,
     bytes bigint not null,
     pruned_at timestamptz
   )`,
  `grant select on backup_runs to steward_operator`,

  // Consent to email beyond the service's own, per kind, as a history: the newest row is the answer.
  `create table contact_consents (
     org_id uuid not null,
     id uuid not null,
     user_id uuid not null,
     kind text not null check (kind in ('product-updates', 'surveys')),
     given boolean not null,
     -- The words the person saw when they answered, as they were then.
     wording text not null check (length(wording) between 1 and 1000),
     recorded_at timestamptz not null,
     -- How: on the account page, by an unsubscribe link, at registration.
     how text not null check (how in ('account-page', 'unsubscribe-link', 'registration')),
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id)
   )`,
  `create index contact_consents_of on contact_consents (org_id, user_id, kind, recorded_at desc)`,
  ...guardedByOrganisation("contact_consents"),
  `grant select, insert on contact_consents to steward_app`,

  // Addresses that opted out, as keyed hashes (never the address): no organisation owns them.
  `create table email_suppressions (
     address_index text not null,
     kind text not null check (kind in ('product-updates', 'surveys')),
     suppressed_at timestamptz not null,
     primary key (address_index, kind)
   )`,
  `grant select, insert, delete on email_suppressions to steward_app`,

  // The session's licence state, so every request knows whether its licence is dormant.
  `drop function steward_session_of(text)`,
  // In a deletion's cooling-off the licence works as it did before; once its data is being destroyed, nobody signs in.
  sessionOf(`,
              coalesce((select case when l.state = 'deletion-pending' then coalesce(l.state_before_deletion, 'active') else l.state end
                          from licences l where l.org_id = coalesce(o.parent_id, o.id)), 'active')`),
  `revoke all on function steward_session_of(text) from public`,
  `grant execute on function steward_session_of(text) to steward_app`,

  // What the operator sees of each licence: names of organisations and figures, never a person.
  `create function steward_licence_overview()
     returns table (
       org_id uuid, organisation_name text, organisation_kind text, state text, term_starts_on date, term_ends_on date,
       dormant_since timestamptz, deletion_due_at timestamptz, ended_at timestamptz, ended_reason text,
       schools integer, storage_limit_bytes bigint, storage_used_bytes bigint, last_activity_at timestamptz,
       ownership_requests_waiting integer
     )
     language sql stable security definer set search_path = public as $$
       select l.org_id, coalesce(top.name, l.organisation_name), l.organisation_kind, l.state, l.term_starts_on, l.term_ends_on,
              l.dormant_since, l.deletion_due_at, l.ended_at, l.ended_reason,
              (select count(*)::int from organisations c where c.parent_id = l.org_id),
              top.storage_limit_bytes,
              (select coalesce(sum(u.licence_used), 0)::bigint from steward_storage_use(l.org_id) u where top.id is not null),
              (select max(s.last_seen_at) from sessions s join organisations o on o.id = s.org_id where coalesce(o.parent_id, o.id) = l.org_id),
              (select count(*)::int from ownership_requests r join organisations o on o.id = r.org_id
                where coalesce(o.parent_id, o.id) = l.org_id and r.state = 'waiting')
         from licences l
         left join organisations top on top.id = l.org_id
     $$`,
  `revoke all on function steward_licence_overview() from public`,
  `grant execute on function steward_licence_overview() to steward_operator`,

  // The licence's contact details for an operator checking a request by telephone: the organisation's, never a person's.
  `create function steward_licence_contact(licence uuid)
     returns table (postal_address text, telephone text, request_asked_at timestamptz, requester_role text)
     language sql stable security definer set search_path = public as $$
       select top.postal_address, top.telephone, r.asked_at, u.role
         from organisations top
         left join ownership_requests r on r.org_id = top.id and r.state = 'waiting'
         left join users u on u.org_id = r.org_id and u.id = r.asked_by
        where top.id = licence and top.parent_id is null
     $$`,
  `revoke all on function steward_licence_contact(uuid) from public`,
  `grant execute on function steward_licence_contact(uuid) to steward_operator`,

  // The operator decides an ownership request; the licence job carries the decision out (as the application, in the licence's scope).
  `create function steward_decide_ownership_request(licence uuid, approve boolean, now_at timestamptz) returns integer
     language sql volatile security definer set search_path = public as $$
       with decided as (
         update ownership_requests set state = case when approve then 'approved' else 'refused' end, decided_at = now_at
          where org_id = licence and state = 'waiting' returning 1)
       select count(*)::int from decided
     $$`,
  `revoke all on function steward_decide_ownership_request(uuid, boolean, timestamptz) from public`,
  `grant execute on function steward_decide_ownership_request(uuid, boolean, timestamptz) to steward_operator`,

  // The operator raises a licence's storage limit: that one column of the top organisation, nothing else.
  `create function steward_set_storage_limit(licence uuid, limit_bytes bigint) returns void
     language sql volatile security definer set search_path = public as $$
       update organisations set storage_limit_bytes = limit_bytes where id = licence and parent_id is null
     $$`,
  `revoke all on function steward_set_storage_limit(uuid, bigint) from public`,
  `grant execute on function steward_set_storage_limit(uuid, bigint) to steward_operator`,

  // The platform's health, as figures.
  `create function steward_platform_health()
     returns table (database_bytes bigint, jobs_waiting integer, jobs_failed integer, email_waiting integer, email_failed integer)
     language sql stable security definer set search_path = public as $$
       select pg_database_size(current_database())::bigint,
              (select count(*)::int from jobs where state = 'waiting'),
              (select count(*)::int from jobs where state = 'failed'),
              (select count(*)::int from outbox where status = 'pending'),
              (select count(*)::int from outbox where status = 'failed')
     $$`,
  `revoke all on function steward_platform_health() from public`,
  `grant execute on function steward_platform_health() to steward_operator`,

  // Whether an organisation's licence (a school in a trust: the trust's) is in its term: reminders stop once it is not.
  `create function steward_licence_is_active(org uuid) returns boolean
     language sql stable security definer set search_path = public as $$
       select coalesce((select l.state = 'active' or (l.state = 'deletion-pending' and l.state_before_deletion = 'active')
                          from organisations o join licences l on l.org_id = coalesce(o.parent_id, o.id) where o.id = org), true)
     $$`,
  `revoke all on function steward_licence_is_active(uuid) from public`,
  `grant execute on function steward_licence_is_active(uuid) to steward_app`,

  // The licence jobs: which licences have something due (a warning, an expiry, a shred, a deletion), without a tenant scope.
  `create function steward_licences_due(today date, now_at timestamptz)
     returns table (org_id uuid)
     language sql stable security definer set search_path = public as $$
       select org_id from licences
        where (state = 'active' and term_ends_on <= today + 60)
           -- From ten months dormant: the last warning, a month before the data goes, then the destruction.
           or (state = 'dormant' and (dormant_since <= now_at - interval '10 months' or term_ends_on >= today))
           or cardinality(notices_due) > 0
           or exists (select 1 from ownership_requests r where r.org_id = licences.org_id and r.state in ('approved', 'refused') and r.applied_at is null)
           or (state = 'deletion-pending' and deletion_due_at <= now_at)
           or state = 'ending'
           or (state = 'ended' and files_removed_at is null)
     $$`,
  `revoke all on function steward_licences_due(date, timestamptz) from public`,
  `grant execute on function steward_licences_due(date, timestamptz) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `drop function if exists steward_licences_due(date, timestamptz)`,
    `drop function if exists steward_licence_is_active(uuid)`,
    `drop function if exists steward_platform_health()`,
    `drop function if exists steward_decide_ownership_request(uuid, boolean, timestamptz)`,
    `drop function if exists steward_set_storage_limit(uuid, bigint)`,
    `drop function if exists steward_licence_contact(uuid)`,
    `drop function if exists steward_licence_overview()`,
    `drop function if exists steward_session_of(text)`,
    sessionOf(""),
    `revoke all on function steward_session_of(text) from public`,
    `grant execute on function steward_session_of(text) to steward_app`,
    `drop table if exists email_suppressions`,
    `drop table if exists contact_consents`,
    `drop table if exists backup_runs`,
    `drop table if exists operator_events`,
    `drop table if exists operator_sessions`,
    `drop table if exists operators`,
    `drop table if exists ownership_requests`,
    `drop table if exists licences`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
