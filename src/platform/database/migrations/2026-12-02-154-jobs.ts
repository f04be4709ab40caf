import { sql, type Kysely } from "kysely";

/*
 * Work done off the request path (converting, reading, detecting and applying redactions): one
 * row per job, written in the same transaction as what asks for it, so a job is never lost nor
 * run for something that did not commit. A job holds ids and settings, never personal data. A
 * worker claims the oldest due job with `for update skip locked` (several app processes never
 * take the same one), for a lease; a worker that dies leaves its job to be claimed again once the
 * lease runs out. Frozen in time.
 */
const statements = [
  `create table jobs (
     org_id uuid not null references organisations (id),
     id uuid primary key,
     kind text not null check (kind ~ '^[a-z][a-z-]{0,40}$'),
     payload jsonb not null default '{}',
     state text not null default 'waiting' check (state in ('waiting', 'running', 'done', 'failed')),
     attempts integer not null default 0,
     max_attempts integer not null default 3 check (max_attempts between 1 and 10),
     run_after timestamptz not null,
     claimed_by text,
     claimed_until timestamptz,
     last_error text,
     created_at timestamptz not null,
     finished_at timestamptz
   )`,
  `create index jobs_due on jobs (run_after) where state in ('waiting', 'running')`,
  `create index jobs_of_organisation on jobs (org_id, created_at)`,
  `alter table jobs enable row level security`,
  `alter table jobs force row level security`,
  `create policy tenant on jobs using (org_id = any (steward_org_ids())) with check (org_id = any (steward_org_ids()))`,
  `grant select, insert, update on jobs to steward_app`,
  // The one way across organisations: claim the next due job, and learn only its id, organisation, kind and payload.
  // A job whose worker died on its last attempt (a file that kills the worker, say) is failed, not tried for ever.
  `create function steward_claim_job(worker text, now timestamptz, lease_seconds integer)
     returns table (id uuid, org_id uuid, kind text, payload jsonb, attempts integer)
     language sql volatile security definer set search_path = public as $$
       with given_up as (
         update jobs set state = 'failed', finished_at = now, claimed_by = null, claimed_until = null,
           last_error = 'The work stopped part-way on every attempt; the server log has the details'
         where state = 'running' and claimed_until < now and attempts >= max_attempts
       )
       update jobs set state = 'running', claimed_by = worker, claimed_until = now + make_interval(secs => lease_seconds), attempts = jobs.attempts + 1
       where jobs.id = (
         select candidate.id from jobs candidate
         where (candidate.state = 'waiting' and candidate.run_after <= now)
            or (candidate.state = 'running' and candidate.claimed_until < now and candidate.attempts < candidate.max_attempts)
         order by candidate.run_after, candidate.created_at
         limit 1
         for update skip locked
       )
       returning jobs.id, jobs.org_id, jobs.kind, jobs.payload, jobs.attempts
     $$`,
  `revoke all on function steward_claim_job(text, timestamptz, integer) from public`,
  `grant execute on function steward_claim_job(text, timestamptz, integer) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop function if exists steward_claim_job(text, timestamptz, integer)`).execute(db);
  await sql.raw(`drop table if exists jobs`).execute(db);
}
