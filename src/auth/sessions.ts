import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { actorOf, auditOfOwnAccount, inOwnOrganisationScope, type Actor, type Context } from "../accounts/actor.ts";
import type { OrganisationKind, Role } from "../platform/database/schema.ts";
import { useWrappedDataKeys } from "../platform/encryption/keyring.ts";
import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import type { Services } from "../platform/services.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { hashToken, newToken } from "./tokens.ts";

/** Signed out after this long without a request (the DPOCOMS promise). */
export const IDLE_TIMEOUT_MS = 20 * 60 * 1000;
/** Signed out after this long in all, however active. */
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/**
 * A session's last use is written at most this often: a page view within it changes nothing, so
 * reading a page is not also a write. The idle timeout counts from the last write, so a session
 * ends between 19 min 45 s and 20 min after its last request, never later; each page is told its
 * own session's end exactly (idleEndsAt), so the warning and the sign-out agree.
 */
export const LAST_USE_PRECISION_MS = 15 * 1000;
/** Time allowed between the password and the second factor. */
export const SECOND_FACTOR_TIMEOUT_MS = 5 * 60 * 1000;

export type SessionLookup =
  /** `licenceDormant`: the licence's term has ended; only its owner signs in, to renew it or take its data away. */
  | { kind: "active"; actor: Actor; sessionId: string; awaitingSecondFactor: boolean; confirmedAt: Date; idleEndsAt: Date; licenceDormant: boolean }
  /** The licence has lapsed (and this is not its owner) or its data is being destroyed: the session was ended. */
  | { kind: "licence-closed" }
  /** Ran out (idle or in all): whose it was, so a form posted into it can be kept for them. */
  | { kind: "expired"; organisationId: string; userId: string }
  | { kind: "none" };

/**
 * Starts a session for a user and returns the token for their cookie. Call inside their scope.
 * A session awaiting the second factor can do nothing but finish signing in.
 */
export async function startSession(
  trx: Tx,
  now: Date,
  organisationId: string,
  userId: string,
  { awaitingSecondFactor = false }: { awaitingSecondFactor?: boolean } = {},
): Promise<string> {
  const token = newToken();
  await trx
    .insertInto("sessions")
    .values({
      orgId: organisationId,
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      confirmedAt: now,
      awaitingSecondFactor,
    })
    .execute();
  return token;
}

/**
 * Finds the session behind a cookie and the person it belongs to, and marks it used (to within
 * LAST_USE_PRECISION_MS). A session
 * past either timeout, or whose user has been deactivated, is deleted on the spot.
 */
export async function resolveSession(services: Pick<Services, "database" | "clock" | "keyring">, token: string): Promise<SessionLookup> {
  const tokenHash = hashToken(token);
  const now = services.clock.now();
  return inScope(services.database.db, {}, async (trx) => {
    // The session, its person, their organisation and its schools, and the data key, in one read (migration 152).
    const { rows } = await sql<SessionRow>`select * from steward_session_of(${tokenHash})`.execute(trx);
    const session = rows[0];
    if (!session) {
      return { kind: "none" };
    }
    // Only a write, or a key still to be read, needs the organisation in scope: most requests need neither.
    let scoped = false;
    const scopeToOrganisation = async () => {
      if (!scoped) await changeScope(trx, { organisationIds: [session.orgId] });
      scoped = true;
    };
    const idle = now.getTime() - new Date(session.lastSeenAt).getTime();
    const age = now.getTime() - new Date(session.createdAt).getTime();
    const limit = session.awaitingSecondFactor ? SECOND_FACTOR_TIMEOUT_MS : ABSOLUTE_TIMEOUT_MS;
    if (idle >= IDLE_TIMEOUT_MS || age >= limit) {
      await scopeToOrganisation();
      await deleteSession(trx, session.orgId, session.sessionId);
      return { kind: "expired", organisationId: session.orgId, userId: session.userId };
    }
    if (session.deactivatedAt !== null) {
      await scopeToOrganisation();
      await deleteSession(trx, session.orgId, session.sessionId);
      return { kind: "none" };
    }
    const licenceDormant = session.licenceState === "dormant";
    if ((licenceDormant && session.role !== "owner") || session.licenceState === "ending" || session.licenceState === "ended") {
      await scopeToOrganisation();
      await deleteSession(trx, session.orgId, session.sessionId);
      return { kind: "licence-closed" };
    }
    const wrappedDataKeys = new Map<string, string>();
    for (const organisation of [{ id: session.orgId, wrappedKey: session.wrappedKey }, ...session.schools]) {
      if (organisation.wrappedKey) wrappedDataKeys.set(organisation.id, organisation.wrappedKey);
    }
    if (!session.wrappedKey) {
      await scopeToOrganisation(); // the person's sealed name opens with their organisation's key, made on first use
    }
    useWrappedDataKeys(trx, services.keyring, wrappedDataKeys);
    const schools = session.schools.map(({ id, name }) => ({ id, name }));
    const actor = await actorOf(trx, services.keyring, { ...session, organisationId: session.orgId, totpConfirmedAt: session.totpConfirmedAt }, schools, wrappedDataKeys);
    let lastUse = new Date(session.lastSeenAt);
    if (idle >= LAST_USE_PRECISION_MS) {
      lastUse = now;
      await scopeToOrganisation();
      await trx.updateTable("sessions").set({ lastSeenAt: now }).where("orgId", "=", session.orgId).where("id", "=", session.sessionId).execute();
    }
    return {
      kind: "active",
      actor,
      sessionId: session.sessionId,
      awaitingSecondFactor: session.awaitingSecondFactor,
      confirmedAt: new Date(session.confirmedAt),
      idleEndsAt: new Date(lastUse.getTime() + IDLE_TIMEOUT_MS),
      licenceDormant,
    };
  });
}

/** A row of steward_session_of. */
interface SessionRow {
  orgId: string;
  sessionId: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  awaitingSecondFactor: boolean;
  confirmedAt: Date;
  username: string;
  fullName: string;
  role: Role;
  deactivatedAt: Date | null;
  totpConfirmedAt: Date | null;
  twoFactorRequired: boolean;
  organisationName: string;
  organisationKind: OrganisationKind;
  wrappedKey: string | null;
  schools: { id: string; name: string; wrappedKey: string | null }[];
  /** As the licence works now: a deletion's cooling-off counts as the state before it. */
  licenceState: "active" | "dormant" | "ending" | "ended";
}

/** Ends the session behind a cookie, if there is one. */
export async function endSession(services: Pick<Services, "database" | "clock">, token: string, meta?: RequestMeta): Promise<void> {
  const tokenHash = hashToken(token);
  await inScope(services.database.db, { sessionTokenHash: tokenHash }, async (trx) => {
    const session = await trx.selectFrom("sessions").select(["orgId", "id", "userId"]).where("tokenHash", "=", tokenHash).executeTakeFirst();
    if (session) {
      await changeScope(trx, { organisationIds: [session.orgId] });
      await deleteSession(trx, session.orgId, session.id);
      await recordAudit(trx, {
        organisationId: session.orgId,
        actorUserId: session.userId,
        action: "session.end",
        recordType: "user",
        recordId: session.userId,
        meta,
        at: services.clock.now(),
      });
    }
  });
}

export interface OwnSession {
  id: string;
  startedAt: Date;
  lastActiveAt: Date;
  /** The session of the browser asking. */
  current: boolean;
}

/** Where the signed-in person is signed in: each of their sessions, newest first. */
export async function listOwnSessions(ctx: Context, currentSessionId: string): Promise<OwnSession[]> {
  const { actor } = ctx;
  const rows = await inOwnOrganisationScope(ctx, (trx) =>
    trx
      .selectFrom("sessions")
      .select(["id", "createdAt", "lastSeenAt"])
      .where("orgId", "=", actor.organisation.id)
      .where("userId", "=", actor.userId)
      .where("awaitingSecondFactor", "=", false)
      .orderBy("createdAt", "desc")
      .execute(),
  );
  return rows.map((row) => ({ id: row.id, startedAt: row.createdAt, lastActiveAt: row.lastSeenAt, current: row.id === currentSessionId }));
}

/** Signs the person out of every session but this one (a lost laptop, a shared computer). Returns how many ended. */
export async function endOtherSessions(ctx: Context, currentSessionId: string): Promise<number> {
  const { actor } = ctx;
  return inOwnOrganisationScope(ctx, async (trx) => {
    const ended = await trx
      .deleteFrom("sessions")
      .where("orgId", "=", actor.organisation.id)
      .where("userId", "=", actor.userId)
      .where("id", "!=", currentSessionId)
      .executeTakeFirst();
    await recordAudit(trx, { ...auditOfOwnAccount(ctx), action: "session.end-others" });
    return Number(ended.numDeletedRows);
  });
}

/** Ends every session a user has, at once (deactivation, later password reset). */
export async function endSessionsOfUser(trx: Tx, organisationId: string, userId: string): Promise<void> {
  await trx.deleteFrom("sessions").where("orgId", "=", organisationId).where("userId", "=", userId).execute();
}

export async function deleteSession(trx: Tx, organisationId: string, sessionId: string): Promise<void> {
  await trx.deleteFrom("sessions").where("orgId", "=", organisationId).where("id", "=", sessionId).execute();
}

/**
 * Deletes every session past either timeout, including those whose owner never came back (they
 * would otherwise stay for ever). Safe to run on several app processes at once. Returns how many.
 */
export async function purgeEndedSessions(services: Pick<Services, "database" | "clock">): Promise<number> {
  const now = services.clock.now().getTime();
  const idleSince = new Date(now - IDLE_TIMEOUT_MS);
  const startedBefore = new Date(now - ABSOLUTE_TIMEOUT_MS);
  const { rows } = await inScope(services.database.db, {}, (trx) =>
    sql<{ purged: number }>`select steward_purge_ended_sessions(${idleSince}, ${startedBefore}) as purged`.execute(trx),
  );
  return rows[0]?.purged ?? 0;
}
