import type { FastifyInstance } from "fastify";
import { contextOf } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { listOutbox } from "./outbox.ts";

export function notifyRoutes(app: FastifyInstance, services: Services): void {
  app.get("/outbox", { config: { access: "outbox:view" } }, async (request, reply) => {
    const emails = await listOutbox(contextOf(request, services));
    return reply.page("notify/views/outbox.njk", { emails, smtpConfigured: Boolean(services.mailer) });
  });
}
