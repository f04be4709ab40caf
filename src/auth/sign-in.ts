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
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    return { ok: false };
  }
  const token = await inScope(db, { organisationIds: [user.orgId] }, (trx) =>
    startSession(trx, services.clock.now(), user.orgId, user.id),
  );
  return { ok: true, token };
}
