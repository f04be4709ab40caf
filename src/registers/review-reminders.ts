import { sql } from "kysely";
import { addDays, formatDate, londonDateOf } from "../calendar/dates.ts";
import { caseRecipients } from "../cases/recipients.ts";
import { queueEmail } from "../notify/outbox.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { KIND_NAMES, type RegisterKind } from "./register-kinds.ts";
import { REVIEW_WINDOW_DAYS } from "./registers.ts";
import { licenceIsActive } from "../licences/licences.ts";

type ReminderServices = Pick<Services, "database" | "clock" | "keyring" | "mailer" | "config">;

export type ReviewBucket = "30-days" | "7-days" | "due";

/** Which reminder a review is due now: 30 days before, 7 days before, and on the day (only the most urgent, so nobody gets two at once). */
export function reviewReminderDue(reviewOn: string, today: string): ReviewBucket | undefined {
  if (today >= reviewOn) return "due";
  if (today >= addDays(reviewOn, -7)) return "7-days";
  if (today >= addDays(reviewOn, -REVIEW_WINDOW_DAYS)) return "30-days";
  return undefined;
}

const BUCKET_WORDS: Record<ReviewBucket, string> = { "30-days": "due within 30 days", "7-days": "due within 7 days", due: "due now" };

/**
 * Sends the review reminders that are due, for every organisation: to each entry's owner and the
 * DPO (as the case reminders choose them), one email per person listing every entry of theirs
 * that needs it. Each reminder is claimed by its row in register_reminders (entry, review date,
 * bucket) in the same transaction as the emails, so a second process sends nothing twice; a new
 * review date starts them again. Returns how many entries were reminded of.
 */
export async function sendReviewReminders(services: ReminderServices): Promise<number> {
  const db = services.database.db;
  const now = services.clock.now();
  const today = londonDateOf(now);
  const organisations = await inScope(db, {}, (trx) => sql<{ id: string }>`select steward_organisations_with_reviews_due(${addDays(today, REVIEW_WINDOW_DAYS)}) as id`.execute(trx));
  let reminded = 0;
  for (const { id: organisationId } of organisations.rows) {
    reminded += await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
      // A dormant licence gets no reminders: nobody but its owner can sign in to act on them.
      if (!(await licenceIsActive(trx, organisationId))) return 0;
      const organisation = await trx.selectFrom("organisations").select("name").where("id", "=", organisationId).executeTakeFirstOrThrow();
      const entries = await trx
        .selectFrom("registerEntries")
        .select(["id", "kind", "title", "reviewOn", "ownerUserId"])
        .where("orgId", "=", organisationId)
        .where("status", "!=", "retired")
        .where("reviewOn", "<=", addDays(today, REVIEW_WINDOW_DAYS))
        .orderBy("reviewOn")
        .orderBy("title")
        // The same order in every process, so two claiming at once never wait on each other in turn.
        .orderBy("id")
        .execute();
      const byRecipient = new Map<string, { email: string; lines: string[] }>();
      let claimedHere = 0;
      for (const entry of entries) {
        const bucket = reviewReminderDue(entry.reviewOn, today);
        if (!bucket) continue;
        const claimed = await trx
          .insertInto("registerReminders")
          .values({ orgId: organisationId, entryId: entry.id, reviewOn: entry.reviewOn, bucket, sentAt: now })
          .onConflict((oc) => oc.doNothing())
          .returning("entryId")
          .executeTakeFirst();
        if (!claimed) continue;
        claimedHere += 1;
        const names = KIND_NAMES[entry.kind as RegisterKind] ?? { one: "register entry", path: "" };
        const when = entry.reviewOn < today ? `overdue since ${formatDate(entry.reviewOn)}` : `${BUCKET_WORDS[bucket]}, on ${formatDate(entry.reviewOn)}`;
        const line = `- ${entry.title} (${names.one}): review ${when}\n  ${services.config.publicUrl}/registers/${names.path}/${entry.id}`;
        for (const recipient of await caseRecipients(trx, services.keyring, organisationId, entry.ownerUserId, [organisationId])) {
          const waiting = byRecipient.get(recipient.userId) ?? { email: recipient.email, lines: [] };
          waiting.lines.push(line);
          byRecipient.set(recipient.userId, waiting);
        }
      }
      for (const { email, lines } of byRecipient.values()) {
        await queueEmail(trx, services, organisationId, {
          to: email,
          subject: `Register reviews at ${organisation.name}: ${lines.length} to do`,
          text: `These entries in ${organisation.name}'s registers need their review:\n\n${lines.join("\n")}\n\nOpen each, check it is still right, and record the review. Every review due is listed at ${services.config.publicUrl}/registers\n`,
        });
      }
      return claimedHere;
    });
  }
  return reminded;
}
