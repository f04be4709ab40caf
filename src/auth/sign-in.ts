import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import type { Services } from "../platform/services.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { verifyAgainstNothing, verifyPassword } from "./passwords.ts";
import { startSession } from "./sessions.ts";

export type SignInResult = { ok: true; token: string } | { ok: false };

/**
 * Checks a username or email and password and, if they match an active user, starts a new session
 * (a new token: the visitor's earlier cookie is never promoted). Every failure looks the same, and
 * takes as long, whatever the reason. The slow hash runs outside any transaction, so it never
 * holds a database connection.
 */
export async function signIn(
  services: Pick<Services, "database" | "clock">,
  input: { login: string; password: string },
  meta?: RequestMeta,
): Promise<SignInResult> {
  const loginName = input.login.trim().toLowerCase();
  const db = services.database.db;
  const user = await inScope(db, { loginName }, (trx) =>
    trx
      .selectFrom("users")
      .select(["orgId", "id", "passwordHash", "deactivatedAt"])
      .where((eb) =>
        eb.or([eb(eb.fn("lower", ["username"]), "=", loginName), eb(eb.fn("lower", ["email"]), "=", loginName)]),
      )
      .executeTakeFirst(),
  );
  if (!user || user.passwordHash === null || user.deactivatedAt !== null) {
    await verifyAgainstNothing(input.password);
    return { ok: false };
  }
  const correct = await verifyPassword(user.passwordHash, input.password);
  const now = services.clock.now();
  return inScope(db, { organisationIds: [user.orgId] }, async (trx) => {
    const audit = { organisationId: user.orgId, actorUserId: user.id, recordType: "user" as const, recordId: user.id, meta, at: now };
    if (!correct) {
      await recordAudit(trx, { ...audit, action: "sign-in.refused" });
      return { ok: false };
    }
    await recordAudit(trx, { ...audit, action: "session.start" });
    return { ok: true, token: await startSession(trx, now, user.orgId, user.id) };
  });
}
