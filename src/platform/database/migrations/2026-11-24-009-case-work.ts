import { sql, type Kysely } from "kysely";

/*
 * Case work: every request and incident a school's DPO handles, its clock stops, timeline,
 * attachments and reminders; each school's nation and term dates; bank holidays loaded from
 * GOV.UK. Free text about people is sealed by the application before it reaches these tables.
 * Frozen in time.
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
  `alter table organisations
     add column nation text not null default 'england'
       check (nation in ('england', 'wales', 'scotland', 'northern-ireland')),
     add column school_type text not null default 'maintained'
       check (school_type in ('maintained', 'academy', 'independent')),
     add column advice_target_days integer not null default 10
       check (advice_target_days between 1 and 60)`,
  // A school inside a trust is an academy.
  `update organisations set school_type = 'academy' where parent_id is not null`,

  `create table school_terms (
     org_id uuid not null references organisations (id),
     id uuid not null,
     kind text not null check (kind in ('term', 'closure')),
     first_day date not null,
     last_day date not null,
     primary key (org_id, id),
     check (last_day >= first_day)
   )`,
  ...guardedByOrganisation("school_terms"),
  `grant select, insert, delete on school_terms to steward_app`,

  // Not tenant data: the published calendar, loaded by an operator; each year replaces the built-in one.
  `create table bank_holiday_updates (
     division text not null check (division in ('england-and-wales', 'scotland', 'northern-ireland')),
     date date not null,
     title text not null check (length(title) between 1 and 200),
     primary key (division, date)
   )`,
  `grant select on bank_holiday_updates to steward_app`,

  `create table case_counters (
     org_id uuid not null references organisations (id),
     prefix text not null,
     year integer not null,
     last_number integer not null,
     primary key (org_id, prefix, year)
   )`,
  ...guardedByOrganisation("case_counters"),
  `grant select, insert, update on case_counters to steward_app`,

  `create table cases (
     org_id uuid not null references organisations (id),
     id uuid not null,
     reference text not null,
     type text not null check (type in ('sar', 'rights', 'educational-record', 'foi', 'foi-school', 'eir', 'foi-scotland', 'breach', 'complaint', 'advice')),
     -- Which right an "other rights" request uses.
     right_asked text check (right_asked in ('rectification', 'erasure', 'restriction', 'objection', 'portability')),
     check ((type = 'rights') = (right_asked is not null)),
     status text not null,
     received_at timestamptz not null,
     received_on date not null,
     channel text not null,
     requester_name text not null,
     requester_contact text,
     subject_kind text not null check (subject_kind in ('requester', 'pupil', 'parent', 'staff', 'other')),
     subject_name text,
     summary text not null,
     breach_report text,
     -- Users of the case's organisation or its trust (a trust DPO may log and handle a school's case).
     created_by uuid not null,
     assignee_id uuid,
     extended boolean not null default false,
     extension_reason text,
     requester_told_on date,
     extended_to date,
     due_on date,
     due_at timestamptz,
     risk_likelihood text,
     risk_severity text,
     ico_reported_at timestamptz,
     people_told_at timestamptz,
     outcome text,
     outcome_detail text,
     closed_at timestamptz,
     created_at timestamptz not null,
     updated_at timestamptz not null,
     primary key (org_id, id),
     unique (org_id, reference)
   )`,
  `create index cases_open_due on cases (org_id, due_on) where closed_at is null`,
  `create index cases_received on cases (org_id, received_at)`,
  `create index cases_created_by on cases (org_id, created_by)`,
  `create index cases_assignee on cases (org_id, assignee_id)`,
  ...guardedByOrganisation("cases"),
  `grant select, insert, update on cases to steward_app`,

  `create table case_stops (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     reason text not null check (reason in ('identity', 'fee', 'clarification')),
     from_on date not null,
     to_on date,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id),
     check (to_on is null or to_on >= from_on)
   )`,
  `create unique index case_stops_one_open on case_stops (org_id, case_id) where to_on is null`,
  ...guardedByOrganisation("case_stops"),
  `grant select, insert, update on case_stops to steward_app`,

  `create table case_events (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     seq bigint generated always as identity,
     at timestamptz not null,
     actor_user_id uuid,
     kind text not null,
     detail text,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index case_events_case on case_events (org_id, case_id, seq)`,
  ...guardedByOrganisation("case_events"),
  // A timeline is a record: it is added to, never changed.
  `grant select, insert on case_events to steward_app`,

  `create table case_attachments (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     filename text not null,
     file_type text not null,
     size_bytes integer not null check (size_bytes > 0),
     content text not null,
     uploaded_by uuid not null,
     uploaded_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index case_attachments_case on case_attachments (org_id, case_id)`,
  ...guardedByOrganisation("case_attachments"),
  `grant select, insert on case_attachments to steward_app`,

  // One row per reminder sent: the primary key is what makes "sent once" true across processes.
  `create table case_reminders (
     org_id uuid not null,
     case_id uuid not null,
     kind text not null,
     due_key text not null,
     sent_at timestamptz not null,
     primary key (org_id, case_id, kind, due_key),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  ...guardedByOrganisation("case_reminders"),
  `grant select, insert on case_reminders to steward_app`,

  // The reminder job needs to know which organisations have open cases with a clock, and nothing more.
  `create function steward_organisations_with_open_deadlines() returns setof uuid
     language sql stable security definer set search_path = public as $$
       select distinct org_id from cases where closed_at is null and due_on is not null
     $$`,
  `revoke all on function steward_organisations_with_open_deadlines() from public`,
  `grant execute on function steward_organisations_with_open_deadlines() to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["case_reminders", "case_attachments", "case_events", "case_stops", "cases", "case_counters", "bank_holiday_updates", "school_terms"]) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw(`drop function if exists steward_organisations_with_open_deadlines()`).execute(db);
  await sql.raw(`alter table organisations drop column if exists nation, drop column if exists school_type, drop column if exists advice_target_days`).execute(db);
}
