import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { can } from "../accounts/permissions.ts";
import { caseDashboard, monthlyChartSvg } from "../cases/dashboard.ts";
import { listReachableOrganisations } from "../accounts/schools.ts";
import { contextOf } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { openTaskCount } from "../redaction/disclosure/search-tasks.ts";
import { correspondenceOverview } from "../requests/correspondence-overview.ts";
import { reviewSchedule } from "../registers/registers.ts";

export function dashboardRoutes(app: FastifyInstance, services: Services): void {
  app.get("/", { config: { access: "signed-in" } }, async (_request, reply) => reply.redirect("/dashboard", 303));

  app.get("/dashboard", { config: { access: "dashboard:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    const chosen = z.object({ organisationId: z.uuid().optional().catch(undefined) }).parse(request.query ?? {}).organisationId;
    const cases = await caseDashboard(ctx, chosen);
    return reply.page("dashboard/views/dashboard.njk", {
      cases,
      // Built from numbers and month names only: no text anyone typed reaches it.
      chart: cases ? monthlyChartSvg(cases.months) : "",
      chosenOrganisationId: chosen ?? "",
      organisationChoices: organisations.length > 1 ? [{ value: "", text: "The whole trust" }, ...organisations.map((organisation) => ({ value: organisation.id, text: organisation.name }))] : [],
      schools: organisations.filter((organisation) => organisation.kind === "school" && organisation.id !== ctx.actor.organisation.id),
      canLog: can(ctx.actor, "cases:log"),
      canManageUsers: can(ctx.actor, "users:manage"),
      canManageSchools: can(ctx.actor, "schools:manage"),
      canReadOutbox: can(ctx.actor, "outbox:view"),
      canSeeReports: can(ctx.actor, "reports:view"),
      openSearchTasks: can(ctx.actor, "cases:log") ? await openTaskCount(ctx) : 0,
      reviews: can(ctx.actor, "registers:view") ? await reviewSchedule(ctx, chosen) : undefined,
      trustWide: organisations.length > 1 && !chosen,
      correspondence: can(ctx.actor, "cases:manage") ? await correspondenceOverview(ctx, chosen ? [chosen] : ctx.actor.organisationIds) : [],
    });
  });
}
