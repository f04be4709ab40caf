import { openEmail } from "../notify/outbox.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";

/** Every email in the outbox to `address`, opened, oldest first (emails are stored sealed). */
export async function emailsTo(services: Pick<Services, "database" | "keyring">, address: string): Promise<{ subject: string; body: string; status: string }[]> {
  const db = services.database.db;
  const rows = await db.selectFrom("outbox").select(["orgId", "id", "recipient", "subject", "body", "status"]).orderBy("createdAt").execute();
  const found = [];
  for (const row of rows) {
    const opened = await inScope(db, { organisationIds: [row.orgId] }, (trx) => openEmail(trx, services, row.orgId, row));
    if (opened.recipient === address) {
      found.push({ subject: opened.subject, body: opened.body, status: row.status });
    }
  }
  return found;
}
