import { sql } from "kysely";
import { recordAudit } from "../../audit/audit.ts";
import { recordCaseEvent } from "../../cases/cases.ts";
import { DISCLOSURE_PURGE_DAYS } from "../../cases/workflows.ts";
import { inScope } from "../../platform/database/tenant-scope.ts";
import type { StoredFileKey } from "../../platform/files/file-store.ts";
import type { Services } from "../../platform/services.ts";
import { destroyWorkingKey, workingKeysOnDisk } from "./working-keys.ts";

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

export async function purgeClosedDisclosures(services: Services): Promise<number> {
  const { db } = services.database;
  const now = services.clock.now();
  const cutoff = new Date(now.getTime() - DISCLOSURE_PURGE_DAYS * DAY_MS);
  const due = await inScope(db, {}, async (trx) => (await sql<{ orgId: string; caseId: string }>`select org_id, case_id from steward_disclosures_due_for_purge(${cutoff})`.execute(trx)).rows);
  let purged = 0;
  for (const { orgId, caseId } of due) {
    const files = await inScope(db, { organisationIds: [orgId] }, async (trx) => {
      // Locked and read again: a case reopened since the list was made keeps its working data.
      const found = await trx.selectFrom("cases").select(["closedAt"]).where("orgId", "=", orgId).where("id", "=", caseId).forUpdate().executeTakeFirst();
      if (!found?.closedAt || new Date(found.closedAt) >= cutoff) {
        return undefined;
      }
      const documents = await trx
        .selectFrom("disclosureDocuments")
        .select(["id", "state", "pdfFileId", "textFileId"])
        .where("orgId", "=", orgId)
        .where("caseId", "=", caseId)
        .where("purgedAt", "is", null)
        .execute();
      if (documents.length === 0) {
        return undefined;
      }
      const ids = documents.map((document) => document.id);
      await trx.updateTable("disclosureRedactions").set({ words: null, why: null, person: null }).where("orgId", "=", orgId).where("documentId", "in", ids).execute();
      await trx.deleteFrom("disclosurePeople").where("orgId", "=", orgId).where("caseId", "=", caseId).execute();
      await trx
        .updateTable("disclosureDocuments")
        .set({ pdfFileId: null, pdfSha256: null, textFileId: null, textSha256: null, redactionProblems: null, purgedAt: now, changedAt: now })
        .where("orgId", "=", orgId)
        .where("id", "in", ids)
        .execute();
      // A redacted document keeps its redacted copy; anything else has nothing left.
      await trx.updateTable("disclosureDocuments").set({ state: "purged" }).where("orgId", "=", orgId).where("id", "in", ids).where("state", "!=", "redacted").execute();
      await recordCaseEvent(trx, services, {
        organisationId: orgId,
        caseId,
        actorUserId: null,
        kind: "disclosure-purge",
        detail: `The disclosure’s working files (originals and the review) were deleted for good, ${DISCLOSURE_PURGE_DAYS} days after the case closed. The redacted copies stay.`,
      });
      await recordAudit(trx, { organisationId: orgId, actorUserId: null, action: "disclosure.purge", recordType: "case", recordId: caseId, at: now });
      return documents.flatMap((document): StoredFileKey[] =>
        [document.id, document.pdfFileId, document.textFileId].filter((id): id is string => id !== null).map((id) => ({ organisationId: orgId, id })),
      );
    });
    if (!files) {
      continue;
    }
    // After the commit: a purge that failed part-way leaves the files to the next run, never a row pointing at nothing.
    for (const file of files) {
      await services.files.remove(file);
    }
    await destroyWorkingKey(services, orgId, caseId);
    purged += 1;
  }
  // A key left by a purge that stopped after its commit, or by a case closed with nothing in its area: destroyed once its case is past the cutoff.
  for (const { organisationId, caseId } of await workingKeysOnDisk(services)) {
    const found = await inScope(db, { organisationIds: [organisationId] }, (trx) => trx.selectFrom("cases").select("closedAt").where("orgId", "=", organisationId).where("id", "=", caseId).executeTakeFirst());
    if (found?.closedAt && new Date(found.closedAt) < cutoff) {
      await destroyWorkingKey(services, organisationId, caseId);
    }
  }
  return purged;
}
