import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { hashPassword, passwordProblem } from "../auth/passwords.ts";
import { endSessionsOfUser } from "../auth/sessions.ts";
import { hashToken } from "../auth/tokens.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";

export interface PasswordLinkHolder {
  organisationId: string;
  userId: string;
  linkId: string;
  fullName: string;
  username: string;
  email: string;
  organisationName: string;
}

/** The user a one-time link belongs to, or undefined if the link is unknown, used or expired. */
async function findUsableLink(trx: Tx, token: string, now: Date): Promise<PasswordLinkHolder | undefined> {
  const link = await trx
    .selectFrom("passwordLinks")
    .select(["orgId", "id", "userId", "expiresAt", "usedAt"])
    .where("tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!link || link.usedAt !== null || link.expiresAt.getTime() <= now.getTime()) {
    return undefined;
  }
  await changeScope(trx, { organisationIds: [link.orgId] });
  const user = await trx
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.orgId")
    .select(["users.fullName", "users.username", "users.email", "users.deactivatedAt", "organisations.name"])
    .where("users.orgId", "=", link.orgId)
    .where("users.id", "=", link.userId)
    .executeTakeFirst();
  if (!user || user.deactivatedAt !== null) {
    return undefined;
  }
  return {
    organisationId: link.orgId,
    userId: link.userId,
    linkId: link.id,
    fullName: user.fullName,
    username: user.username,
    email: user.email,
    organisationName: user.name,
  };
}

export function describePasswordLink(
  services: Pick<Services, "database" | "clock">,
  token: string,
): Promise<PasswordLinkHolder | undefined> {
  return inScope(services.database.db, { linkTokenHash: hashToken(token) }, (trx) =>
    findUsableLink(trx, token, services.clock.now()),
  );
}

export type SetPasswordResult = { ok: true } | { ok: false; errors: FieldErrors } | { ok: false; linkUnusable: true };

/**
 * Sets a password through a one-time link, which is then spent. Any sessions the user had end, so
 * a link sent after a suspected compromise locks the intruder out.
 */
export async function setPasswordWithLink(
  services: Pick<Services, "database" | "clock">,
  token: string,
  password: string,
  meta?: RequestMeta,
): Promise<SetPasswordResult> {
  const holder = await describePasswordLink(services, token);
  if (!holder) {
    return { ok: false, linkUnusable: true };
  }
  const problem = passwordProblem(password, {
    username: holder.username,
    email: holder.email,
    organisationName: holder.organisationName,
  });
  if (problem) {
    return { ok: false, errors: { password: problem } };
  }
  const passwordHash = await hashPassword(password);
  const now = services.clock.now();
  return inScope(services.database.db, { linkTokenHash: hashToken(token) }, async (trx) => {
    // Checked again inside the transaction that spends it, so a link cannot be used twice at once.
    const stillUsable = await findUsableLink(trx, token, now);
    if (!stillUsable) {
      return { ok: false, linkUnusable: true } as const;
    }
    const spent = await trx
      .updateTable("passwordLinks")
      .set({ usedAt: now })
      .where("orgId", "=", holder.organisationId)
      .where("id", "=", holder.linkId)
      .where("usedAt", "is", null)
      .executeTakeFirst();
    if (spent.numUpdatedRows !== 1n) {
      return { ok: false, linkUnusable: true } as const;
    }
    await trx
      .updateTable("users")
      .set({ passwordHash, updatedAt: now })
      .where("orgId", "=", holder.organisationId)
      .where("id", "=", holder.userId)
      .execute();
    await endSessionsOfUser(trx, holder.organisationId, holder.userId);
    await recordAudit(trx, {
      organisationId: holder.organisationId,
      actorUserId: holder.userId,
      action: "password.set",
      recordType: "user",
      recordId: holder.userId,
      meta,
      at: now,
    });
    return { ok: true } as const;
  });
}
