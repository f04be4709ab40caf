import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { can } from "../accounts/permissions.ts";
import { addCalendarMonths, addDays, londonDateOf } from "../calendar/dates.ts";
import { countdownTo, type CaseType, type Countdown } from "../calendar/deadlines.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { visibleCases } from "./cases.ts";
import { casesInListOrder, type Narrowing } from "./case-list.ts";
import { keptFigures } from "./dashboard-figures.ts";
import { timelinessOf, type Timeliness, type TimelinessFacts } from "./response.ts";
import { assessedDecision, WORKFLOWS } from "./workflows.ts";

export interface DashboardCase {
  id: string;
  reference: string;
  typeName: string;
  organisationName: string;
  dueOn: string | null;
  dueAt: Date | null;
  countdown: Countdown | null;
  /** For a breach: what its risk assessment decided, if it has one. */
  decision?: "report" | "no-report";
}

export interface CaseDashboard {
  openByType: { type: CaseType; typeName: string; total: number; byStatus: { name: string; count: number }[] }[];
  openTotal: number;
  /** Open cases nobody has been given yet, newest first: the DPO's first look on a Monday. */
  newAndUnassigned: DashboardCase[];
  dueThisWeek: DashboardCase[];
  overdue: DashboardCase[];
  breachesInside72Hours: DashboardCase[];
  months: { month: string; label: string; count: number }[];
  /** Cases closed in the last 12 months, by type: how many were answered, on time and late. */
  answered: AnsweredByType[];
}

export interface AnsweredByType {
  type: CaseType;
  typeName: string;
  answered: number;
  onTime: number;
  late: number;
  notRecorded: number;
}

/** Counts closed cases' timeliness by type; cases with nothing to answer (withdrawn, breaches not reported) are left out. */
export function answeredByType(rows: readonly TimelinessFacts[]): AnsweredByType[] {
  return Object.values(WORKFLOWS)
    .map((workflow) => {
      const judged = rows.filter((row) => row.type === workflow.type).map(timelinessOf);
      const count = (which: Timeliness) => judged.filter((timeliness) => timeliness === which).length;
      const [onTime, late, notRecorded] = [count("on-time"), count("late"), count("not-recorded")];
      return { type: workflow.type, typeName: workflow.name, answered: onTime + late + notRecorded, onTime, late, notRecorded };
    })
    .filter((item) => item.answered > 0);
}

const MONTH_LABELS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The case figures for the dashboard, for one school or every school the actor reaches; staff see
 * their own cases' figures. References and dates only: no one's name, so nothing to unseal.
 */
export async function caseDashboard(ctx: Context, organisationId?: string): Promise<CaseDashboard | undefined> {
  const { actor } = ctx;
  if (!can(actor, "cases:log") && !can(actor, "cases:view-all")) {
    return undefined;
  }
  const organisationIds = organisationId && actor.organisationIds.includes(organisationId) ? [organisationId] : actor.organisationIds;
  const now = ctx.services.clock.now();
  const today = londonDateOf(now);
  // Everyone's cases, or (staff) one person's own: what visibleCases will show this actor now.
  const whose = can(actor, "cases:view-all") ? "all" : `own:${actor.userId}`;
  return keptFigures({ organisationIds, whose, today }, () => dashboardFigures(ctx, organisationIds, now, today));
}

async function dashboardFigures(ctx: Context, organisationIds: readonly string[], now: Date, today: string): Promise<CaseDashboard> {
  const { actor } = ctx;
  return inActorScope(ctx, async (trx) => {
    const visible = (t: Tx) => visibleCases(t, actor, organisationIds);
    const counts = await visible(trx)
      .select(["cases.type", "cases.status", (eb) => eb.fn.countAll<number>().as("count")])
      .where("cases.closedAt", "is", null)
      .groupBy(["cases.type", "cases.status"])
      .execute();
    const openByType = Object.values(WORKFLOWS)
      .map((workflow) => {
        const rows = counts.filter((row) => row.type === workflow.type);
        return {
          type: workflow.type,
          typeName: workflow.name,
          total: rows.reduce((sum, row) => sum + Number(row.count), 0),
          byStatus: workflow.statuses.map((status) => ({ name: status.name, count: Number(rows.find((row) => row.status === status.id)?.count ?? 0) })).filter((status) => status.count > 0),
        };
      })
      .filter((item) => item.total > 0);

    type ListedRow = { id: string; reference: string; type: string; organisationName: string; dueOn: string | null; dueAt: Date | null; responseSentOn?: string | null; riskLikelihood?: string | null; riskSeverity?: string | null };
    const decisionOf = (row: ListedRow): Pick<DashboardCase, "decision"> => {
      const decision = assessedDecision({ riskLikelihood: row.riskLikelihood ?? null, riskSeverity: row.riskSeverity ?? null });
      return decision ? { decision: decision.reportToIco ? "report" : "no-report" } : {};
    };
    const listed = (rows: ListedRow[]): DashboardCase[] =>
      rows.map((row) => ({
        id: row.id,
        reference: row.reference,
        typeName: WORKFLOWS[row.type as CaseType].name,
        organisationName: row.organisationName,
        dueOn: row.dueOn,
        dueAt: row.dueAt,
        // A case waiting on the requester has no due date until its clock runs again.
        // One whose response has gone (a letter from Steward) has nothing left to count down to.
        countdown: (row.dueAt || row.dueOn) && !row.responseSentOn ? countdownTo(row.dueAt ? new Date(row.dueAt).toISOString() : row.dueOn!, now) : null,
        ...decisionOf(row),
      }));
    const columns = ["cases.id", "cases.reference", "cases.type", "organisations.name as organisationName", "cases.dueOn", "cases.dueAt", "cases.responseSentOn"] as const;
    const unassigned = await visible(trx).select([...columns, "cases.riskLikelihood", "cases.riskSeverity"]).where("cases.closedAt", "is", null).where("cases.assigneeId", "is", null).orderBy("cases.receivedAt", "desc").limit(50).execute();
    // Read as the list reads: each school's first 50 in deadline order from the list's index, merged.
    const notBreaches: Narrowing = (query) => query.where("cases.type", "!=", "breach");
    const dueThisWeek = await casesInListOrder(trx, ctx, { organisationIds, part: "open", narrow: (query) => notBreaches(query).where("cases.responseSentOn", "is", null).where("cases.dueOn", ">=", today).where("cases.dueOn", "<=", addDays(today, 7)) }, 0, 50);
    const overdue = await casesInListOrder(trx, ctx, { organisationIds, part: "open", narrow: (query) => notBreaches(query).where("cases.responseSentOn", "is", null).where("cases.dueOn", "<", today) }, 0, 50);
    const breaches = await visible(trx).select([...columns, "cases.riskLikelihood", "cases.riskSeverity"]).where("cases.closedAt", "is", null).where("cases.type", "=", "breach").where("cases.icoReportedOn", "is", null).where("cases.dueAt", ">", now)
      // Implied by the time, and lets the index find them: a breach due later than now is due today or after.
      .where("cases.dueOn", ">=", londonDateOf(now)).orderBy("cases.dueAt").limit(50).execute();

    const firstMonth = `${addCalendarMonths(today, -11).date.slice(0, 7)}-01`;
    const byMonth = await visible(trx)
      .select([sql<string>`to_char(cases.received_on, 'YYYY-MM')`.as("month"), (eb) => eb.fn.countAll<number>().as("count")])
      .where("cases.receivedOn", ">=", firstMonth)
      .groupBy(sql`to_char(cases.received_on, 'YYYY-MM')`)
      .execute();
    const months = Array.from({ length: 12 }, (_unused, index) => {
      const month = addCalendarMonths(firstMonth, index).date.slice(0, 7);
      return { month, label: `${MONTH_LABELS[Number(month.slice(5)) - 1]} ${month.slice(0, 4)}`, count: Number(byMonth.find((row) => row.month === month)?.count ?? 0) };
    });
    const closed = await visible(trx)
      .select(["cases.type", "cases.outcome", "cases.closedAt", "cases.receivedOn", "cases.dueOn", "cases.icoReportedOn", "cases.responseSentOn"])
      .where("cases.closedAt", ">=", new Date(`${firstMonth}T00:00:00Z`))
      .execute();
    return {
      answered: answeredByType(closed),
      openByType,
      openTotal: openByType.reduce((sum, item) => sum + item.total, 0),
      newAndUnassigned: listed(unassigned),
      dueThisWeek: listed(dueThisWeek),
      overdue: listed(overdue),
      breachesInside72Hours: listed(breaches),
      months,
    };
  });
}

/**
 * The 12-month bar chart, drawn on the server as SVG. It is a picture of the table beside it,
 * which is what a screen reader reads, so the SVG itself is hidden from them.
 */
export function monthlyChartSvg(months: readonly { label: string; count: number }[]): string {
  const width = 640;
  const height = 220;
  const top = 20;
  const bottom = 40;
  const barGap = 8;
  const barWidth = (width - barGap * (months.length + 1)) / months.length;
  const highest = Math.max(1, ...months.map((month) => month.count));
  const bars = months
    .map((month, index) => {
      const barHeight = ((height - top - bottom) * month.count) / highest;
      const x = barGap + index * (barWidth + barGap);
      const y = height - bottom - barHeight;
      const [name, year] = month.label.split(" ");
      return (
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="#1d70b8"/>` +
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="12" fill="#0b0c0c">${month.count}</text>` +
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="12" fill="#0b0c0c">${name}</text>` +
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 30}" text-anchor="middle" font-size="10" fill="#505a5f">${year}</text>`
      );
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" aria-hidden="true" focusable="false" class="steward-chart" font-family="&quot;GDS Transport&quot;, arial, sans-serif"><line x1="0" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#0b0c0c"/>${bars}</svg>`;
}
