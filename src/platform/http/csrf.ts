import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Synchroniser tokens without server state: the token is an HMAC of the visitor's one cookie
 * (the session cookie) under a platform key. A page from another site cannot read the cookie, so
 * it cannot make the token; a new cookie at sign-in makes every earlier token useless.
 */
export function csrfTokenFor(key: Buffer, cookieValue: string): string {
  return createHmac("sha256", key).update(`csrf:${cookieValue}`).digest("base64url");
}

export function isValidCsrfToken(key: Buffer, cookieValue: string | undefined, submitted: unknown): boolean {
  if (!cookieValue || typeof submitted !== "string") {
    return false;
  }
  const expected = Buffer.from(csrfTokenFor(key, cookieValue));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A state-changing request must come from our own pages: browsers say where a request came from
 * in Origin and Sec-Fetch-Site, and a cross-site value is refused even with a valid token.
 */
export function isSameOriginRequest(headers: Record<string, string | string[] | undefined>, host: string): boolean {
  const fetchSite = headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") {
    return false;
  }
  const origin = headers["origin"];
  if (typeof origin === "string" && origin !== "null") {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return origin === undefined;
}
