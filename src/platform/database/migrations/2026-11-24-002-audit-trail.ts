import { sql, type Kysely } from "kysely";

/*
 * The audit trail: one append-only, hash-chained list of events per organisation. The application
 * role may add and read events, and nothing else: no UPDATE, no DELETE, no TRUNCATE. Each event
 * holds the hash of the one before, so a row changed by hand (by someone with the owner's rights)
 * breaks the chain at that point, and `steward audit verify` names it.
 */
const statements = [
  `create table audit_events (
     org_id uuid not null references organisations (id),
     seq integer not null check (seq > 0),
     id uuid not null unique,
     occurred_at timestamptz not null,
     actor_user_id uuid,
     action text not null check (action ~ '^[a-z-]+\\.[a-z-]+$'),
     record_type text,
     record_id text,
     ip text,
     user_agent text,
     previous_hash text not null check (previous_hash ~ '^[0-9a-f]{64}$'),
     hash text not null check (hash ~ '^[0-9a-f]{64}$'),
     primary key (org_id, seq)
   )`,
  `create index audit_events_record on audit_events (org_id, record_type, record_id)`,
  `create index audit_events_actor on audit_events (org_id, actor_user_id, occurred_at)`,
  `alter table audit_events enable row level security`,
  `alter table audit_events force row level security`,
  `create policy tenant on audit_events
     using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  `grant select, insert on audit_events to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop table if exists audit_events`).execute(db);
}
