import { sql, type Kysely } from "kysely";

/*
 * The registers: one table of entries (a processing activity, a supplier, and the registers that
 * follow), each with an owner, a review date and a status, so every register sits on one review
 * schedule; the reminders sent for a review; and the two things a job or a school may see beyond
 * its own rows (which organisations have reviews due; its trust's template entries); and the
 * suppliers' privacy notices as Steward read them. An entry
 * describes processing, not a person: its details are kept as plain JSON, checked by the
 * application against its kind's schema; the few fields that name a person are sealed apart. Frozen in time.
 */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table} using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const statements = [
  `create table register_entries (
     org_id uuid not null references organisations (id),
     id uuid not null,
     kind text not null check (kind ~ '^[a-z-]{3,30}$'),
     title text not null check (length(title) between 1 and 200),
     status text not null check (status in ('draft', 'active', 'retired')),
     owner_user_id uuid,
     review_on date not null,
     details jsonb not null default '{}',
     -- The few fields about a person (who was trained), sealed under the organisation's key, as JSON.
     personal text,
     version integer not null default 1 check (version >= 1),
     -- A trust's entry its schools may copy, and in a copy, the template and the version it last took.
     is_template boolean not null default false,
     template_id uuid,
     template_version integer,
     starter_key text check (starter_key ~ '^[a-z0-9-]{2,40}$'),
     created_at timestamptz not null,
     created_by uuid,
     changed_at timestamptz not null,
     changed_by uuid,
     last_reviewed_on date,
     primary key (org_id, id),
     check ((template_id is null) = (template_version is null))
   )`,
  `create index register_entries_kind on register_entries (org_id, kind, title)`,
  `create index register_entries_review on register_entries (review_on) where status <> 'retired'`,
  ...guardedByOrganisation("register_entries"),
  `grant select, insert, update on register_entries to steward_app`,

  // A supplier's privacy notice as read: its text (a public document), where it came from, and what the reader found.
  `create table supplier_notice_readings (
     org_id uuid not null references organisations (id),
     id uuid not null,
     source text not null check (length(source) between 1 and 300),
     notice_text text not null check (length(notice_text) <= 500000),
     reading jsonb not null,
     created_at timestamptz not null,
     created_by uuid not null,
     primary key (org_id, id)
   )`,
  ...guardedByOrganisation("supplier_notice_readings"),
  `grant select, insert on supplier_notice_readings to steward_app`,

  // A signed DPIA, frozen: its whole content as signed. Changes after make a new version; these stay.
  `create table dpia_versions (
     org_id uuid not null,
     entry_id uuid not null,
     version integer not null check (version >= 1),
     title text not null,
     content jsonb not null,
     signed_by uuid not null,
     signed_at timestamptz not null,
     primary key (org_id, entry_id, version),
     foreign key (org_id, entry_id) references register_entries (org_id, id)
   )`,
  ...guardedByOrganisation("dpia_versions"),
  `grant select, insert on dpia_versions to steward_app`,

  // The disposal log: what was destroyed, when, how, by whom and on whose authority. Only ever added to.
  `create table disposal_records (
     org_id uuid not null references organisations (id),
     id uuid not null,
     what text not null check (length(what) between 1 and 500),
     disposed_on date not null,
     method text not null check (method ~ '^[a-z-]{3,40}$'),
     disposed_by text not null check (length(disposed_by) between 1 and 200),
     authority text not null check (length(authority) between 1 and 500),
     retention_entry_id uuid,
     evidence text check (length(evidence) <= 500),
     recorded_by uuid not null,
     recorded_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, retention_entry_id) references register_entries (org_id, id)
   )`,
  `create index disposal_records_on on disposal_records (org_id, disposed_on desc)`,
  ...guardedByOrganisation("disposal_records"),
  `grant select, insert on disposal_records to steward_app`,

  // A closed case past its retention period, approved by the DPO for destruction (the removal itself comes with the licence's lifecycle).
  `create table case_destruction_approvals (
     org_id uuid not null,
     case_id uuid not null,
     retention_entry_id uuid not null,
     approved_by uuid not null,
     approved_at timestamptz not null,
     primary key (org_id, case_id),
     foreign key (org_id, case_id) references cases (org_id, id),
     foreign key (org_id, retention_entry_id) references register_entries (org_id, id)
   )`,
  ...guardedByOrganisation("case_destruction_approvals"),
  `grant select, insert on case_destruction_approvals to steward_app`,

  // A review reminder claimed once (per entry, review date and how far ahead), whatever the number of processes.
  `create table register_reminders (
     org_id uuid not null,
     entry_id uuid not null,
     review_on date not null,
     bucket text not null check (bucket in ('30-days', '7-days', 'due')),
     sent_at timestamptz not null,
     primary key (org_id, entry_id, review_on, bucket),
     foreign key (org_id, entry_id) references register_entries (org_id, id)
   )`,
  ...guardedByOrganisation("register_reminders"),
  `grant select, insert on register_reminders to steward_app`,

  // The reminder job needs to know which organisations have a review coming, and nothing more.
  `create function steward_organisations_with_reviews_due(p_until date) returns setof uuid
     language sql stable security definer set search_path = public as $$
       select distinct org_id from register_entries where status <> 'retired' and review_on <= p_until
     $$`,
  `revoke all on function steward_organisations_with_reviews_due(date) from public`,
  `grant execute on function steward_organisations_with_reviews_due(date) to steward_app`,

  // A school sees its trust's template entries (to copy them, and to see when one changed): only
  // for a school its caller may reach, and only templates, never the trust's own entries.
  `create function steward_trust_templates(p_org uuid)
     returns table (id uuid, org_id uuid, kind text, title text, details jsonb, version integer, changed_at timestamptz, review_on date)
     language sql stable security definer set search_path = public as $$
       select e.id, e.org_id, e.kind, e.title, e.details, e.version, e.changed_at, e.review_on
       from organisations o
       join register_entries e on e.org_id = o.parent_id
       where o.id = p_org and p_org = any (steward_org_ids()) and e.is_template and e.status <> 'retired'
     $$`,
  `revoke all on function steward_trust_templates(uuid) from public`,
  `grant execute on function steward_trust_templates(uuid) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop function if exists steward_trust_templates(uuid)`).execute(db);
  await sql.raw(`drop function if exists steward_organisations_with_reviews_due(date)`).execute(db);
  for (const table of ["dpia_versions", "case_destruction_approvals", "disposal_records", "register_reminders", "supplier_notice_readings", "register_entries"]) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
