import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { ExpressionBuilder } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import type { Services } from "../platform/services.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { afterFailure, attemptVerdict } from "./lockout.ts";
import { verifyAgainstNothing, verifyPassword } from "./passwords.ts";
import { startSession } from "./sessions.ts";

export type SignInResult =
  | { ok: true; token: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "wait" | "locked"; until: Date };

/** How a typed username or email is matched: trimmed and lower-cased, as the unique indexes are. */
export function signInName(login: string): string {
  return login.trim().toLowerCase();
}

/** The condition that finds the user who signs in as `name` (a username or an email address). */
export function whereSignsInAs(name: string) {
  return (eb: ExpressionBuilder<Database, "users">) =>
    eb.or([eb(eb.fn("lower", ["username"]), "=", name), eb(eb.fn("lower", ["email"]), "=", name)]);
}

const LONDON_TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "numeric", minute: "2-digit", hour12: true });

/**
 * Checks a username or email and password and, if they match an active user, starts a new session
 * (a new token: the visitor's earlier cookie is never promoted). A wrong password and an unknown
 * user look the same and take as long. Each account slows down after five failures and locks for
 * 15 minutes after ten, when its holder is emailed. The slow hash runs outside any transaction.
 */
export async function signIn(
  services: Pick<Services, "database" | "clock" | "mailer">,
  input: { login: string; password: string },
  meta?: RequestMeta,
): Promise<SignInResult> {
  const loginName = signInName(input.login);
  const db = services.database.db;
  const user = await inScope(db, { loginName }, (trx) =>
    trx
      .selectFrom("users")
      .select(["orgId", "id", "email", "passwordHash", "deactivatedAt", "failedSignIns", "lastFailedSignInAt", "lockedUntil"])
      .where(whereSignsInAs(loginName))
      .executeTakeFirst(),
  );
  if (!user || user.passwordHash === null || user.deactivatedAt !== null) {
    await verifyAgainstNothing(input.password);
    return { ok: false, reason: "invalid" };
  }
  const verdict = attemptVerdict(user, services.clock.now());
  if (verdict.kind !== "allowed") {
    await verifyAgainstNothing(input.password);
    return { ok: false, reason: verdict.kind, until: verdict.until };
  }
  const correct = await verifyPassword(user.passwordHash, input.password);
  const now = services.clock.now();
  return inScope(db, { organisationIds: [user.orgId] }, async (trx) => {
    const audit = { organisationId: user.orgId, actorUserId: user.id, recordType: "user" as const, recordId: user.id, meta, at: now };
    const forThisUser = trx.updateTable("users").where("orgId", "=", user.orgId).where("id", "=", user.id);
    if (correct) {
      await forThisUser.set({ failedSignIns: 0, lastFailedSignInAt: null, lockedUntil: null }).execute();
      await recordAudit(trx, { ...audit, action: "session.start" });
      return { ok: true, token: await startSession(trx, now, user.orgId, user.id) };
    }
    const next = afterFailure(user, now);
    await forThisUser
      .set({ failedSignIns: next.failedSignIns, lastFailedSignInAt: next.lastFailedSignInAt, lockedUntil: next.lockedUntil })
      .execute();
    await recordAudit(trx, { ...audit, action: "sign-in.refused" });
    if (next.justLocked && next.lockedUntil) {
      await recordAudit(trx, { ...audit, action: "sign-in.locked" });
      await queueEmail(trx, services, user.orgId, {
        to: user.email,
        subject: "Your Steward account is locked for 15 minutes",
        text: [
          "Someone tried to sign in to your Steward account with the wrong password 10 times.",
          `The account is locked until ${LONDON_TIME.format(next.lockedUntil)} (UK time).`,
          "",
          "If this was you, wait and try again, or reset your password from the sign-in page.",
          "If it was not you, tell your Steward administrator: someone may be trying to get in.",
        ].join("\n"),
      });
    }
    return { ok: false, reason: "invalid" };
  });
}

/** What to tell the person at the sign-in form, for each way it can fail. */
export function signInRefusal(result: Exclude<SignInResult, { ok: true }>): string {
  if (result.reason === "locked") {
    return `This account is locked after too many failed sign-ins. Try again after ${LONDON_TIME.format(result.until)}, or reset your password`;
  }
  if (result.reason === "wait") {
    return "Too many failed sign-ins. Wait a minute, then try again";
  }
  return "The username or email address and password do not match an account";
}
