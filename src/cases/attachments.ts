import { createHash, randomUUID } from "node:crypto";
import { createInflateRaw } from "node:zlib";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { openBytesFor, openFileFor, openFor, sealFileFor, sealFor } from "../platform/encryption/keyring.ts";
import type { StoredFileKey } from "../platform/files/file-store.ts";
import { notFound } from "../platform/errors.ts";
import { MAX_UPLOAD_BYTES } from "../platform/http/files.ts";
import type { Services } from "../platform/services.ts";
import { addEvent, auditOfCase, authoriseReading, CaseFormError, findVisibleCase } from "./cases.ts";
import { ensureRoomFor } from "./storage.ts";
import { stripJpegMetadata, stripPngMetadata } from "./image-metadata.ts";

/** The largest file a case takes. What a licence's files may take in all is its own limit (storage.ts). */
export const MAX_ATTACHMENT_BYTES = MAX_UPLOAD_BYTES;
/** What an Office file may unpack to, counted as it is inflated, whatever its zip says. */
export const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;

/**
 * What may be attached: the documents a SAR or breach produces. Each is known by its first bytes,
 * which must agree with the name's extension; the type stored (and later sent) is ours, never the
 * browser's.
 */
const FILE_TYPES = {
  pdf: { contentType: "application/pdf", name: "PDF" },
  png: { contentType: "image/png", name: "PNG image" },
  jpg: { contentType: "image/jpeg", name: "JPEG image" },
  docx: { contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name: "Word document" },
  xlsx: { contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name: "Excel workbook" },
  txt: { contentType: "text/plain; charset=utf-8", name: "Text" },
  csv: { contentType: "text/csv; charset=utf-8", name: "CSV" },
  eml: { contentType: "message/rfc822", name: "Email" },
} as const;
export type FileType = keyof typeof FILE_TYPES;

export const ALLOWED_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "txt", "csv", "eml"];

export const TOO_LARGE = "The selected file must be smaller than 10 MB";

const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
export const MALWARE = "The selected file looks like malware and was not saved";

/** A scanner stands here in production; the industry's test string shows the gate is shut. */
export function looksLikeMalware(bytes: Buffer): boolean {
  return bytes.includes(EICAR);
}

/**
 * Checks a file is what its name says and safe to keep; returns its type and the bytes to keep
 * (an image without its metadata), or a message for the person.
 */
export async function checkAttachment(filename: string, bytes: Buffer): Promise<{ ok: true; type: FileType; bytes: Buffer } | { ok: false; message: string }> {
  const extension = filename.toLowerCase().split(".").pop() ?? "";
  if (bytes.length === 0) {
    return { ok: false, message: "The selected file is empty" };
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    return { ok: false, message: TOO_LARGE };
  }
  if (!ALLOWED_EXTENSIONS.includes(extension)) {
    return { ok: false, message: "The selected file must be a PDF, Word, Excel, PNG, JPEG, text, CSV or email file" };
  }
  if (looksLikeMalware(bytes)) {
    return { ok: false, message: MALWARE };
  }
  const type: FileType = extension === "jpeg" ? "jpg" : (extension as FileType);
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  const matches: Record<FileType, () => boolean | Promise<boolean>> = {
    pdf: () => bytes.subarray(0, 5).toString("latin1") === "%PDF-",
    png: () => starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    jpg: () => starts(0xff, 0xd8, 0xff),
    docx: () => officeFileHas(bytes, "word/"),
    xlsx: () => officeFileHas(bytes, "xl/"),
    txt: () => isText(bytes),
    csv: () => isText(bytes),
    eml: () => isText(bytes),
  };
  if (!(await matches[type]())) {
    return { ok: false, message: `The selected file is not really a ${FILE_TYPES[type].name} file` };
  }
  if (type === "png" || type === "jpg") {
    const stripped = type === "png" ? stripPngMetadata(bytes) : stripJpegMetadata(bytes);
    return stripped.ok ? { ok: true, type, bytes: stripped.bytes } : stripped;
  }
  return { ok: true, type, bytes };
}

export function isText(bytes: Buffer): boolean {
  return !bytes.includes(0) && Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}

/**
 * An Office file is a ZIP. Read its central directory, then inflate every entry and count what
 * comes out, never trusting the sizes the zip declares: refuse too many entries, more than
 * MAX_UNPACKED_BYTES unpacked (a zip bomb), an entry whose real size is not the one declared,
 * paths that climb out (`../`) or start at the root, and symbolic links.
 */
export async function officeFileHas(bytes: Buffer, folder: string): Promise<boolean> {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    return false;
  }
  const endOfDirectory = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0 || endOfDirectory + 22 > bytes.length) {
    return false;
  }
  const entries = bytes.readUInt16LE(endOfDirectory + 10);
  let offset = bytes.readUInt32LE(endOfDirectory + 16);
  if (entries > 2000) {
    return false;
  }
  const budget = { left: MAX_UNPACKED_BYTES };
  let hasFolder = false;
  for (let index = 0; index < entries; index += 1) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) {
      return false;
    }
    const madeBy = bytes.readUInt16LE(offset + 4) >> 8;
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const declaredSize = bytes.readUInt32LE(offset + 24);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const externalAttributes = bytes.readUInt32LE(offset + 38);
    const localHeader = bytes.readUInt32LE(offset + 42);
    const name = bytes.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const isSymlink = madeBy === 3 && ((externalAttributes >>> 16) & 0o170000) === 0o120000;
    if (name.startsWith("/") || name.includes("\\") || name.split("/").includes("..") || isSymlink) {
      return false;
    }
    if (localHeader + 30 > bytes.length || bytes.readUInt32LE(localHeader) !== 0x04034b50) {
      return false;
    }
    const dataStart = localHeader + 30 + bytes.readUInt16LE(localHeader + 26) + bytes.readUInt16LE(localHeader + 28);
    const data = bytes.subarray(dataStart, Math.min(bytes.length, dataStart + compressedSize));
    const unpacked = await unpackedSize(method, data, budget);
    if (unpacked === undefined || unpacked !== declaredSize) {
      return false;
    }
    hasFolder ||= name.startsWith(folder);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return hasFolder;
}

/**
 * The real size of one entry's data, inflated as a stream (native zlib, off the event loop, a
 * chunk at a time so a bomb never fills memory) and counted against what is left of the whole
 * file's budget; undefined past the budget, for a method Office does not use, or for data that
 * does not inflate.
 */
async function unpackedSize(method: number, data: Buffer, budget: { left: number }): Promise<number | undefined> {
  if (method === 0) {
    budget.left -= data.length;
    return budget.left < 0 ? undefined : data.length;
  }
  if (method !== 8) {
    return undefined;
  }
  const size = await new Promise<number | undefined>((resolve) => {
    let counted = 0;
    const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
    inflater.on("data", (chunk: Buffer) => {
      counted += chunk.length;
      if (counted > budget.left) {
        inflater.destroy();
        resolve(undefined);
      }
    });
    inflater.on("end", () => resolve(counted));
    inflater.on("error", () => resolve(undefined));
    inflater.end(data);
  });
  if (size !== undefined) {
    budget.left -= size;
  }
  return size;
}

export function contentTypeOf(type: string): string {
  return FILE_TYPES[type as FileType]?.contentType ?? "application/octet-stream";
}

const attachmentPlace = (organisationId: string, attachmentId: string, column: "filename" | "content" | "removalReason") => ({
  organisationId,
  table: "caseAttachments" as const,
  column,
  rowId: attachmentId,
});

/**
 * Keeps the user's filename only as data: no path, no control characters, no bidirectional
 * overrides or isolates (which make "evil\u202Efdp.exe" read as "evilexe.pdf"), not too long.
 */
export function cleanFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").trim().slice(-150);
  return clean.length === 0 || clean === "." || clean === ".." ? "attachment" : clean;
}

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * Attaches a checked file to a case the actor can see, if the licence and Steward have room. The
 * file is sealed under the organisation's key into the file store, not the database; the row
 * keeps its size and hash. The file is written last, before the commit, and removed again if the
 * transaction does not commit.
 */
export async function attachFile(ctx: Context, caseId: string, upload: { filename: string; bytes: Buffer; tooLarge?: true }): Promise<string> {
  authorise(ctx.actor, "cases:log");
  const checked = await checkUpload(upload);
  return withStoredFile(ctx.services, async (trx, keep) => {
    const found = await findVisibleCase(trx, ctx, caseId);
    const id = await storeAttachment(trx, ctx.services, { organisationId: found.orgId, caseId, uploadedBy: ctx.actor.userId }, checked, keep);
    await addEvent(trx, ctx, found.orgId, caseId, "attachment", `Attached ${checked.filename}`);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "case.attach", caseId));
    return id;
  }, [...ctx.actor.organisationIds]);
}

/** An upload checked as every attachment is (kind, size, malware signs), its name cleaned; or the form's error. */
export async function checkUpload(upload: { filename: string; bytes: Buffer; tooLarge?: true }): Promise<{ filename: string; type: FileType; bytes: Buffer }> {
  const filename = cleanFilename(upload.filename);
  const check = upload.tooLarge ? { ok: false as const, message: TOO_LARGE } : await checkAttachment(filename, upload.bytes);
  if (!check.ok) {
    throw new CaseFormError({ file: check.message });
  }
  return { filename, type: check.type, bytes: check.bytes };
}

type KeepFile = (key: StoredFileKey, sealed: Buffer) => Promise<void>;

/**
 * Runs `work` in a transaction of `organisationIds` in which files may be written (through
 * `keep`); a file written for a transaction that then fails is removed again.
 */
export async function withStoredFile<T>(services: Pick<Services, "database" | "files">, work: (trx: Tx, keep: KeepFile) => Promise<T>, organisationIds: readonly string[]): Promise<T> {
  const written: StoredFileKey[] = [];
  try {
    return await inScope(services.database.db, { organisationIds }, (trx) =>
      work(trx, async (key, sealed) => {
        written.push(key);
        await services.files.put(key, sealed);
      }),
    );
  } catch (error) {
    for (const key of written) {
      await services.files.remove(key);
    }
    throw error;
  }
}

/** Writes a checked file as a case's attachment, by a member of staff or (uploadedBy null) the requester. Returns its id. */
export async function storeAttachment(
  trx: Tx,
  services: Pick<Services, "clock" | "keyring" | "config" | "logger">,
  where: { organisationId: string; caseId: string; uploadedBy: string | null; purpose?: "identity" | "message"; messageId?: string },
  checked: { filename: string; type: FileType; bytes: Buffer },
  keep: KeepFile,
): Promise<string> {
  const id = randomUUID();
  await ensureRoomFor(trx, services, where.organisationId, checked.bytes.length);
  const sealed = await sealFileFor(trx, services.keyring, attachmentPlace(where.organisationId, id, "content"), checked.bytes);
  await trx
    .insertInto("caseAttachments")
    .values({
      orgId: where.organisationId,
      id,
      caseId: where.caseId,
      filename: await sealFor(trx, services.keyring, attachmentPlace(where.organisationId, id, "filename"), checked.filename),
      fileType: checked.type,
      sizeBytes: checked.bytes.length,
      content: null,
      contentSha256: sha256(sealed),
      uploadedBy: where.uploadedBy,
      uploadedAt: services.clock.now(),
      fromRequester: where.uploadedBy === null,
      purpose: where.purpose ?? null,
      messageId: where.messageId ?? null,
    })
    .execute();
  // Last, just before the commit: the file is removed again if the transaction fails.
  await keep({ organisationId: where.organisationId, id }, sealed);
  return id;
}

/** The attachment's row, if it is on a case the actor can see and has not been removed. */
async function visibleAttachment(trx: Tx, ctx: Context, caseId: string, attachmentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) {
    throw notFound();
  }
  const found = await findVisibleCase(trx, ctx, caseId);
  const row = await trx
    .selectFrom("caseAttachments")
    .select(["orgId", "id", "caseId", "filename", "fileType", "sizeBytes", "content", "contentSha256"])
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", found.id)
    .where("id", "=", attachmentId)
    .where("removedAt", "is", null)
    .executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return { ...row, filename: await openFor(trx, ctx.services.keyring, attachmentPlace(row.orgId, row.id, "filename"), row.filename) };
}

/** Opens an attachment of a case the actor can see. Every download is audited. */
export async function openAttachment(ctx: Context, caseId: string, attachmentId: string): Promise<{ filename: string; contentType: string; bytes: Buffer }> {
  authoriseReading(ctx.actor);
  return inActorScope(ctx, async (trx) => {
    const row = await visibleAttachment(trx, ctx, caseId, attachmentId);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "case.attachment-download", caseId));
    const place = attachmentPlace(row.orgId, row.id, "content");
    let bytes: Buffer;
    if (row.content !== null) {
      // Uploaded before the file store: sealed as text in the row.
      bytes = await openBytesFor(trx, ctx.services.keyring, place, row.content);
    } else {
      const sealed = await ctx.services.files.get({ organisationId: row.orgId, id: row.id });
      if (!sealed || sha256(sealed) !== row.contentSha256) {
        throw new Error(`Attachment ${row.id} is missing or damaged in the file store`);
      }
      bytes = await openFileFor(trx, ctx.services.keyring, place, sealed);
    }
    return { filename: row.filename, contentType: contentTypeOf(row.fileType), bytes };
  });
}

/** What the removal page shows of the file being removed. */
export async function attachmentToRemove(ctx: Context, caseId: string, attachmentId: string): Promise<{ id: string; filename: string; sizeBytes: number }> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const row = await visibleAttachment(trx, ctx, caseId, attachmentId);
    return { id: row.id, filename: row.filename, sizeBytes: row.sizeBytes };
  });
}

/**
 * Removes a wrong attachment, saying why: its bytes are deleted, while the row, the timeline and
 * the audit trail keep that there was such a file, who removed it, when and why. The stored file
 * goes once the removal has committed, so a failed removal never loses a file still listed.
 */
export async function removeAttachment(ctx: Context, caseId: string, attachmentId: string, reason: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  const removed = await inActorScope(ctx, async (trx) => {
    const row = await visibleAttachment(trx, ctx, caseId, attachmentId);
    await trx
      .updateTable("caseAttachments")
      .set({
        content: null,
        removedAt: ctx.services.clock.now(),
        removedBy: ctx.actor.userId,
        removalReason: await sealFor(trx, ctx.services.keyring, attachmentPlace(row.orgId, row.id, "removalReason"), reason),
      })
      .where("orgId", "=", row.orgId)
      .where("id", "=", row.id)
      .where("removedAt", "is", null)
      .execute();
    await addEvent(trx, ctx, row.orgId, caseId, "attachment-removed", `Removed ${row.filename}: ${reason}`);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "case.attachment-remove", caseId));
    return { organisationId: row.orgId, id: row.id };
  });
  await ctx.services.files.remove(removed);
}

/**
 * Housekeeping: removes stored files that no attachment, disclosure document or released response holds any more, written over an hour ago
 * (an upload whose transaction never committed, a removal whose delete failed after its commit).
 * Each organisation is read in its own scope, as the application reads it; an organisation this
 * database does not know (another database pointed at the same folder) keeps every file.
 */
export async function sweepStoredFiles(services: Pick<Services, "database" | "files" | "clock">): Promise<number> {
  const olderThan = new Date(services.clock.now().getTime() - 60 * 60_000);
  return services.files.sweep(olderThan, (organisationId, ids) =>
    inScope(services.database.db, { organisationIds: [organisationId] }, async (trx) => {
      const known = await trx.selectFrom("organisations").select("id").where("id", "=", organisationId).executeTakeFirst();
      if (!known) {
        return undefined;
      }
      const held = await trx.selectFrom("caseAttachments").select("id").where("orgId", "=", organisationId).where("id", "in", ids).where("removedAt", "is", null).execute();
      // A disclosure document holds up to four files: its original (under its own id), its PDF, its text as read, its redacted copy.
      const documents = await trx
        .selectFrom("disclosureDocuments")
        .select(["id", "pdfFileId", "textFileId", "redactedFileId", "purgedAt"])
        .where("orgId", "=", organisationId)
        .where("removedAt", "is", null)
        .where((eb) => eb.or([eb("id", "in", ids), eb("pdfFileId", "in", ids), eb("textFileId", "in", ids), eb("redactedFileId", "in", ids)]))
        .execute();
      // Once a closed case's working data is purged, only the redacted copy is held.
      const documentFiles = documents.flatMap((row) => (row.purgedAt ? [row.redactedFileId] : [row.id, row.pdfFileId, row.textFileId, row.redactedFileId])).filter((id): id is string => id !== null);
      // A response released to the requester is kept as the record of what was disclosed.
      const released = await trx.selectFrom("caseReleases").select("id").where("orgId", "=", organisationId).where("id", "in", ids).execute();
      return new Set([...held.map((row) => row.id), ...documentFiles, ...released.map((row) => row.id)]);
    }),
  );
}
