import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.ts";
import { londonDateOf } from "../calendar/dates.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { nextReviewFrom } from "./register-kinds.ts";
import { sealPersonal } from "./registers.ts";

/*
 * The training confirmation asked for when someone is given a sensitive role becomes their training
 * record (or is linked to the one they already have in date), so the register of who is trained
 * and due a refresher includes everyone who can open sensitive records.
 */

export const CONFIRMED_COURSE = "Data protection training (confirmed when the role was granted)";

export async function recordTrainingConfirmation(
  trx: Tx,
  services: Pick<Services, "keyring">,
  at: Date,
  grant: { organisationId: string; userId: string; fullName: string; roleName: string; grantedBy: { userId: string; fullName: string } },
): Promise<"linked" | "created"> {
  const today = londonDateOf(at);
  // A record of theirs still in date is the one the confirmation points to.
  const current = await sql<{ id: string }>`
    select id from register_entries
    where org_id = ${grant.organisationId} and kind = 'training' and status <> 'retired' and review_on >= ${today} and details->>'personUserId' = ${grant.userId}
    limit 1`.execute(trx);
  const evidence = `Confirmed by ${grant.grantedBy.fullName} when giving the ${grant.roleName.toLowerCase()} role on ${today}`;
  if (current.rows[0]) {
    await recordAudit(trx, { organisationId: grant.organisationId, actorUserId: grant.grantedBy.userId, action: "register.view", recordType: "register", recordId: current.rows[0].id, at });
    return "linked";
  }
  const id = randomUUID();
  const sealed = await sealPersonal(trx, services.keyring, "training", grant.organisationId, id, { personName: grant.fullName, personUserId: grant.userId, completedOn: today, provider: "", evidence });
  await trx.insertInto("registerEntries").values({
    orgId: grant.organisationId, id, kind: "training", title: CONFIRMED_COURSE, status: "active", ownerUserId: grant.userId, reviewOn: nextReviewFrom(today),
    details: JSON.stringify(sealed.details), personal: sealed.personal,
    isTemplate: false, templateId: null, templateVersion: null, starterKey: null, createdAt: at, createdBy: grant.grantedBy.userId, changedAt: at, changedBy: grant.grantedBy.userId,
  }).execute();
  await recordAudit(trx, { organisationId: grant.organisationId, actorUserId: grant.grantedBy.userId, action: "register.add", recordType: "register", recordId: id, at });
  return "created";
}
