import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit.ts";
import { endSessionsOfUser } from "../auth/sessions.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Role } from "../platform/database/schema.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import type { ChangeRole, NewUser } from "./accounts.schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { auditOfUser, inActorScope, type Context } from "./actor.ts";
import { assertReachable, authorise, ROLE_NAMES, SENSITIVE_ROLES } from "./permissions.ts";
import { recordTrainingConfirmation } from "../registers/training.ts";
import { openPersonalFields, sealPersonalFields, signInIndex } from "./personal-fields.ts";
import type { Keyring } from "../platform/encryption/keyring.ts";
import { tellAccountHolder } from "./notices.ts";
import { fieldErrorsForClash } from "./registration.ts";

/** What an admin can do to another person's account from their page. */
export type AccountAction = "deactivate" | "change-role" | "sign-out" | "reset-two-factor";

const OWN_ACCOUNT_REFUSALS: Record<AccountAction, string> = {
  deactivate: "You cannot deactivate your own account.",
  "change-role": "You cannot change your own role.",
  "sign-out": "To sign out your other sessions, use your account page.",
  "reset-two-factor": "You cannot reset your own two-factor authentication. Ask another administrator.",
};

/**
 * Why the actor may not take `action` on `target`'s account, or undefined if they may. The owner
 * is beyond every admin's reach (their role and activity change only by transferring ownership),
 * and an admin's two-factor is reset by the owner alone: a reset followed by a password reset
 * would otherwise hand one admin another's account, or the owner's.
 */
export function accountActionRefusal(actor: { userId: string; role: Role }, target: { id: string; role: Role }, action: AccountAction): string | undefined {
  if (target.id === actor.userId) {
    return OWN_ACCOUNT_REFUSALS[action];
  }
  if (target.role === "owner") {
    return action === "reset-two-factor"
      ? "Only the licence owner can look after their own two-factor authentication, with their recovery codes."
      : action === "change-role"
        ? "The licence owner's role changes only when ownership is transferred."
        : action === "deactivate"
          ? "The licence owner cannot be deactivated."
          : "Only the licence owner can sign themselves out everywhere.";
  }
  if (target.role === "admin" && action === "reset-two-factor" && actor.role !== "owner") {
    return "Only the licence owner can reset an administrator's two-factor authentication.";
  }
  return undefined;
}

/** Refuses the action (400, with the reason) unless the actor may take it. */
function assertMayActOn(ctx: Context, target: UserSummary, action: AccountAction): void {
  const refusal = accountActionRefusal(ctx.actor, target, action);
  if (refusal) {
    throw badRequest(refusal);
  }
}

/** How long a new user's set-password link works. */
export const INVITATION_VALID_MS = 7 * 24 * 60 * 60 * 1000;

export type UserStatus = "active" | "invited" | "deactivated";

export interface UserSummary {
  id: string;
  organisationId: string;
  organisationName: string;
  fullName: string;
  email: string;
  username: string;
  role: Role;
  status: UserStatus;
  twoFactorEnabled: boolean;
}

async function queryUsers(trx: Tx, keyring: Keyring, userId?: string): Promise<UserSummary[]> {
  const rows = await trx
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.orgId")
    .select([
      "users.id",
      "users.orgId as organisationId",
      "organisations.name as organisationName",
      "users.fullName",
      "users.email",
      "users.username",
      "users.role",
      "users.passwordHash",
      "users.deactivatedAt",
      "users.totpConfirmedAt",
    ])
    .$if(userId !== undefined, (query) => query.where("users.id", "=", userId!))
    .execute();
  const users: UserSummary[] = [];
  for (const { passwordHash, deactivatedAt, totpConfirmedAt, ...row } of rows) {
    users.push({
      ...(await openPersonalFields(trx, keyring, row.organisationId, row.id, row)),
      twoFactorEnabled: totpConfirmedAt !== null,
      status: deactivatedAt !== null ? "deactivated" : passwordHash === null ? "invited" : "active",
    });
  }
  // Names are sealed, so the database cannot sort by them: sorted here, as a person reads them.
  return users.sort((a, b) => a.organisationName.localeCompare(b.organisationName, "en-GB") || a.fullName.localeCompare(b.fullName, "en-GB"));
}


/** Everyone in the organisations the actor can reach. */
export async function listUsers(ctx: Context): Promise<UserSummary[]> {
  authorise(ctx.actor, "users:manage");
  return inActorScope(ctx, async (trx) => {
    await recordAudit(trx, { ...auditOfUser(ctx, ctx.actor.organisation.id), action: "user.list" });
    return queryUsers(trx, ctx.services.keyring);
  });
}

/** One user the actor can reach; anyone else is "not found". */
export async function findUser(ctx: Context, userId: string): Promise<UserSummary> {
  authorise(ctx.actor, "users:manage");
  return inActorScope(ctx, async (trx) => {
    const [user] = await queryUsers(trx, ctx.services.keyring, userId);
    if (!user) {
      throw notFound();
    }
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "user.view" });
    return user;
  });
}

export type CreateUserResult =
  | { ok: true; userId: string; setPasswordUrl: string }
  | { ok: false; errors: FieldErrors };

/**
 * Creates a staff user with no password and a one-time link to set one. The link is returned (the
 * admin sees it) and emailed to the new user through the outbox, in the same transaction.
 */
export async function createUser(ctx: Context, input: NewUser): Promise<CreateUserResult> {
  authorise(ctx.actor, "users:manage");
  assertReachable(ctx.actor, input.organisationId);
  const { services, actor } = ctx;
  const now = services.clock.now();
  const userId = randomUUID();
  const token = newToken();
  const setPasswordUrl = `${services.config.publicUrl}/set-password/${token}`;
  // An address is unique among the organisations this admin reaches (a trust's schools too), and
  // only there: whether it has an account in any other organisation is never revealed.
  const sameAddress = await inActorScope(ctx, (trx) =>
    trx.selectFrom("users").select("id").where("emailIndex", "=", signInIndex(services.keyring, "email", input.email)).executeTakeFirst(),
  );
  if (sameAddress) {
    return { ok: false, errors: { email: "Someone in your organisation already has that email address; use another" } };
  }
  try {
    await inActorScope(ctx, async (trx) => {
      const organisation = await trx
        .selectFrom("organisations")
        .select("name")
        .where("id", "=", input.organisationId)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("users")
        .values({
          orgId: input.organisationId,
          id: userId,
          ...(await sealPersonalFields(trx, services.keyring, input.organisationId, userId, input)),
          role: input.role,
          passwordHash: null,
          deactivatedAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await trx
        .insertInto("passwordLinks")
        .values({
          orgId: input.organisationId,
          id: randomUUID(),
          tokenHash: hashToken(token),
          userId,
          purpose: "invitation",
          createdAt: now,
          expiresAt: new Date(now.getTime() + INVITATION_VALID_MS),
          usedAt: null,
        })
        .execute();
      await queueEmail(trx, services, input.organisationId, {
        authentication: true,
        to: input.email,
        subject: "Your Steward account",
        text: [
          `Hello ${input.fullName},`,
          "",
          `${actor.fullName} has created a Steward account for you at ${organisation.name}.`,
          `Your username is ${input.username}.`,
          "",
          "Set your password with this link. It works once, for 7 days:",
          setPasswordUrl,
          "",
          "If you did not expect this email, you can ignore it.",
        ].join("\n"),
      });
      await recordAudit(trx, { ...auditOfUser(ctx, input.organisationId, userId), action: "user.create" });
      if (SENSITIVE_ROLES.includes(input.role)) {
        await recordAudit(trx, { ...auditOfUser(ctx, input.organisationId, userId), action: "role.grant" });
        // The training the grantor confirmed becomes the person's training record.
        await recordTrainingConfirmation(trx, services, services.clock.now(), { organisationId: input.organisationId, userId, fullName: input.fullName, roleName: ROLE_NAMES[input.role], grantedBy: { userId: actor.userId, fullName: actor.fullName } });
      }
    });
  } catch (error) {
    const errors = fieldErrorsForClash(error);
    if (errors) {
      return { ok: false, errors };
    }
    throw error;
  }
  return { ok: true, userId, setPasswordUrl };
}

/**
 * Deactivates a user: they cannot sign in, and every session they have ends at once. The owner
 * cannot be deactivated (ownership is transferred instead), and nobody deactivates themselves.
 */
export async function deactivateUser(ctx: Context, userId: string): Promise<void> {
  const user = await findUser(ctx, userId);
  assertMayActOn(ctx, user, "deactivate");
  if (user.status === "deactivated") {
    return;
  }
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    await trx
      .updateTable("users")
      .set({ deactivatedAt: now, updatedAt: now })
      .where("orgId", "=", user.organisationId)
      .where("id", "=", user.id)
      .execute();
    await endSessionsOfUser(trx, user.organisationId, user.id);
    await trx
      .deleteFrom("passwordLinks")
      .where("orgId", "=", user.organisationId)
      .where("userId", "=", user.id)
      .where("usedAt", "is", null)
      .execute();
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "user.deactivate" });
  });
}

/** Signs a user out of every session at once (a lost or stolen device), without deactivating them. */
export async function signOutEverywhere(ctx: Context, userId: string): Promise<void> {
  const user = await findUser(ctx, userId);
  assertMayActOn(ctx, user, "sign-out");
  await inActorScope(ctx, async (trx) => {
    await endSessionsOfUser(trx, user.organisationId, user.id);
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "session.end-all" });
  });
}

/**
 * For someone who has lost their phone and their recovery codes: turns their two-factor off and
 * ends their sessions. If they must use two-factor, they set it up again at their next sign-in.
 */
export async function resetTwoFactor(ctx: Context, userId: string): Promise<void> {
  const user = await findUser(ctx, userId);
  assertMayActOn(ctx, user, "reset-two-factor");
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    await trx
      .updateTable("users")
      .set({ totpSecret: null, totpConfirmedAt: null, totpLastStep: null, updatedAt: now })
      .where("orgId", "=", user.organisationId)
      .where("id", "=", user.id)
      .execute();
    await trx.deleteFrom("recoveryCodes").where("orgId", "=", user.organisationId).where("userId", "=", user.id).execute();
    await endSessionsOfUser(trx, user.organisationId, user.id);
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "two-factor.reset" });
    await tellAccountHolder(trx, ctx.services, user.organisationId, user.id, {
      subject: "Your Steward two-factor authentication was reset",
      lines: [
        `${ctx.actor.fullName} has reset the two-factor authentication of your Steward account, and signed you out.`,
        "If you must use two-factor authentication, Steward asks you to set it up again when you next sign in.",
      ],
    });
  });
}

/**
 * Gives a user another role; it applies from their next request. The owner's role changes only
 * by transferring ownership, and nobody changes their own. Granting a sensitive role is recorded.
 */
export async function changeRole(ctx: Context, userId: string, input: ChangeRole): Promise<void> {
  const user = await findUser(ctx, userId);
  assertMayActOn(ctx, user, "change-role");
  if (user.role === input.role) {
    return;
  }
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    await trx
      .updateTable("users")
      .set({ role: input.role, updatedAt: now })
      .where("orgId", "=", user.organisationId)
      .where("id", "=", user.id)
      .execute();
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "role.grant" });
    if (SENSITIVE_ROLES.includes(input.role)) {
      await recordTrainingConfirmation(trx, ctx.services, now, { organisationId: user.organisationId, userId: user.id, fullName: user.fullName, roleName: ROLE_NAMES[input.role], grantedBy: { userId: ctx.actor.userId, fullName: ctx.actor.fullName } });
    }
  });
}

/**
 * Hands the licence to another active admin of the owner's own organisation (the seeds ask for
 * this when the person who set up the licence leaves). The old owner becomes an admin.
 */
export async function transferOwnership(ctx: Context, userId: string): Promise<void> {
  authorise(ctx.actor, "ownership:transfer");
  const user = await findUser(ctx, userId);
  if (user.organisationId !== ctx.actor.organisation.id || user.role !== "admin" || user.status !== "active") {
    throw badRequest("Ownership can pass only to an active administrator of your own organisation.");
  }
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const forUser = (id: string) => trx.updateTable("users").where("orgId", "=", user.organisationId).where("id", "=", id);
    // One owner per organisation (a unique index): step down first, then hand over.
    await forUser(ctx.actor.userId).set({ role: "admin", updatedAt: now }).execute();
    await forUser(user.id).set({ role: "owner", updatedAt: now }).execute();
    await recordAudit(trx, { ...auditOfUser(ctx, user.organisationId, user.id), action: "ownership.transfer" });
  });
}
