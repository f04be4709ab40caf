import { inScope } from "../database/tenant-scope.ts";
import { openFor } from "../encryption/keyring.ts";
import type { Services } from "../services.ts";

/** Every email in the outbox to `address`, opened, oldest first (emails are stored sealed). */
export async function emailsTo(services: Pick<Services, "database" | "keyring">, address: string): Promise<{ subject: string; body: string; status: string }[]> {
  const db = services.database.db;
  const rows = await db.selectFrom("outbox").select(["orgId", "recipient", "subject", "body", "status"]).orderBy("createdAt").execute();
  const found = [];
  for (const row of rows) {
    const opened = await inScope(db, { organisationIds: [row.orgId] }, async (trx) => ({
      recipient: await openFor(trx, services.keyring, row.orgId, row.recipient),
      subject: await openFor(trx, services.keyring, row.orgId, row.subject),
      body: await openFor(trx, services.keyring, row.orgId, row.body),
    }));
    if (opened.recipient === address) {
      found.push({ subject: opened.subject, body: opened.body, status: row.status });
    }
  }
  return found;
}
