import { sql, type Kysely } from "kysely";

/*
 * A request's session, its person, their organisation (with its schools, for a trust) and that
 * organisation's wrapped data key, found by the hash of the cookie's token in one read, instead
 * of five statements that widen the scope step by step. It returns only what those steps did:
 * the one session with that token hash and its own person and organisation; without the token
 * (only its hash is stored, and only the browser has the token) it returns nothing. Frozen in time.
 */
const statements = [
  `create function steward_session_of(token_hash_wanted text)
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
              coalesce((select json_agg(json_build_object('id', c.id, 'name', c.name) order by c.name)
                          from organisations c where c.parent_id = o.id and o.kind = 'trust'), '[]'::json)
         from sessions s
         join users u on u.org_id = s.org_id and u.id = s.user_id
         join organisations o on o.id = s.org_id
         left join organisation_keys k on k.org_id = s.org_id
        where s.token_hash = token_hash_wanted
     $$`,
  `revoke all on function steward_session_of(text) from public`,
  `grant execute on function steward_session_of(text) to steward_app`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop function if exists steward_session_of(text)`).execute(db);
}
