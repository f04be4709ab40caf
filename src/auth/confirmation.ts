import type { Context } from "../accounts/actor.ts";
import { auditOfOwnAccount, inOwnOrganisationScope } from "../accounts/actor.ts";
import { recordAudit } from "../audit/audit.ts";
import { attemptVerdict } from "./lockout.ts";
import { verifyPassword } from "./passwords.ts";
import { clearFailedAttempts, recordFailedAttempt, type SignInResult } from "./sign-in.ts";
import { spendOwnCode } from "./two-factor.ts";

/**
 * Sensitive actions (changing the email address that password resets go to, downloading
 * everything held about a person) ask the person to prove again who they are if they last did
 * so more than this long ago: a session left open on a shared computer is not enough.
 */
export const RECENT_CONFIRMATION_MS = 15 * 60 * 1000;

export function isRecentlyConfirmed(confirmedAt: Date, now: Date): boolean {
  return now.getTime() - confirmedAt.getTime() < RECENT_CONFIRMATION_MS;
}

const SITE = "http://steward.invalid";

/**
 * A `next` address to return to (after confirming, after signing in): only a path on this site,
 * never another site, however it is disguised (`//host`, `/\\host`, `/%5Chost`, a scheme, a tab or
 * line break that browsers drop), nor the sign-in pages themselves. Anything else is `fallback`.
 */
export function safeReturnPath(next: unknown, fallback = "/account"): string {
  if (typeof next !== "string" || next.length > 2000 || !/^\/[^\s\\]*$/.test(next)) {
    return fallback;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return fallback;
  }
  if (/^\/[/\\]/.test(next) || /^\/[/\\]/.test(decoded) || /[\\\p{Cc}]/u.test(decoded)) {
    return fallback;
  }
  const url = new URL(next, SITE);
  if (url.origin !== SITE || url.pathname.startsWith("//") || /^\/(login|logout)(\/|$)/.test(url.pathname)) {
    return fallback;
  }
  return url.pathname + url.search;
}

/**
 * Checks the person's password (and their two-factor code, if they use one) again and marks the
 * session as confirmed now. Wrong answers count towards the account's slow-down and lock.
 */
export async function confirmItIsYou(
  ctx: Context,
  sessionId: string,
  answers: { password: string; code?: string | undefined },
): Promise<Exclude<SignInResult, { ok: true }> | { ok: true }> {
  const { actor, services } = ctx;
  const organisationId = actor.organisation.id;
  const user = await inOwnOrganisationScope(ctx, (trx) =>
    trx
      .selectFrom("users")
      .select(["orgId", "id", "email", "passwordHash", "failedSignIns", "lastFailedSignInAt", "lockedUntil", "totpConfirmedAt"])
      .where("orgId", "=", organisationId)
      .where("id", "=", actor.userId)
      .executeTakeFirstOrThrow(),
  );
  const verdict = attemptVerdict(user, services.clock.now());
  if (verdict.kind !== "allowed") {
    return { ok: false, reason: verdict.kind, until: verdict.until };
  }
  const passwordRight = user.passwordHash !== null && (await verifyPassword(user.passwordHash, answers.password));
  const now = services.clock.now();
  return inOwnOrganisationScope(ctx, async (trx) => {
    // The code is checked, and its step spent, only behind a right password.
    const codeProblem = passwordRight && user.totpConfirmedAt ? await spendOwnCode(trx, ctx, answers.code ?? "", "confirmed") : undefined;
    if (!passwordRight || codeProblem) {
      await recordFailedAttempt(trx, services, user, now, "sign-in.refused", ctx.request);
      return { ok: false, reason: "invalid" };
    }
    await clearFailedAttempts(trx, user);
    await trx.updateTable("sessions").set({ confirmedAt: now }).where("orgId", "=", organisationId).where("id", "=", sessionId).execute();
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "session.confirm" });
    return { ok: true };
  });
}
