import { sql, type Kysely } from "kysely";

/*
 * Closing a case records when and how the response was sent, so Steward can say whether it went
 * on time. Cases closed before this have neither: they show "Not recorded". Frozen in time.
 */
const statements = [
  `alter table cases
     add column response_sent_on date,
     add column response_channel text
       check (response_channel in ('email', 'post', 'by-hand', 'collected', 'portal')),
     add constraint cases_response_after_receipt check (response_sent_on is null or response_sent_on >= received_on),
     add constraint cases_response_sent_how check ((response_sent_on is null) = (response_channel is null))`,
  `create index cases_received_on on cases (org_id, received_on)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop index if exists cases_received_on`).execute(db);
  await sql.raw(`alter table cases drop column if exists response_sent_on, drop column if exists response_channel`).execute(db);
}
