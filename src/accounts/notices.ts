import { queueEmail } from "../notify/outbox.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { openPersonalFields } from "./personal-fields.ts";

/**
 * Tells a person about something done to their account (a second factor added or removed, a
 * recovery code used, their password changed), so that a change they did not make does not pass
 * unnoticed. Queued in the caller's transaction: sent if and only if the change commits.
 */
export async function tellAccountHolder(
  trx: Tx,
  services: Pick<Services, "clock" | "mailer" | "keyring">,
  organisationId: string,
  userId: string,
  notice: { subject: string; lines: string[] },
): Promise<void> {
  const row = await trx.selectFrom("users").select(["fullName", "email"]).where("orgId", "=", organisationId).where("id", "=", userId).executeTakeFirstOrThrow();
  const person = await openPersonalFields(trx, services.keyring, organisationId, userId, row);
  await queueEmail(trx, services, organisationId, {
    to: person.email,
    subject: notice.subject,
    text: [`Hello ${person.fullName},`, "", ...notice.lines, "", "If this was not you, tell your Steward administrator at once."].join("\n"),
  });
}
