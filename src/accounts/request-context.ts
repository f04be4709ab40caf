import type { FastifyRequest } from "fastify";
import type { Context } from "./actor.ts";
import type { RequestMeta } from "../audit/audit.ts";
import { notSignedIn } from "../platform/errors.ts";
import type { Services } from "../platform/services.ts";

/** The context domain functions take, for a route that requires a signed-in user. */
export function contextOf(request: FastifyRequest, services: Services): Context {
  if (!request.actor) {
    throw notSignedIn();
  }
  return { actor: request.actor, services, request: requestMeta(request) };
}

/** The client's address (through trusted proxies only) and browser, for the audit trail. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers["user-agent"];
  return { ip: request.ip, userAgent: typeof userAgent === "string" ? userAgent : undefined };
}
