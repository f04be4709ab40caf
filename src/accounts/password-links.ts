import { randomUUID } from "node:crypto";
import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { hashPassword, passwordProblem } from "../auth/passwords.ts";
import { endSessionsOfUser } from "../auth/sessions.ts";
import { tellAccountHolder } from "./notices.ts";
import { accountsSigningInAs, openPersonalFields } from "./personal-fields.ts";
import type { Keyring } from "../platform/encryption/keyring.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { PasswordLinkPurpose } from "../platform/database/schema.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";

export interface PasswordLinkHolder {
  organisationId: string;
  userId: string;
  linkId: string;
  purpose: PasswordLinkPurpose;
  fullName: string;
  username: string;
  email: string;
  organisationName: string;
}

/** The user a one-time link belongs to, or undefined if the link is unknown, used or expired. */
async function findUsableLink(trx: Tx, keyring: Keyring, token: string, now: Date): Promise<PasswordLinkHolder | undefined> {
  const link = await trx
    .selectFrom("passwordLinks")
    .select(["orgId", "id", "userId", "purpose", "expiresAt", "usedAt"])
    .where("tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!link || link.usedAt !== null || link.expiresAt.getTime() <= now.getTime()) {
    return undefined;
  }
  await changeScope(trx, { organisationIds: [link.orgId] });
  const row = await trx
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.orgId")
    .select(["users.fullName", "users.username", "users.email", "users.deactivatedAt", "organisations.name"])
    .where("users.orgId", "=", link.orgId)
    .where("users.id", "=", link.userId)
    .executeTakeFirst();
  if (!row || row.deactivatedAt !== null) {
    return undefined;
  }
  const user = await openPersonalFields(trx, keyring, link.orgId, link.userId, row);
  return {
    organisationId: link.orgId,
    userId: link.userId,
    linkId: link.id,
    purpose: link.purpose,
    fullName: user.fullName,
    username: user.username,
    email: user.email,
    organisationName: user.name,
  };
}

export function describePasswordLink(
  services: Pick<Services, "database" | "clock" | "keyring">,
  token: string,
): Promise<PasswordLinkHolder | undefined> {
  return inScope(services.database.db, { linkTokenHash: hashToken(token) }, (trx) =>
    findUsableLink(trx, services.keyring, token, services.clock.now()),
  );
}

export type SetPasswordResult = { ok: true } | { ok: false; errors: FieldErrors } | { ok: false; linkUnusable: true };

/**
 * Sets a password through a one-time link, which is then spent. Any sessions the user had end, so
 * a link sent after a suspected compromise locks the intruder out.
 */
export async function setPasswordWithLink(
  services: Pick<Services, "database" | "clock" | "keyring" | "mailer">,
  token: string,
  password: string,
  meta?: RequestMeta,
): Promise<SetPasswordResult> {
  const holder = await describePasswordLink(services, token);
  if (!holder) {
    return { ok: false, linkUnusable: true };
  }
  const problem = passwordProblem(password, {
    fullName: holder.fullName,
    username: holder.username,
    email: holder.email,
    organisationName: holder.organisationName,
  });
  if (problem) {
    return { ok: false, errors: { password: problem } };
  }
  const passwordHash = await hashPassword(password);
  const now = services.clock.now();
  return inScope(services.database.db, { linkTokenHash: hashToken(token) }, async (trx) => {
    // Checked again inside the transaction that spends it, so a link cannot be used twice at once.
    const stillUsable = await findUsableLink(trx, services.keyring, token, now);
    if (!stillUsable) {
      return { ok: false, linkUnusable: true } as const;
    }
    const spent = await trx
      .updateTable("passwordLinks")
      .set({ usedAt: now })
      .where("orgId", "=", holder.organisationId)
      .where("id", "=", holder.linkId)
      .where("usedAt", "is", null)
      .executeTakeFirst();
    if (spent.numUpdatedRows !== 1n) {
      return { ok: false, linkUnusable: true } as const;
    }
    await trx
      .updateTable("users")
      // A new password also lifts any sign-in lock: its holder has just proved they own the email.
      .set({ passwordHash, updatedAt: now, failedSignIns: 0, lastFailedSignInAt: null, lockedUntil: null })
      .where("orgId", "=", holder.organisationId)
      .where("id", "=", holder.userId)
      .execute();
    await endSessionsOfUser(trx, holder.organisationId, holder.userId);
    if (holder.purpose === "reset") {
      await tellAccountHolder(trx, services, holder.organisationId, holder.userId, {
        subject: "Your Steward password was changed",
        lines: ["The password of your Steward account has just been changed with a reset link, and you were signed out everywhere else."],
      });
    }
    await recordAudit(trx, {
      organisationId: holder.organisationId,
      actorUserId: holder.userId,
      action: "password.set",
      recordType: "user",
      recordId: holder.userId,
      meta,
      at: now,
    });
    return { ok: true } as const;
  });
}

/** How long a password reset link works. */
export const RESET_VALID_MS = 30 * 60 * 1000;

/**
 * Emails a password reset link to each active account that signs in with `login` (an email address
 * may have an account in more than one organisation: each gets its own link, to that address). The
 * caller tells the person the same thing either way, so accounts cannot be discovered.
 */
export async function requestPasswordReset(
  services: Pick<Services, "database" | "clock" | "mailer" | "config" | "keyring">,
  login: string,
  meta?: RequestMeta,
): Promise<void> {
  const { accounts } = await accountsSigningInAs(services.database.db, services.keyring, login);
  for (const user of accounts.filter((account) => account.deactivatedAt === null)) {
    await sendResetLink(services, user, meta);
  }
}

async function sendResetLink(
  services: Pick<Services, "database" | "clock" | "mailer" | "config" | "keyring">,
  user: { orgId: string; id: string; fullName: string; email: string },
  meta: RequestMeta | undefined,
): Promise<void> {
  const token = newToken();
  const now = services.clock.now();
  const link = `${services.config.publicUrl}/set-password/${token}`;
  await inScope(services.database.db, { organisationIds: [user.orgId] }, async (trx) => {
    const person = await openPersonalFields(trx, services.keyring, user.orgId, user.id, { fullName: user.fullName, email: user.email });
    await trx
      .insertInto("passwordLinks")
      .values({
        orgId: user.orgId,
        id: randomUUID(),
        tokenHash: hashToken(token),
        userId: user.id,
        purpose: "reset",
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_VALID_MS),
        usedAt: null,
      })
      .execute();
    await queueEmail(trx, services, user.orgId, {
      authentication: true,
      to: person.email,
      subject: "Reset your Steward password",
      text: [
        `Hello ${person.fullName},`,
        "",
        "Someone asked to reset the password of your Steward account. To choose a new password, use",
        "this link. It works once, for 30 minutes, and signs you out everywhere else:",
        link,
        "",
        "If you did not ask for this, you can ignore this email: your password has not changed.",
      ].join("\n"),
    });
    await recordAudit(trx, {
      organisationId: user.orgId,
      actorUserId: user.id,
      action: "password-reset.request",
      recordType: "user",
      recordId: user.id,
      meta,
      at: now,
    });
  });
}
