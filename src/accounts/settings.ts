import { recordAudit } from "../audit/audit.ts";
import { badRequest } from "../platform/errors.ts";
import { inActorScope, type Context } from "./actor.ts";
import { authorise } from "./permissions.ts";

export interface OrganisationSettings {
  /** Everyone in the organisation (and, for a trust, its schools) must sign in with two-factor. */
  twoFactorRequired: boolean;
  /** A second person (with the right to manage cases) must approve a disclosure bundle before it is downloaded for release. */
  disclosureApprovalRequired: boolean;
}

export interface SettingsPage extends OrganisationSettings {
  /** A school in a trust: the trust decides for all its schools, so one school cannot opt out. */
  managedByTrust: boolean;
}

export async function readSettings(ctx: Context): Promise<SettingsPage> {
  authorise(ctx.actor, "settings:manage");
  const row = await inActorScope(ctx, (trx) =>
    trx.selectFrom("organisations").select(["twoFactorRequired", "disclosureApprovalRequired", "parentId"]).where("id", "=", ctx.actor.organisation.id).executeTakeFirstOrThrow(),
  );
  return { twoFactorRequired: row.twoFactorRequired, disclosureApprovalRequired: row.disclosureApprovalRequired, managedByTrust: row.parentId !== null };
}

/** Changes the organisation's settings. A trust's choice applies to each of its schools too. */
export async function changeSettings(ctx: Context, settings: OrganisationSettings): Promise<void> {
  authorise(ctx.actor, "settings:manage");
  const { actor } = ctx;
  await inActorScope(ctx, async (trx) => {
    const current = await trx
      .selectFrom("organisations")
      .select(["twoFactorRequired", "disclosureApprovalRequired", "parentId"])
      .where("id", "=", actor.organisation.id)
      .executeTakeFirstOrThrow();
    if (current.parentId !== null) {
      throw badRequest("Your trust decides this for all its schools. Ask the trust's administrators.");
    }
    if (current.twoFactorRequired === settings.twoFactorRequired && current.disclosureApprovalRequired === settings.disclosureApprovalRequired) {
      return;
    }
    await trx
      .updateTable("organisations")
      .set({ twoFactorRequired: settings.twoFactorRequired, disclosureApprovalRequired: settings.disclosureApprovalRequired })
      .where("id", "in", actor.organisationIds)
      .execute();
    for (const organisationId of actor.organisationIds) {
      await recordAudit(trx, {
        organisationId,
        actorUserId: actor.userId,
        action: "organisation.settings-change",
        recordType: "organisation",
        recordId: organisationId,
        meta: ctx.request,
        at: ctx.services.clock.now(),
      });
    }
  });
}
