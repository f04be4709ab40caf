import type { FastifyReply, FastifyRequest } from "fastify";
import { newToken } from "../auth/tokens.ts";

/**
 * The operator's own cookie, apart from the staff session's: `steward_operator`, or over HTTPS
 * `__Host-steward_operator` (Secure, no Domain, Path=/, which browsers enforce), as the staff
 * cookie is. HttpOnly and SameSite=Strict: no other site can ever make a browser send it. No
 * Max-Age, so it ends with the browser; the server ends the session sooner (20 minutes idle, 12
 * hours in all). Path=/ (not /operator) so that every request shows whether an operator is asking:
 * a school's pages refuse one.
 */
function cookieName(request: FastifyRequest): string {
  return request.protocol === "https" ? "__Host-steward_operator" : "steward_operator";
}

const cookieOptions = (request: FastifyRequest) => ({ path: "/", httpOnly: true, sameSite: "strict" as const, secure: request.protocol === "https" });

export function readOperatorCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[cookieName(request)];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** Sets the cookie; it is also what the console's CSRF tokens are bound to from now on. */
export function writeOperatorCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(cookieName(request), token, cookieOptions(request));
  request.sessionCookie = token;
}

export function clearOperatorCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName(request), cookieOptions(request));
  request.sessionCookie = undefined;
}

/**
 * The console's pages need a cookie to bind their forms' CSRF tokens to before anyone signs in (the
 * sign-in and setup forms): a random one, given the first time a page asks. Signing in replaces it.
 */
export function ensureOperatorVisitorCookie(request: FastifyRequest, reply: FastifyReply): string {
  if (!request.sessionCookie) {
    writeOperatorCookie(request, reply, newToken());
  }
  return request.sessionCookie as string;
}
