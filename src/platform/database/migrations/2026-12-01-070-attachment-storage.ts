import { sql, type Kysely } from "kysely";

/*
 * Attachment storage: files' sealed bytes move out of the database into a file store (content is
 * null for those; content_sha256 is the hash of the stored, sealed blob); a wrong attachment can
 * be removed with a reason, leaving the row and its timeline entry but not its bytes; each licence
 * has a storage limit, small for a new licence until an operator raises it. Frozen in time.
 */
const statements = [
  // The limit of a licence: the sum over its organisation and, for a trust, every one of its schools.
  // Only the licence's own (top) organisation's figure counts. A new licence starts with 200 MB.
  `alter table organisations
     add column storage_limit_bytes bigint not null default 209715200 check (storage_limit_bytes > 0)`,
  // Licences that existed already keep the 2 GB they were given.
  `update organisations set storage_limit_bytes = 2147483648`,

  `alter table case_attachments
     alter column content drop not null,
     add column content_sha256 text check (content_sha256 ~ '^[0-9a-f]{64}$'),
     add column removed_at timestamptz,
     add column removed_by uuid,
     add column removal_reason text,
     add check ((removed_at is null) = (removal_reason is null) and (removed_at is null) = (removed_by is null))`,
  // Removing is the one change: the row stays as the record that there was a file and why it went.
  `grant update (content, removed_at, removed_by, removal_reason) on case_attachments to steward_app`,

  // What an upload must fit in: its licence's limit and use, and every licence's use together.
  // Numbers only, and only for an organisation the transaction can reach.
  `create function steward_storage_use(org uuid)
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
  `revoke all on function steward_storage_use(uuid) from public`,
  `grant execute on function steward_storage_use(uuid) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop function if exists steward_storage_use(uuid)`).execute(db);
  await sql.raw(`revoke update on case_attachments from steward_app`).execute(db);
  await sql
    .raw(`alter table case_attachments drop column if exists content_sha256, drop column if exists removed_at, drop column if exists removed_by, drop column if exists removal_reason`)
    .execute(db);
  await sql.raw(`alter table organisations drop column if exists storage_limit_bytes`).execute(db);
}
