import { randomUUID } from "node:crypto";
import { londonDateOf } from "../calendar/dates.ts";
import { recordCase } from "../cases/logging.ts";
import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { unusedRecoveryCodes } from "../auth/two-factor.ts";
import { openEmail, queueEmail } from "../notify/outbox.ts";
import { brokenUniqueConstraint } from "../platform/database/errors.ts";
import type { Role } from "../platform/database/schema.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor, type SealedPlace } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";
import { auditOfOwnAccount, inActorScope, inOwnOrganisationScope, type Context } from "./actor.ts";
import { authorise } from "./permissions.ts";
import { openPersonalFields, sealPersonalField, signInIndex } from "./personal-fields.ts";

/*
 * A user's own rights over what Steward holds about them (UK GDPR articles 15 to 17 and 20): to
 * see it, correct their name and email address, take a copy in a machine-readable form, and ask
 * for it to be erased. Every function acts on the signed-in person only.
 */

const changePlace = (organisationId: string, id: string): SealedPlace => ({ organisationId, table: "emailChanges", column: "newEmail", rowId: id });
const erasurePlace = (organisationId: string, id: string): SealedPlace => ({ organisationId, table: "erasureRequests", column: "reason", rowId: id });

/** How long the link that confirms a new email address works. */
export const EMAIL_CHANGE_VALID_MS = 24 * 60 * 60 * 1000;

export interface OwnAccount {
  fullName: string;
  email: string;
  username: string;
  role: Role;
  organisationName: string;
  createdAt: Date;
  twoFactorEnabled: boolean;
  /** A new address waiting for its owner to confirm it. */
  pendingEmail: string | undefined;
  /** When they last asked for erasure, if that request is still open. */
  erasureRequestedAt: Date | undefined;
}


export async function readOwnAccount(ctx: Context): Promise<OwnAccount> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const now = services.clock.now();
  return inOwnOrganisationScope(ctx, async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["fullName", "email", "username", "role", "createdAt", "totpConfirmedAt"])
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .executeTakeFirstOrThrow();
    const person = await openPersonalFields(trx, services.keyring, organisationId, actor.userId, row);
    const pending = await trx
      .selectFrom("emailChanges")
      .select(["id", "newEmail"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .where("usedAt", "is", null)
      .where("expiresAt", ">", now)
      .orderBy("createdAt", "desc")
      .executeTakeFirst();
    const erasure = await trx
      .selectFrom("erasureRequests")
      .select(["createdAt"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .where("closedAt", "is", null)
      .orderBy("createdAt", "desc")
      .executeTakeFirst();
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "account.view" });
    return {
      fullName: person.fullName,
      email: person.email,
      username: person.username,
      role: row.role,
      organisationName: actor.organisation.name,
      createdAt: row.createdAt,
      twoFactorEnabled: row.totpConfirmedAt !== null,
      pendingEmail: pending ? await openFor(trx, services.keyring, changePlace(organisationId, pending.id), pending.newEmail) : undefined,
      erasureRequestedAt: erasure?.createdAt,
    };
  });
}

/** Corrects the person's own name (article 16). */
export async function changeOwnName(ctx: Context, fullName: string): Promise<void> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  await inOwnOrganisationScope(ctx, async (trx) => {
    await trx
      .updateTable("users")
      .set({ fullName: await sealPersonalField(trx, services.keyring, organisationId, actor.userId, "fullName", fullName), updatedAt: services.clock.now() })
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .execute();
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "account.name-change" });
  });
}

/**
 * Starts a change of email address: nothing changes until the person uses the link sent to the
 * new address, which proves it is theirs. The current address is told, in case it was not them.
 */
export async function requestEmailChange(ctx: Context, newEmail: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const now = services.clock.now();
  const token = newToken();
  return inOwnOrganisationScope(ctx, async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["email", "fullName", "emailIndex"])
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .executeTakeFirstOrThrow();
    if (row.emailIndex === signInIndex(services.keyring, "email", newEmail)) {
      return { ok: false, error: "That is already your email address" };
    }
    const person = await openPersonalFields(trx, services.keyring, organisationId, actor.userId, { email: row.email, fullName: row.fullName });
    const changeId = randomUUID();
    await trx
      .insertInto("emailChanges")
      .values({
        orgId: organisationId,
        id: changeId,
        tokenHash: hashToken(token),
        userId: actor.userId,
        newEmail: await sealFor(trx, services.keyring, changePlace(organisationId, changeId), newEmail),
        createdAt: now,
        expiresAt: new Date(now.getTime() + EMAIL_CHANGE_VALID_MS),
        usedAt: null,
      })
      .execute();
    await queueEmail(trx, services, organisationId, {
      authentication: true,
      to: newEmail,
      subject: "Confirm your new email address for Steward",
      text: [
        `Hello ${person.fullName},`,
        "",
        "You asked to change the email address of your Steward account to this one. To confirm, use",
        "this link. It works once, for 24 hours:",
        `${services.config.publicUrl}/account/email/confirm/${token}`,
        "",
        "If you did not ask for this, ignore this email: nothing will change.",
      ].join("\n"),
    });
    await queueEmail(trx, services, organisationId, {
      to: person.email,
      subject: "Someone asked to change your Steward email address",
      text: [
        `Hello ${person.fullName},`,
        "",
        "Someone signed in as you asked to change the email address of your Steward account. The change",
        "happens only when the link sent to the new address is used.",
        "",
        "If this was not you, change your password and tell your Steward administrator.",
      ].join("\n"),
    });
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "account.email-change-request" });
    return { ok: true };
  });
}

async function findUsableEmailChange(trx: Tx, services: Pick<Services, "keyring">, token: string, now: Date) {
  const change = await trx
    .selectFrom("emailChanges")
    .select(["orgId", "id", "userId", "newEmail", "expiresAt", "usedAt"])
    .where("tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!change || change.usedAt !== null || change.expiresAt.getTime() <= now.getTime()) {
    return undefined;
  }
  await changeScope(trx, { organisationIds: [change.orgId] });
  const user = await trx.selectFrom("users").select(["deactivatedAt"]).where("orgId", "=", change.orgId).where("id", "=", change.userId).executeTakeFirst();
  if (!user || user.deactivatedAt !== null) {
    return undefined;
  }
  return { ...change, newEmail: await openFor(trx, services.keyring, changePlace(change.orgId, change.id), change.newEmail) };
}

/** The new address a confirmation link would set, or undefined if the link cannot be used. */
export async function describeEmailChange(services: Pick<Services, "database" | "clock" | "keyring">, token: string): Promise<{ newEmail: string } | undefined> {
  const change = await inScope(services.database.db, { linkTokenHash: hashToken(token) }, (trx) =>
    findUsableEmailChange(trx, services, token, services.clock.now()),
  );
  return change ? { newEmail: change.newEmail } : undefined;
}

export type EmailChangeResult = { ok: true } | { ok: false; reason: "unusable" | "taken" };

/** Uses a confirmation link: the account's email address becomes the new one, and the link is spent. */
export async function confirmEmailChange(
  services: Pick<Services, "database" | "clock" | "keyring">,
  token: string,
  meta?: RequestMeta,
): Promise<EmailChangeResult> {
  const now = services.clock.now();
  try {
    return await inScope(services.database.db, { linkTokenHash: hashToken(token) }, async (trx) => {
      const change = await findUsableEmailChange(trx, services, token, now);
      if (!change) {
        return { ok: false, reason: "unusable" } as const;
      }
      const spent = await trx
        .updateTable("emailChanges")
        .set({ usedAt: now })
        .where("orgId", "=", change.orgId)
        .where("id", "=", change.id)
        .where("usedAt", "is", null)
        .executeTakeFirst();
      if (spent.numUpdatedRows !== 1n) {
        return { ok: false, reason: "unusable" } as const;
      }
      await trx
        .updateTable("users")
        .set({
          email: await sealPersonalField(trx, services.keyring, change.orgId, change.userId, "email", change.newEmail),
          emailIndex: signInIndex(services.keyring, "email", change.newEmail),
          updatedAt: now,
        })
        .where("orgId", "=", change.orgId)
        .where("id", "=", change.userId)
        .execute();
      await recordAudit(trx, {
        organisationId: change.orgId,
        actorUserId: change.userId,
        action: "account.email-change",
        recordType: "user",
        recordId: change.userId,
        meta,
        at: now,
      });
      return { ok: true } as const;
    });
  } catch (error) {
    if (brokenUniqueConstraint(error) === "users_email_unique_in_organisation") {
      return { ok: false, reason: "taken" };
    }
    throw error;
  }
}

/**
 * Everything Steward holds about the person (articles 15 and 20), as plain JSON: their account,
 * sessions, sign-in links, emails sent to them, requests they made and the audit events that are
 * about them or by them. Secrets (password hash, two-factor key, token hashes) are described, not
 * copied: they are of no use to the person and would weaken the account if the file leaked.
 */
export async function exportOwnData(ctx: Context): Promise<Record<string, unknown>> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const { keyring } = services;
  return inOwnOrganisationScope(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "fullName", "email", "username", "role", "createdAt", "updatedAt", "passwordHash", "totpConfirmedAt", "failedSignIns", "lockedUntil"])
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .executeTakeFirstOrThrow();
    const person = await openPersonalFields(trx, keyring, organisationId, actor.userId, user);
    const sessions = await trx
      .selectFrom("sessions")
      .select(["createdAt", "lastSeenAt"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .orderBy("createdAt")
      .execute();
    const links = await trx
      .selectFrom("passwordLinks")
      .select(["purpose", "createdAt", "expiresAt", "usedAt"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .orderBy("createdAt")
      .execute();
    const emailChanges = await trx
      .selectFrom("emailChanges")
      .select(["id", "newEmail", "createdAt", "expiresAt", "usedAt"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .orderBy("createdAt")
      .execute();
    const erasureRequests = await trx
      .selectFrom("erasureRequests")
      .select(["id", "reason", "createdAt", "closedAt"])
      .where("orgId", "=", organisationId)
      .where("userId", "=", actor.userId)
      .orderBy("createdAt")
      .execute();
    // Emails to any address the person has had: the outbox is sealed, so each recipient is opened.
    const openedChanges = [];
    for (const { id, ...change } of emailChanges) {
      openedChanges.push({ ...change, newEmail: await openFor(trx, keyring, changePlace(organisationId, id), change.newEmail) });
    }
    const openedErasureRequests = [];
    for (const { id, ...request } of erasureRequests) {
      openedErasureRequests.push({ ...request, reason: request.reason === null ? null : await openFor(trx, keyring, erasurePlace(organisationId, id), request.reason) });
    }
    const addresses = new Set([person.email, ...openedChanges.map((change) => change.newEmail)].map((address) => address.toLowerCase()));
    const outbox = await trx.selectFrom("outbox").select(["id", "recipient", "subject", "body", "status", "createdAt", "sentAt"]).where("orgId", "=", organisationId).orderBy("createdAt").execute();
    const emails = [];
    for (const email of outbox) {
      const opened = await openEmail(trx, services, organisationId, email);
      if (addresses.has(opened.recipient.toLowerCase())) {
        emails.push({
          to: opened.recipient,
          subject: opened.subject,
          body: opened.body,
          status: email.status,
          createdAt: email.createdAt,
          sentAt: email.sentAt,
        });
      }
    }
    const events = await trx
      .selectFrom("auditEvents")
      .select(["occurredAt", "actorUserId", "action", "recordType", "recordId", "ip", "userAgent"])
      .where("orgId", "=", organisationId)
      .where((eb) => eb.or([eb("actorUserId", "=", actor.userId), eb.and([eb("recordType", "=", "user"), eb("recordId", "=", actor.userId)])]))
      .orderBy("seq")
      .execute();
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "account.export" });
    return {
      about: "Everything Steward holds about you, as of the time below. Times are UTC (ISO 8601).",
      exportedAt: services.clock.now(),
      account: {
        id: user.id,
        fullName: person.fullName,
        email: person.email,
        username: person.username,
        role: user.role,
        organisation: { id: organisationId, name: actor.organisation.name, kind: actor.organisation.kind },
        createdAt: user.createdAt,
        updatedAt: user.updatedAt,
        password: user.passwordHash ? "set (stored only as an argon2id hash, not included)" : "not set",
        twoFactor: user.totpConfirmedAt
          ? { enabledAt: user.totpConfirmedAt, key: "stored encrypted, not included", recoveryCodesLeft: await unusedRecoveryCodes(trx, organisationId, actor.userId) }
          : null,
        failedSignInsSinceLastSuccess: user.failedSignIns,
        lockedUntil: user.lockedUntil,
      },
      sessions,
      passwordLinks: links,
      emailChanges: openedChanges,
      erasureRequests: openedErasureRequests,
      emails,
      auditEvents: events.map(({ actorUserId, ...event }) => ({ ...event, byYou: actorUserId === actor.userId })),
    };
  });
}

/**
 * Records the person's request that their data be erased (article 17), and tells their
 * organisation's owner and admins, who decide it: an organisation may have to keep some records
 * (the audit trail, for one). Until case work exists, the request lives here and on the users page.
 */
export async function requestErasure(ctx: Context, reason: string | undefined): Promise<{ ok: true } | { ok: false; openSince: Date }> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const now = services.clock.now();
  return inOwnOrganisationScope(ctx, async (trx) => {
    // One open request per person (a unique index holds it too): asking again changes nothing.
    const open = await openErasureRequestOf(trx, organisationId, actor.userId);
    if (open) {
      return { ok: false, openSince: open.createdAt };
    }
    const requestId = randomUUID();
    await trx
      .insertInto("erasureRequests")
      .values({
        orgId: organisationId,
        id: requestId,
        userId: actor.userId,
        reason: reason ? await sealFor(trx, services.keyring, erasurePlace(organisationId, requestId), reason) : null,
        createdAt: now,
        closedAt: null,
      })
      .execute();
    // Case work carries it from here: an erasure request on the one-month clock, with reminders.
    const { id: caseId, reference } = await recordCase(
      trx,
      { services, request: ctx.request, userId: actor.userId },
      {
        organisationId,
        type: "rights",
        rightAsked: "erasure",
        receivedOn: londonDateOf(now),
        receivedTime: undefined,
        channel: "web-form",
        requesterName: actor.fullName,
        requesterContact: undefined,
        subjectKind: "requester",
        subjectName: undefined,
        submissionKey: undefined,
        summary: `Asked from their Steward account (username ${actor.username}) to erase the personal data Steward holds about them.${reason ? `\n\nTheir reason: ${reason}` : ""}`,
      },
      [organisationId],
    );
    const deciders = await trx
      .selectFrom("users")
      .select(["id", "email"])
      .where("orgId", "=", organisationId)
      .where("role", "in", ["owner", "admin"])
      .where("deactivatedAt", "is", null)
      .execute();
    for (const decider of deciders.filter((person) => person.id !== actor.userId)) {
      await queueEmail(trx, services, organisationId, {
        to: (await openPersonalFields(trx, services.keyring, organisationId, decider.id, { email: decider.email })).email,
        subject: "A Steward user has asked for their data to be erased",
        text: [
          `${actor.fullName} (username ${actor.username}) has asked for the personal data Steward holds about them to be erased.`,
          "",
          `Read the request on their page in Steward: ${services.config.publicUrl}/users/${actor.userId}`,
          `It is logged as case ${reference}, with its deadline: ${services.config.publicUrl}/cases/${caseId}`,
          "You must respond without undue delay and within one month.",
        ].join("\n"),
      });
    }
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "account.erasure-request" });
    return { ok: true };
  });
}

function openErasureRequestOf(trx: Tx, organisationId: string, userId: string) {
  return trx
    .selectFrom("erasureRequests")
    .select("createdAt")
    .where("orgId", "=", organisationId)
    .where("userId", "=", userId)
    .where("closedAt", "is", null)
    .executeTakeFirst();
}

/** When the person's own open erasure request was made, if they have one. */
export async function ownOpenErasureRequest(ctx: Context): Promise<Date | undefined> {
  const open = await inOwnOrganisationScope(ctx, (trx) => openErasureRequestOf(trx, ctx.actor.organisation.id, ctx.actor.userId));
  return open?.createdAt;
}

/** The open erasure requests of the organisations the admin reaches (or of one user), for the users pages. */
export async function listOpenErasureRequests(ctx: Context, { userId }: { userId?: string } = {}): Promise<{ userId: string; createdAt: Date; reason: string | null }[]> {
  authorise(ctx.actor, "users:manage");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("erasureRequests")
      .select(["orgId", "id", "userId", "createdAt", "reason"])
      .where("closedAt", "is", null)
      .$if(userId !== undefined, (query) => query.where("userId", "=", userId!))
      .orderBy("createdAt")
      .execute();
    const requests = [];
    for (const row of rows) {
      requests.push({ userId: row.userId, createdAt: row.createdAt, reason: row.reason === null ? null : await openFor(trx, ctx.services.keyring, erasurePlace(row.orgId, row.id), row.reason) });
    }
    return requests;
  });
}
