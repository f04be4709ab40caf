import { sql } from "kysely";
import { isIsoDate, type IsoDate } from "../calendar/dates.ts";
import type { LicenceState } from "../platform/database/schema.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import type { Services } from "../platform/services.ts";
import { asOperator } from "../operator/operator-scope.ts";
import { recordOperatorEvent, type OperatorContext } from "../operator/operator-context.ts";
import { advanceLicence, deletionStopped, LicenceFormError } from "./licences.ts";

/**
 * What the operator does to a licence: set its term, raise its storage, stop a deletion in its
 * cooling-off, decide a request to take it over. Each runs as the operator's database role, which
 * can change the licence row and nothing of the organisation's; the licence job then carries the
 * change out in the organisation's own scope (reinstating, telling the owner), at once and again
 * after a crash.
 */

type OperatorServices = Pick<Services, "database" | "clock" | "keyring" | "mailer" | "config" | "files" | "logger">;

export interface OperatorLicence {
  id: string;
  organisationName: string;
  kind: "trust" | "school";
  state: LicenceState;
  termStartsOn: IsoDate;
  termEndsOn: IsoDate;
  dormantSince: Date | null;
  deletionDueAt: Date | null;
  endedAt: Date | null;
  endedReason: string | null;
  schools: number;
  storageLimitBytes: number | null;
  storageUsedBytes: number;
  lastActivityAt: Date | null;
  /** The organisation's own contact details (never a person's), to check a request by telephone. */
  contact: { postalAddress: string; telephone: string } | undefined;
  ownershipRequest: { askedAt: Date; role: string } | undefined;
  events: { occurredAt: Date; action: string; byOperator: boolean }[];
}

export async function licenceForOperator(services: Pick<Services, "database">, licenceId: string): Promise<OperatorLicence> {
  return asOperator(services.database.db, async (trx) => {
    const { rows } = await sql<{
      orgId: string; organisationName: string; organisationKind: "trust" | "school"; state: LicenceState; termStartsOn: string; termEndsOn: string;
      dormantSince: Date | null; deletionDueAt: Date | null; endedAt: Date | null; endedReason: string | null; schools: number;
      storageLimitBytes: string | null; storageUsedBytes: string | null; lastActivityAt: Date | null;
    }>`select * from steward_licence_overview() where org_id = ${licenceId}`.execute(trx);
    const row = rows[0];
    if (!row) {
      throw notFound();
    }
    const { rows: contact } = await sql<{ postalAddress: string; telephone: string; requestAskedAt: Date | null; requesterRole: string | null }>`
      select * from steward_licence_contact(${licenceId})`.execute(trx);
    const events = await trx.selectFrom("operatorEvents").select(["occurredAt", "action", "operatorId"]).where("licenceId", "=", licenceId).orderBy("occurredAt", "desc").limit(30).execute();
    return {
      id: row.orgId,
      organisationName: row.organisationName,
      kind: row.organisationKind,
      state: row.state,
      termStartsOn: String(row.termStartsOn).slice(0, 10),
      termEndsOn: String(row.termEndsOn).slice(0, 10),
      dormantSince: row.dormantSince,
      deletionDueAt: row.deletionDueAt,
      endedAt: row.endedAt,
      endedReason: row.endedReason,
      schools: row.schools,
      storageLimitBytes: row.storageLimitBytes === null ? null : Number(row.storageLimitBytes),
      storageUsedBytes: Number(row.storageUsedBytes ?? 0),
      lastActivityAt: row.lastActivityAt,
      contact: contact[0] ? { postalAddress: contact[0].postalAddress, telephone: contact[0].telephone } : undefined,
      ownershipRequest: contact[0]?.requestAskedAt ? { askedAt: contact[0].requestAskedAt, role: contact[0].requesterRole ?? "admin" } : undefined,
      events: events.map((event) => ({ occurredAt: event.occurredAt, action: event.action, byOperator: event.operatorId !== null })),
    };
  });
}

/** The operator sets the term. A dormant licence given a term that has not ended is reinstated by the job. */
export async function setTermByOperator(services: OperatorServices, operator: OperatorContext, licenceId: string, input: { startsOn: string; endsOn: string }): Promise<void> {
  const errors: Record<string, string> = {};
  if (!isIsoDate(input.startsOn)) errors["startsOn"] = "Enter the day the term starts, as a real date";
  if (!isIsoDate(input.endsOn)) errors["endsOn"] = "Enter the day the term ends, as a real date";
  else if (isIsoDate(input.startsOn) && input.endsOn <= input.startsOn) errors["endsOn"] = "The term must end after it starts";
  if (Object.keys(errors).length > 0) {
    throw new LicenceFormError(errors);
  }
  const now = services.clock.now();
  await asOperator(services.database.db, async (trx) => {
    const licence = await trx.selectFrom("licences").select(["state", "termEndsOn", "noticesDue"]).where("orgId", "=", licenceId).forUpdate().executeTakeFirst();
    if (!licence) throw notFound();
    if (licence.state === "ending" || licence.state === "ended") {
      throw badRequest("This licence's data has been destroyed: it cannot be given a new term. A new licence starts by registering again, and starts empty.");
    }
    const endChanged = licence.termEndsOn !== input.endsOn;
    await trx
      .updateTable("licences")
      .set({
        termStartsOn: input.startsOn,
        termEndsOn: input.endsOn,
        ...(endChanged ? { warningsSent: [] } : {}),
        // A dormant licence's reinstatement tells the owner itself.
        ...(licence.state === "dormant" ? {} : { noticesDue: [...new Set([...licence.noticesDue, "term-changed"])] }),
        changedAt: now,
      })
      .where("orgId", "=", licenceId)
      .execute();
    await recordOperatorEvent(trx, { operatorId: operator.operatorId, action: "licence.term-set", licenceId, detail: { startsOn: input.startsOn, endsOn: input.endsOn }, at: now });
  });
  await advanceLicence(services, licenceId);
}

/** Upper bound for a licence's storage, so a typing slip cannot promise the disk away. */
const MAX_STORAGE_GB = 1024;

export async function setStorageByOperator(services: OperatorServices, operator: OperatorContext, licenceId: string, input: { gigabytes: string }): Promise<void> {
  const gigabytes = Number(input.gigabytes);
  if (!/^\d+(\.\d{1,2})?$/.test(input.gigabytes.trim()) || !(gigabytes > 0) || gigabytes > MAX_STORAGE_GB) {
    throw new LicenceFormError({ gigabytes: `Enter the storage in GB, a number from 0.01 to ${MAX_STORAGE_GB}` });
  }
  const now = services.clock.now();
  await asOperator(services.database.db, async (trx) => {
    const licence = await trx.selectFrom("licences").select(["state"]).where("orgId", "=", licenceId).executeTakeFirst();
    if (!licence) throw notFound();
    if (licence.state === "ending" || licence.state === "ended") throw badRequest("This licence has ended: it keeps no files.");
    const bytes = Math.round(gigabytes * 1024 ** 3);
    await sql`select steward_set_storage_limit(${licenceId}, ${bytes})`.execute(trx);
    await recordOperatorEvent(trx, { operatorId: operator.operatorId, action: "licence.storage-set", licenceId, detail: { bytes }, at: now });
  });
}

/** The operator stops a deletion in its cooling-off (the school rang: it was a mistake). */
export async function cancelDeletionByOperator(services: OperatorServices, operator: OperatorContext, licenceId: string): Promise<void> {
  const now = services.clock.now();
  await asOperator(services.database.db, async (trx) => {
    const licence = await trx.selectFrom("licences").select(["state", "stateBeforeDeletion", "deletionAskedAt", "noticesDue"]).where("orgId", "=", licenceId).forUpdate().executeTakeFirst();
    if (!licence) throw notFound();
    if (licence.deletionAskedAt === null || licence.state === "ending" || licence.state === "ended") {
      throw badRequest(licence.state === "ending" || licence.state === "ended" ? "Too late: the cooling-off is over and the data has been destroyed." : "No deletion has been asked for.");
    }
    await trx
      .updateTable("licences")
      .set({ ...deletionStopped(licence), noticesDue: [...new Set([...licence.noticesDue, "deletion-cancelled"])], changedAt: now })
      .where("orgId", "=", licenceId)
      .execute();
    await recordOperatorEvent(trx, { operatorId: operator.operatorId, action: "licence.deletion-cancelled", licenceId, at: now });
  });
  await advanceLicence(services, licenceId);
}

/** The operator decides a request to take over the licence, having checked with the organisation. */
export async function decideOwnershipByOperator(services: OperatorServices, operator: OperatorContext, licenceId: string, approve: boolean): Promise<void> {
  const now = services.clock.now();
  await asOperator(services.database.db, async (trx) => {
    const { rows } = await sql<{ decided: number }>`select steward_decide_ownership_request(${licenceId}, ${approve}, ${now}) as decided`.execute(trx);
    if (!rows[0]?.decided) {
      throw badRequest("There is no request waiting to take over this licence.");
    }
    await recordOperatorEvent(trx, { operatorId: operator.operatorId, action: approve ? "ownership.approved" : "ownership.refused", licenceId, at: now });
  });
  await advanceLicence(services, licenceId);
}
