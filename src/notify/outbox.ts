import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import type { EmailStatus } from "../platform/database/schema.ts";
import type { Services } from "../platform/services.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor, type SealedPlace } from "../platform/encryption/keyring.ts";
import type { Email } from "../platform/mailer.ts";

/** After a failed delivery, wait this long times the number of attempts, up to MAX_ATTEMPTS. */
const RETRY_STEP_MS = 60_000;
const MAX_ATTEMPTS = 8;

/** No line breaks in a header: a recipient or subject can never smuggle in another header. */
function assertHeaderSafe(value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new Error("An email header may not contain a line break");
  }
}

/**
 * Puts an email in the outbox inside the caller's transaction, so it exists if and only if the
 * change that caused it commits. With no mail server it is held there for an admin to read.
 * Recipient, subject and body are personal data: stored sealed. An email that carries a one-time
 * sign-in link (set-password, reset, email change) is marked `authentication`: its body is for
 * its recipient alone and never shown on the outbox page, or an admin could take the account.
 */
export async function queueEmail(
  trx: Tx,
  services: Pick<Services, "clock" | "mailer" | "keyring">,
  organisationId: string,
  email: Email & { authentication?: boolean },
): Promise<void> {
  assertHeaderSafe(email.to);
  assertHeaderSafe(email.subject);
  const now = services.clock.now();
  const id = randomUUID();
  const seal = (column: string, value: string) => sealFor(trx, services.keyring, emailPlace(organisationId, id, column), value);
  await trx
    .insertInto("outbox")
    .values({
      orgId: organisationId,
      id,
      recipient: await seal("recipient", email.to),
      subject: await seal("subject", email.subject),
      body: await seal("body", email.text),
      status: services.mailer ? "pending" : "held",
      authentication: email.authentication === true,
      nextAttemptAt: services.mailer ? now : null,
      lastError: null,
      createdAt: now,
      sentAt: null,
    })
    .execute();
}

export interface OutboxEntry {
  id: string;
  organisationName: string;
  recipient: string;
  subject: string;
  /** Undefined for an authentication email: only its recipient may read its link. */
  body: string | undefined;
  status: EmailStatus;
  createdAt: Date;
  sentAt: Date | null;
}

/** The outbox of every organisation the actor can reach, newest first. */
export async function listOutbox(ctx: Context, { limit = 100 }: { limit?: number } = {}): Promise<OutboxEntry[]> {
  authorise(ctx.actor, "outbox:view");
  return inActorScope(ctx, async (trx) => {
    await recordAudit(trx, {
      organisationId: ctx.actor.organisation.id,
      actorUserId: ctx.actor.userId,
      action: "outbox.read",
      recordType: "email",
      meta: ctx.request,
      at: ctx.services.clock.now(),
    });
    const rows = await trx
      .selectFrom("outbox")
      .innerJoin("organisations", "organisations.id", "outbox.orgId")
      .select([
        "outbox.orgId",
        "outbox.id",
        "organisations.name as organisationName",
        "outbox.recipient",
        "outbox.subject",
        "outbox.body",
        "outbox.status",
        "outbox.authentication",
        "outbox.createdAt",
        "outbox.sentAt",
      ])
      .orderBy("outbox.createdAt", "desc")
      .orderBy("outbox.id")
      .limit(limit)
      .execute();
    const entries: OutboxEntry[] = [];
    for (const { orgId, authentication, ...row } of rows) {
      const opened = await openEmail(trx, ctx.services, orgId, row);
      entries.push({ ...row, ...opened, body: authentication ? undefined : opened.body });
    }
    return entries;
  });
}

/** Where one column of one email is sealed. */
function emailPlace(organisationId: string, emailId: string, column: string): SealedPlace {
  return { organisationId, table: "outbox", column, rowId: emailId };
}

/** An email from the outbox, opened. */
export async function openEmail(trx: Tx, services: Pick<Services, "keyring">, organisationId: string, sealed: { id: string; recipient: string; subject: string; body: string }) {
  const open = (column: string, value: string) => openFor(trx, services.keyring, emailPlace(organisationId, sealed.id, column), value);
  return {
    recipient: await open("recipient", sealed.recipient),
    subject: await open("subject", sealed.subject),
    body: await open("body", sealed.body),
  };
}

/**
 * Sends whatever is due, one organisation at a time inside its own scope. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several app processes can run this at once and each email goes once.
 * Returns how many were sent.
 */
export async function deliverDueEmail(services: Pick<Services, "database" | "clock" | "mailer" | "logger" | "keyring">): Promise<number> {
  const mailer = services.mailer;
  if (!mailer) {
    return 0;
  }
  const db = services.database.db;
  const now = services.clock.now();
  const organisations = await inScope(db, {}, (trx) =>
    sql<{ id: string }>`select steward_organisations_with_mail_due(${now}) as id`.execute(trx),
  );
  let sent = 0;
  for (const { id: organisationId } of organisations.rows) {
    sent += await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
      const due = await trx
        .selectFrom("outbox")
        .select(["orgId", "id", "recipient", "subject", "body", "attempts"])
        .where("orgId", "=", organisationId)
        .where("status", "=", "pending")
        .where("nextAttemptAt", "<=", now)
        .orderBy("createdAt")
        .limit(20)
        .forUpdate()
        .skipLocked()
        .execute();
      let sentHere = 0;
      for (const email of due) {
        try {
          const open = await openEmail(trx, services, organisationId, email);
          await mailer.send({ to: open.recipient, subject: open.subject, text: open.body });
          await trx
            .updateTable("outbox")
            .set({ status: "sent", sentAt: now, attempts: email.attempts + 1, lastError: null })
            .where("orgId", "=", email.orgId)
            .where("id", "=", email.id)
            .execute();
          sentHere += 1;
        } catch (error) {
          const attempts = email.attempts + 1;
          // A mail server's refusal often quotes the address: sealed like the rest of the email.
          const reason = await sealFor(trx, services.keyring, emailPlace(organisationId, email.id, "lastError"), error instanceof Error ? error.message.slice(0, 500) : "unknown error");
          await trx
            .updateTable("outbox")
            .set({
              status: attempts >= MAX_ATTEMPTS ? "failed" : "pending",
              attempts,
              lastError: reason,
              nextAttemptAt: new Date(now.getTime() + RETRY_STEP_MS * attempts),
            })
            .where("orgId", "=", email.orgId)
            .where("id", "=", email.id)
            .execute();
          services.logger.warn({ outboxId: email.id, attempts }, "email delivery failed; will retry");
        }
      }
      return sentHere;
    });
  }
  return sent;
}
