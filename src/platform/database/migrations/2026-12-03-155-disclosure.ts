import { sql, type Kysely } from "kysely";

/*
 * The disclosure area of a case: the documents to consider for the response, the people the
 * request concerns, search tasks, each removal a review decides on, approvals, and each
 * organisation's redaction settings. Free text is sealed: the working data (the words a mark would
 * remove, why, a listed person's name, and the files: the original, its normalised PDF, its text
 * as read) under the case's own working key, kept outside the database; the rest (file names,
 * titles, settings, the redacted copy) under the organisation's key. Counted in the licence's storage. Thirty days
 * after a case closes its working data is purged (purged_at). Frozen in time.
 */
function guardedByOrganisation(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant on ${table} using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  ];
}

const sha256 = (column: string) => `${column} text check (${column} ~ '^[0-9a-f]{64}$')`;

const statements = [
  // A search for documents the DPO asks someone to make ("the class teacher's emails"), with a due date.
  `create table disclosure_tasks (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     title text not null,
     assignee_id uuid not null,
     due_on date not null,
     state text not null default 'open' check (state in ('open', 'done', 'nothing-found')),
     created_by uuid not null,
     created_at timestamptz not null,
     finished_by uuid,
     finished_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index disclosure_tasks_case on disclosure_tasks (org_id, case_id)`,
  `create index disclosure_tasks_assignee on disclosure_tasks (org_id, assignee_id, state)`,
  ...guardedByOrganisation("disclosure_tasks"),
  `grant select, insert, update on disclosure_tasks to steward_app`,

  `create table disclosure_documents (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     filename text not null,
     file_type text not null check (file_type ~ '^[a-z]{2,5}$'),
     size_bytes bigint not null check (size_bytes > 0),
     ${sha256("original_sha256")} not null,
     purpose text not null check (purpose in ('disclosure', 'working')),
     from_document_id uuid,
     from_attachment_id uuid,
     task_id uuid,
     state text not null check (state in ('reading', 'failed', 'review', 'redacting', 'redacted', 'working', 'purged')),
     failure text check (length(failure) <= 500),
     page_count integer check (page_count >= 0),
     unread_pages integer[] not null default '{}',
     pdf_file_id uuid,
     ${sha256("pdf_sha256")},
     text_file_id uuid,
     ${sha256("text_sha256")},
     redacted_file_id uuid,
     ${sha256("redacted_sha256")},
     redaction_problems text,
     added_by uuid not null,
     added_at timestamptz not null,
     changed_at timestamptz not null,
     removed_at timestamptz,
     removed_by uuid,
     removal_reason text,
     skipped_attachments integer not null default 0 check (skipped_attachments >= 0),
     purged_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id),
     foreign key (org_id, from_document_id) references disclosure_documents (org_id, id),
     foreign key (org_id, task_id) references disclosure_tasks (org_id, id)
   )`,
  `create index disclosure_documents_case on disclosure_documents (org_id, case_id, added_at)`,
  ...guardedByOrganisation("disclosure_documents"),
  `grant select, insert, update on disclosure_documents to steward_app`,

  `create table disclosure_people (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     name text not null,
     part text not null check (part in ('data-subject', 'requester', 'parent', 'sibling', 'staff', 'other-pupil', 'other')),
     added_by uuid not null,
     added_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index disclosure_people_case on disclosure_people (org_id, case_id)`,
  ...guardedByOrganisation("disclosure_people"),
  `grant select, insert, delete on disclosure_people to steward_app`,

  // One row per place the review decides on: a suggestion, every match of a phrase, a box drawn by hand, a withheld page.
  `create table disclosure_redactions (
     org_id uuid not null,
     id uuid not null,
     document_id uuid not null,
     origin text not null check (origin in ('suggested', 'phrase', 'box', 'page')),
     page integer not null check (page >= 0),
     start_offset integer check (start_offset >= 0),
     end_offset integer check (end_offset >= start_offset),
     rect jsonb,
     kind text not null check (kind ~ '^[a-z][a-z-]{0,40}$'),
     recognizer text check (recognizer ~ '^[a-z][a-z-]{0,40}$'),
     score real,
     words text,
     why text,
     person text,
     decision text not null check (decision in ('pending', 'remove', 'keep')),
     reason_code text check (reason_code ~ '^[A-Za-z0-9()]{1,8}$'),
     decided_by uuid,
     decided_at timestamptz,
     created_at timestamptz not null,
     primary key (org_id, id),
     foreign key (org_id, document_id) references disclosure_documents (org_id, id),
     check ((decision = 'remove') = (reason_code is not null))
   )`,
  `create index disclosure_redactions_document on disclosure_redactions (org_id, document_id, page)`,
  ...guardedByOrganisation("disclosure_redactions"),
  // Reading again replaces the suggestions nobody has decided on yet.
  `grant select, insert, update, delete on disclosure_redactions to steward_app`,

  // An organisation can ask for a second person to approve a bundle before it is released.
  `alter table organisations add column disclosure_approval_required boolean not null default false`,
  // Who approved a case's bundle, and the exact bundle they approved (a fingerprint of its documents' redacted copies):
  // any change after it (a document added, redacted again) and the approval no longer holds.
  `create table disclosure_approvals (
     org_id uuid not null,
     id uuid not null,
     case_id uuid not null,
     approved_by uuid not null,
     approved_at timestamptz not null,
     fingerprint text not null check (fingerprint ~ '^[0-9a-f]{64}$'),
     primary key (org_id, id),
     foreign key (org_id, case_id) references cases (org_id, id)
   )`,
  `create index disclosure_approvals_case on disclosure_approvals (org_id, case_id, approved_at)`,
  ...guardedByOrganisation("disclosure_approvals"),
  `grant select, insert on disclosure_approvals to steward_app`,

  // Each organisation's redaction settings: recognizers switched off, its always-remove words, and
  // the school's own people list (from an MIS export), both sealed: the words and the list are personal data.
  `create table redaction_settings (
     org_id uuid primary key references organisations (id),
     switched_off text[] not null default '{}',
     always_remove text,
     people text,
     people_count integer not null default 0 check (people_count >= 0),
     people_imported_at timestamptz,
     changed_by uuid not null,
     changed_at timestamptz not null
   )`,
  ...guardedByOrganisation("redaction_settings"),
  `grant select, insert, update on redaction_settings to steward_app`,

  // The one way across organisations for the purge: which closed cases still hold working data past the cutoff. Ids only.
  `create function steward_disclosures_due_for_purge(cutoff timestamptz)
     returns table (org_id uuid, case_id uuid)
     language sql stable security definer set search_path = public as $$
       select c.org_id, c.id from cases c
       where c.closed_at < cutoff
         and (exists (select 1 from disclosure_documents d where d.org_id = c.org_id and d.case_id = c.id and d.purged_at is null)
           or exists (select 1 from disclosure_people p where p.org_id = c.org_id and p.case_id = c.id))
     $$`,
  `revoke all on function steward_disclosures_due_for_purge(timestamptz) from public`,
  `grant execute on function steward_disclosures_due_for_purge(timestamptz) to steward_app`,

  // The licence's storage counts the disclosure area's originals as it counts attachments.
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
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create or replace function steward_storage_use(org uuid)
         returns table (licence_id uuid, licence_limit bigint, licence_used bigint, platform_used bigint)
         language sql stable security definer set search_path = public as $$
           with licence as (
             select coalesce(parent_id, id) as id from organisations where id = org and org = any (steward_org_ids())
           )
           select licence.id,
                  top.storage_limit_bytes,
                  (select coalesce(sum(a.size_bytes), 0) from case_attachments a join organisations o on o.id = a.org_id
                    where coalesce(o.parent_id, o.id) = licence.id and a.removed_at is null)::bigint,
                  (select coalesce(sum(size_bytes), 0) from case_attachments where removed_at is null)::bigint
             from licence join organisations top on top.id = licence.id
         $$`,
    )
    .execute(db);
  await sql.raw(`drop function if exists steward_disclosures_due_for_purge(timestamptz)`).execute(db);
  for (const table of ["redaction_settings", "disclosure_approvals", "disclosure_redactions", "disclosure_people", "disclosure_documents", "disclosure_tasks"]) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw(`alter table organisations drop column if exists disclosure_approval_required`).execute(db);
}
