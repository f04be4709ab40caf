import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { recordAudits, type AuditAction } from "../audit/audit.ts";
import { londonDateOf } from "../calendar/dates.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFor } from "../platform/encryption/keyring.ts";
import type { CaseFilter } from "./cases.schema.ts";
import { auditOfCase, authoriseReading, casePlace, peopleNames, summaryOf, visibleCases, type CaseSummary } from "./cases.ts";

/* The case list: one page of the cases the actor may see, filtered, with the count of them all. */

/** How many cases one page of the list shows. */
export const CASES_PER_PAGE = 50;

/** One page of the case list, with how many cases match the filter in all. */
export interface CaseListPage {
  cases: CaseSummary[];
  total: number;
  page: number;
  pages: number;
}

function filteredCases(trx: Tx, ctx: Context, filter: CaseFilter) {
  const today = londonDateOf(ctx.services.clock.now());
  let query = visibleCases(trx, ctx.actor);
  if (filter.organisationId) {
    query = query.where("cases.orgId", "=", filter.organisationId);
  }
  if (filter.type) {
    query = query.where("cases.type", "=", filter.type);
  }
  const state = filter.state ?? "open";
  if (state === "open") query = query.where("cases.closedAt", "is", null);
  if (state === "closed") query = query.where("cases.closedAt", "is not", null);
  if (state === "overdue") query = query.where("cases.closedAt", "is", null).where("cases.dueOn", "<", today);
  return query;
}

/**
 * One page of the cases the actor may see, filtered; open ones by deadline first. A page past
 * the last shows the last. Reading the list is an access to personal data (requesters' names),
 * so it is audited once per organisation shown. `perPage` is large for an export.
 */
export async function listCases(
  ctx: Context,
  filter: CaseFilter = {},
  { audit = "case.list" as AuditAction | null, perPage = CASES_PER_PAGE } = {},
): Promise<CaseListPage> {
  authoriseReading(ctx.actor);
  return inActorScope(ctx, async (trx) => {
    const { total } = await filteredCases(trx, ctx, filter)
      .select(sql<number>`count(*)::int`.as("total"))
      .executeTakeFirstOrThrow();
    const pages = Math.max(1, Math.ceil(total / perPage));
    const page = Math.min(filter.page ?? 1, pages);
    const rows = await filteredCases(trx, ctx, filter)
      .selectAll("cases")
      .select("organisations.name as organisationName")
      .orderBy(sql`cases.closed_at is not null`)
      .orderBy(sql`coalesce(cases.due_at, cases.due_on::timestamptz)`, (order) => order.asc().nullsLast())
      .orderBy("cases.receivedAt", "desc")
      // The id breaks ties so that a case never appears on two pages or on none.
      .orderBy("cases.id")
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    const names = await peopleNames(trx, ctx, rows.map((row) => row.assigneeId));
    const now = ctx.services.clock.now();
    const cases: CaseSummary[] = [];
    for (const row of rows) {
      const requesterName = await openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, "requesterName"), row.requesterName);
      cases.push(summaryOf(row, names, now, requesterName));
    }
    if (audit) {
      await recordAudits(trx, [...new Set(rows.map((row) => row.orgId))].map((organisationId) => auditOfCase(ctx, organisationId, audit)));
    }
    return { cases, total, page, pages };
  });
}
