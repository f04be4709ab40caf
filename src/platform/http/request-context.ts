import type { FastifyRequest } from "fastify";
import type { Context } from "../../accounts/actor.ts";
import { notSignedIn } from "../errors.ts";
import type { Services } from "../services.ts";

/** The context domain functions take, for a route that requires a signed-in user. */
export function contextOf(request: FastifyRequest, services: Services): Context {
  if (!request.actor) {
    throw notSignedIn();
  }
  return { actor: request.actor, services };
}
