import { changeScope, type Tx } from "../platform/database/tenant-scope.ts";
import { detailsOf } from "./register-kinds.ts";

/*
 * The organisation's own facts from its register entry (ICO registration and DPO): what letters
 * and the public request page say about who the DPO is. A school without its own entry uses its
 * trust's (a trust usually appoints one DPO for all its schools). These are public facts, meant
 * for privacy notices; nothing else of the registers is read here. Only an entry marked in use
 * counts: a draft is not yet what the school says.
 */

export interface OrganisationFacts {
  dpoName: string;
  dpoEmail: string;
  dpoPhone: string;
  dpoAddress: string;
  icoRegistration: string;
}

/**
 * Inside the caller's transaction (whose scope includes the organisation): the scope widens to
 * the organisation's trust for this one read, then goes back to `scope`, as case recipients do.
 */
export async function organisationFactsOf(trx: Tx, organisationId: string, scope: readonly string[]): Promise<OrganisationFacts | undefined> {
  const organisation = await trx.selectFrom("organisations").select("parentId").where("id", "=", organisationId).executeTakeFirst();
  if (!organisation) return undefined;
  const organisationIds = organisation.parentId ? [organisationId, organisation.parentId] : [organisationId];
  await changeScope(trx, { organisationIds: [...new Set([...scope, ...organisationIds])] });
  const rows = await trx.selectFrom("registerEntries").select(["orgId", "details"]).where("orgId", "in", organisationIds).where("kind", "=", "organisation").where("status", "=", "active").execute();
  await changeScope(trx, { organisationIds: scope });
  const row = rows.find((candidate) => candidate.orgId === organisationId) ?? rows[0];
  if (!row) return undefined;
  const details = detailsOf(row.details);
  const text = (name: string) => (typeof details[name] === "string" ? (details[name] as string) : "");
  return { dpoName: text("dpoName"), dpoEmail: text("dpoEmail"), dpoPhone: text("dpoPhone"), dpoAddress: text("dpoAddress"), icoRegistration: text("icoRegistration") };
}

/** "Jo Bloggs (dpo@school.example, 01632 960 000)": the DPO as a letter names them. */
export function dpoContactText(facts: OrganisationFacts | undefined, fallback: string): string {
  if (!facts?.dpoName) return fallback;
  const ways = [facts.dpoEmail, facts.dpoPhone].filter(Boolean);
  return ways.length ? `${facts.dpoName} (${ways.join(", ")})` : facts.dpoName;
}
