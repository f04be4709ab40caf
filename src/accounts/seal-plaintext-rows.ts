import { sealPersonalFields } from "./personal-fields.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { sealFor } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";

/**
 * Seals rows written before personal data was encrypted (migration 006): users without blind
 * indexes, and outbox emails not yet sealed. Runs at start-up after the migrations, as the
 * migrating role (which sees every organisation); costs two indexed-nothing queries once done.
 * Returns how many rows it sealed.
 */
export async function sealPlaintextRows(services: Pick<Services, "database" | "keyring">): Promise<number> {
  const db = services.database.db;
  const users = await db.selectFrom("users").select(["orgId", "id", "fullName", "email", "username"]).where("usernameIndex", "is", null).execute();
  const emails = await db
    .selectFrom("outbox")
    .select(["orgId", "id", "recipient", "subject", "body", "lastError"])
    .where("body", "not like", "v1.%")
    .execute();
  const organisations = new Set([...users.map((row) => row.orgId), ...emails.map((row) => row.orgId)]);
  for (const organisationId of organisations) {
    await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
      for (const user of users.filter((row) => row.orgId === organisationId)) {
        await trx
          .updateTable("users")
          .set(await sealPersonalFields(trx, services.keyring, organisationId, user.id, user))
          .where("orgId", "=", organisationId)
          .where("id", "=", user.id)
          .execute();
      }
      for (const email of emails.filter((row) => row.orgId === organisationId)) {
        const seal = (column: string, value: string) => sealFor(trx, services.keyring, { organisationId, table: "outbox", column, rowId: email.id }, value);
        await trx
          .updateTable("outbox")
          .set({
            recipient: await seal("recipient", email.recipient),
            subject: await seal("subject", email.subject),
            body: await seal("body", email.body),
            lastError: email.lastError === null ? null : await seal("lastError", email.lastError),
          })
          .where("orgId", "=", organisationId)
          .where("id", "=", email.id)
          .execute();
      }
    });
  }
  return users.length + emails.length;
}
