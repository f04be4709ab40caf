import { createHash, randomInt, randomUUID } from "node:crypto";
import QRCode from "qrcode";
import type { Context } from "../accounts/actor.ts";
import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor, type SealedPlace } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";
import { auditOfOwnAccount, inActorScope } from "../accounts/actor.ts";
import { tellAccountHolder } from "../accounts/notices.ts";
import { attemptVerdict } from "./lockout.ts";
import { deleteSession, startSession } from "./sessions.ts";
import { clearFailedAttempts, recordFailedAttempt, type SignInResult } from "./sign-in.ts";
import { hashToken } from "./tokens.ts";
import { fromBase32, matchingStep, newTotpSecret, otpauthUri, toBase32 } from "./totp.ts";

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i to misread

export type TwoFactorSetup =
  | { kind: "enabled"; recoveryCodesLeft: number }
  | { kind: "pending"; secret: string; qrCode: string };

/** Where a user's two-factor key is sealed. */
const totpPlace = (organisationId: string, userId: string): SealedPlace => ({ organisationId, table: "users", column: "totpSecret", rowId: userId });

/** A new recovery code, as the person writes it down: two groups of five, about 50 bits. */
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

/** Recovery codes are stored only as a hash, bound to their user; typing is forgiving of case and dashes. */
function recoveryCodeHash(userId: string, code: string): string {
  const normalised = code.toLowerCase().replace(/[^a-z0-9]/g, "");
  return createHash("sha256").update(`${userId}:${normalised}`).digest("base64url");
}

/** The secret shown in groups of four, easier to type into an app by hand. */
function grouped(base32: string): string {
  return base32.replace(/(.{4})/g, "$1 ").trim();
}

/**
 * What the person setting up two-factor sees: if it is not on yet, a secret (made on the first
 * visit, kept sealed, in force only once confirmed) as a QR code and as text.
 */
export async function twoFactorSetup(ctx: Context): Promise<TwoFactorSetup> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const sealed = await inActorScope(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["totpSecret", "totpConfirmedAt"])
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .executeTakeFirstOrThrow();
    if (user.totpConfirmedAt) {
      return { enabled: true as const, recoveryCodesLeft: await unusedRecoveryCodes(trx, organisationId, actor.userId) };
    }
    if (user.totpSecret) {
      return { enabled: false as const, secret: await openFor(trx, services.keyring, totpPlace(organisationId, actor.userId), user.totpSecret) };
    }
    const secret = toBase32(newTotpSecret());
    await trx
      .updateTable("users")
      .set({ totpSecret: await sealFor(trx, services.keyring, totpPlace(organisationId, actor.userId), secret), totpLastStep: null })
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .execute();
    return { enabled: false as const, secret };
  });
  if (sealed.enabled) {
    return { kind: "enabled", recoveryCodesLeft: sealed.recoveryCodesLeft };
  }
  const svg = await QRCode.toString(otpauthUri(fromBase32(sealed.secret), "Steward", actor.username), {
    type: "svg",
    margin: 2,
    errorCorrectionLevel: "M",
  });
  return { kind: "pending", secret: grouped(sealed.secret), qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/**
 * Checks a code from the signed-in person's own app against their key (the pending one while
 * setting up, the confirmed one after) and spends its step, so that code never works again.
 * Returns what to tell them if it does not fit.
 */
export async function spendOwnCode(trx: Tx, ctx: Context, code: string, state: "pending" | "confirmed"): Promise<string | undefined> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const user = await trx
    .selectFrom("users")
    .select(["totpSecret", "totpConfirmedAt", "totpLastStep"])
    .where("orgId", "=", organisationId)
    .where("id", "=", actor.userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (state === "pending" && user.totpConfirmedAt) {
    return "Two-factor authentication is already on for your account";
  }
  if (state === "confirmed" && !user.totpConfirmedAt) {
    return "Set up two-factor authentication first";
  }
  if (!user.totpSecret) {
    return "Start again: open the set-up page to get a new code";
  }
  const secret = fromBase32(await openFor(trx, services.keyring, totpPlace(organisationId, actor.userId), user.totpSecret));
  const step = matchingStep(secret, code, services.clock.now(), user.totpLastStep);
  if (step === undefined) {
    // A code was typed: say it is wrong, not (as for an empty box) to enter one.
    return "That code is not right. Enter the 6-digit code your authenticator app shows now";
  }
  await trx.updateTable("users").set({ totpLastStep: step }).where("orgId", "=", organisationId).where("id", "=", actor.userId).execute();
  return undefined;
}

type RecoveryCodesResult = { ok: true; recoveryCodes: string[] } | { ok: false; error: string };

/**
 * Turns two-factor on once the person proves their app has the secret, and returns ten new
 * recovery codes: shown this once, stored only hashed.
 */
export async function confirmTwoFactor(ctx: Context, code: string): Promise<RecoveryCodesResult> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const now = services.clock.now();
  return inActorScope(ctx, async (trx) => {
    const error = await spendOwnCode(trx, ctx, code, "pending");
    if (error) {
      return { ok: false, error };
    }
    await trx
      .updateTable("users")
      .set({ totpConfirmedAt: now, updatedAt: now })
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .execute();
    const recoveryCodes = await replaceRecoveryCodes(trx, organisationId, actor.userId, now);
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "two-factor.enable" });
    await tellAccountHolder(trx, services, organisationId, actor.userId, {
      subject: "Two-factor authentication is on for your Steward account",
      lines: ["Two-factor authentication has just been set up for your Steward account. From now on, signing in asks for a code from your authenticator app."],
    });
    return { ok: true, recoveryCodes };
  });
}

/**
 * A fresh set of ten recovery codes, the old set void. Asks for a code from the app first, so a
 * borrowed session alone cannot take the person's way back in.
 */
export async function regenerateRecoveryCodes(ctx: Context, code: string): Promise<RecoveryCodesResult> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  return inActorScope(ctx, async (trx) => {
    const error = await spendOwnCode(trx, ctx, code, "confirmed");
    if (error) {
      return { ok: false, error };
    }
    const recoveryCodes = await replaceRecoveryCodes(trx, organisationId, actor.userId, services.clock.now());
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "two-factor.recovery-codes-replace" });
    await tellAccountHolder(trx, services, organisationId, actor.userId, {
      subject: "New recovery codes for your Steward account",
      lines: ["New recovery codes have just been made for your Steward account. The old ones no longer work."],
    });
    return { ok: true, recoveryCodes };
  });
}


/** How many of a user's recovery codes are still unused. */
export async function unusedRecoveryCodes(trx: Tx, organisationId: string, userId: string): Promise<number> {
  const left = await trx
    .selectFrom("recoveryCodes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("orgId", "=", organisationId)
    .where("userId", "=", userId)
    .where("usedAt", "is", null)
    .executeTakeFirstOrThrow();
  return Number(left.n);
}

async function replaceRecoveryCodes(trx: Tx, organisationId: string, userId: string, now: Date): Promise<string[]> {
  await trx.deleteFrom("recoveryCodes").where("orgId", "=", organisationId).where("userId", "=", userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await trx
    .insertInto("recoveryCodes")
    .values(codes.map((code) => ({ orgId: organisationId, id: randomUUID(), userId, codeHash: recoveryCodeHash(userId, code), createdAt: now, usedAt: null })))
    .execute();
  return codes;
}

/**
 * The second step of signing in: a code from the authenticator app (or an unused recovery code)
 * for the session that passed the password. Success ends that half-session and starts a full one
 * under a new token; a wrong code counts towards the same slow-down and lock as a wrong password.
 */
export async function passSecondFactor(
  services: Pick<Services, "database" | "clock" | "mailer" | "keyring">,
  token: string,
  code: string,
  meta?: RequestMeta,
): Promise<SignInResult> {
  const tokenHash = hashToken(token);
  const now = services.clock.now();
  return inScope(services.database.db, { sessionTokenHash: tokenHash }, async (trx) => {
    const session = await trx
      .selectFrom("sessions")
      .select(["orgId", "id", "userId", "awaitingSecondFactor"])
      .where("tokenHash", "=", tokenHash)
      .executeTakeFirst();
    if (!session?.awaitingSecondFactor) {
      return { ok: false, reason: "invalid" };
    }
    await changeScope(trx, { organisationIds: [session.orgId] });
    const user = await trx
      .selectFrom("users")
      .select(["orgId", "id", "email", "failedSignIns", "lastFailedSignInAt", "lockedUntil", "totpSecret", "totpConfirmedAt", "totpLastStep"])
      .where("orgId", "=", session.orgId)
      .where("id", "=", session.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const verdict = attemptVerdict(user, now);
    if (verdict.kind !== "allowed") {
      return { ok: false, reason: verdict.kind, until: verdict.until };
    }
    if (!user.totpSecret || !user.totpConfirmedAt) {
      return { ok: false, reason: "invalid" };
    }
    const secret = fromBase32(await openFor(trx, services.keyring, totpPlace(session.orgId, user.id), user.totpSecret));
    const typed = code.trim().replace(/\s/g, "");
    const step = matchingStep(secret, typed, now, user.totpLastStep);
    const usedRecoveryCode = step === undefined && !/^\d+$/.test(typed) ? await useRecoveryCode(trx, session.orgId, user.id, typed, now) : false;
    if (step === undefined && !usedRecoveryCode) {
      await recordFailedAttempt(trx, services, user, now, "two-factor.refused", meta);
      return { ok: false, reason: "invalid" };
    }
    if (step !== undefined) {
      await trx.updateTable("users").set({ totpLastStep: step }).where("orgId", "=", session.orgId).where("id", "=", user.id).execute();
    }
    await clearFailedAttempts(trx, user);
    await deleteSession(trx, session.orgId, session.id);
    const audit = { organisationId: session.orgId, actorUserId: user.id, recordType: "user" as const, recordId: user.id, meta, at: now };
    if (usedRecoveryCode) {
      await recordAudit(trx, { ...audit, action: "two-factor.recovery-code-used" });
      const left = await unusedRecoveryCodes(trx, session.orgId, user.id);
      await tellAccountHolder(trx, services, session.orgId, user.id, {
        subject: "A recovery code was used to sign in to Steward",
        lines: [
          `Someone signed in to your Steward account with one of your recovery codes instead of a code from your app. You have ${left} left.`,
          "If you have lost your phone, sign in and set up two-factor authentication again, or ask your Steward administrator to reset it.",
        ],
      });
    }
    await recordAudit(trx, { ...audit, action: "session.start" });
    return { ok: true, token: await startSession(trx, now, session.orgId, user.id), secondFactorNeeded: false };
  });
}

async function useRecoveryCode(trx: Tx, organisationId: string, userId: string, code: string, now: Date): Promise<boolean> {
  const used = await trx
    .updateTable("recoveryCodes")
    .set({ usedAt: now })
    .where("orgId", "=", organisationId)
    .where("userId", "=", userId)
    .where("codeHash", "=", recoveryCodeHash(userId, code))
    .where("usedAt", "is", null)
    .executeTakeFirst();
  return used.numUpdatedRows > 0n;
}
