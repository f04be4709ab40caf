import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
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

export interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP server on loopback that keeps what it is sent. */
export async function startSmtpServer(): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.server.address() as AddressInfo).port, received };
}

