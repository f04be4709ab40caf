import type { FastifyInstance } from "fastify";

/**
 * The pages every page's footer links to: the privacy notice, the accessibility statement and how
 * to get in touch. Public, so they can be read before signing in (or after being locked out).
 */
export function aboutRoutes(app: FastifyInstance): void {
  app.get("/privacy", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/privacy.njk", {}));
  app.get("/accessibility", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/accessibility.njk", {}));
  app.get("/contact", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/contact.njk", {}));
}
