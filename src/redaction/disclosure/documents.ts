import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import type { CaseType } from "../../calendar/deadlines.ts";
import { ALLOWED_EXTENSIONS, checkAttachment, cleanFilename, isText, looksLikeMalware, MALWARE, MAX_ATTACHMENT_BYTES, officeFileHas, openAttachment, TOO_LARGE } from "../../cases/attachments.ts";
import { addEvent, auditOfCase, casePlace, CaseFormError, findVisibleCase, type CaseRow } from "../../cases/cases.ts";
import { ensureRoomFor } from "../../cases/storage.ts";
import { londonDateOf } from "../../calendar/dates.ts";
import { clearLostWorkingData, disclosurePurgeDateOf } from "./purge.ts";
import { DISCLOSING_CASE_TYPES } from "../../cases/workflows.ts";
import type { DisclosureDocumentTable } from "../../platform/database/schema.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { openFor } from "../../platform/encryption/keyring.ts";
import { notFound } from "../../platform/errors.ts";
import { enqueueJob } from "../../platform/jobs/jobs.ts";
import type { Services } from "../../platform/services.ts";
import { PART_NAMES, PERSON_PARTS, type KnownPerson, type PersonPart } from "../detection/people.ts";
import { readDocumentFile, storeDocumentFile } from "./stored-files.ts";
import { openWorkingText, sealWorkingText, WorkingDataGone, workingKeyOf } from "./working-keys.ts";
import { UnreadableError } from "../../platform/encryption/envelope.ts";
import { capitalise } from "../../platform/forms.ts";
import { ensureApproved } from "./approval-status.ts";


/** The parts whose mentions are kept unless the DPO decides otherwise: it is the requester's own information. */
export const KEPT_PARTS: ReadonlySet<PersonPart> = new Set(["data-subject", "requester"]);

export type Purpose = "disclosure" | "working";
export const PURPOSES: readonly { id: Purpose; name: string; hint: string }[] = [
  { id: "disclosure", name: "For disclosure", hint: "Read, redacted after your review, and sent to the requester in the bundle" },
  { id: "working", name: "Working file", hint: "Kept with the case for the team's use; never sent to the requester" },
];

export const DOCUMENT_STATE_NAMES: Record<DisclosureDocumentTable["state"], string> = {
  reading: "Being read",
  failed: "Could not be read",
  review: "To review",
  redacting: "Being redacted",
  redacted: "Redacted",
  working: "Working file",
  purged: "Working files deleted",
};

/** What Steward reads for redaction, beyond what a case attachment may be: older Word, OpenDocument, RTF and TIFF scans. */
const READ_ONLY_HERE: Record<string, { name: string; matches: (bytes: Buffer) => boolean | Promise<boolean> }> = {
  doc: { name: "Word 97–2003", matches: (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) },
  odt: { name: "OpenDocument text", matches: (bytes) => officeFileHas(bytes, "content.xml") },
  rtf: { name: "RTF", matches: (bytes) => bytes.subarray(0, 5).toString("latin1") === "{\\rtf" && isText(bytes) },
  tif: { name: "TIFF image", matches: (bytes) => ["49492a00", "4d4d002a"].includes(bytes.subarray(0, 4).toString("hex")) },
};

/**
 * Checks a file for the disclosure area: a working file may be anything a case attachment may be;
 * one for disclosure must also be something Steward can read (not a spreadsheet yet).
 */
export async function checkDisclosureFile(filename: string, bytes: Buffer, purpose: Purpose): Promise<{ ok: true; type: string; bytes: Buffer } | { ok: false; message: string }> {
  const given = filename.toLowerCase().split(".").pop() ?? "";
  const extension = given === "tiff" ? "tif" : given;
  if (purpose === "disclosure" && extension === "xlsx") {
    return { ok: false, message: "Steward cannot read Excel workbooks for redaction yet: save the sheet as CSV or PDF, or add it as a working file" };
  }
  if (ALLOWED_EXTENSIONS.includes(extension) || purpose === "working") {
    return checkAttachment(filename, bytes);
  }
  const type = READ_ONLY_HERE[extension];
  if (!type) {
    return { ok: false, message: "The selected file must be a PDF, Word (.docx, .doc), OpenDocument (.odt), RTF, email (.eml), image (JPEG, PNG, TIFF), text or CSV file" };
  }
  if (bytes.length === 0) {
    return { ok: false, message: "The selected file is empty" };
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    return { ok: false, message: TOO_LARGE };
  }
  if (looksLikeMalware(bytes)) {
    return { ok: false, message: MALWARE };
  }
  if (!(await type.matches(bytes))) {
    return { ok: false, message: `The selected file is not really a ${type.name} file` };
  }
  return { ok: true, type: extension, bytes };
}

/** A case whose answer discloses documents, visible to the actor; 404 otherwise (a breach has no disclosure area). */
export async function findDisclosingCase(trx: Tx, ctx: Context, caseId: string): Promise<CaseRow & { organisationName: string }> {
  const found = await findVisibleCase(trx, ctx, caseId);
  if (!DISCLOSING_CASE_TYPES.includes(found.type as CaseType)) {
    throw notFound();
  }
  // Working data whose key is not on this server is cleared (and said so), not a failure on every page.
  await clearLostWorkingData(trx, ctx.services, found.orgId, found.id);
  return found;
}

/** What each kind of document is called where its file name is not shown (the bundle; after the purge). */
export const DOCUMENT_KINDS: Record<string, string> = {
  pdf: "PDF document", docx: "Word document", doc: "Word document", odt: "document", rtf: "document", eml: "email",
  jpg: "image", png: "image", tif: "scanned image", txt: "text file", csv: "table (CSV)", xlsx: "spreadsheet",
};

/** The case's working key, or undefined once it is gone (purged, or not on this server). */
export async function workingKeyIfAny(services: Pick<Services, "config" | "keyring">, organisationId: string, caseId: string): Promise<Buffer | undefined> {
  try {
    return await workingKeyOf(services, organisationId, caseId);
  } catch (error) {
    if (error instanceof WorkingDataGone) {
      return undefined;
    }
    throw error;
  }
}

/**
 * A document's file name, which may name people ("Tobiah incident.docx"): working data, sealed
 * under the case's working key, so it goes with the rest 30 days after the case closes. After
 * that (or without the key) the document is called by its kind.
 */
export function documentNameOf(key: Buffer | undefined, row: { id: string; filename: string; fileType: string; purgedAt: Date | string | null }): string {
  if (key && !row.purgedAt) {
    try {
      return openWorkingText(key, { table: "disclosureDocuments", column: "filename", rowId: row.id }, row.filename);
    } catch (error) {
      if (!(error instanceof UnreadableError)) {
        throw error;
      }
    }
  }
  return capitalise(DOCUMENT_KINDS[row.fileType] ?? "document");
}

/** A closed case's disclosure stays as it was (and its working data goes 30 days on): reopen the case to change it. */
export function refuseIfClosed(found: { closedAt: Date | string | null }, field: string): void {
  if (found.closedAt) {
    throw new CaseFormError({ [field]: "The case is closed. Reopen it to change its disclosure." });
  }
}

/** A document of a case the actor can see; 404 for anything else, however it is asked for. */
export async function findDocument(trx: Tx, ctx: Context, caseId: string, documentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) {
    throw notFound();
  }
  const found = await findDisclosingCase(trx, ctx, caseId);
  const row = await trx
    .selectFrom("disclosureDocuments")
    .selectAll()
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", found.id)
    .where("id", "=", documentId)
    .where("removedAt", "is", null)
    .executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return { case: found, row, filename: documentNameOf(await workingKeyIfAny(ctx.services, row.orgId, row.caseId), row) };
}

/**
 * Adds a file to the disclosure area, sealed as attachments are and counted in the licence's
 * storage. One for disclosure is read at once, off the request (converted to PDF, scans OCR'd,
 * personal data suggested for removal); a working file is only kept.
 */
export async function addDocument(
  ctx: Context,
  caseId: string,
  upload: { filename: string; bytes: Buffer; tooLarge?: true },
  purpose: Purpose,
  from: { attachmentId?: string } = {},
): Promise<string> {
  authorise(ctx.actor, "cases:manage");
  return addUploadedDocument(
    ctx,
    upload,
    purpose,
    async (trx) => {
      const found = await findDisclosingCase(trx, ctx, caseId);
      refuseIfClosed(found, "file");
      return { organisationId: found.orgId, caseId, fromAttachmentId: from.attachmentId ?? null };
    },
    (type) => `Added a document (${DOCUMENT_KINDS[type] ?? "document"}) to the disclosure area${purpose === "working" ? " as a working file" : ""}`,
  );
}

/**
 * The one way an upload becomes a document (the DPO's, or an assignee's into a search task):
 * checked first; then, in one transaction, `place` finds where it goes (refusing what may not be
 * added there), the licence's room is checked, and the document is written, put on the timeline
 * (`event`, which never quotes a file name: the timeline outlives the working data, and a name may
 * name someone) and audited. Its sealed original is removed again if the transaction does not commit.
 */
export async function addUploadedDocument(
  ctx: Context,
  upload: { filename: string; bytes: Buffer; tooLarge?: true },
  purpose: Purpose,
  place: (trx: Tx) => Promise<{ organisationId: string; caseId: string; fromAttachmentId?: string | null; taskId?: string }>,
  event: (type: string) => string,
): Promise<string> {
  const filename = cleanFilename(upload.filename);
  const check = upload.tooLarge ? { ok: false as const, message: TOO_LARGE } : await checkDisclosureFile(filename, upload.bytes, purpose);
  if (!check.ok) {
    throw new CaseFormError({ file: check.message });
  }
  const id = randomUUID();
  let written: { organisationId: string; id: string } | undefined;
  try {
    await inActorScope(ctx, async (trx) => {
      const { organisationId, caseId, ...from } = await place(trx);
      await ensureRoomFor(trx, ctx.services, organisationId, check.bytes.length);
      written = { organisationId, id };
      await insertDocument(trx, ctx.services, { organisationId, caseId, id, filename, type: check.type, bytes: check.bytes, purpose, addedBy: ctx.actor.userId, ...from });
      await addEvent(trx, ctx, organisationId, caseId, "disclosure", event(check.type));
      await recordAudit(trx, auditOfCase(ctx, organisationId, "disclosure.add", caseId));
    });
  } catch (error) {
    // The transaction did not commit: its sealed original must not stay behind.
    if (written) {
      await ctx.services.files.remove(written);
    }
    throw error;
  }
  return id;
}

/** Writes a document's row and its sealed original, and asks for it to be read (a document for disclosure). Also how an email's attachments arrive. */
export async function insertDocument(
  trx: Tx,
  services: Services,
  document: { organisationId: string; caseId: string; id: string; filename: string; type: string; bytes: Uint8Array; purpose: Purpose; addedBy: string; fromAttachmentId?: string | null; fromDocumentId?: string | null; taskId?: string | null },
): Promise<void> {
  const now = services.clock.now();
  const original = await storeDocumentFile(trx, services, { orgId: document.organisationId, caseId: document.caseId, id: document.id }, "original", document.bytes);
  await trx
    .insertInto("disclosureDocuments")
    .values({
      orgId: document.organisationId,
      id: document.id,
      caseId: document.caseId,
      filename: sealWorkingText(await workingKeyOf(services, document.organisationId, document.caseId, { create: true }), { table: "disclosureDocuments", column: "filename", rowId: document.id }, document.filename),
      fileType: document.type,
      sizeBytes: document.bytes.length,
      originalSha256: original.sha256,
      purpose: document.purpose,
      fromDocumentId: document.fromDocumentId ?? null,
      fromAttachmentId: document.fromAttachmentId ?? null,
      taskId: document.taskId ?? null,
      state: document.purpose === "disclosure" ? "reading" : "working",
      failure: null,
      pageCount: null,
      pdfFileId: null,
      pdfSha256: null,
      textFileId: null,
      textSha256: null,
      redactedFileId: null,
      redactedSha256: null,
      redactionProblems: null,
      addedBy: document.addedBy,
      addedAt: now,
      changedAt: now,
      removedAt: null,
      removedBy: null,
      removalReason: null,
    })
    .execute();
  if (document.purpose === "disclosure") {
    await enqueueJob(trx, services, { organisationId: document.organisationId, kind: "disclosure-read", payload: { documentId: document.id } });
  }
}

/** Copies one of the case's attachments into the disclosure area (the attachment stays on the case). Its download is audited as any is. */
export async function addAttachmentToDisclosure(ctx: Context, caseId: string, attachmentId: string, purpose: Purpose): Promise<string> {
  authorise(ctx.actor, "cases:manage");
  const file = await openAttachment(ctx, caseId, attachmentId);
  return addDocument(ctx, caseId, { filename: file.filename, bytes: file.bytes }, purpose, { attachmentId });
}

export interface DisclosureDocument {
  id: string;
  filename: string;
  fileType: string;
  sizeBytes: number;
  purpose: Purpose;
  state: DisclosureDocumentTable["state"];
  stateName: string;
  failure: string | null;
  pageCount: number | null;
  fromEmail: string | null;
  pending: number;
  removals: number;
  /** An email's attachments not added as documents of their own. */
  skippedAttachments: number;
  /** Its working data is gone (30 days after the case closed): only a redacted copy, if any, is left. */
  purged: boolean;
}

export interface RequestPerson extends KnownPerson {
  id: string | null;
  partName: string;
  /** From the case's own details (the requester, the data subject): changed there, not here. */
  fromCase: boolean;
}

/**
 * The people the request concerns: the requester and the data subject from the case's details,
 * then those the DPO listed. Detection finds every mention of each; the data subject's and the
 * requester's own are kept by default, everyone else's suggested for removal.
 */
export async function peopleOfRequest(trx: Tx, services: Pick<Services, "keyring" | "config">, found: CaseRow): Promise<RequestPerson[]> {
  const open = (column: string, value: string | null) => (value ? openFor(trx, services.keyring, casePlace(found.orgId, found.id, column), value) : Promise.resolve(null));
  const requesterName = await open("requesterName", found.requesterName);
  const subjectName = await open("subjectName", found.subjectName);
  const people: RequestPerson[] = [];
  const add = (name: string | null, part: PersonPart, id: string | null, fromCase: boolean) => {
    if (name && name.trim()) {
      people.push({ id, name: name.trim(), part, partName: PART_NAMES[part], fromCase });
    }
  };
  add(requesterName, found.subjectKind === "requester" ? "data-subject" : "requester", null, true);
  add(subjectName, "data-subject", null, true);
  const listed = await trx.selectFrom("disclosurePeople").select(["id", "name", "part"]).where("orgId", "=", found.orgId).where("caseId", "=", found.id).orderBy("addedAt").orderBy("id").execute();
  if (listed.length > 0) {
    // Listed names are working data, under the case's working key (gone with it 30 days after the case closes).
    const key = await workingKeyOf(services, found.orgId, found.id);
    for (const person of listed) {
      add(openWorkingText(key, { table: "disclosurePeople", column: "name", rowId: person.id }, person.name), person.part as PersonPart, person.id, false);
    }
  }
  return people;
}


/**
 * A document whose work no job will finish (its worker died on the last attempt, so the queue gave
 * the job up) would wait for ever: it is failed with the job's reason, or put back to review, so
 * the DPO can remove it or redact again. Changes `rows` in place to match.
 */
async function releaseAbandoned(trx: Tx, services: Services, organisationId: string, rows: { id: string; state: DisclosureDocumentTable["state"]; failure: string | null }[]): Promise<void> {
  const busy = rows.filter((row) => row.state === "reading" || row.state === "redacting");
  if (busy.length === 0) {
    return;
  }
  const jobs = await trx
    .selectFrom("jobs")
    .select(["state", "lastError", sql<string>`payload->>'documentId'`.as("documentId")])
    .where("orgId", "=", organisationId)
    .where("kind", "in", ["disclosure-read", "disclosure-redact"])
    .orderBy("createdAt")
    .where(
      sql<string>`payload->>'documentId'`,
      "in",
      busy.map((row) => row.id),
    )
    .execute();
  for (const row of busy) {
    const own = jobs.filter((job) => job.documentId === row.id);
    if (own.some((job) => job.state === "waiting" || job.state === "running")) {
      continue;
    }
    const failure = own.findLast((job) => job.state === "failed")?.lastError ?? "Steward stopped working on this document part-way. Remove it and add it again.";
    row.state = row.state === "reading" ? "failed" : "review";
    row.failure = failure;
    await trx.updateTable("disclosureDocuments").set({ state: row.state, failure, changedAt: services.clock.now() }).where("orgId", "=", organisationId).where("id", "=", row.id).execute();
  }
}

export interface DisclosureArea {
  caseId: string;
  documents: DisclosureDocument[];
  people: RequestPerson[];
  attachments: { id: string; filename: string }[];
  /** How many documents are being read or redacted: while any are, the page looks again every few seconds. */
  working: number;
  /** Every document for disclosure is redacted (and there is at least one): the bundle can be made. */
  bundleReady: boolean;
  /** For a closed case: the day its working data goes (or went), as an ISO date. */
  purgeOn: string | null;
  closed: boolean;
}

export async function disclosureArea(ctx: Context, caseId: string): Promise<DisclosureArea> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    const rows = await trx
      .selectFrom("disclosureDocuments")
      .select(["id", "filename", "fileType", "sizeBytes", "purpose", "state", "failure", "pageCount", "fromDocumentId", "purgedAt", "skippedAttachments"])
      .where("orgId", "=", found.orgId)
      .where("caseId", "=", found.id)
      .where("removedAt", "is", null)
      .orderBy("addedAt")
      .orderBy("id")
      .execute();
    await releaseAbandoned(trx, ctx.services, found.orgId, rows);
    const counts = rows.length
      ? await trx
          .selectFrom("disclosureRedactions")
          .select(["documentId", "decision", (eb) => eb.fn.countAll<number>().as("count")])
          .where("orgId", "=", found.orgId)
          .where(
            "documentId",
            "in",
            rows.map((row) => row.id),
          )
          .groupBy(["documentId", "decision"])
          .execute()
      : [];
    const countOf = (documentId: string, decision: string) => Number(counts.find((count) => count.documentId === documentId && count.decision === decision)?.count ?? 0);
    const key = await workingKeyIfAny(ctx.services, found.orgId, found.id);
    const names = new Map(rows.map((row) => [row.id, documentNameOf(key, row)]));
    const documents = rows.map((row) => ({
      id: row.id,
      filename: names.get(row.id)!,
      fileType: row.fileType,
      sizeBytes: Number(row.sizeBytes),
      purpose: row.purpose,
      state: row.state,
      stateName: DOCUMENT_STATE_NAMES[row.state],
      failure: row.failure,
      pageCount: row.pageCount,
      fromEmail: row.fromDocumentId ? (names.get(row.fromDocumentId) ?? null) : null,
      pending: countOf(row.id, "pending"),
      removals: countOf(row.id, "remove"),
      purged: row.purgedAt !== null,
      skippedAttachments: row.skippedAttachments,
    }));
    const attachmentRows = await trx
      .selectFrom("caseAttachments")
      .select(["id", "filename"])
      .where("orgId", "=", found.orgId)
      .where("caseId", "=", found.id)
      .where("removedAt", "is", null)
      // A requester's proof of identity is for checking who they are, never for the bundle.
      .where((eb) => eb.or([eb("purpose", "is", null), eb("purpose", "!=", "identity")]))
      .orderBy("uploadedAt")
      .execute();
    const attachments = [];
    for (const attachment of attachmentRows) {
      attachments.push({ id: attachment.id, filename: await openFor(trx, ctx.services.keyring, { organisationId: found.orgId, table: "caseAttachments", column: "filename", rowId: attachment.id }, attachment.filename) });
    }
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.view", caseId));
    const forDisclosure = documents.filter((document) => document.purpose === "disclosure");
    return {
      caseId,
      documents,
      people: await peopleOfRequest(trx, ctx.services, found),
      attachments,
      working: documents.filter((document) => document.state === "reading" || document.state === "redacting").length,
      bundleReady: forDisclosure.length > 0 && forDisclosure.every((document) => document.state === "redacted"),
      purgeOn: found.closedAt ? londonDateOf(disclosurePurgeDateOf(new Date(found.closedAt))) : null,
      closed: found.closedAt !== null,
    };
  });
}

/**
 * The request's people changed: every document is looked through again for them. One under review
 * is read again; a redacted one goes back to review (its copy is dropped, to be made again, and
 * the file store's sweep removes it), since it may name the new person. One being read notices at
 * its end and reads again. While one is being redacted the list cannot change: its result would
 * not know the new person.
 */
async function detectAgain(trx: Tx, services: Services, found: CaseRow): Promise<void> {
  const documents = await trx
    .selectFrom("disclosureDocuments")
    .select(["id", "state"])
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", found.id)
    .where("removedAt", "is", null)
    // A purged document's working data is gone: it cannot be read again, and its redacted copy is the record of what was sent.
    .where("purgedAt", "is", null)
    .where("state", "in", ["review", "redacted", "redacting"])
    .forUpdate()
    .execute();
  if (documents.some((document) => document.state === "redacting")) {
    throw new CaseFormError({ name: "Steward is redacting a document. Wait until it has finished (this page says when), then change the list." });
  }
  for (const document of documents) {
    await trx
      .updateTable("disclosureDocuments")
      .set({ state: "reading", redactedFileId: null, redactedSha256: null, failure: null, changedAt: services.clock.now() })
      .where("orgId", "=", found.orgId)
      .where("id", "=", document.id)
      .execute();
    await enqueueJob(trx, services, { organisationId: found.orgId, kind: "disclosure-read", payload: { documentId: document.id } });
  }
}

/** What decides what detection looks for: the people and their parts. A read that began with other people reads again. */
export function peopleFingerprint(people: readonly KnownPerson[]): string {
  return JSON.stringify(people.map((person) => [person.name, person.part]));
}

/** The parts the DPO can list: the requester and the data subject come from the case's own details. */
export const LISTABLE_PARTS: readonly PersonPart[] = PERSON_PARTS.filter((part) => !KEPT_PARTS.has(part));

export async function addRequestPerson(ctx: Context, caseId: string, person: { name: string; part: PersonPart }): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  if (!LISTABLE_PARTS.includes(person.part)) {
    throw new CaseFormError({ part: "Select the person's part in the request" });
  }
  await inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    refuseIfClosed(found, "name");
    const id = randomUUID();
    await trx
      .insertInto("disclosurePeople")
      .values({
        orgId: found.orgId,
        id,
        caseId,
        name: sealWorkingText(await workingKeyOf(ctx.services, found.orgId, found.id, { create: true }), { table: "disclosurePeople", column: "name", rowId: id }, person.name),
        part: person.part,
        addedBy: ctx.actor.userId,
        addedAt: ctx.services.clock.now(),
      })
      .execute();
    await detectAgain(trx, ctx.services, found);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.person-add", caseId));
  });
}

export async function removeRequestPerson(ctx: Context, caseId: string, personId: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  if (!/^[0-9a-f-]{36}$/i.test(personId)) {
    throw notFound();
  }
  await inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    refuseIfClosed(found, "name");
    const removed = await trx.deleteFrom("disclosurePeople").where("orgId", "=", found.orgId).where("caseId", "=", found.id).where("id", "=", personId).executeTakeFirst();
    if (removed.numDeletedRows === 0n) {
      throw notFound();
    }
    await detectAgain(trx, ctx.services, found);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.person-remove", caseId));
  });
}

const CONTENT_TYPES: Record<string, string> = { pdf: "application/pdf" };

/** A document's original or its redacted copy, downloaded (never shown inline), and audited. */
export async function downloadDocument(ctx: Context, caseId: string, documentId: string, which: "original" | "redacted"): Promise<{ filename: string; contentType: string; bytes: Buffer }> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const { row, filename } = await findDocument(trx, ctx, caseId, documentId);
    if ((which === "redacted" && row.state !== "redacted") || (which === "original" && row.purgedAt)) {
      throw notFound();
    }
    if (which === "redacted" && row.purpose === "disclosure") {
      // A redacted copy is part of the bundle: where a second person must approve the bundle, its pieces wait for that too.
      await ensureApproved(trx, ctx, row);
    }
    const bytes =
      which === "original"
        ? await readDocumentFile(trx, ctx.services, row, "original", row.id, row.originalSha256)
        : await readDocumentFile(trx, ctx.services, row, "redacted", row.redactedFileId, row.redactedSha256);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.download", caseId));
    const base = filename.replace(/\.[^.]*$/, "");
    return which === "original"
      ? { filename, contentType: CONTENT_TYPES[row.fileType] ?? "application/octet-stream", bytes }
      : { filename: `${base} (redacted).pdf`, contentType: "application/pdf", bytes };
  });
}

/**
 * Removes a wrong document (and, for an email, its attachments) from the disclosure area, saying
 * why: its files and the review's marks go; the row, the timeline and the audit trail keep that it
 * was there, who removed it and why. The files are deleted once the removal has committed.
 */
export async function removeDocument(ctx: Context, caseId: string, documentId: string, reason: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  const files = await inActorScope(ctx, async (trx) => {
    const { case: found, row } = await findDocument(trx, ctx, caseId, documentId);
    refuseIfClosed(found, "removalReason");
    const rows = await trx
      .selectFrom("disclosureDocuments")
      .select(["id", "pdfFileId", "textFileId", "redactedFileId"])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", found.id)
      .where("removedAt", "is", null)
      .where((eb) => eb.or([eb("id", "=", row.id), eb("fromDocumentId", "=", row.id)]))
      .forUpdate()
      .execute();
    const ids = rows.map((candidate) => candidate.id);
    await trx.deleteFrom("disclosureRedactions").where("orgId", "=", row.orgId).where("documentId", "in", ids).execute();
    const now = ctx.services.clock.now();
    for (const id of ids) {
      await trx
        .updateTable("disclosureDocuments")
        .set({ removedAt: now, removedBy: ctx.actor.userId, removalReason: sealWorkingText(await workingKeyOf(ctx.services, row.orgId, row.caseId, { create: true }), { table: "disclosureDocuments", column: "removalReason", rowId: id }, reason), changedAt: now })
        .where("orgId", "=", row.orgId)
        .where("id", "=", id)
        .execute();
    }
    await addEvent(trx, ctx, row.orgId, found.id, "disclosure", `Removed a document (${DOCUMENT_KINDS[row.fileType] ?? "document"}) from the disclosure area${ids.length > 1 ? ` (with its ${ids.length - 1} attachment${ids.length > 2 ? "s" : ""})` : ""}; the reason is kept with it until the working files go`);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.remove", caseId));
    return rows.flatMap((candidate) => [candidate.id, candidate.pdfFileId, candidate.textFileId, candidate.redactedFileId]).filter((id): id is string => id !== null).map((id) => ({ organisationId: row.orgId, id }));
  });
  for (const file of files) {
    await ctx.services.files.remove(file);
  }
}

/** What the removal page shows of the document being removed. */
export async function documentToRemove(ctx: Context, caseId: string, documentId: string): Promise<{ id: string; filename: string; attachments: number }> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const { row, filename } = await findDocument(trx, ctx, caseId, documentId);
    const attachments = await trx.selectFrom("disclosureDocuments").select("id").where("orgId", "=", row.orgId).where("fromDocumentId", "=", row.id).where("removedAt", "is", null).execute();
    return { id: row.id, filename, attachments: attachments.length };
  });
}
