import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { queueEmail } from "../notify/outbox.ts";
import { accountsSigningInAs, openPersonalFields, type SignInCandidate } from "../accounts/personal-fields.ts";
import type { Services } from "../platform/services.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { afterFailure, attemptVerdict, type AttemptHistory } from "./lockout.ts";
import { verifyAgainstNothing, verifyPassword } from "./passwords.ts";
import { startSession } from "./sessions.ts";
import { formatLondonTime } from "../calendar/dates.ts";

export type SignInResult =
  | { ok: true; token: string; secondFactorNeeded: boolean }
  | { ok: false; reason: "invalid" }
  /** An email address whose accounts (in several organisations) share the password typed. */
  | { ok: false; reason: "ambiguous" }
  | { ok: false; reason: "wait" | "locked"; until: Date };

type SignInServices = Pick<Services, "database" | "clock" | "mailer" | "keyring">;

/**
 * Checks a username or email and password and, if they match an active user, starts a new session
 * (a new token: the visitor's earlier cookie is never promoted). For a user with two-factor set
 * up, that session can only finish signing in (see two-factor.ts). A wrong password and an
 * unknown user look the same and take as long. The slow hash runs outside any transaction.
 *
 * An email address may have an account in more than one organisation (it is unique only within
 * one, so that no organisation can discover another's users). Signing in with it tries the
 * password against each of them at once and signs in the one it opens; the answer, and nearly the
 * time taken, is the same however many accounts share the address, so nothing about another
 * organisation shows. Signing in by username finds exactly one account, as before.
 */
export async function signIn(services: SignInServices, input: { login: string; password: string }, meta?: RequestMeta): Promise<SignInResult> {
  const { byUsername, accounts } = await accountsSigningInAs(services.database.db, services.keyring, input.login);
  const now = services.clock.now();
  if (byUsername) {
    const user = accounts[0]!;
    if (user.passwordHash === null || user.deactivatedAt !== null) {
      await verifyAgainstNothing(input.password);
      return { ok: false, reason: "invalid" };
    }
    const verdict = attemptVerdict(user, now);
    if (verdict.kind !== "allowed") {
      await verifyAgainstNothing(input.password);
      return { ok: false, reason: verdict.kind, until: verdict.until };
    }
    const correct = await verifyPassword(user.passwordHash, input.password);
    return correct ? startSignedIn(services, user, meta) : refuse(services, [user], meta);
  }
  if (accounts.length === 0) {
    await verifyAgainstNothing(input.password);
    return { ok: false, reason: "invalid" };
  }
  // A held-back account (deactivated, never activated, slowed down or locked) costs the same
  // dummy check, and is never tried: its lock still stops guessing, and says nothing to the guesser.
  const tries = await Promise.all(
    accounts.map(async (account) => {
      const open = account.passwordHash !== null && account.deactivatedAt === null && attemptVerdict(account, now).kind === "allowed";
      const correct = open ? await verifyPassword(account.passwordHash!, input.password) : await verifyAgainstNothing(input.password);
      return { account, open, correct };
    }),
  );
  const opened = tries.filter((attempt) => attempt.correct);
  if (opened.length > 1) {
    return { ok: false, reason: "ambiguous" };
  }
  if (opened.length === 1) {
    return startSignedIn(services, opened[0]!.account, meta);
  }
  return refuse(services, tries.filter((attempt) => attempt.open).map((attempt) => attempt.account), meta);
}

/** The password opened this account: a new session, for the second factor if it has one. */
function startSignedIn(services: SignInServices, user: SignInCandidate, meta: RequestMeta | undefined): Promise<SignInResult> {
  const now = services.clock.now();
  return inScope(services.database.db, { organisationIds: [user.orgId] }, async (trx) => {
    const secondFactorNeeded = user.totpConfirmedAt !== null;
    if (!secondFactorNeeded) {
      await clearFailedAttempts(trx, user);
      await recordAudit(trx, { organisationId: user.orgId, actorUserId: user.id, action: "session.start", recordType: "user", recordId: user.id, meta, at: now });
    }
    // Failures are cleared only once the second factor passes: a stolen password alone earns nothing.
    const token = await startSession(trx, now, user.orgId, user.id, { awaitingSecondFactor: secondFactorNeeded });
    return { ok: true, token, secondFactorNeeded };
  });
}

/** A wrong password counts against every account it was tried on. */
async function refuse(services: SignInServices, tried: SignInCandidate[], meta: RequestMeta | undefined): Promise<SignInResult> {
  const now = services.clock.now();
  for (const user of tried) {
    await inScope(services.database.db, { organisationIds: [user.orgId] }, (trx) => recordFailedAttempt(trx, services, user, now, "sign-in.refused", meta));
  }
  return { ok: false, reason: "invalid" };
}

export async function clearFailedAttempts(trx: Tx, user: { orgId: string; id: string }): Promise<void> {
  await trx
    .updateTable("users")
    .set({ failedSignIns: 0, lastFailedSignInAt: null, lockedUntil: null })
    .where("orgId", "=", user.orgId)
    .where("id", "=", user.id)
    .execute();
}

/**
 * Counts a failed password or two-factor code against the account: the growing delay after five,
 * the 15-minute lock after ten, when the holder is emailed. Audited as `action`. `user.email` is
 * as stored (sealed).
 */
export async function recordFailedAttempt(
  trx: Tx,
  services: Pick<Services, "clock" | "mailer" | "keyring">,
  user: AttemptHistory & { orgId: string; id: string; email: string },
  now: Date,
  action: "sign-in.refused" | "two-factor.refused",
  meta: RequestMeta | undefined,
): Promise<void> {
  const next = afterFailure(user, now);
  await trx
    .updateTable("users")
    .set({ failedSignIns: next.failedSignIns, lastFailedSignInAt: next.lastFailedSignInAt, lockedUntil: next.lockedUntil })
    .where("orgId", "=", user.orgId)
    .where("id", "=", user.id)
    .execute();
  const audit = { organisationId: user.orgId, actorUserId: user.id, recordType: "user" as const, recordId: user.id, meta, at: now };
  await recordAudit(trx, { ...audit, action });
  if (next.justLocked && next.lockedUntil) {
    await recordAudit(trx, { ...audit, action: "sign-in.locked" });
    await queueEmail(trx, services, user.orgId, {
      to: (await openPersonalFields(trx, services.keyring, user.orgId, user.id, { email: user.email })).email,
      subject: "Your Steward account is locked for 15 minutes",
      text: [
        "Someone tried to sign in to your Steward account with the wrong password or two-factor code 10 times.",
        `The account is locked until ${formatLondonTime(next.lockedUntil)} (UK time).`,
        "",
        "If this was you, wait and try again, or reset your password from the sign-in page.",
        "If it was not you, tell your Steward administrator: someone may be trying to get in.",
      ].join("\n"),
    });
  }
}

/** What to tell the person at the sign-in form, for each way it can fail. */
export function signInRefusal(result: Exclude<SignInResult, { ok: true }>): string {
  if (result.reason === "locked") {
    return `This account is locked after too many failed sign-ins. Try again after ${formatLondonTime(result.until)}, or reset your password`;
  }
  if (result.reason === "wait") {
    return "Too many failed sign-ins. Wait a minute, then try again";
  }
  if (result.reason === "ambiguous") {
    return "That email address has more than one Steward account with this password. Sign in with your username instead";
  }
  return "The username or email address and password do not match an account";
}
