import { freePublicName } from "../requests/public-names.ts";
import { randomUUID } from "node:crypto";
import { recordAudit, type RequestMeta } from "../audit/audit.ts";
import { hashPassword } from "../auth/passwords.ts";
import { startSession } from "../auth/sessions.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { brokenUniqueConstraint } from "../platform/database/errors.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import type { RegisterLicence } from "./accounts.schema.ts";
import { sealPersonalFields } from "./personal-fields.ts";
import { referenceCodeFor } from "./reference-codes.ts";
import { startLicence } from "../licences/licences.ts";

export type RegistrationResult =
  | { ok: true; organisationId: string; userId: string; sessionToken: string }
  | { ok: false; errors: FieldErrors };

/** Which field a clash on a unique index belongs to, and what to say. */
const UNIQUE_FIELD_ERRORS: Record<string, [field: string, message: string]> = {
  users_username_unique: ["username", "That username is taken; choose another"],
  // Only ever within one organisation (an address may have accounts in several): no other organisation's users can be discovered.
  users_email_unique_in_organisation: ["email", "Someone in this organisation already has that email address; use another"],
};

/** A taken username or email as a message next to its field; undefined for any other error. */
export function fieldErrorsForClash(error: unknown): FieldErrors | undefined {
  const clash = UNIQUE_FIELD_ERRORS[brokenUniqueConstraint(error) ?? ""];
  return clash ? { [clash[0]]: clash[1] } : undefined;
}

/**
 * Registers a licence: a new organisation (a trust or a standalone school) and its owner, who is
 * signed in at once. Either all of it is written or none of it.
 */
export async function registerLicence(
  services: Pick<Services, "database" | "clock" | "keyring">,
  input: RegisterLicence,
  meta?: RequestMeta,
): Promise<RegistrationResult> {
  const organisationId = randomUUID();
  const userId = randomUUID();
  const passwordHash = await hashPassword(input.password);
  const now = services.clock.now();
  try {
    const sessionToken = await inScope(services.database.db, { organisationIds: [organisationId] }, async (trx) => {
      await trx
        .insertInto("organisations")
        .values({
          id: organisationId,
          parentId: null,
          kind: input.organisationKind,
          nation: input.nation,
          // The deadline rules follow the kind of school (an academy's educational record is a SAR).
          schoolType: input.organisationKind === "trust" ? "academy" : (input.schoolType ?? "maintained"),
          name: input.organisationName,
          postalAddress: input.postalAddress,
          telephone: input.telephone,
          createdAt: now,
          // A trust's own cases (its central team's) get a code like each of its schools'.
          referenceCode: input.organisationKind === "trust" ? referenceCodeFor(input.organisationName, new Set()) : null,
          publicName: await freePublicName(trx, input.organisationName),
        })
        .execute();
      await trx
        .insertInto("users")
        .values({
          orgId: organisationId,
          id: userId,
          ...(await sealPersonalFields(trx, services.keyring, organisationId, userId, input)),
          role: "owner",
          passwordHash,
          deactivatedAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await startLicence(trx, { organisationId, name: input.organisationName, kind: input.organisationKind, at: now });
      const audit = { organisationId, actorUserId: userId, meta, at: now };
      await recordAudit(trx, { ...audit, action: "licence.register", recordType: "organisation", recordId: organisationId });
      await recordAudit(trx, { ...audit, action: "session.start", recordType: "user", recordId: userId });
      return startSession(trx, now, organisationId, userId);
    });
    return { ok: true, organisationId, userId, sessionToken };
  } catch (error) {
    const errors = fieldErrorsForClash(error);
    if (errors) {
      return { ok: false, errors };
    }
    throw error;
  }
}
