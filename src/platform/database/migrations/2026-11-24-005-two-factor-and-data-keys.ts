import { sql, type Kysely } from "kysely";

/*
 * Per-organisation data keys (stored only wrapped by the master key), TOTP two-factor sign-in
 * with single-use recovery codes, the sign-in step a session is at, and the organisation's
 * "two-factor for everyone" setting. Frozen in time: never import application code here.
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
  `create table organisation_keys (
     org_id uuid primary key references organisations (id),
     wrapped_key text,
     destroyed_at timestamptz,
     created_at timestamptz not null default now(),
     constraint a_key_or_its_destruction check ((wrapped_key is null) = (destroyed_at is not null))
   )`,
  ...guardedByOrganisation("organisation_keys"),
  `grant select, insert, update on organisation_keys to steward_app`,

  `alter table organisations add column two_factor_required boolean not null default false`,

  // The TOTP secret is sealed under the organisation's data key; it counts only once confirmed.
  `alter table users add column totp_secret text`,
  `alter table users add column totp_confirmed_at timestamptz`,
  `alter table users add column totp_last_step integer`,
  `alter table users add constraint confirmed_two_factor_has_a_secret check (totp_confirmed_at is null or totp_secret is not null)`,

  `create table recovery_codes (
     org_id uuid not null,
     id uuid not null,
     user_id uuid not null,
     code_hash text not null,
     created_at timestamptz not null,
     used_at timestamptz,
     primary key (org_id, id),
     foreign key (org_id, user_id) references users (org_id, id) on delete cascade
   )`,
  `create index recovery_codes_user on recovery_codes (org_id, user_id)`,
  ...guardedByOrganisation("recovery_codes"),
  `grant select, insert, update, delete on recovery_codes to steward_app`,

  // A session that has passed the password but not yet the second factor can do nothing else.
  `alter table sessions add column awaiting_second_factor boolean not null default false`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop table if exists recovery_codes`).execute(db);
  await sql.raw(`drop table if exists organisation_keys`).execute(db);
  await sql.raw(`alter table sessions drop column if exists awaiting_second_factor`).execute(db);
  await sql.raw(`alter table organisations drop column if exists two_factor_required`).execute(db);
  await sql.raw(`alter table users drop constraint if exists confirmed_two_factor_has_a_secret`).execute(db);
  for (const column of ["totp_secret", "totp_confirmed_at", "totp_last_step"]) {
    await sql.raw(`alter table users drop column if exists ${column}`).execute(db);
  }
}
