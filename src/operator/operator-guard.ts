import type { FastifyReply, FastifyRequest } from "fastify";
import { forbidden } from "../platform/errors.ts";
import type { Services } from "../platform/services.ts";
import { readOperatorCookie } from "./operator-cookie.ts";
import { resolveOperatorSession } from "./operator-sessions.ts";

/** The console's own pages: its routes (access "operator") and its public ones (sign-in, setup), whose forms bind to the operator cookie. */
export function isOperatorPage(request: FastifyRequest): boolean {
  const config = request.routeOptions.config;
  return config.access === "operator" || config.operatorPage === true;
}

/**
 * The guard of the operator's console (src/app.ts calls it for isOperatorPage routes). The
 * operator cookie is what CSRF tokens bind to here. A route with access "operator" needs a session
 * past both factors: a half-signed one is sent to finish, a lapsed one to sign in again; a form
 * posted with no operator session at all is refused.
 */
export async function guardOperatorRoute(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  request.sessionCookie = readOperatorCookie(request);
  if (request.routeOptions.config.access !== "operator") {
    return;
  }
  const lookup = request.sessionCookie ? await resolveOperatorSession(services, request.sessionCookie) : { kind: "none" as const };
  if (lookup.kind === "active" && !lookup.awaitingSecondFactor) {
    request.operator = lookup.operator;
    return;
  }
  if (lookup.kind === "active") {
    return reply.redirect(lookup.twoFactorSetUp ? "/operator/login/two-factor" : "/operator/two-factor/setup", 303);
  }
  if (lookup.kind === "none" && request.method !== "GET" && request.method !== "HEAD") {
    throw forbidden();
  }
  return reply.redirect(lookup.kind === "expired" ? "/operator/login?expired=1" : "/operator/login", 303);
}

/**
 * Whether the request carries an operator's session (past the password at least): a school's
 * pages refuse it outright when it has no staff session of its own, since an operator has no way
 * into any organisation's records.
 */
export async function carriesOperatorSession(services: Services, request: FastifyRequest): Promise<boolean> {
  const token = readOperatorCookie(request);
  return token !== undefined && (await resolveOperatorSession(services, token)).kind === "active";
}
