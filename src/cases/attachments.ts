import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { openBytesFor, openFor, sealFor } from "../platform/encryption/keyring.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import { MAX_UPLOAD_BYTES } from "../platform/http/files.ts";
import { addEvent, auditOfCase, authoriseReading, CaseFormError, findVisibleCase } from "./cases.ts";
import { stripJpegMetadata, stripPngMetadata } from "./image-metadata.ts";

/** The largest file a case takes, and all of an organisation's attachments together. */
export const MAX_ATTACHMENT_BYTES = MAX_UPLOAD_BYTES;
export const ORGANISATION_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

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

const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/**
 * Checks a file is what its name says and safe to keep; returns its type and the bytes to keep
 * (an image without its metadata), or a message for the person.
 */
export function checkAttachment(filename: string, bytes: Buffer): { ok: true; type: FileType; bytes: Buffer } | { ok: false; message: string } {
  const extension = filename.toLowerCase().split(".").pop() ?? "";
  if (bytes.length === 0) {
    return { ok: false, message: "The selected file is empty" };
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    return { ok: false, message: "The selected file must be smaller than 10 MB" };
  }
  if (!ALLOWED_EXTENSIONS.includes(extension)) {
    return { ok: false, message: "The selected file must be a PDF, Word, Excel, PNG, JPEG, text, CSV or email file" };
  }
  // A scanner stands here in production; the industry's test string shows the gate is shut.
  if (bytes.includes(EICAR)) {
    return { ok: false, message: "The selected file looks like malware and was not saved" };
  }
  const type: FileType = extension === "jpeg" ? "jpg" : (extension as FileType);
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  const matches: Record<FileType, () => boolean> = {
    pdf: () => bytes.subarray(0, 5).toString("latin1") === "%PDF-",
    png: () => starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    jpg: () => starts(0xff, 0xd8, 0xff),
    docx: () => officeFileHas(bytes, "word/"),
    xlsx: () => officeFileHas(bytes, "xl/"),
    txt: () => isText(bytes),
    csv: () => isText(bytes),
    eml: () => isText(bytes),
  };
  if (!matches[type]()) {
    return { ok: false, message: `The selected file is not really a ${FILE_TYPES[type].name} file` };
  }
  if (type === "png" || type === "jpg") {
    const stripped = type === "png" ? stripPngMetadata(bytes) : stripJpegMetadata(bytes);
    return stripped.ok ? { ok: true, type, bytes: stripped.bytes } : stripped;
  }
  return { ok: true, type, bytes };
}

function isText(bytes: Buffer): boolean {
  return !bytes.includes(0) && Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}

/**
 * An Office file is a ZIP. Read its central directory without unpacking anything: refuse too many
 * entries, a declared unpacked size out of all proportion (a zip bomb), paths that climb out
 * (`../`) or start at the root, and symbolic links.
 */
export function officeFileHas(bytes: Buffer, folder: string): boolean {
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
  let unpacked = 0;
  let hasFolder = false;
  for (let index = 0; index < entries; index += 1) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) {
      return false;
    }
    const madeBy = bytes.readUInt16LE(offset + 4) >> 8;
    unpacked += bytes.readUInt32LE(offset + 24);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const externalAttributes = bytes.readUInt32LE(offset + 38);
    const name = bytes.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const isSymlink = madeBy === 3 && ((externalAttributes >>> 16) & 0o170000) === 0o120000;
    if (name.startsWith("/") || name.includes("\\") || name.split("/").includes("..") || isSymlink) {
      return false;
    }
    hasFolder ||= name.startsWith(folder);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return hasFolder && unpacked <= 200 * 1024 * 1024;
}

export function contentTypeOf(type: string): string {
  return FILE_TYPES[type as FileType]?.contentType ?? "application/octet-stream";
}

const attachmentPlace = (organisationId: string, attachmentId: string, column: "filename" | "content") => ({
  organisationId,
  table: "caseAttachments" as const,
  column,
  rowId: attachmentId,
});

/** Keeps the user's filename only as data: no path, no control characters, not too long. */
export function cleanFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(-150);
  return clean.length === 0 || clean === "." || clean === ".." ? "attachment" : clean;
}

/** Attaches a checked file to a case the actor can see, sealed under the organisation's key. */
export async function attachFile(ctx: Context, caseId: string, upload: { filename: string; bytes: Buffer }): Promise<string> {
  authorise(ctx.actor, "cases:log");
  const filename = cleanFilename(upload.filename);
  const check = checkAttachment(filename, upload.bytes);
  if (!check.ok) {
    throw new CaseFormError({ file: check.message });
  }
  const id = randomUUID();
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const found = await findVisibleCase(trx, ctx, caseId);
    const used = await trx
      .selectFrom("caseAttachments")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("sizeBytes"), eb.lit(0)).as("total"))
      .where("orgId", "=", found.orgId)
      .executeTakeFirstOrThrow();
    if (Number(used.total) + check.bytes.length > ORGANISATION_QUOTA_BYTES) {
      throw badRequest("Your organisation has used all its space for attachments. Ask Steward’s support to raise it.");
    }
    await trx
      .insertInto("caseAttachments")
      .values({
        orgId: found.orgId,
        id,
        caseId,
        filename: await sealFor(trx, ctx.services.keyring, attachmentPlace(found.orgId, id, "filename"), filename),
        fileType: check.type,
        sizeBytes: check.bytes.length,
        content: await sealFor(trx, ctx.services.keyring, attachmentPlace(found.orgId, id, "content"), check.bytes),
        uploadedBy: ctx.actor.userId,
        uploadedAt: now,
      })
      .execute();
    await addEvent(trx, ctx, found.orgId, caseId, "attachment", `Attached ${filename}`);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "case.attach", caseId));
  });
  return id;
}

/** Opens an attachment of a case the actor can see. Every download is audited. */
export async function openAttachment(ctx: Context, caseId: string, attachmentId: string): Promise<{ filename: string; contentType: string; bytes: Buffer }> {
  authoriseReading(ctx.actor);
  if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) {
    throw notFound();
  }
  return inActorScope(ctx, async (trx) => {
    const found = await findVisibleCase(trx, ctx, caseId);
    const row = await trx
      .selectFrom("caseAttachments")
      .select(["orgId", "id", "filename", "fileType", "content"])
      .where("orgId", "=", found.orgId)
      .where("caseId", "=", found.id)
      .where("id", "=", attachmentId)
      .executeTakeFirst();
    if (!row) {
      throw notFound();
    }
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "case.attachment-download", caseId));
    return {
      filename: await openFor(trx, ctx.services.keyring, attachmentPlace(row.orgId, row.id, "filename"), row.filename),
      contentType: contentTypeOf(row.fileType),
      bytes: await openBytesFor(trx, ctx.services.keyring, attachmentPlace(row.orgId, row.id, "content"), row.content),
    };
  });
}
