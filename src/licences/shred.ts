import { sql, type Transaction } from "kysely";
import { quoteIdentifier, tablesInDependencyOrder } from "../lifecycle/tables.ts";
import type { Database } from "../platform/database/schema.ts";
import type { Services } from "../platform/services.ts";
import { recordOperatorEvent } from "../operator/operator-context.ts";

/**
 * The end of a licence's data: its organisations' data keys are destroyed (crypto-shredding: any
 * copy of a sealed value, a backup's included, can no longer be opened, since backups carry no
 * keys), then every row of those organisations is deleted, children before parents, and their
 * stored files removed. It runs as the schema owner (as backups and migrations do): the
 * application's own role may not delete most of these rows, by design. One transaction: a crash
 * leaves everything as it was, and the licence job tries again.
 *
 * The licence row stays, as ended, for the operator's list; it names no person.
 */
export async function shredLicence(services: Pick<Services, "database" | "clock" | "files">, licenceId: string): Promise<{ organisations: number; rows: number } | undefined> {
  const now = services.clock.now();
  const done = await services.database.db.transaction().execute(async (trx) => {
    const licence = await trx
      .selectFrom("licences")
      .select(["orgId", "deletionApprovedAt"])
      .where("orgId", "=", licenceId)
      .where("state", "=", "ending")
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!licence) {
      return undefined;
    }
    const organisations = await trx.selectFrom("organisations").select(["id", "parentId", "name"]).where((eb) => eb.or([eb("id", "=", licenceId), eb("parentId", "=", licenceId)])).execute();
    const ids = organisations.map((organisation) => organisation.id);
    let rows = 0;
    if (ids.length > 0) {
      // The keys first: from this statement on, nothing of theirs opens anywhere.
      await trx.updateTable("organisationKeys").set({ wrappedKey: null, destroyedAt: now }).where("orgId", "in", ids).execute();
      rows += await deleteOrganisationsRows(trx, ids);
      // Schools before their trust.
      const schools = organisations.filter((organisation) => organisation.parentId !== null).map((organisation) => organisation.id);
      if (schools.length > 0) rows += Number((await trx.deleteFrom("organisations").where("id", "in", schools).executeTakeFirst()).numDeletedRows);
      rows += Number((await trx.deleteFrom("organisations").where("id", "=", licenceId).executeTakeFirst()).numDeletedRows);
    }
    const top = organisations.find((organisation) => organisation.id === licenceId);
    await trx
      .updateTable("licences")
      .set({
        state: "ended",
        endedAt: now,
        endedReason: licence.deletionApprovedAt ? "deleted-on-request" : "dormant-12-months",
        ...(top ? { organisationName: top.name } : {}),
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
  // The files were sealed under the destroyed keys already; removing them is tidiness, so after the commit.
  for (const id of done.ids) {
    await services.files.removeOrganisation(id);
  }
  return { organisations: done.ids.length, rows: done.rows };
}

/** Deletes every row of the organisations from every table that has an org_id, children before parents. */
async function deleteOrganisationsRows(trx: Transaction<Database>, ids: readonly string[]): Promise<number> {
  const tables = (await tablesInDependencyOrder(trx)).filter((table) => table.columns.includes("org_id") && table.name !== "licences").reverse();
  let rows = 0;
  for (const table of tables) {
    const result = await sql`delete from ${sql.raw(quoteIdentifier(table.name))} where org_id = any (${sql.val(ids)}::uuid[])`.execute(trx);
    rows += Number(result.numAffectedRows ?? 0);
  }
  return rows;
}
