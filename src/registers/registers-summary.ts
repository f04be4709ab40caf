import { sql } from "kysely";
import { SENSITIVE_ROLES } from "../accounts/permissions.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { needsPriorConsultation, type Risk } from "./dpia-rules.ts";
import { detailsOf } from "./register-kinds.ts";
import { redItems } from "./self-audit.ts";

/*
 * The registers as the governors' report shows them, for each organisation, as they stand today:
 * counts only (nobody named), and the latest self-audit's red items with their actions.
 */

export interface RegistersSummary {
  organisationId: string;
  reviewsOverdue: number;
  dpiasOpen: number;
  dpiasNeedingIco: number;
  /** People who can open sensitive records, and how many of them have training in date. */
  sensitiveRoles: number;
  sensitiveRolesTrained: number;
  trainingOverdue: number;
  latestAudit: { title: string; red: { question: string; area: string; action: string; actionOwner: string; actionDueOn: string }[] } | null;
}


export async function registersSummary(trx: Tx, organisationIds: readonly string[], today: string): Promise<RegistersSummary[]> {
  const entries = await trx.selectFrom("registerEntries").select(["orgId", "kind", "status", "reviewOn", "details", "title", "createdAt"]).where("orgId", "in", organisationIds).where("status", "!=", "retired").execute();
  const sensitive = await trx.selectFrom("users").select(["orgId", "id"]).where("orgId", "in", organisationIds).where("deactivatedAt", "is", null).where("role", "in", [...SENSITIVE_ROLES]).execute();
  // Who has a training record still in date (details name the user it was made for; other records name people by their sealed name only).
  const trained = await trx
    .selectFrom("registerEntries")
    .select(sql<string | null>`details->>'personUserId'`.as("personUserId"))
    .where("orgId", "in", organisationIds)
    .where("kind", "=", "training")
    .where("status", "!=", "retired")
    .where("reviewOn", ">=", today)
    .execute();
  const trainedIds = new Set(trained.map((row) => row.personUserId).filter(Boolean));
  return organisationIds.map((organisationId) => {
    const own = entries.filter((entry) => entry.orgId === organisationId);
    // Open: not signed, and screened as needed (one screened as not required is a record, not a task).
    const open = own.filter((entry) => entry.kind === "dpia" && detailsOf(entry.details)["signed"] !== true && (detailsOf(entry.details)["screening"] as { needed?: boolean } | undefined)?.needed !== false);
    const audits = own.filter((entry) => entry.kind === "audit").sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime());
    const people = sensitive.filter((user) => user.orgId === organisationId);
    return {
      organisationId,
      reviewsOverdue: own.filter((entry) => entry.reviewOn < today).length,
      dpiasOpen: open.length,
      dpiasNeedingIco: open.filter((entry) => needsPriorConsultation((detailsOf(entry.details)["risks"] as Risk[] | undefined) ?? [])).length,
      sensitiveRoles: people.length,
      sensitiveRolesTrained: people.filter((user) => trainedIds.has(user.id)).length,
      trainingOverdue: own.filter((entry) => entry.kind === "training" && entry.reviewOn < today).length,
      latestAudit: audits[0] ? { title: audits[0].title, red: redItems(detailsOf(audits[0].details)) } : null,
    };
  });
}
