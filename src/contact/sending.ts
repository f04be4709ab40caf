import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { ContactKind } from "../platform/database/schema.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { UnreadableError } from "../platform/encryption/envelope.ts";
import type { Services } from "../platform/services.ts";
import { newestAnswers } from "./consents.ts";
import { addressIndexOf, unsubscribeToken } from "./unsubscribe-links.ts";
import { CONTACT_KINDS, isContactKind, KIND_NAMES, KIND_WHAT, MINIMUM_DAYS_BETWEEN_SENDS } from "./wording.ts";
import { licenceIsActive } from "../licences/licences.ts";

/*
 * Email beyond the service's own (news about Steward, surveys), sent by the operator to every
 * account holder who said yes to that kind and whose address is not on its suppression list.
 * Each goes through the outbox like any email, in the recipient's own organisation, with the
 * recipient's own unsubscribe link. Service email (sign-in links, reminders, licence notices)
 * never passes through here and never looks at consent or the suppression list.
 */

type SendingServices = Pick<Services, "database" | "clock" | "keyring" | "mailer" | "config" | "logger">;

export interface NonServiceEmail {
  kind: ContactKind;
  subject: string;
  body: string;
}

export interface SendCounts {
  /** Emails queued, one per address. */
  sent: number;
  /** Active accounts not emailed: no yes, withdrawn, suppressed, a second account of an address already emailed, or unreadable. */
  skipped: number;
}

/** Why a send was refused; nothing was queued. */
export class NonServiceEmailRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NonServiceEmailRefused";
  }
}

export const SUBJECT_MAX = 150;
export const BODY_MAX = 20_000;

/** The operator's action in its own trail when a kind is sent: also how the next send knows when the last was. */
const SEND_EVENT = "contact.send";

/** The link that stops this kind of email to this recipient. */
export function unsubscribeUrl(services: Pick<Services, "keyring" | "config">, link: { kind: ContactKind; organisationId: string; userId: string; address: string }): string {
  const token = unsubscribeToken(services.keyring, { kind: link.kind, organisationId: link.organisationId, userId: link.userId, addressIndex: addressIndexOf(services.keyring, link.address) });
  return `${services.config.publicUrl}/unsubscribe/${token}`;
}

/** The email's text: the operator's words, then why it came and how to stop it. */
function emailText(services: Pick<Services, "config">, body: string, kind: ContactKind, organisationName: string, link: string): string {
  return [
    body.trimEnd(),
    "",
    "----",
    `You are getting this because you said yes to ${KIND_WHAT[kind]} by email for your Steward account at ${organisationName}.`,
    `To stop them, open this link: ${link}`,
    `Or sign in and change your choices: ${services.config.publicUrl}/account/emails`,
    "Emails about your account and your work in Steward, such as sign-in links and deadline reminders, are not affected.",
    "",
  ].join("\n");
}

function checked(email: NonServiceEmail): NonServiceEmail {
  if (!isContactKind(email.kind)) {
    throw new NonServiceEmailRefused(`The kind must be one of: ${CONTACT_KINDS.join(", ")}`);
  }
  const subject = email.subject.trim();
  if (subject.length === 0 || subject.length > SUBJECT_MAX || /[\r\n]/.test(subject) || subject.includes("\u0000")) {
    throw new NonServiceEmailRefused(`The subject must be one line of 1 to ${SUBJECT_MAX} characters`);
  }
  if (email.body.trim().length === 0 || email.body.length > BODY_MAX || email.body.includes("\u0000")) {
    throw new NonServiceEmailRefused(`The body must hold some text, at most ${BODY_MAX} characters, and no null characters`);
  }
  return { kind: email.kind, subject, body: email.body.replace(/\r\n?/g, "\n") };
}

/**
 * Claims this send in the operator's trail, refusing it if the kind was sent more recently than
 * its wording allows. One claim at a time (an advisory lock), so two commands at once cannot
 * both send. Runs as the schema owner, as operator commands do: the trail is the operator's.
 */
async function claimSend(services: SendingServices, kind: ContactKind): Promise<string> {
  const now = services.clock.now();
  return services.database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended('steward non-service email', 0))`.execute(trx);
    const last = await trx
      .selectFrom("operatorEvents")
      .select("occurredAt")
      .where("action", "=", SEND_EVENT)
      .where(sql<boolean>`detail->>'kind' = ${kind}`)
      .orderBy("occurredAt", "desc")
      .limit(1)
      .executeTakeFirst();
    const next = last ? new Date(new Date(last.occurredAt).getTime() + MINIMUM_DAYS_BETWEEN_SENDS[kind] * 86_400_000) : undefined;
    if (next && next.getTime() > now.getTime()) {
      throw new NonServiceEmailRefused(
        `${KIND_NAMES[kind]} were last sent on ${new Date(last!.occurredAt).toISOString()}: their wording promises at least ${MINIMUM_DAYS_BETWEEN_SENDS[kind]} days between sends, so the next may go from ${next.toISOString()}`,
      );
    }
    const id = randomUUID();
    await trx.insertInto("operatorEvents").values({ id, occurredAt: now, operatorId: null, action: SEND_EVENT, licenceId: null, detail: JSON.stringify({ kind }) }).execute();
    return id;
  });
}

/**
 * Queues one email of `kind` to every active account holder of every organisation whose newest
 * answer for it is yes and whose address is not suppressed for it, each with its own unsubscribe
 * link; an address with accounts in several organisations is emailed once. Returns the counts
 * only. Refused without a mail server: this email is never held in an outbox for people to read.
 */
export async function sendNonServiceEmail(services: SendingServices, email: NonServiceEmail): Promise<SendCounts> {
  const { kind, subject, body } = checked(email);
  if (!services.mailer) {
    throw new NonServiceEmailRefused("There is no mail server (SMTP_URL): email beyond the service's own is sent only through one, never held in the outbox");
  }
  const claim = await claimSend(services, kind);
  const db = services.database.db;
  // Which organisations there are (ids and names, no person): read as the owner, as operator commands do.
  const organisations = await db.selectFrom("organisations").select(["id", "name"]).orderBy("id").execute();
  const emailed = new Set<string>();
  const counts: SendCounts = { sent: 0, skipped: 0 };
  for (const organisation of organisations) {
    await inScope(db, { organisationIds: [organisation.id] }, async (trx) => {
      // A lapsed licence's people cannot sign in: Steward's news is not for them until it is renewed.
      if (!(await licenceIsActive(trx, organisation.id))) return;
      const users = await trx.selectFrom("users").select(["id", "email"]).where("orgId", "=", organisation.id).where("deactivatedAt", "is", null).orderBy("id").execute();
      const answers = await newestAnswers(trx, organisation.id, users.map((user) => user.id));
      const consenting: { id: string; address: string; addressIndex: string }[] = [];
      for (const user of users) {
        if (answers.get(user.id)?.get(kind)?.given !== true) {
          counts.skipped += 1;
          continue;
        }
        try {
          const { email: address } = await openPersonalFields(trx, services.keyring, organisation.id, user.id, { email: user.email });
          consenting.push({ id: user.id, address, addressIndex: addressIndexOf(services.keyring, address) });
        } catch (error) {
          // An organisation whose data key is destroyed has no readable address left: nobody to email.
          if (!(error instanceof UnreadableError)) throw error;
          counts.skipped += 1;
        }
      }
      const suppressed =
        consenting.length === 0
          ? new Set<string>()
          : new Set(
              (
                await trx
                  .selectFrom("emailSuppressions")
                  .select("addressIndex")
                  .where("kind", "=", kind)
                  .where("addressIndex", "in", consenting.map((person) => person.addressIndex))
                  .execute()
              ).map((row) => row.addressIndex),
            );
      for (const person of consenting) {
        if (suppressed.has(person.addressIndex) || emailed.has(person.addressIndex)) {
          counts.skipped += 1;
          continue;
        }
        const link = unsubscribeUrl(services, { kind, organisationId: organisation.id, userId: person.id, address: person.address });
        // Marked as for its recipient alone: the outbox shows an admin its subject, never the link that acts for the recipient.
        await queueEmail(trx, services, organisation.id, { to: person.address, subject, text: emailText(services, body, kind, organisation.name, link), authentication: true });
        emailed.add(person.addressIndex);
        counts.sent += 1;
      }
    });
  }
  await db.updateTable("operatorEvents").set({ detail: JSON.stringify({ kind, ...counts }) }).where("id", "=", claim).execute();
  services.logger.info({ kind, ...counts }, "email beyond the service's own queued");
  return counts;
}
