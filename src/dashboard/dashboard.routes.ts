import type { FastifyInstance } from "fastify";
import { can } from "../accounts/permissions.ts";
import { listReachableOrganisations } from "../accounts/schools.ts";
import { contextOf } from "../platform/http/request-context.ts";
import type { Services } from "../platform/services.ts";

export function dashboardRoutes(app: FastifyInstance, services: Services): void {
  app.get("/", { config: { access: "signed-in" } }, async (_request, reply) => reply.redirect("/dashboard", 303));

  app.get("/dashboard", { config: { access: "dashboard:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    return reply.page("dashboard/views/dashboard.njk", {
      schools: organisations.filter((organisation) => organisation.kind === "school" && organisation.id !== ctx.actor.organisation.id),
      canManageUsers: can(ctx.actor, "users:manage"),
      canManageSchools: can(ctx.actor, "schools:manage"),
      canReadOutbox: can(ctx.actor, "outbox:view"),
    });
  });
}
