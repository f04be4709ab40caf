import { randomUUID } from "node:crypto";
import { LAST_USE_PRECISION_MS } from "../auth/sessions.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { asOperator } from "./operator-scope.ts";

/** An operator is signed out after this long without a request. */
export const OPERATOR_IDLE_TIMEOUT_MS = 20 * 60 * 1000;
/** …and after this long in all, however busy. */
export const OPERATOR_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** Time allowed between the password and the second factor (setting it up included). */
export const OPERATOR_SECOND_FACTOR_TIMEOUT_MS = 10 * 60 * 1000;

export interface SignedInOperator {
  id: string;
  email: string;
}

export type OperatorSessionLookup =
  | {
      kind: "active";
      sessionId: string;
      operator: SignedInOperator;
      /** Past the password, not yet the second factor: the session can do nothing else. */
      awaitingSecondFactor: boolean;
      /** Whether the operator has an authenticator set up (otherwise the second factor is setting one up). */
      twoFactorSetUp: boolean;
    }
  | { kind: "expired" }
  | { kind: "none" };

/** Starts a session (a new token: a visitor's earlier cookie is never promoted) and returns the token for the cookie. */
export async function startOperatorSession(trx: Tx, now: Date, operatorId: string, { awaitingSecondFactor }: { awaitingSecondFactor: boolean }): Promise<string> {
  // This operator's sessions that have run out go now (nothing else would ever remove them).
  await trx
    .deleteFrom("operatorSessions")
    .where("operatorId", "=", operatorId)
    .where((eb) =>
      eb.or([
        eb("lastSeenAt", "<=", new Date(now.getTime() - OPERATOR_IDLE_TIMEOUT_MS)),
        eb("createdAt", "<=", new Date(now.getTime() - OPERATOR_ABSOLUTE_TIMEOUT_MS)),
      ]),
    )
    .execute();
  const token = newToken();
  await trx
    .insertInto("operatorSessions")
    .values({ id: randomUUID(), tokenHash: hashToken(token), operatorId, awaitingSecondFactor, createdAt: now, lastSeenAt: now })
    .execute();
  return token;
}

/**
 * The operator session behind a cookie, marked used (to within LAST_USE_PRECISION_MS). One past
 * either timeout, or whose operator has been deactivated, is deleted on the spot.
 */
export async function resolveOperatorSession(services: Pick<Services, "database" | "clock">, token: string): Promise<OperatorSessionLookup> {
  const now = services.clock.now();
  return asOperator(services.database.db, async (trx) => {
    const session = await trx
      .selectFrom("operatorSessions as s")
      .innerJoin("operators as o", "o.id", "s.operatorId")
      .select(["s.id", "s.createdAt", "s.lastSeenAt", "s.awaitingSecondFactor", "o.id as operatorId", "o.email", "o.totpConfirmedAt", "o.deactivatedAt"])
      .where("s.tokenHash", "=", hashToken(token))
      .executeTakeFirst();
    if (!session) {
      return { kind: "none" };
    }
    const idle = now.getTime() - new Date(session.lastSeenAt).getTime();
    const age = now.getTime() - new Date(session.createdAt).getTime();
    const limit = session.awaitingSecondFactor ? OPERATOR_SECOND_FACTOR_TIMEOUT_MS : OPERATOR_ABSOLUTE_TIMEOUT_MS;
    if (session.deactivatedAt !== null || idle >= OPERATOR_IDLE_TIMEOUT_MS || age >= limit) {
      await trx.deleteFrom("operatorSessions").where("id", "=", session.id).execute();
      return session.deactivatedAt !== null ? { kind: "none" } : { kind: "expired" };
    }
    if (idle >= LAST_USE_PRECISION_MS) {
      await trx.updateTable("operatorSessions").set({ lastSeenAt: now }).where("id", "=", session.id).execute();
    }
    return {
      kind: "active",
      sessionId: session.id,
      operator: { id: session.operatorId, email: session.email },
      awaitingSecondFactor: session.awaitingSecondFactor,
      twoFactorSetUp: session.totpConfirmedAt !== null,
    };
  });
}

/** Ends the session behind a cookie, if there is one, and says whose it was. */
export async function deleteOperatorSession(trx: Tx, token: string): Promise<string | undefined> {
  const ended = await trx.deleteFrom("operatorSessions").where("tokenHash", "=", hashToken(token)).returning(["operatorId"]).executeTakeFirst();
  return ended?.operatorId;
}
