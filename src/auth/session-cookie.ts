import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The one cookie Steward sets. Over HTTPS it takes the __Host- prefix (Secure, no Domain, Path=/),
 * which browsers enforce. It has no Max-Age, so it ends when the browser closes; the server ends
 * it sooner (20 minutes idle, 12 hours in all).
 */
function cookieName(request: FastifyRequest): string {
  return request.protocol === "https" ? "__Host-steward_session" : "steward_session";
}

export function readSessionCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[cookieName(request)];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

export function writeSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(cookieName(request), token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.protocol === "https",
  });
  request.sessionCookie = token;
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName(request), { path: "/", httpOnly: true, sameSite: "lax", secure: request.protocol === "https" });
  request.sessionCookie = undefined;
}
