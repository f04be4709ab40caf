import { sql, type Kysely } from "kysely";

/*
 * steward_session_of (migration 152) also returns, for a trust's session, each school's wrapped
 * data key beside its name, so that a trust's page of several schools' records opens them without
 * reading the keys again. The key is as stored, wrapped under the master key: nothing in the
 * database can open it. The rows returned are the same as before: the one session with that
 * token hash, its own person, organisation and schools.
 */
const body = (schoolFields: string) => `create or replace function steward_session_of(token_hash_wanted text)
     returns table (
       org_id uuid, session_id uuid, user_id uuid, created_at timestamptz, last_seen_at timestamptz,
       awaiting_second_factor boolean, confirmed_at timestamptz,
       username text, full_name text, role text, deactivated_at timestamptz, totp_confirmed_at timestamptz,
       two_factor_required boolean, organisation_name text, organisation_kind text, wrapped_key text,
       schools json
     )
     language sql stable security definer set search_path = public as $$
       select s.org_id, s.id, s.user_id, s.created_at, s.last_seen_at, s.awaiting_second_factor, s.confirmed_at,
              u.username, u.full_name, u.role, u.deactivated_at, u.totp_confirmed_at,
              o.two_factor_required, o.name, o.kind, k.wrapped_key,
              coalesce((select json_agg(json_build_object(${schoolFields}) order by c.name)
                          from organisations c
                          left join organisation_keys ck on ck.org_id = c.id
                         where c.parent_id = o.id and o.kind = 'trust'), '[]'::json)
         from sessions s
         join users u on u.org_id = s.org_id and u.id = s.user_id
         join organisations o on o.id = s.org_id
         left join organisation_keys k on k.org_id = s.org_id
        where s.token_hash = token_hash_wanted
     $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(body(`'id', c.id, 'name', c.name, 'wrappedKey', ck.wrapped_key`)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(body(`'id', c.id, 'name', c.name`)).execute(db);
}
