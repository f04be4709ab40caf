import type { FastifyInstance } from "fastify";
import type { Services } from "../platform/services.ts";
import { sendDownload } from "../platform/http/files.ts";
import { sourceArchive } from "./source-code.ts";

/**
 * The pages every page's footer links to: the privacy notice, the accessibility statement, how
 * to get in touch and Steward's source code (AGPL §13). Public, so they can be read before signing in (or after being locked out).
 */
export function aboutRoutes(app: FastifyInstance, services: Pick<Services, "config">): void {
  app.get("/privacy", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/privacy.njk", {}));
  app.get("/accessibility", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/accessibility.njk", {}));
  app.get("/contact", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/contact.njk", {}));
  app.get("/source", { config: { access: "public" } }, async (_request, reply) => reply.page("about/views/source.njk", {}));
  app.get("/source/steward-source.zip", { config: { access: "public" } }, async (_request, reply) =>
    sendDownload(reply, "application/zip", "steward-source.zip", Buffer.from(await sourceArchive(services.config.dataDir))),
  );
}
