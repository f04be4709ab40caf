import { randomUUID } from "node:crypto";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { enqueueJob, JobError, type JobHandler, type JobRun } from "../../platform/jobs/jobs.ts";
import type { Services } from "../../platform/services.ts";
import { convertToPdf, LIMITS } from "../convert.ts";
import { detectPersonalData } from "../detection/detect.ts";
import type { KnownPerson } from "../detection/people.ts";
import { applyRedactions, type Removal } from "../pdf/apply.ts";
import { pageOf, readDocumentText, type DocumentText } from "../pdf/page-text.ts";
import { removalsForSpan } from "../pdf/removals.ts";
import { verifyRedaction, type RemovedText } from "../pdf/verify.ts";
import { checkDisclosureFile, insertDocument, KEPT_PARTS, peopleFingerprint, peopleOfRequest } from "./documents.ts";
import { cleanFilename } from "../../cases/attachments.ts";
import { CaseFormError } from "../../cases/cases.ts";
import { ensureRoomFor } from "../../cases/storage.ts";
import { isFreedomOfInformation } from "./review.ts";
import { detectionSettingsOf } from "./redaction-settings.ts";
import { readDocumentFile, storeDocumentFile } from "./stored-files.ts";
import { sealWorkingText, workingKeyOf } from "./working-keys.ts";
import { recordAudit } from "../../audit/audit.ts";

/**
 * The disclosure area's work, done off the request by the job queue: reading a document
 * (convert to PDF, OCR its scans, suggest what to remove) and applying its redactions (apply,
 * then verify, keeping the redacted copy only if verification passed). Each reads in short
 * transactions, works outside any, and writes its results in the one that completes the job.
 */
const ATTEMPTS = 3;
const UNEXPECTED = "Steward could not finish this document (an unexpected error; the server log has the details). Remove it and add it again, or ask Steward’s support";

async function loadDocument(trx: Tx, run: JobRun) {
  const documentId = String(run.job.payload["documentId"] ?? "");
  return trx.selectFrom("disclosureDocuments").selectAll().where("orgId", "=", run.job.organisationId).where("id", "=", documentId).where("removedAt", "is", null).executeTakeFirst();
}

/** What a document that could not be done says: a JobError's sentence (for the person), or, after the last try, that something unexpected stopped it. */
async function failDocument(run: JobRun, services: Services, documentId: string, from: "reading" | "redacting", error: unknown): Promise<void> {
  if (!(error instanceof JobError) && run.job.attempts < ATTEMPTS) {
    throw error;
  }
  if (!(error instanceof JobError)) {
    services.logger.warn({ job: run.job.id, err: error }, "a disclosure document failed on its last attempt");
  }
  const failure = error instanceof JobError ? error.message.slice(0, 500) : UNEXPECTED;
  await run.complete(async (trx) => {
    await trx
      .updateTable("disclosureDocuments")
      .set({ state: from === "reading" ? "failed" : "review", failure, changedAt: services.clock.now() })
      .where("orgId", "=", run.job.organisationId)
      .where("id", "=", documentId)
      .where("state", "=", from)
      .execute();
  });
}

/** A handler whose every failure (reading its inputs included) says so on the document, rather than leaving it stuck. */
const failingOnto =
  (from: "reading" | "redacting", work: JobHandler): JobHandler =>
  async (run, services) => {
    try {
      await work(run, services);
    } catch (error) {
      await failDocument(run, services, String(run.job.payload["documentId"] ?? ""), from, error);
    }
  };

const readDocument: JobHandler = failingOnto("reading", async (run, services) => {
  const loaded = await run.read(async (trx) => {
    const row = await loadDocument(trx, run);
    if (!row || row.state !== "reading") {
      return undefined;
    }
    const found = await trx.selectFrom("cases").selectAll().where("orgId", "=", row.orgId).where("id", "=", row.caseId).executeTakeFirstOrThrow();
    const people = await peopleOfRequest(trx, services, found);
    // Read before: only the people changed, so the text as read is read again, not the document.
    const text = row.textFileId ? await readDocumentFile(trx, services, row, "text", row.textFileId, row.textSha256) : undefined;
    const original = text ? undefined : await readDocumentFile(trx, services, row, "original", row.id, row.originalSha256);
    const nested = row.fromDocumentId ? 1 : 0;
    const settings = await detectionSettingsOf(trx, services, row.orgId);
    return { row, people, text, original, nested, caseType: found.type, settings };
  });
  if (!loaded) {
    return;
  }
  const { row, people } = loaded;
  let converted: { pdf: Uint8Array; attachments: { filename: string; bytes: Uint8Array }[] } | undefined;
  let text: DocumentText;
  if (loaded.text) {
    text = JSON.parse(loaded.text.toString("utf8")) as DocumentText;
  } else {
    converted = await convertToPdf(`document.${row.fileType}`, loaded.original!);
    text = await readDocumentText(converted.pdf);
  }
  const { settings } = loaded;
  const suggestions = detectPersonalData(text.text, {
    knownPeople: people.map(({ name, part }): KnownPerson => ({ name, part })),
    schoolPeople: settings.schoolPeople,
    alwaysRemove: settings.alwaysRemove,
    switchedOff: settings.switchedOff,
  });
  const partOf = new Map(people.map((person) => [person.name, person.part]));
  const unpacked = converted && loaded.nested === 0 ? converted.attachments : [];
  const attachments: ({ ok: true; filename: string; type: string; bytes: Buffer } | { ok: false })[] = [];
  for (const attachment of unpacked.slice(0, LIMITS.attachments)) {
    const filename = cleanFilename(attachment.filename);
    const check = await checkDisclosureFile(filename, Buffer.from(attachment.bytes), "disclosure");
    attachments.push(check.ok ? { ok: true, filename, type: check.type, bytes: check.bytes } : { ok: false });
  }
  let skipped = Math.max(0, unpacked.length - LIMITS.attachments);
  const key = await workingKeyOf(services, row.orgId, row.caseId, { create: true });
  await run.complete(async (trx) => {
    const now = services.clock.now();
    // The people changed while this read ran: what it found stands, and it reads again for the new list.
    const found = await trx.selectFrom("cases").selectAll().where("orgId", "=", row.orgId).where("id", "=", row.caseId).executeTakeFirstOrThrow();
    const readAgain = peopleFingerprint(await peopleOfRequest(trx, services, found)) !== peopleFingerprint(people);
    if (readAgain) {
      await enqueueJob(trx, services, { organisationId: row.orgId, kind: "disclosure-read", payload: { documentId: row.id } });
    }
    const files: Partial<Record<"pdfFileId" | "pdfSha256" | "textFileId" | "textSha256", string>> = {};
    if (converted) {
      const pdf = await storeDocumentFile(trx, services, row, "pdf", converted.pdf);
      const stored = await storeDocumentFile(trx, services, row, "text", Buffer.from(JSON.stringify(text), "utf8"));
      Object.assign(files, { pdfFileId: pdf.fileId, pdfSha256: pdf.sha256, textFileId: stored.fileId, textSha256: stored.sha256 });
      // Each of an email's attachments is a document of its own (one level: an attachment's own attachments are not
      // unpacked again), checked as an upload is; one that fails a check, or has no room, is counted on the email's row.
      for (const attachment of attachments) {
        if (!attachment.ok) {
          skipped += 1;
          continue;
        }
        try {
          await ensureRoomFor(trx, services, row.orgId, attachment.bytes.length);
        } catch (error) {
          if (error instanceof CaseFormError) {
            skipped += 1;
            continue;
          }
          throw error;
        }
        await insertDocument(trx, services, {
          organisationId: row.orgId,
          caseId: row.caseId,
          id: randomUUID(),
          filename: attachment.filename,
          type: attachment.type,
          bytes: attachment.bytes,
          purpose: "disclosure",
          addedBy: row.addedBy,
          fromDocumentId: row.id,
        });
      }
    }
    // Reading again keeps every decision made; only suggestions nobody has decided on are replaced.
    await trx.deleteFrom("disclosureRedactions").where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("origin", "=", "suggested").where("decision", "=", "pending").execute();
    const decided = await trx.selectFrom("disclosureRedactions").select(["startOffset", "endOffset"]).where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("origin", "=", "suggested").execute();
    const already = new Set(decided.map((mark) => `${mark.startOffset}-${mark.endOffset}`));
    const seal = (id: string, column: string, value: string) => sealWorkingText(key, { table: "disclosureRedactions", column, rowId: id }, value);
    const values = [];
    for (const suggestion of suggestions) {
      if (already.has(`${suggestion.start}-${suggestion.end}`)) {
        continue;
      }
      const id = randomUUID();
      const part = suggestion.person ? partOf.get(suggestion.person) : undefined;
      values.push({
        orgId: row.orgId,
        id,
        documentId: row.id,
        origin: "suggested" as const,
        page: pageOf(text, suggestion.start).page,
        startOffset: suggestion.start,
        endOffset: suggestion.end,
        rect: null,
        kind: suggestion.type,
        recognizer: suggestion.recognizer,
        score: suggestion.score,
        words: await seal(id, "words", text.text.slice(suggestion.start, suggestion.end)),
        why: await seal(id, "why", suggestion.why),
        person: suggestion.person ? await seal(id, "person", suggestion.person) : null,
        // The requester's and the data subject's own information is kept by default; not on an FOI or EIR request, which discloses to the world.
        decision: part && KEPT_PARTS.has(part) && !isFreedomOfInformation(loaded.caseType) ? ("keep" as const) : ("pending" as const),
        reasonCode: null,
        decidedBy: null,
        decidedAt: null,
        createdAt: now,
      });
    }
    for (let start = 0; start < values.length; start += 500) {
      await trx.insertInto("disclosureRedactions").values(values.slice(start, start + 500)).execute();
    }
    await trx
      .updateTable("disclosureDocuments")
      .set({ ...files, ...(converted ? { skippedAttachments: skipped } : {}), state: readAgain ? "reading" : "review", failure: null, pageCount: text.pages.length, unreadPages: text.unread, changedAt: now })
      .where("orgId", "=", row.orgId)
      .where("id", "=", row.id)
      .where("state", "=", "reading")
      .execute();
  });
});

/** The removals a review decided on, as the apply step takes them, with what verification must then find gone. */
async function decidedRemovals(trx: Tx, organisationId: string, documentId: string, text: DocumentText) {
  const marks = await trx.selectFrom("disclosureRedactions").selectAll().where("orgId", "=", organisationId).where("documentId", "=", documentId).where("decision", "=", "remove").execute();
  const removals: Removal[] = [];
  const removed: RemovedText[] = [];
  const boxedPages = new Set<number>();
  for (const mark of marks) {
    const code = mark.reasonCode!;
    if (mark.origin === "page") {
      removals.push({ kind: "page", page: mark.page, code });
      boxedPages.add(mark.page);
    } else if (mark.origin === "box" && mark.rect) {
      removals.push({ kind: "box", page: mark.page, rect: mark.rect, code });
      boxedPages.add(mark.page);
    } else if (mark.startOffset !== null && mark.endOffset !== null) {
      const span = removalsForSpan(text, mark.startOffset, mark.endOffset, code);
      removals.push(...span.removals);
      removed.push(...span.removed);
    }
  }
  return { removals, removed, boxedPages: [...boxedPages] };
}

const redactDocument: JobHandler = failingOnto("redacting", async (run, services) => {
  const loaded = await run.read(async (trx) => {
    const row = await loadDocument(trx, run);
    if (!row || row.state !== "redacting") {
      return undefined;
    }
    const pdf = await readDocumentFile(trx, services, row, "pdf", row.pdfFileId, row.pdfSha256);
    const text = JSON.parse((await readDocumentFile(trx, services, row, "text", row.textFileId, row.textSha256)).toString("utf8")) as DocumentText;
    return { row, pdf, text, ...(await decidedRemovals(trx, row.orgId, row.id, text)) };
  });
  if (!loaded) {
    return;
  }
  const { row, pdf, text, removals, removed, boxedPages } = loaded;
  const applied = await applyRedactions(pdf, removals);
  const verification = await verifyRedaction(pdf, applied.pdf, removed, applied.labels, { originalText: text, boxedPages });
  const unread = text.unread.map((page) => `page ${page + 1}: a scan with no text layer that Steward could not read (tesseract is not installed)`);
  const problems = [...applied.problems, ...verification.problems, ...unread];
  // A removal that found nothing to remove is a question nobody answered: it fails the gate too.
  const verified = verification.verified && unread.length === 0 && applied.problems.length === 0;
  await run.complete(async (trx) => {
    const now = services.clock.now();
    // The check's outcome is on the audit trail, by Steward itself: which case, whether it passed (never what it found).
    await recordAudit(trx, { organisationId: row.orgId, actorUserId: null, action: verified ? "disclosure.verified" : "disclosure.verify-failed", recordType: "case", recordId: row.caseId, at: now });
    if (verified) {
      const redacted = await storeDocumentFile(trx, services, row, "redacted", applied.pdf);
      await trx
        .updateTable("disclosureDocuments")
        .set({ state: "redacted", redactedFileId: redacted.fileId, redactedSha256: redacted.sha256, failure: null, redactionProblems: null, changedAt: now })
        .where("orgId", "=", row.orgId)
        .where("id", "=", row.id)
        .where("state", "=", "redacting")
        .execute();
    } else {
      // A copy that failed could leak: it is not kept, and the document goes back to review with what was found.
      await trx
        .updateTable("disclosureDocuments")
        .set({
          state: "review",
          failure: "Checking the redacted copy found a problem, so it was not kept. See what was found below, change the redactions, and redact again.",
          redactionProblems: sealWorkingText(await workingKeyOf(services, row.orgId, row.caseId), { table: "disclosureDocuments", column: "redactionProblems", rowId: row.id }, JSON.stringify(problems)),
          changedAt: now,
        })
        .where("orgId", "=", row.orgId)
        .where("id", "=", row.id)
        .where("state", "=", "redacting")
        .execute();
    }
  });
});

export const DISCLOSURE_JOBS: Readonly<Record<string, JobHandler>> = {
  "disclosure-read": readDocument,
  "disclosure-redact": redactDocument,
};
