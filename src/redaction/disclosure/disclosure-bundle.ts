import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { formatDate, londonDateOf } from "../../calendar/dates.ts";
import { auditOfCase, CaseFormError } from "../../cases/cases.ts";
import { KIND_NAMES, type PersonalDataKind } from "../detection/suggestion.ts";
import { assembleBundle, type BundleDocument, type ScheduledRedaction } from "../pdf/bundle.ts";
import { REDACTION_REASONS } from "../reasons.ts";
import { ensureApproved } from "./approval-status.ts";
import { DOCUMENT_KINDS, findDisclosingCase } from "./documents.ts";
import { readDocumentFile } from "./stored-files.ts";


const SCHEDULE_KINDS: Record<string, string> = { phrase: "Words", region: "Part of the page", page: "Whole page" };

/**
 * The one PDF the requester receives: every document for disclosure, redacted and verified, with
 * a cover, an index and a schedule of what was removed and why (never what the removed words
 * were). Working files never go in. Each download is audited.
 */
export async function disclosureBundle(ctx: Context, caseId: string): Promise<{ filename: string; bytes: Buffer }> {
  authorise(ctx.actor, "cases:manage");
  const gathered = await inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    const rows = await trx
      .selectFrom("disclosureDocuments")
      .selectAll()
      .where("orgId", "=", found.orgId)
      .where("caseId", "=", found.id)
      .where("purpose", "=", "disclosure")
      .where("removedAt", "is", null)
      .orderBy("addedAt")
      .orderBy("id")
      .execute();
    if (rows.length === 0 || rows.some((row) => row.state !== "redacted")) {
      throw new CaseFormError({ bundle: "Every document for disclosure must be redacted before the bundle can be made" });
    }
    await ensureApproved(trx, ctx, found);
    // Titles say what each document is, never its file name: a name ("Tobiah incident.docx") is not reviewed and would reach the requester.
    const numberOf = new Map(rows.map((row, index) => [row.id, index + 1]));
    const documents: BundleDocument[] = [];
    for (const row of rows) {
      const parent = row.fromDocumentId ? numberOf.get(row.fromDocumentId) : undefined;
      documents.push({
        title: `Document ${numberOf.get(row.id)}: ${DOCUMENT_KINDS[row.fileType] ?? "document"}${parent ? `, attached to document ${parent}` : ""}`,
        pdf: new Uint8Array(await readDocumentFile(trx, ctx.services, row, "redacted", row.redactedFileId, row.redactedSha256)),
      });
    }
    const marks = await trx
      .selectFrom("disclosureRedactions")
      .select(["documentId", "page", "kind", "reasonCode", "startOffset"])
      .where("orgId", "=", found.orgId)
      .where(
        "documentId",
        "in",
        rows.map((row) => row.id),
      )
      .where("decision", "=", "remove")
      .execute();
    const indexOf = new Map(rows.map((row, index) => [row.id, index]));
    // A withheld page is one line of the schedule: listing its other boxes would say how many names it held.
    const withheld = new Set(marks.filter((mark) => mark.kind === "page").map((mark) => `${mark.documentId}/${mark.page}`));
    const schedule: ScheduledRedaction[] = marks
      .filter((mark) => mark.kind === "page" || !withheld.has(`${mark.documentId}/${mark.page}`))
      .map((mark) => {
        const reason = REDACTION_REASONS.find((candidate) => candidate.code === mark.reasonCode);
        return {
          document: indexOf.get(mark.documentId)!,
          page: mark.page,
          kind: KIND_NAMES[mark.kind as PersonalDataKind] ?? SCHEDULE_KINDS[mark.kind] ?? "Personal data",
          code: mark.reasonCode ?? "",
          reason: reason ? `${reason.name} (${reason.law})` : "",
          at: mark.startOffset ?? Number.MAX_SAFE_INTEGER,
        };
      })
      .sort((a, b) => a.document - b.document || a.page - b.page || a.at - b.at)
      .map(({ at: _at, ...entry }) => entry);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.bundle", caseId));
    return { reference: found.reference, organisationName: found.organisationName, documents, schedule };
  });
  const bundle = await assembleBundle({ ...gathered, preparedOn: formatDate(londonDateOf(ctx.services.clock.now())) });
  return { filename: `${gathered.reference} disclosure bundle.pdf`, bytes: Buffer.from(bundle.pdf) };
}
