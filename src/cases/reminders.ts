import { sql } from "kysely";
import { addDays, formatDate, londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { queueEmail } from "../notify/outbox.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { caseRecipients, dueInWords } from "./recipients.ts";
import { assessedDecision, WORKFLOWS } from "./workflows.ts";
import { licenceIsActive } from "../licences/licences.ts";

type ReminderServices = Pick<Services, "database" | "clock" | "keyring" | "mailer" | "config">;

/**
 * Which reminder a case is due now, if any: 7 days, 2 days and on the due date for a dated
 * deadline (only the most urgent, so a case logged 3 days out is not sent two at once); every
 * hour for a breach inside its 72 hours, and once when they are over.
 */
export function reminderDue(type: CaseType, due: { on: string; at: Date | null }, now: Date): { kind: string; bucket: string; text: string } | undefined {
  if (type === "breach" && due.at) {
    const hoursLeft = Math.floor((due.at.getTime() - now.getTime()) / 3_600_000);
    if (hoursLeft < 0) {
      return { kind: "breach-over", bucket: "over", text: "The 72 hours to report to the ICO are over" };
    }
    return { kind: "breach-hourly", bucket: String(hoursLeft), text: `${hoursLeft} hour${hoursLeft === 1 ? "" : "s"} left to decide whether to report to the ICO` };
  }
  const today = londonDateOf(now);
  if (today >= due.on) {
    return { kind: "due", bucket: "due", text: today === due.on ? "Due today" : `Overdue since ${formatDate(due.on)}` };
  }
  if (today >= addDays(due.on, -2)) {
    return { kind: "2-days", bucket: "2-days", text: `Due in 2 days or fewer, on ${formatDate(due.on)}` };
  }
  if (today >= addDays(due.on, -7)) {
    return { kind: "7-days", bucket: "7-days", text: `Due within 7 days, on ${formatDate(due.on)}` };
  }
  return undefined;
}

/**
 * Queues the reminders that are due, for every organisation. Each is claimed by inserting its row
 * in case_reminders (keyed by case, kind, due date and bucket) in the same transaction as its
 * emails: a second process doing the same at the same moment waits on that key, then finds it
 * taken and sends nothing. A deadline that moves (an extension) is a new key, so reminders start
 * again. Returns how many reminders were sent.
 */
export async function sendDueReminders(services: ReminderServices): Promise<number> {
  const db = services.database.db;
  const now = services.clock.now();
  const organisations = await inScope(db, {}, (trx) => sql<{ id: string }>`select steward_organisations_with_open_deadlines() as id`.execute(trx));
  let sent = 0;
  for (const { id: organisationId } of organisations.rows) {
    sent += await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
      // A dormant licence gets no reminders: nobody but its owner can sign in to act on them.
      if (!(await licenceIsActive(trx, organisationId))) return 0;
      const school = await trx.selectFrom("organisations").select("name").where("id", "=", organisationId).executeTakeFirstOrThrow();
      const open = await trx
        .selectFrom("cases")
        .select(["id", "reference", "type", "dueOn", "dueAt", "assigneeId", "icoReportedOn", "riskLikelihood", "riskSeverity"])
        .where("orgId", "=", organisationId)
        .where("closedAt", "is", null)
        .where("dueOn", "is not", null)
        // The response has gone: nothing is due any more.
        .where("responseSentOn", "is", null)
        .where("dueOn", "<=", addDays(londonDateOf(now), 7))
        .execute();
      let sentHere = 0;
      for (const item of open) {
        const type = item.type as CaseType;
        // The 72 hours are for the decision: once the breach is reported, or assessed as one that
        // need not be, there is nothing left to remind about (a reassessment upwards starts them again).
        if (type === "breach" && (item.icoReportedOn || assessedDecision(item)?.reportToIco === false)) {
          continue;
        }
        const reminder = reminderDue(type, { on: item.dueOn!, at: item.dueAt }, now);
        if (!reminder) {
          continue;
        }
        const dueKey = `${item.dueAt ? new Date(item.dueAt).toISOString() : item.dueOn}/${reminder.bucket}`;
        const claimed = await trx
          .insertInto("caseReminders")
          .values({ orgId: organisationId, caseId: item.id, kind: reminder.kind, dueKey, sentAt: now })
          .onConflict((oc) => oc.doNothing())
          .returning("caseId")
          .executeTakeFirst();
        if (!claimed) {
          continue;
        }
        const name = WORKFLOWS[type].name.toLowerCase();
        for (const recipient of await caseRecipients(trx, services.keyring, organisationId, item.assigneeId, [organisationId])) {
          await queueEmail(trx, services, organisationId, {
            to: recipient.email,
            subject: `${item.reference} at ${school.name}: ${reminder.text}`,
            text: `${reminder.text}: ${item.reference}, a ${name} at ${school.name}.\n\nDue: ${dueInWords(item.dueAt ? new Date(item.dueAt).toISOString() : item.dueOn)}.\n\nOpen it in Steward: ${services.config.publicUrl}/cases/${item.id}\n`,
          });
        }
        sentHere += 1;
      }
      return sentHere;
    });
  }
  return sent;
}
