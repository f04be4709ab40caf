import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { CaseFormError } from "../cases/cases.ts";
import { publicNameProblem, publicNameTaken } from "./public-names.ts";

/*
 * Each organisation's request page: its address (/r/<public name>), the snippet a school puts on
 * its website, and how long a released response stays downloadable.
 */

export interface RequestPageSetting {
  organisationId: string;
  name: string;
  publicName: string | null;
  link: string | null;
  releaseDays: number;
}

export async function requestPageSettings(ctx: Context): Promise<RequestPageSetting[]> {
  authorise(ctx.actor, "settings:manage");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx.selectFrom("organisations").select(["id", "name", "publicName", "releaseDays", "kind"]).where("id", "in", ctx.actor.organisationIds).orderBy("kind", "desc").orderBy("name").execute();
    return rows.map((row) => ({
      organisationId: row.id,
      name: row.name,
      publicName: row.publicName,
      link: row.publicName ? `${ctx.services.config.publicUrl}/r/${row.publicName}` : null,
      releaseDays: row.releaseDays,
    }));
  });
}

export async function saveRequestPageSettings(ctx: Context, organisationId: string, input: { publicName: string; releaseDays: string }): Promise<void> {
  authorise(ctx.actor, "settings:manage");
  if (!/^[0-9a-f-]{36}$/.test(organisationId)) {
    throw new CaseFormError({ publicName: "Select the school" });
  }
  assertReachable(ctx.actor, organisationId);
  const name = input.publicName.toLowerCase();
  const problem = publicNameProblem(name);
  const days = /^\d{1,3}$/.test(input.releaseDays) ? Number(input.releaseDays) : NaN;
  const errors: Record<string, string> = {};
  if (problem) errors["publicName"] = problem;
  if (!(days >= 1 && days <= 365)) errors["releaseDays"] = "Enter a number of days from 1 to 365";
  if (Object.keys(errors).length) {
    throw new CaseFormError(errors);
  }
  await inActorScope(ctx, async (trx) => {
    const current = await trx.selectFrom("organisations").select(["publicName"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
    if (current.publicName !== name && (await publicNameTaken(trx, name))) {
      throw new CaseFormError({ publicName: "Another school or trust has this address: choose another" });
    }
    await trx.updateTable("organisations").set({ publicName: name, releaseDays: days }).where("id", "=", organisationId).execute();
    await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "organisation.settings-change", recordType: "organisation", recordId: organisationId, meta: ctx.request, at: ctx.services.clock.now() });
  });
}
