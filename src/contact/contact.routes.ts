import type { FastifyInstance } from "fastify";
import { contextOf, requestMeta } from "../accounts/request-context.ts";
import { readForm } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { emailChoicesSchema, unsubscribeSchema } from "./contact.schema.ts";
import { readEmailChoicesPage, saveEmailChoices } from "./consents.ts";
import { describeUnsubscribeLink, unsubscribeByLink } from "./unsubscribe.ts";

/** Per client address: the button needs no more, and a link cannot be guessed anyway. */
const UNSUBSCRIBE_LIMIT = { max: 30, timeWindow: "15 minutes" };

/**
 * The token from the address. A wildcard rather than a `:token` parameter: the token (110
 * characters) is longer than the router lets a parameter be (100), and is checked in full anyway.
 */
const tokenOf = (params: unknown): unknown => (params as Record<string, unknown> | undefined)?.["*"];

/**
 * The person's own choice of email beyond the service's (/account/emails), and the unsubscribe
 * link's pages (/unsubscribe/<token>), which need no sign-in: GET only shows, POST acts.
 */
export function contactRoutes(app: FastifyInstance, services: Services): void {
  app.get("/account/emails", { config: { access: "signed-in", duringDormancy: true } }, async (request, reply) => {
    const saved = (request.query as Record<string, unknown>)["done"] === "saved";
    const page = await readEmailChoicesPage(contextOf(request, services), { afterOwnChange: saved });
    return reply.page("contact/views/emails.njk", { page, notice: saved ? "Your choices are saved." : undefined });
  });

  app.post("/account/emails", { config: { access: "signed-in", duringDormancy: true } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(emailChoicesSchema, request.body);
    if (!form.ok) {
      return reply.page("contact/views/emails.njk", { page: await readEmailChoicesPage(ctx), errors: form.errors, values: form.values }, 400);
    }
    const result = await saveEmailChoices(ctx, { "product-updates": form.data["product-updates"] === "yes", surveys: form.data.surveys === "yes" }, form.data.shown ?? "");
    if (!result.ok) {
      return reply.page("contact/views/emails.njk", { page: await readEmailChoicesPage(ctx), wordingChanged: true }, 409);
    }
    return reply.redirect("/account/emails?done=saved", 303);
  });

  app.get("/unsubscribe/*", { config: { access: "public" } }, async (request, reply) => {
    const token = tokenOf(request.params);
    const view = await describeUnsubscribeLink(services, token);
    if (!view) {
      return reply.page("contact/views/unsubscribe.njk", { outcome: "unusable" }, 404);
    }
    return reply.page("contact/views/unsubscribe.njk", { view, token });
  });

  app.post("/unsubscribe/*", { config: { access: "public", rateLimit: UNSUBSCRIBE_LIMIT } }, async (request, reply) => {
    readForm(unsubscribeSchema, request.body);
    const view = await unsubscribeByLink(services, tokenOf(request.params), requestMeta(request));
    if (!view) {
      return reply.page("contact/views/unsubscribe.njk", { outcome: "unusable" }, 404);
    }
    return reply.page("contact/views/unsubscribe.njk", { outcome: "done", view });
  });
}
