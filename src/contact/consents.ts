import { randomUUID } from "node:crypto";
import { auditOfOwnAccount, inOwnOrganisationScope, type Context } from "../accounts/actor.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { recordAudit, recordView } from "../audit/audit.ts";
import type { ContactConsentTable, ContactKind } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { addressIndexOf } from "./unsubscribe-links.ts";
import { CONSENT_WORDING, CONTACT_KINDS, HOW_NAMES, KIND_NAMES, KIND_WHAT, wordingFingerprint } from "./wording.ts";

/*
 * A person's answers to "may Steward email you about …", one row per answer: the newest row of a
 * kind is the answer in force, and every earlier one stays as the history. No row means no.
 * An address on the suppression list (it used an unsubscribe link) gets nothing of that kind
 * whatever its answers say, until its holder, signed in, ticks the box again.
 */

export type ConsentHow = ContactConsentTable["how"];

export interface EmailChoice {
  kind: ContactKind;
  name: string;
  wording: string;
  /** The newest answer says yes. */
  given: boolean;
  /** When the person's address was put on the suppression list for this kind, if it is. */
  suppressedAt: Date | undefined;
  /** What Steward does: it sends this kind only when the answer is yes and the address is not suppressed. */
  receiving: boolean;
}

export interface ConsentAnswer {
  kind: ContactKind;
  kindName: string;
  given: boolean;
  how: ConsentHow;
  howName: string;
  wording: string;
  recordedAt: Date;
}

export interface EmailChoicesPage {
  choices: EmailChoice[];
  /** Every answer, newest first. */
  history: ConsentAnswer[];
  /** Goes back with the form: the words the page showed (wordingFingerprint). */
  shown: string;
}

/** The newest answer of each kind for each of these users of one organisation (none: no answer yet). */
export async function newestAnswers(trx: Tx, organisationId: string, userIds: readonly string[]): Promise<Map<string, Map<ContactKind, { given: boolean; recordedAt: Date }>>> {
  const answers = new Map<string, Map<ContactKind, { given: boolean; recordedAt: Date }>>();
  if (userIds.length === 0) {
    return answers;
  }
  const rows = await trx
    .selectFrom("contactConsents")
    .distinctOn(["userId", "kind"])
    .select(["userId", "kind", "given", "recordedAt"])
    .where("orgId", "=", organisationId)
    .where("userId", "in", [...userIds])
    .orderBy("userId")
    .orderBy("kind")
    .orderBy("recordedAt", "desc")
    .execute();
  for (const row of rows) {
    const mine = answers.get(row.userId) ?? new Map();
    mine.set(row.kind, { given: row.given, recordedAt: row.recordedAt });
    answers.set(row.userId, mine);
  }
  return answers;
}

/**
 * Records one answer. Its time is now, or a millisecond after the newest answer of its kind if
 * the clock has not moved on since (so the newest is always the last recorded).
 */
export async function recordAnswer(
  trx: Tx,
  answer: { organisationId: string; userId: string; kind: ContactKind; given: boolean; wording: string; how: ConsentHow; at: Date; after?: Date | undefined },
): Promise<void> {
  const at = answer.after && answer.after.getTime() >= answer.at.getTime() ? new Date(answer.after.getTime() + 1) : answer.at;
  await trx
    .insertInto("contactConsents")
    .values({ orgId: answer.organisationId, id: randomUUID(), userId: answer.userId, kind: answer.kind, given: answer.given, wording: answer.wording, recordedAt: at, how: answer.how })
    .execute();
}

/** The suppressions of one address, by kind. */
async function suppressionsOf(trx: Tx, addressIndex: string): Promise<Map<ContactKind, Date>> {
  const rows = await trx.selectFrom("emailSuppressions").select(["kind", "suppressedAt"]).where("addressIndex", "=", addressIndex).execute();
  return new Map(rows.map((row) => [row.kind, row.suppressedAt]));
}

/** The signed-in person's address, as the suppression list knows it. */
async function ownAddressIndex(trx: Tx, ctx: Context): Promise<string> {
  const { actor, services } = ctx;
  const row = await trx.selectFrom("users").select(["email"]).where("orgId", "=", actor.organisation.id).where("id", "=", actor.userId).executeTakeFirstOrThrow();
  const { email } = await openPersonalFields(trx, services.keyring, actor.organisation.id, actor.userId, row);
  return addressIndexOf(services.keyring, email);
}

async function choicesIn(trx: Tx, ctx: Context): Promise<EmailChoice[]> {
  const { actor } = ctx;
  const answers = (await newestAnswers(trx, actor.organisation.id, [actor.userId])).get(actor.userId);
  const suppressed = await suppressionsOf(trx, await ownAddressIndex(trx, ctx));
  return CONTACT_KINDS.map((kind) => {
    const given = answers?.get(kind)?.given === true;
    const suppressedAt = suppressed.get(kind);
    return { kind, name: KIND_NAMES[kind], wording: CONSENT_WORDING[kind], given, suppressedAt, receiving: given && !suppressedAt };
  });
}

/** What the person receives now, for the account page's summary line (no read of their history). */
export async function readEmailChoices(ctx: Context): Promise<EmailChoice[]> {
  return inOwnOrganisationScope(ctx, (trx) => choicesIn(trx, ctx));
}

/** The email choices page: the choices in force and every answer given. Reading it is audited. */
export async function readEmailChoicesPage(ctx: Context, { afterOwnChange = false }: { afterOwnChange?: boolean } = {}): Promise<EmailChoicesPage> {
  const { actor } = ctx;
  return inOwnOrganisationScope(ctx, async (trx) => {
    const choices = await choicesIn(trx, ctx);
    const rows = await trx
      .selectFrom("contactConsents")
      .select(["kind", "given", "how", "wording", "recordedAt"])
      .where("orgId", "=", actor.organisation.id)
      .where("userId", "=", actor.userId)
      .orderBy("recordedAt", "desc")
      .orderBy("kind")
      .execute();
    await recordView(trx, { ...auditOfOwnAccount(ctx), action: "account.view", recordType: "user", recordId: actor.userId }, { afterOwnChange });
    return {
      choices,
      history: rows.map((row) => ({ ...row, kindName: KIND_NAMES[row.kind], howName: HOW_NAMES[row.how] })),
      shown: wordingFingerprint(),
    };
  });
}

export type SaveChoicesResult = { ok: true; changed: ContactKind[] } | { ok: false; reason: "wording-changed" };

/**
 * Saves the boxes as ticked: an answer for each kind whose box differs from what Steward does
 * now, with the time and the words shown. Ticking a box is a fresh, explicit consent, so it also
 * takes the person's address off that kind's suppression list. Audited when anything changed.
 */
export async function saveEmailChoices(ctx: Context, ticked: Record<ContactKind, boolean>, shown: string): Promise<SaveChoicesResult> {
  if (shown !== wordingFingerprint()) {
    return { ok: false, reason: "wording-changed" };
  }
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const now = services.clock.now();
  return inOwnOrganisationScope(ctx, async (trx) => {
    const answers = (await newestAnswers(trx, organisationId, [actor.userId])).get(actor.userId);
    const addressIndex = await ownAddressIndex(trx, ctx);
    const suppressed = await suppressionsOf(trx, addressIndex);
    const changed: ContactKind[] = [];
    for (const kind of CONTACT_KINDS) {
      const newest = answers?.get(kind);
      const wanted = ticked[kind];
      // A tick on a suppressed address is a new consent even when the last answer was yes: that yes had been overtaken.
      if (wanted ? newest?.given === true && !suppressed.has(kind) : newest?.given !== true) {
        continue;
      }
      await recordAnswer(trx, { organisationId, userId: actor.userId, kind, given: wanted, wording: CONSENT_WORDING[kind], how: "account-page", at: now, after: newest?.recordedAt });
      if (wanted && suppressed.has(kind)) {
        await trx.deleteFrom("emailSuppressions").where("addressIndex", "=", addressIndex).where("kind", "=", kind).execute();
      }
      changed.push(kind);
    }
    if (changed.length > 0) {
      await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "contact.choices-change" });
    }
    return { ok: true, changed };
  });
}

/** The account page's one line about these emails. */
export function choicesInWords(choices: readonly EmailChoice[]): string {
  const receiving = choices.filter((choice) => choice.receiving).map((choice) => KIND_WHAT[choice.kind]);
  if (receiving.length === 0) {
    return "Only emails about your account and your work in Steward";
  }
  const list = receiving.length === 1 ? receiving[0]! : `${receiving.slice(0, -1).join(", ")} and ${receiving.at(-1)!}`;
  return `${list[0]!.toUpperCase()}${list.slice(1)}, as well as emails about your account`;
}
