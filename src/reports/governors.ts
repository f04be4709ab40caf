import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { addDays, formatDate, londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import type { TermDates } from "../calendar/school-days.ts";
import { daysToRespond, timelinessOf, type TimelinessFacts } from "../cases/response.ts";
import { WORKFLOWS } from "../cases/workflows.ts";
import { registersSummary, type RegistersSummary } from "../registers/registers-summary.ts";

/** A school year runs 1 September to 31 August; a report covers one, or one of its three terms. */
export const TERMS = [
  { id: "autumn", name: "Autumn term" },
  { id: "spring", name: "Spring term" },
  { id: "summer", name: "Summer term" },
] as const;
export type Term = (typeof TERMS)[number]["id"];

export interface ReportRequest {
  /** The year the school year starts in: 2026 is 1 Sep 2026 to 31 Aug 2027. */
  startYear: number;
  term?: Term | undefined;
  /** One school (or the trust's own central cases); unset, every organisation the person reaches. */
  organisationId?: string | undefined;
}

/** The figures for one organisation, or the whole trust: counts only, nobody named or referenced. */
export interface ReportFigures {
  received: number;
  byType: { type: CaseType; typeName: string; count: number }[];
  /** Requests answered with a recorded date (breaches and withdrawn requests are not answers). */
  answered: number;
  onTime: number;
  /** Answered on time, as a whole percentage of those answered; null when none were. */
  shareOnTime: number | null;
  /** Closed with no date recorded (before Steward asked for one). */
  notRecorded: number;
  /** Median calendar days from received to the response being sent; null when none were. */
  medianDays: number | null;
  breaches: number;
  icoReports: number;
  icoReportsOnTime: number;
  complaints: number;
  stillOpen: number;
}

export interface ReportPeriod {
  first: string;
  last: string;
  /** True when the school has no term dates for that year and the usual dates stand in. */
  assumed: boolean;
}

export interface GovernorsReport {
  title: string;
  periodName: string;
  startYear: number;
  term: Term | null;
  /** One row per organisation in the report, each over its own term dates. */
  organisations: { id: string; name: string; period: ReportPeriod; figures: ReportFigures; registers: RegistersSummary }[];
  /** The whole trust's figures, when the report covers more than one organisation. */
  total: ReportFigures | null;
  generatedOn: string;
}

/** "2026 to 2027", as schools write a school year. */
export const academicYearName = (startYear: number) => `${startYear} to ${startYear + 1}`;

/** The school year a day falls in (its starting year): August 2027 is still 2026 to 2027. */
export function academicYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 9 ? year : year - 1;
}

/**
 * The dates a term covers for one school: autumn from 1 September, and each term up to the day
 * before the next begins (the holidays go with the term before them), so the three cover the
 * whole year. The spring and summer terms begin on the first day of the school's own first term
 * starting in January–March and April–August; with no term dates for the year, 1 January and
 * 1 April stand in (and the report says so).
 */
export function termPeriod(terms: readonly TermDates[], startYear: number, term?: Term): ReportPeriod {
  const yearFirst = `${startYear}-09-01`;
  const yearLast = `${startYear + 1}-08-31`;
  if (!term) {
    return { first: yearFirst, last: yearLast, assumed: false };
  }
  const starts = terms.filter((item) => item.kind === "term" && item.firstDay >= yearFirst && item.firstDay <= yearLast).map((item) => item.firstDay).sort();
  const firstIn = (months: [string, string]) => starts.find((day) => day.slice(5, 7) >= months[0] && day.slice(5, 7) <= months[1]);
  const spring = firstIn(["01", "03"]);
  const summer = firstIn(["04", "08"]);
  const springStart = spring ?? `${startYear + 1}-01-01`;
  const summerStart = summer ?? `${startYear + 1}-04-01`;
  // Which of the school's own dates this term's ends rest on.
  const assumed = { autumn: !spring, spring: !spring || !summer, summer: !summer }[term];
  if (term === "autumn") return { first: yearFirst, last: addDays(springStart, -1), assumed };
  if (term === "spring") return { first: springStart, last: addDays(summerStart, -1), assumed };
  return { first: summerStart, last: yearLast, assumed };
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The report's figures from the cases received in the period. */
export function figuresOf(cases: readonly TimelinessFacts[]): ReportFigures {
  const requests = cases.filter((item) => item.type !== "breach");
  const judged = requests.map(timelinessOf);
  const onTime = judged.filter((timeliness) => timeliness === "on-time").length;
  const answered = onTime + judged.filter((timeliness) => timeliness === "late").length;
  const breaches = cases.filter((item) => item.type === "breach");
  const reported = breaches.filter((item) => item.icoReportedOn);
  return {
    received: cases.length,
    byType: Object.values(WORKFLOWS).map((workflow) => ({ type: workflow.type, typeName: workflow.name, count: cases.filter((item) => item.type === workflow.type).length })),
    answered,
    onTime,
    shareOnTime: answered ? Math.round((onTime / answered) * 100) : null,
    notRecorded: judged.filter((timeliness) => timeliness === "not-recorded").length,
    medianDays: median(
      requests
        .filter((_item, index) => judged[index] === "on-time" || judged[index] === "late")
        .map(daysToRespond)
        .filter((days): days is number => days !== null),
    ),
    breaches: breaches.length,
    icoReports: reported.length,
    icoReportsOnTime: reported.filter((item) => timelinessOf(item) === "on-time").length,
    complaints: cases.filter((item) => item.type === "complaint").length,
    stillOpen: cases.filter((item) => !item.closedAt).length,
  };
}

/**
 * The governors' report: for each organisation the person reaches (or the one chosen), the
 * cases received in the school year or term, by type, how many were answered on time, the median
 * days to respond, breaches, ICO reports and complaints. Counts only: no name, reference or date
 * of any case leaves this function. Reading it is audited, once per organisation it covers.
 */
export async function governorsReport(ctx: Context, request: ReportRequest): Promise<GovernorsReport> {
  authorise(ctx.actor, "reports:view");
  const { startYear, term } = request;
  const organisationIds = request.organisationId && ctx.actor.organisationIds.includes(request.organisationId) ? [request.organisationId] : ctx.actor.organisationIds;
  return inActorScope(ctx, async (trx) => {
    const organisations = await trx.selectFrom("organisations").select(["id", "name", "kind"]).where("id", "in", organisationIds).orderBy("name").execute();
    // The trust's own row first, as the dashboard lists it; then its schools by name.
    organisations.sort((a, b) => Number(b.id === ctx.actor.organisation.id) - Number(a.id === ctx.actor.organisation.id));
    const terms = await trx.selectFrom("schoolTerms").select(["orgId", "kind", "firstDay", "lastDay"]).where("orgId", "in", organisationIds).execute();
    const rows: GovernorsReport["organisations"] = [];
    const everyCase: TimelinessFacts[] = [];
    const registers = await registersSummary(trx, organisations.map((organisation) => organisation.id), londonDateOf(ctx.services.clock.now()));
    for (const organisation of organisations) {
      const period = termPeriod(terms.filter((item) => item.orgId === organisation.id), startYear, term);
      const cases = await trx
        .selectFrom("cases")
        .select(["type", "outcome", "closedAt", "receivedOn", "dueOn", "icoReportedOn", "responseSentOn"])
        .where("orgId", "=", organisation.id)
        .where("receivedOn", ">=", period.first)
        .where("receivedOn", "<=", period.last)
        .execute();
      everyCase.push(...cases);
      rows.push({ id: organisation.id, name: organisation.name, period, figures: figuresOf(cases), registers: registers.find((summary) => summary.organisationId === organisation.id)! });
      await recordAudit(trx, {
        organisationId: organisation.id,
        actorUserId: ctx.actor.userId,
        action: "report.view",
        meta: ctx.request,
        at: ctx.services.clock.now(),
      });
    }
    const periodName = `${term ? `${TERMS.find((item) => item.id === term)!.name} ` : ""}${academicYearName(startYear)}`;
    const whole = organisations.length > 1;
    return {
      title: `Data protection report to governors${whole ? "" : `: ${organisations[0]?.name ?? ""}`}`,
      periodName: term ? periodName : `School year ${periodName}`,
      startYear,
      term: term ?? null,
      organisations: rows,
      total: whole ? figuresOf(everyCase) : null,
      generatedOn: londonDateOf(ctx.services.clock.now()),
    };
  });
}

/** The report's period for one organisation, in words: "1 Sep 2026 to 3 Jan 2027". */
export const periodText = (period: ReportPeriod) => `${formatDate(period.first)} to ${formatDate(period.last)}${period.assumed ? " (usual dates: no term dates set)" : ""}`;
