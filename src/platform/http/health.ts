import type { FastifyInstance } from "fastify";
import { isReachable } from "../database/database.ts";
import { isFullyMigrated } from "../database/migrate.ts";
import type { Services } from "../services.ts";

/** 200 once the database answers and every migration has run; 503 otherwise. */
export function healthRoutes(app: FastifyInstance, services: Services): void {
  app.get("/healthz", { config: { access: "public" } }, async (_request, reply) => {
    const db = services.database.db;
    const healthy = (await isReachable(db)) && (await isFullyMigrated(db).catch(() => false));
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? "ok" : "unavailable" });
  });
}
