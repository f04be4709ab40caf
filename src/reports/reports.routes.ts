import type { FastifyInstance, FastifyRequest } from "fastify";
import { londonDateOf } from "../calendar/dates.ts";
import { sendDownload } from "../platform/http/files.ts";
import { contextOf } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { academicYearName, academicYearOf, governorsReport, periodText, TERMS, type Term } from "./governors.ts";
import { icoText, medianText, onTimeText, reportAsCsv, reportAsPdf } from "./report-files.ts";
import { reportQuerySchema } from "./reports.schema.ts";

/** How many school years back the report offers. */
const YEARS_OFFERED = 6;

export function reportsRoutes(app: FastifyInstance, services: Services): void {
  /** The report the query asks for: this school year unless another is chosen. */
  const reportFor = async (request: FastifyRequest) => {
    const ctx = contextOf(request, services);
    const query = reportQuerySchema.parse(request.query ?? {});
    const thisYear = academicYearOf(londonDateOf(services.clock.now()));
    const startYear = query.year !== undefined && query.year <= thisYear ? query.year : thisYear;
    const term = query.term as Term | undefined;
    const report = await governorsReport(ctx, { startYear, term, organisationId: query.organisationId });
    const chosen = { year: String(startYear), term: term ?? "", organisationId: report.organisations.length === 1 && ctx.actor.organisationIds.length > 1 ? report.organisations[0]!.id : "" };
    return { ctx, report, thisYear, chosen };
  };

  const fileName = (report: { startYear: number; term: string | null }, extension: string) =>
    `governors-report-${report.startYear}-${report.startYear + 1}${report.term ? `-${report.term}` : ""}.${extension}`;

  app.get("/reports/governors", { config: { access: "reports:view" } }, async (request, reply) => {
    const { ctx, report, thisYear, chosen } = await reportFor(request);
    const organisations = ctx.actor.reachable.length > 1 ? ctx.actor.reachable : [];
    const query = new URLSearchParams(Object.entries(chosen).filter(([, value]) => value)).toString();
    return reply.page("reports/views/governors.njk", {
      report,
      chosen,
      query,
      years: Array.from({ length: YEARS_OFFERED }, (_unused, index) => thisYear - index).map((year) => ({ value: String(year), text: academicYearName(year), selected: String(year) === chosen.year })),
      terms: [{ value: "", text: "The whole year" }, ...TERMS.map((term) => ({ value: term.id, text: term.name }))],
      organisationChoices: organisations.length > 1 ? [{ value: "", text: "Every school and the trust" }, ...organisations.map((organisation) => ({ value: organisation.id, text: organisation.name }))] : [],
      rows: [
        ...report.organisations.map((organisation) => ({ name: organisation.name, period: periodText(organisation.period), figures: organisation.figures })),
        ...(report.total ? [{ name: "Whole trust", period: "", figures: report.total }] : []),
      ].map((row) => ({ ...row, onTime: onTimeText(row.figures), median: medianText(row.figures), ico: icoText(row.figures) })),
      // One column per organisation, then the whole trust's, so each school's types can be read across.
      typeColumns: [...report.organisations.map((organisation) => organisation.name), ...(report.total ? ["Whole trust"] : [])],
      byType: (report.total ?? report.organisations[0]?.figures)?.byType.map((type, index) => ({
        typeName: type.typeName,
        counts: [...report.organisations.map((organisation) => organisation.figures.byType[index]!.count), ...(report.total ? [type.count] : [])],
      })) ?? [],
    });
  });

  app.get("/reports/governors.csv", { config: { access: "reports:view" } }, async (request, reply) => {
    const { report } = await reportFor(request);
    return sendDownload(reply, "text/csv; charset=utf-8", fileName(report, "csv"), reportAsCsv(report));
  });

  app.get("/reports/governors.pdf", { config: { access: "reports:view" } }, async (request, reply) => {
    const { report } = await reportFor(request);
    return sendDownload(reply, "application/pdf", fileName(report, "pdf"), Buffer.from(reportAsPdf(report)));
  });
}
