import { deleteRowsOfOrganisations } from "../lifecycle/tables.ts";
import { destroyWorkingKeysOf } from "../redaction/disclosure/working-keys.ts";
import type { Services } from "../platform/services.ts";
import { recordOperatorEvent } from "../operator/operator-context.ts";

type ShredServices = Pick<Services, "database" | "clock" | "files" | "config" | "keyring">;

/**
 * The end of a licence's data: its organisations' disclosure working keys (on this server's disk)
 * and data keys are destroyed (crypto-shredding: any copy of a sealed value, a backup's included,
 * can no longer be opened, since backups carry no keys), then every row of those organisations is
 * deleted, children before parents, and their stored files removed. It runs as the schema owner
 * (as backups and migrations do): the application's own role may not delete most of these rows,
 * by design. The rows go in one transaction: a crash leaves them as they were, and the licence
 * job tries again; the files go after, and the job retries until they have (filesRemovedAt).
 *
 * The licence row stays, as ended, for the operator's list; it names no person.
 */
export async function shredLicence(services: ShredServices, licenceId: string): Promise<{ organisations: number; rows: number } | undefined> {
  const now = services.clock.now();
  const db = services.database.db;
  const planned = await db.selectFrom("organisations").select("id").where((eb) => eb.or([eb("id", "=", licenceId), eb("parentId", "=", licenceId)])).execute();
  // The working keys first, outside the transaction: they are files, and their loss is what is wanted either way.
  for (const { id } of planned) {
    await destroyWorkingKeysOf(services, id);
  }
  const done = await db.transaction().execute(async (trx) => {
    const licence = await trx.selectFrom("licences").select(["orgId", "deletionApprovedAt"]).where("orgId", "=", licenceId).where("state", "=", "ending").forUpdate().skipLocked().executeTakeFirst();
    if (!licence) {
      return undefined;
    }
    const organisations = await trx.selectFrom("organisations").select(["id", "parentId", "name"]).where((eb) => eb.or([eb("id", "=", licenceId), eb("parentId", "=", licenceId)])).execute();
    const ids = organisations.map((organisation) => organisation.id);
    let rows = 0;
    if (ids.length > 0) {
      // The keys first: from this statement on, nothing of theirs opens anywhere.
      await trx.updateTable("organisationKeys").set({ wrappedKey: null, destroyedAt: now }).where("orgId", "in", ids).execute();
      rows += await deleteRowsOfOrganisations(trx, ids, { except: ["licences"] });
    }
    const top = organisations.find((organisation) => organisation.id === licenceId);
    await trx
      .updateTable("licences")
      .set({
        state: "ended",
        endedAt: now,
        endedReason: licence.deletionApprovedAt ? "deleted-on-request" : "dormant-12-months",
        ...(top ? { organisationName: top.name } : {}),
        destroyedOrganisationIds: ids,
        // Who asked and approved were people of the organisation: nothing of them is kept.
        deletionAskedBy: null,
        deletionApprovedBy: null,
        noticesDue: [],
        changedAt: now,
      })
      .where("orgId", "=", licenceId)
      .execute();
    await recordOperatorEvent(trx, { operatorId: null, action: "licence.ended", licenceId, detail: { organisations: ids.length, rows }, at: now });
    return { ids, rows };
  });
  if (!done) {
    return undefined;
  }
  await removeFilesOfEndedLicence(services, licenceId);
  return { organisations: done.ids.length, rows: done.rows };
}

/**
 * The stored files (and any working key left) of an ended licence's organisations. Already
 * unreadable (their keys are gone); removed for tidiness and the disk. Retried by the licence job
 * until it has finished once, so a crash after the rows went leaves no file behind for good.
 */
export async function removeFilesOfEndedLicence(services: ShredServices, licenceId: string): Promise<boolean> {
  const db = services.database.db;
  const licence = await db.selectFrom("licences").select(["destroyedOrganisationIds"]).where("orgId", "=", licenceId).where("state", "=", "ended").where("filesRemovedAt", "is", null).executeTakeFirst();
  if (!licence) {
    return false;
  }
  for (const id of licence.destroyedOrganisationIds) {
    await destroyWorkingKeysOf(services, id);
    await services.files.removeOrganisation(id);
  }
  await db.updateTable("licences").set({ filesRemovedAt: services.clock.now() }).where("orgId", "=", licenceId).execute();
  return true;
}
