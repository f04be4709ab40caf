import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { recordAudits, type AuditAction } from "../audit/audit.ts";
import { londonDateOf } from "../calendar/dates.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFor, readDataKeys } from "../platform/encryption/keyring.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import type { CaseFilter } from "./cases.schema.ts";
import { auditOfCase, authoriseReading, casePlace, summaryOf, SUMMARY_COLUMNS, visibleCaseRows, type CaseSummary } from "./cases.ts";

/*
 * The case list: one page of the cases the actor may see, filtered, with the count of them all.
 *
 * Open cases come first, then closed ones; within each, by deadline (the day, then the hour for a
 * breach's 72 hours), newest received first, then id so that a case never appears on two pages
 * or on none. Each organisation's cases are read in that order straight from an index
 * (cases_list_open, cases_list_closed: migration 151), only as far as the page needs, and merged;
 * only the page's own rows are then read in full, in the same query, and their names opened.
 */

/** How many cases one page of the list shows. */
export const CASES_PER_PAGE = 50;

/** One page of the case list, with how many cases match the filter in all. */
export interface CaseListPage {
  cases: CaseSummary[];
  total: number;
  page: number;
  pages: number;
}

type Part = "open" | "closed";

/** Which parts of the list the filter shows, in the order they are listed. */
const partsOf = (filter: CaseFilter): Part[] => {
  const state = filter.state ?? "open";
  return state === "closed" ? ["closed"] : state === "all" ? ["open", "closed"] : ["open"];
};

/** The visible cases of some organisations in one part of the list, filtered. */
function casesIn(trx: Tx, ctx: Context, filter: CaseFilter, part: Part, organisationIds: readonly string[]) {
  let query = visibleCaseRows(trx, ctx.actor, organisationIds).where("cases.closedAt", part === "open" ? "is" : "is not", null);
  if (filter.type) {
    query = query.where("cases.type", "=", filter.type);
  }
  if (filter.state === "overdue") {
    // A case whose response has gone (a letter from Steward) met its deadline, though it is not yet closed.
    query = query.where("cases.dueOn", "<", londonDateOf(ctx.services.clock.now())).where("cases.responseSentOn", "is", null);
  }
  return query;
}

/** The organisations the list reads: the one chosen, or every one the actor reaches. */
const organisationsOf = (ctx: Context, filter: CaseFilter): readonly string[] =>
  filter.organisationId ? ctx.actor.organisationIds.filter((id) => id === filter.organisationId) : ctx.actor.organisationIds;

/**
 * The cases at positions [offset, offset + limit) of one part of the list, in order, each with
 * its organisation's name and its assignee's sealed name: each organisation's first
 * offset + limit keys in index order, merged, and only then the page's own rows read, in one query.
 */
async function pageOfPart(trx: Tx, ctx: Context, filter: CaseFilter, part: Part, offset: number, limit: number) {
  return casesInListOrder(trx, ctx, { organisationIds: organisationsOf(ctx, filter), part, filter }, offset, limit);
}

/** Narrows one organisation's cases further (the dashboard's "due this week"), on columns the list's indexes hold. */
export type Narrowing = (query: ReturnType<typeof casesIn>) => ReturnType<typeof casesIn>;

/**
 * The visible cases at positions [offset, offset + limit) in list order of some organisations,
 * one part of the list, filtered and narrowed: the list's own reading, for the dashboard too.
 */
export async function casesInListOrder(
  trx: Tx,
  ctx: Context,
  { organisationIds, part, filter = {}, narrow = (query) => query }: { organisationIds: readonly string[]; part: Part; filter?: CaseFilter; narrow?: Narrowing },
  offset: number,
  limit: number,
) {
  if (limit <= 0 || organisationIds.length === 0) {
    return [];
  }
  const firstOf = (organisationId: string) =>
    narrow(casesIn(trx, ctx, filter, part, [organisationId]))
      .select(["cases.orgId", "cases.id", "cases.dueOn", "cases.dueAt", "cases.receivedAt"])
      .orderBy("cases.dueOn", "asc")
      .orderBy("cases.dueAt", "asc")
      .orderBy("cases.receivedAt", "desc")
      .orderBy("cases.id", "asc")
      .limit(offset + limit);
  const [first, ...rest] = organisationIds.map((organisationId) => trx.selectFrom(firstOf(organisationId).as("o")).selectAll());
  const merged = rest.reduce((union, next) => union.unionAll(next), first!);
  const keys = trx
    .selectFrom(merged.as("m"))
    .selectAll()
    .orderBy("m.dueOn", "asc")
    .orderBy("m.dueAt", "asc")
    .orderBy("m.receivedAt", "desc")
    .orderBy("m.id", "asc")
    .limit(limit)
    .offset(offset);
  return trx
    .selectFrom(keys.as("k"))
    .innerJoin("cases", (join) => join.onRef("cases.orgId", "=", "k.orgId").onRef("cases.id", "=", "k.id"))
    .innerJoin("organisations", "organisations.id", "cases.orgId")
    // Only people of the actor's own organisations are named (a trust's DPO on a school's case, say).
    .leftJoin("users as assignee", (join) => join.onRef("assignee.id", "=", "cases.assigneeId").on("assignee.orgId", "in", ctx.actor.organisationIds))
    .select([...SUMMARY_COLUMNS, "cases.riskLikelihood", "cases.riskSeverity", "organisations.name as organisationName", "assignee.orgId as assigneeOrganisationId", "assignee.fullName as assigneeSealedName"])
    .orderBy("k.dueOn", "asc")
    .orderBy("k.dueAt", "asc")
    .orderBy("k.receivedAt", "desc")
    .orderBy("k.id", "asc")
    .execute();
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
    const parts = partsOf(filter);
    const organisationIds = organisationsOf(ctx, filter);
    const counts = new Map<Part, number>();
    for (const part of parts) {
      const { total } = organisationIds.length
        ? await casesIn(trx, ctx, filter, part, organisationIds).select(sql<number>`count(*)::int`.as("total")).executeTakeFirstOrThrow()
        : { total: 0 };
      counts.set(part, total);
    }
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const pages = Math.max(1, Math.ceil(total / perPage));
    const page = Math.min(filter.page ?? 1, pages);
    // The page's place in the parts laid end to end: open cases, then closed ones.
    const listed: Awaited<ReturnType<typeof pageOfPart>> = [];
    let start = (page - 1) * perPage;
    for (const part of parts) {
      const inPart = counts.get(part)!;
      if (start < inPart) {
        listed.push(...(await pageOfPart(trx, ctx, filter, part, start, perPage - listed.length)));
      }
      start = Math.max(0, start - inPart);
    }
    const { keyring } = ctx.services;
    await readDataKeys(trx, keyring, listed.flatMap((row) => [row.orgId, ...(row.assigneeOrganisationId ? [row.assigneeOrganisationId] : [])]));
    const names = new Map<string, string>();
    for (const row of listed) {
      if (row.assigneeId && row.assigneeOrganisationId && row.assigneeSealedName && !names.has(row.assigneeId)) {
        names.set(row.assigneeId, (await openPersonalFields(trx, keyring, row.assigneeOrganisationId, row.assigneeId, { fullName: row.assigneeSealedName })).fullName);
      }
    }
    const now = ctx.services.clock.now();
    const cases: CaseSummary[] = [];
    for (const row of listed) {
      const requesterName = await openFor(trx, keyring, casePlace(row.orgId, row.id, "requesterName"), row.requesterName);
      cases.push(summaryOf(row, names, now, requesterName));
    }
    if (audit) {
      await recordAudits(trx, [...new Set(listed.map((row) => row.orgId))].map((organisationId) => auditOfCase(ctx, organisationId, audit)));
    }
    return { cases, total, page, pages };
  });
}
