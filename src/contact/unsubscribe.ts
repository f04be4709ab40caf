import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import type { ContactKind } from "../platform/database/schema.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { newestAnswers, recordAnswer } from "./consents.ts";
import { readUnsubscribeToken } from "./unsubscribe-links.ts";
import { KIND_NAMES, KIND_WHAT, UNSUBSCRIBE_WORDING } from "./wording.ts";

/*
 * Unsubscribing by the link in an email, without signing in. Opening the link (GET) only reads:
 * mail scanners follow links. Pressing the button (POST) puts the address on the suppression
 * list for that kind, keyed by its hash alone (so it holds after the account or the whole
 * organisation is gone, and for any account the address has or will have), and records the
 * withdrawal in the person's consent history when the person is still there to have one.
 */

export interface UnsubscribeView {
  kind: ContactKind;
  name: string;
  what: string;
  /** The words above the button, recorded with the withdrawal. */
  wording: string;
  /** The address is already on the list for this kind. */
  alreadyStopped: boolean;
}

type UnsubscribeServices = Pick<Services, "database" | "keyring" | "clock">;

/** What the link would stop, and whether it has already; undefined for a link Steward did not make. Writes nothing. */
export async function describeUnsubscribeLink(services: UnsubscribeServices, token: unknown): Promise<UnsubscribeView | undefined> {
  const link = readUnsubscribeToken(services.keyring, token);
  if (!link) {
    return undefined;
  }
  // The suppression list belongs to no organisation: a transaction that can see none reads it.
  const existing = await inScope(services.database.db, {}, (trx) =>
    trx.selectFrom("emailSuppressions").select("kind").where("addressIndex", "=", link.addressIndex).where("kind", "=", link.kind).executeTakeFirst(),
  );
  return { kind: link.kind, name: KIND_NAMES[link.kind], what: KIND_WHAT[link.kind], wording: UNSUBSCRIBE_WORDING[link.kind], alreadyStopped: existing !== undefined };
}

/**
 * Stops the link's kind of email to its address, and records the withdrawal if the person's
 * account is still there and their answer was yes. Undefined, and nothing written, for a link
 * Steward did not make. Pressing it twice changes nothing the second time.
 */
export async function unsubscribeByLink(services: UnsubscribeServices, token: unknown, meta?: RequestMeta): Promise<UnsubscribeView | undefined> {
  const link = readUnsubscribeToken(services.keyring, token);
  if (!link) {
    return undefined;
  }
  const now = services.clock.now();
  await inScope(services.database.db, { organisationIds: [link.organisationId] }, async (trx) => {
    await trx
      .insertInto("emailSuppressions")
      .values({ addressIndex: link.addressIndex, kind: link.kind, suppressedAt: now })
      .onConflict((oc) => oc.columns(["addressIndex", "kind"]).doNothing())
      .execute();
    const person = await trx.selectFrom("users").select("id").where("orgId", "=", link.organisationId).where("id", "=", link.userId).executeTakeFirst();
    if (!person) {
      return;
    }
    const newest = (await newestAnswers(trx, link.organisationId, [link.userId])).get(link.userId)?.get(link.kind);
    if (newest?.given !== true) {
      return;
    }
    await recordAnswer(trx, {
      organisationId: link.organisationId,
      userId: link.userId,
      kind: link.kind,
      given: false,
      wording: UNSUBSCRIBE_WORDING[link.kind],
      how: "unsubscribe-link",
      at: now,
      after: newest.recordedAt,
    });
    // Nobody is signed in: the link's holder acted, on the person's own record.
    await recordAudit(trx, { organisationId: link.organisationId, actorUserId: null, action: "contact.unsubscribe", recordType: "user", recordId: link.userId, meta, at: now });
  });
  return { kind: link.kind, name: KIND_NAMES[link.kind], what: KIND_WHAT[link.kind], wording: UNSUBSCRIBE_WORDING[link.kind], alreadyStopped: true };
}
