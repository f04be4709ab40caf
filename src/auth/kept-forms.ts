import { randomUUID } from "node:crypto";
import type { Actor } from "../accounts/actor.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor, type SealedPlace } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";
import { isSameOriginRequest, isValidCsrfToken } from "../platform/http/csrf.ts";
import { safeReturnPath } from "./confirmation.ts";

/** A kept form waits this long for its author to sign in again. */
export const KEPT_FORM_VALID_MS = 60 * 60 * 1000;

/** Never kept, whatever the form: secrets are typed again, and the form's old token is useless. */
const NEVER_KEPT = /^_csrf$|password|^code$/i;

/** The fields of a posted form worth giving back: text only, no secrets, at most 200 of them. */
export function fieldsWorthKeeping(body: unknown): Record<string, string> | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return undefined;
  }
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>).slice(0, 200)) {
    if (typeof value === "string" && !NEVER_KEPT.test(name)) {
      kept[name] = value;
    }
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

const keptPlace = (organisationId: string, id: string): SealedPlace => ({ organisationId, table: "keptForms", column: "fields", rowId: id });

/**
 * Keeps what someone typed into a form they posted after their session had run out, sealed, for
 * them alone to see again (never to be sent by itself) on `path` after they sign in. Only the
 * latest is kept; any earlier one of theirs goes.
 */
export async function keepForm(
  services: Pick<Services, "database" | "clock" | "keyring">,
  owner: { organisationId: string; userId: string },
  path: string,
  fields: Record<string, string>,
): Promise<void> {
  const now = services.clock.now();
  const id = randomUUID();
  await inScope(services.database.db, { organisationIds: [owner.organisationId] }, async (trx) => {
    await trx.deleteFrom("keptForms").where("orgId", "=", owner.organisationId).where("userId", "=", owner.userId).execute();
    await trx
      .insertInto("keptForms")
      .values({
        orgId: owner.organisationId,
        id,
        userId: owner.userId,
        path,
        fields: await sealFor(trx, services.keyring, keptPlace(owner.organisationId, id), JSON.stringify(fields)),
        createdAt: now,
        expiresAt: new Date(now.getTime() + KEPT_FORM_VALID_MS),
      })
      .execute();
  });
}

/**
 * The form this person had typed for `path` when they were signed out, if it is still kept: given
 * back once (it is deleted as it is read), and never after an hour.
 */
export async function takeKeptForm(services: Pick<Services, "database" | "clock" | "keyring">, actor: Actor, path: string): Promise<Record<string, string> | undefined> {
  const organisationId = actor.organisation.id;
  return inScope(services.database.db, { organisationIds: [organisationId] }, async (trx) => {
    const rows = await trx
      .deleteFrom("keptForms")
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .returning(["id", "path", "fields", "expiresAt"])
      .execute();
    const kept = rows.find((row) => row.path === path && row.expiresAt.getTime() > services.clock.now().getTime());
    if (!kept) {
      return undefined;
    }
    const fields: unknown = JSON.parse(await openFor(trx, services.keyring, keptPlace(organisationId, kept.id), kept.fields));
    return fieldsWorthKeeping(fields);
  });
}

/** The page a form was posted from (Referer, when it is one of ours), else the address posted to; never `kept` itself. */
export function formPageOf(referer: unknown, host: string, postedTo: string): string {
  let page = postedTo;
  if (typeof referer === "string") {
    try {
      const url = new URL(referer);
      if (url.host === host) {
        page = url.pathname + url.search;
      }
    } catch {
      // not a URL: the address posted to will do
    }
  }
  return withoutKeptMarker(safeReturnPath(page, "/dashboard"));
}

/** A path with its `kept=1` marker (which asks for the kept form) taken off. */
export function withoutKeptMarker(path: string): string {
  const url = new URL(path, "http://steward.invalid");
  url.searchParams.delete("kept");
  return url.pathname + url.search;
}

/** Where sign-in lands to give the kept form back: the form's page, marked. */
export function keptLanding(page: string): string {
  return `${page}${page.includes("?") ? "&" : "?"}kept=1`;
}

/**
 * For a form posted into a session that had just run out: keeps it, if it really came from the
 * person's own page (its token matches the expired session's cookie and it is same-origin, so no
 * other site can plant text in anyone's forms), and says where to go: sign in, then back to the
 * form with what was typed. Nothing the form asked for is done.
 */
export async function keepFormPostedAfterExpiry(
  services: Pick<Services, "database" | "clock" | "keyring" | "csrfKey">,
  request: { headers: Record<string, string | string[] | undefined>; host: string; url: string; body: unknown; sessionCookie: string | undefined },
  owner: { organisationId: string; userId: string },
): Promise<string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const fields = fieldsWorthKeeping(body);
  if (!fields || !isSameOriginRequest(request.headers, request.host) || !isValidCsrfToken(services.csrfKey, request.sessionCookie, body["_csrf"])) {
    return "/login?expired=1";
  }
  const page = formPageOf(request.headers["referer"], request.host, request.url);
  await keepForm(services, owner, page, fields);
  return `/login?${new URLSearchParams({ expired: "1", kept: "1", next: keptLanding(page) }).toString()}`;
}
