import { recordAudit } from "../audit/audit.ts";
import { inActorScope, type Context } from "./actor.ts";
import { authorise } from "./permissions.ts";

export interface OrganisationSettings {
  /** Everyone in the organisation (and, for a trust, its schools) must sign in with two-factor. */
  twoFactorRequired: boolean;
}

export async function readSettings(ctx: Context): Promise<OrganisationSettings> {
  authorise(ctx.actor, "settings:manage");
  return inActorScope(ctx, (trx) =>
    trx.selectFrom("organisations").select(["twoFactorRequired"]).where("id", "=", ctx.actor.organisation.id).executeTakeFirstOrThrow(),
  );
}

/**
 * Changes the organisation's settings. A trust's choice applies to each of its schools too (a
 * school's own admins may require two-factor where the trust does not, not the other way round).
 */
export async function changeSettings(ctx: Context, settings: OrganisationSettings): Promise<void> {
  authorise(ctx.actor, "settings:manage");
  const { actor } = ctx;
  await inActorScope(ctx, async (trx) => {
    const current = await trx
      .selectFrom("organisations")
      .select(["twoFactorRequired"])
      .where("id", "=", actor.organisation.id)
      .executeTakeFirstOrThrow();
    if (current.twoFactorRequired === settings.twoFactorRequired) {
      return;
    }
    await trx
      .updateTable("organisations")
      .set({ twoFactorRequired: settings.twoFactorRequired })
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
