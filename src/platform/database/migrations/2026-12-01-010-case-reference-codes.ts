import { sql, type Kysely } from "kysely";

/*
 * Case references unique across a trust: every organisation of a trust (the trust's central team
 * and each school) gets a short code, its words' initials (OHP for Oak Hill Primary School), made
 * unique within the trust by a number (a one-word name gives its first three letters: ELM); each of its references begins with it (OHP-SAR-2026-0001).
 * Cases already logged in a trust are given their code too, so no two share a reference. A
 * standalone school's references stay as they are. Frozen in time.
 */
const statements = [
  `alter table organisations add column reference_code text
     check (reference_code ~ '^[A-Z0-9]{1,8}$')`,
  `with initials as (
     select o.id, coalesce(o.parent_id, o.id) as trust_id, o.created_at,
            coalesce(nullif((
              select case when count(*) = 1 then upper(left(min(word), 3))
                          else left(string_agg(upper(left(word, 1)), '' order by position), 4) end
                from regexp_split_to_table(o.name, '[^A-Za-z0-9]+') with ordinality as words (word, position)
               where word <> '' and lower(word) not in ('the', 'of', 'and', 'school', 'academy', 'trust', 'multi')
            ), ''), 'S') as base
       from organisations o
      where o.parent_id is not null or o.kind = 'trust'
   ), numbered as (
     select id, base || case when row_number() over (partition by trust_id, base order by created_at, id) = 1 then ''
                             else row_number() over (partition by trust_id, base order by created_at, id)::text end as code
       from initials
   )
   update organisations set reference_code = numbered.code from numbered where organisations.id = numbered.id`,
  `create unique index organisations_reference_code_unique_in_trust
     on organisations (coalesce(parent_id, id), reference_code) where reference_code is not null`,
  `update cases set reference = organisations.reference_code || '-' || cases.reference
     from organisations where organisations.id = cases.org_id and organisations.reference_code is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`update cases set reference = regexp_replace(reference, '^[A-Z0-9]+-(?=[A-Z]+-[0-9]{4}-)', '')`).execute(db);
  await sql.raw(`alter table organisations drop column if exists reference_code`).execute(db);
}
