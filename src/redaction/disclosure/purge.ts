import { sql } from "kysely";
import { recordAudit } from "../../audit/audit.ts";
import { recordCaseEvent } from "../../cases/cases.ts";
import { DISCLOSURE_PURGE_DAYS } from "../../cases/workflows.ts";
import { afterCommit, inScope, type Tx } from "../../platform/database/tenant-scope.ts";
import type { StoredFileKey } from "../../platform/files/file-store.ts";
import type { Services } from "../../platform/services.ts";
import { destroyWorkingKey, hasWorkingKey, workingKeysOnDisk } from "./working-keys.ts";

/**
 * Thirty days after a case closes (reopening it within them keeps everything), its disclosure's
 * working data goes for good: the originals, their PDFs and text as read, the words each mark
 * removed or kept and why, and the people listed. Their rows are emptied and their files deleted,
 * and the case's working key is destroyed, so no copy anywhere (a backup taken before included)
 * can be read again. What was disclosed stays with the case: the redacted copies, which marks
 * were removed on which page, of what kind and why (the bundle's schedule), and the timeline.
 */
const DAY_MS = 24 * 60 * 60_000;

export function disclosurePurgeDateOf(closedAt: Date): Date {
  return new Date(closedAt.getTime() + DISCLOSURE_PURGE_DAYS * DAY_MS);
}

/**
 * Empties a case's disclosure working data in the caller's transaction: marks' words, why and
 * person; the people listed; each document's PDF, text and problems (and, named by number, its
 * file name, task titles and removal reasons, which may name people). Returns the files to delete
 * once it commits. Used by the purge, and when a case's working key is found lost.
 */
export async function emptyWorkingData(trx: Tx, services: Services, organisationId: string, caseId: string, detail: string): Promise<StoredFileKey[]> {
  const now = services.clock.now();
  const documents = await trx
    .selectFrom("disclosureDocuments")
    .select(["id", "state", "pdfFileId", "textFileId", "fileType", "addedAt"])
    .where("orgId", "=", organisationId)
    .where("caseId", "=", caseId)
    .where("purgedAt", "is", null)
    .execute();
  const people = await trx.deleteFrom("disclosurePeople").where("orgId", "=", organisationId).where("caseId", "=", caseId).executeTakeFirst();
  if (documents.length === 0 && people.numDeletedRows === 0n) {
    return [];
  }
  const ids = documents.map((document) => document.id);
  if (ids.length > 0) {
    await trx.updateTable("disclosureRedactions").set({ words: null, why: null, person: null }).where("orgId", "=", organisationId).where("documentId", "in", ids).execute();
    await trx
      .updateTable("disclosureDocuments")
      .set({ pdfFileId: null, pdfSha256: null, textFileId: null, textSha256: null, redactionProblems: null, purgedAt: now, changedAt: now })
      .where("orgId", "=", organisationId)
      .where("id", "in", ids)
      .execute();
    // A redacted document keeps its redacted copy; anything else has nothing left.
    await trx.updateTable("disclosureDocuments").set({ state: "purged" }).where("orgId", "=", organisationId).where("id", "in", ids).where("state", "!=", "redacted").execute();
  }
  await recordCaseEvent(trx, services, { organisationId, caseId, actorUserId: null, kind: "disclosure-purge", detail });
  await recordAudit(trx, { organisationId, actorUserId: null, action: "disclosure.purge", recordType: "case", recordId: caseId, at: now });
  return documents.flatMap((document): StoredFileKey[] => [document.id, document.pdfFileId, document.textFileId].filter((id): id is string => id !== null).map((id) => ({ organisationId, id })));
}

/**
 * A case whose working data is in the database but whose key is not on this server (restored
 * from a backup, which never holds the keys; or a data folder copied without them) can never
 * read that data again: it is emptied, said on the timeline, and the case starts afresh with a
 * new key, rather than failing on every page. Returns whether it had to.
 */
export async function clearLostWorkingData(trx: Tx, services: Services, organisationId: string, caseId: string): Promise<boolean> {
  if (await hasWorkingKey(services, organisationId, caseId)) {
    return false;
  }
  // No key: lock the case, then look again. Whoever makes the case's first key does so after this
  // same check, holding this lock, so a key made (and its data written) meanwhile is never taken for lost.
  await trx.selectFrom("cases").select("id").where("orgId", "=", organisationId).where("id", "=", caseId).forUpdate().execute();
  if (await hasWorkingKey(services, organisationId, caseId)) {
    return false;
  }
  const files = await emptyWorkingData(
    trx,
    services,
    organisationId,
    caseId,
    "The disclosure’s working files (originals and the review) could not be read on this server: their key is not here, as after a restore from a backup. The redacted copies stay; add the other documents again.",
  );
  afterCommit(trx, () => {
    void Promise.all(files.map((file) => services.files.remove(file))).catch((error: unknown) => services.logger.warn({ err: error }, "could not remove unreadable disclosure files"));
  });
  return files.length > 0;
}

export async function purgeClosedDisclosures(services: Services): Promise<number> {
  const { db } = services.database;
  const now = services.clock.now();
  const cutoff = new Date(now.getTime() - DISCLOSURE_PURGE_DAYS * DAY_MS);
  const due = await inScope(db, {}, async (trx) => (await sql<{ orgId: string; caseId: string }>`select org_id, case_id from steward_disclosures_due_for_purge(${cutoff})`.execute(trx)).rows);
  let purged = 0;
  for (const { orgId, caseId } of due) {
    try {
      const files = await inScope(db, { organisationIds: [orgId] }, async (trx) => {
        // Locked and read again: a case reopened since the list was made keeps its working data.
        const found = await trx.selectFrom("cases").select(["closedAt"]).where("orgId", "=", orgId).where("id", "=", caseId).forUpdate().executeTakeFirst();
        if (!found?.closedAt || new Date(found.closedAt) >= cutoff) {
          return undefined;
        }
        const emptied = await emptyWorkingData(trx, services, orgId, caseId, `The disclosure’s working files (originals and the review) were deleted for good, ${DISCLOSURE_PURGE_DAYS} days after the case closed. The redacted copies stay.`);
        // The key goes while the case is locked: a reopen waits for this, and then starts with a new key.
        await destroyWorkingKey(services, orgId, caseId);
        return emptied;
      });
      if (!files) {
        continue;
      }
      // After the commit: a purge that failed part-way leaves the files to the next run, never a row pointing at nothing.
      for (const file of files) {
        await services.files.remove(file);
      }
      purged += 1;
    } catch (error) {
      // One case that cannot be purged (its organisation's key destroyed, say) holds up no other.
      services.logger.error({ err: error, organisationId: orgId, caseId }, "a closed case's disclosure could not be purged");
    }
  }
  // A key left by a case closed with nothing in its area, or by a purge that stopped part-way: destroyed once its case is past the cutoff, with the case locked.
  for (const { organisationId, caseId } of await workingKeysOnDisk(services)) {
    try {
      await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
        const found = await trx.selectFrom("cases").select("closedAt").where("orgId", "=", organisationId).where("id", "=", caseId).forUpdate().executeTakeFirst();
        if (found?.closedAt && new Date(found.closedAt) < cutoff) {
          await destroyWorkingKey(services, organisationId, caseId);
        }
      });
    } catch (error) {
      services.logger.error({ err: error, organisationId, caseId }, "a working key could not be checked");
    }
  }
  return purged;
}
