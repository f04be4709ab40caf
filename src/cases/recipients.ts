import { formatDateWithWeekday, formatLondonDateTimeForPeople, isIsoDate } from "../calendar/dates.ts";
import { ROLE_NAMES } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { changeScope, type Tx } from "../platform/database/tenant-scope.ts";
import type { Keyring } from "../platform/encryption/keyring.ts";

/** Someone a case's news goes to, and why it goes to them (said on the case, so nobody guesses). */
export interface CaseRecipient {
  userId: string;
  email: string;
  name: string;
  why: string;
}

/**
 * The people a case's news goes to. Someone is always told: the DPOs of the case's school and of
 * its trust; where there is none (a small school whose business manager does the work), the
 * school's and trust's owner and admins instead; and always the person the case is assigned to.
 * A school's own staff cannot reach the trust's records, so the scope widens to the trust for
 * this one lookup (addresses to write to, never shown) and is put back before returning.
 */
export async function caseRecipients(trx: Tx, keyring: Keyring, organisationId: string, assigneeId: string | null, scope: readonly string[]): Promise<CaseRecipient[]> {
  const organisation = await trx.selectFrom("organisations").select(["parentId"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
  const organisationIds = organisation.parentId ? [organisationId, organisation.parentId] : [organisationId];
  await changeScope(trx, { organisationIds: [...new Set([...scope, ...organisationIds])] });
  const rows = await trx
    .selectFrom("users")
    .select(["orgId", "id", "email", "fullName", "role"])
    .where("orgId", "in", organisationIds)
    .where("deactivatedAt", "is", null)
    .where((eb) => {
      const wanted = eb("role", "in", ["dpo", "owner", "admin"]);
      return assigneeId ? eb.or([wanted, eb("id", "=", assigneeId)]) : wanted;
    })
    .execute();
  const hasDpo = rows.some((row) => row.role === "dpo");
  const recipients: CaseRecipient[] = [];
  for (const row of rows) {
    const responsible = hasDpo ? row.role === "dpo" : row.role === "owner" || row.role === "admin";
    const assigned = row.id === assigneeId;
    if (!responsible && !assigned) {
      continue;
    }
    const { email, fullName } = await openPersonalFields(trx, keyring, row.orgId, row.id, { email: row.email, fullName: row.fullName });
    const why = responsible ? ROLE_NAMES[row.role].toLowerCase() : "assigned to the case";
    recipients.push({ userId: row.id, email, name: fullName, why: responsible && assigned ? `${why}, assigned to the case` : why });
  }
  await changeScope(trx, { organisationIds: scope });
  return recipients.sort((a, b) => a.name.localeCompare(b.name));
}

/** What the case's timeline says about who was told, naming them. */
export function toldText(recipients: readonly CaseRecipient[], actorUserId: string | null): string {
  const others = recipients.filter((recipient) => recipient.userId !== actorUserId);
  if (others.length === 0) {
    return "Nobody else was emailed: you are the person who handles this school’s cases.";
  }
  return `Emailed to ${others.map((recipient) => `${recipient.name} (${recipient.why})`).join(", ")}.`;
}

/** A case's due date as its emails say it: "Friday 5 February 2027", or a breach's moment. */
export function dueInWords(due: string | null): string {
  if (due === null) {
    return "not running: the clock is stopped";
  }
  return isIsoDate(due) ? formatDateWithWeekday(due) : formatLondonDateTimeForPeople(new Date(due));
}
