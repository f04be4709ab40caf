import { freePublicName } from "../requests/public-names.ts";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit.ts";
import type { NewSchool } from "./accounts.schema.ts";
import { inActorScope, type Context } from "./actor.ts";
import { authorise } from "./permissions.ts";
import { referenceCodeFor } from "./reference-codes.ts";

export interface OrganisationSummary {
  id: string;
  kind: "trust" | "school";
  name: string;
  postalAddress: string;
  telephone: string;
}

/** The organisations the actor can reach: their own first, then (for a trust) its schools by name. */
export async function listReachableOrganisations(ctx: Context): Promise<OrganisationSummary[]> {
  const rows = await inActorScope(ctx, (trx) =>
    trx
      .selectFrom("organisations")
      .select(["id", "kind", "name", "postalAddress", "telephone"])
      .where("id", "in", ctx.actor.organisationIds)
      .orderBy("name")
      .execute(),
  );
  const own = rows.filter((row) => row.id === ctx.actor.organisation.id);
  return [...own, ...rows.filter((row) => row.id !== ctx.actor.organisation.id)];
}

/** Adds a school under the actor's trust. */
export async function addSchool(ctx: Context, input: NewSchool): Promise<string> {
  authorise(ctx.actor, "schools:manage");
  const id = randomUUID();
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const trust = await trx.selectFrom("organisations").select(["twoFactorRequired", "disclosureApprovalRequired", "nation"]).where("id", "=", ctx.actor.organisation.id).executeTakeFirstOrThrow();
    const codes = await trx
      .selectFrom("organisations")
      .select("referenceCode")
      .where((eb) => eb.or([eb("id", "=", ctx.actor.organisation.id), eb("parentId", "=", ctx.actor.organisation.id)]))
      .execute();
    const taken = new Set(codes.map((row) => row.referenceCode).filter((code): code is string => code !== null));
    await trx
      .insertInto("organisations")
      .values({
        id,
        parentId: ctx.actor.organisation.id,
        kind: "school",
        name: input.name,
        postalAddress: input.postalAddress,
        telephone: input.telephone,
        createdAt: now,
        twoFactorRequired: trust.twoFactorRequired,
        disclosureApprovalRequired: trust.disclosureApprovalRequired,
        // A trust's school is an academy, in the trust's nation (its calendar page can say otherwise).
        schoolType: "academy",
        nation: trust.nation,
        referenceCode: referenceCodeFor(input.name, taken),
        publicName: await freePublicName(trx, input.name),
      })
      .execute();
    await recordAudit(trx, {
      organisationId: ctx.actor.organisation.id,
      actorUserId: ctx.actor.userId,
      action: "school.add",
      recordType: "organisation",
      recordId: id,
      meta: ctx.request,
      at: now,
    });
  });
  return id;
}
