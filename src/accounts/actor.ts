import type { RequestMeta } from "../audit/audit.ts";
import type { Services } from "../platform/services.ts";
import type { OrganisationKind, Role } from "../platform/database/schema.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { useKeysReadEarlier, type Keyring } from "../platform/encryption/keyring.ts";
import { mustUseTwoFactor } from "./permissions.ts";
import { openPersonalFields } from "./personal-fields.ts";

/** The signed-in person a request acts for, loaded fresh on every request (never cached). */
export interface Actor {
  userId: string;
  username: string;
  fullName: string;
  role: Role;
  organisation: { id: string; name: string; kind: OrganisationKind };
  /** The organisations this person may reach: their own and, for a trust, each of its schools (by name). */
  organisationIds: string[];
  /** The same organisations with their names, in the same order: for a "which school" choice. */
  reachable: { id: string; name: string }[];
  /**
   * The reachable organisations' data keys as the session read found them, still wrapped under
   * the master key (empty for a job's or command's actor): a transaction of this request opens
   * values with them instead of reading them again (sealing still reads its key). Per request,
   * like the rest of the Actor.
   */
  wrappedDataKeys: ReadonlyMap<string, string>;
  twoFactor: {
    /** Set up and confirmed: sign-in asks for a code. */
    enabled: boolean;
    /** Their role or their organisation's setting requires it. */
    required: boolean;
  };
}

/** Who is acting, and the services they act through: the first argument of every domain function. */
export interface Context {
  actor: Actor;
  services: Services;
  /** Where the request came from, for the audit trail; absent for a CLI command or job. */
  request?: RequestMeta | undefined;
}

/** The audit fields of something the actor does to a user's record (the trail of `organisationId`). */
export function auditOfUser(ctx: Context, organisationId: string, userId?: string) {
  return {
    organisationId,
    actorUserId: ctx.actor.userId,
    recordType: "user" as const,
    recordId: userId,
    meta: ctx.request,
    at: ctx.services.clock.now(),
  };
}

/** The audit fields of something a person does to their own account. */
export function auditOfOwnAccount(ctx: Context) {
  return auditOfUser(ctx, ctx.actor.organisation.id, ctx.actor.userId);
}

/** Runs `work` in a transaction that can see exactly the actor's organisations. */
export function inActorScope<T>(ctx: Context, work: (trx: Tx) => Promise<T>): Promise<T> {
  return inActorTransaction(ctx, ctx.actor.organisationIds, work);
}

/** Only the actor's own organisation: their own record lives there, whatever else they can reach. */
export function inOwnOrganisationScope<T>(ctx: Context, work: (trx: Tx) => Promise<T>): Promise<T> {
  return inActorTransaction(ctx, [ctx.actor.organisation.id], work);
}

/** A transaction of the actor's request that sees `organisationIds`, opening values with the keys its session read. */
function inActorTransaction<T>(ctx: Context, organisationIds: readonly string[], work: (trx: Tx) => Promise<T>): Promise<T> {
  return inScope(ctx.services.database.db, { organisationIds }, (trx) => {
    useKeysReadEarlier(trx, ctx.actor.wrappedDataKeys);
    return work(trx);
  });
}

/**
 * Loads an active user as an Actor. The transaction's scope must already include the user's
 * organisation; returns undefined for a deactivated or unknown user.
 */
export async function loadActor(trx: Tx, keyring: Keyring, organisationId: string, userId: string): Promise<Actor | undefined> {
  const row = await trx
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.orgId")
    .select([
      "users.id as userId",
      "users.username",
      "users.fullName",
      "users.role",
      "users.deactivatedAt",
      "users.totpConfirmedAt",
      "organisations.twoFactorRequired",
      "organisations.id as organisationId",
      "organisations.name as organisationName",
      "organisations.kind as organisationKind",
    ])
    .where("users.orgId", "=", organisationId)
    .where("users.id", "=", userId)
    .executeTakeFirst();
  if (!row || row.deactivatedAt !== null) {
    return undefined;
  }
  const schools =
    row.organisationKind === "trust" ? await trx.selectFrom("organisations").select(["id", "name"]).where("parentId", "=", row.organisationId).orderBy("name").execute() : [];
  return actorOf(trx, keyring, row, schools);
}

/** The facts an Actor is made from: the user's row, their organisation's, and (for a trust) its schools by name. */
export interface ActorFacts {
  userId: string;
  username: string;
  fullName: string;
  role: Role;
  totpConfirmedAt: Date | null;
  twoFactorRequired: boolean;
  organisationId: string;
  organisationName: string;
  organisationKind: OrganisationKind;
}

/** Makes the Actor from its facts, opening the person's sealed name and username. */
export async function actorOf(
  trx: Tx,
  keyring: Keyring,
  row: ActorFacts,
  schools: { id: string; name: string }[],
  wrappedDataKeys: ReadonlyMap<string, string> = new Map(),
): Promise<Actor> {
  const reachable = [{ id: row.organisationId, name: row.organisationName }, ...schools];
  const person = await openPersonalFields(trx, keyring, row.organisationId, row.userId, { username: row.username, fullName: row.fullName });
  return {
    userId: row.userId,
    username: person.username,
    fullName: person.fullName,
    role: row.role,
    organisation: { id: row.organisationId, name: row.organisationName, kind: row.organisationKind },
    organisationIds: reachable.map((organisation) => organisation.id),
    reachable,
    wrappedDataKeys,
    twoFactor: {
      enabled: row.totpConfirmedAt !== null,
      required: mustUseTwoFactor(row.role, row.twoFactorRequired),
    },
  };
}
