import type { MultipartFile } from "@fastify/multipart";
import type { FastifyReply } from "fastify";

/** The largest file any form takes: the parser keeps no more of it than this, and the form says it was too large. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Files arrive as multipart forms: one file, small fields, read into memory within the limit,
 * each field a plain string so the CSRF check and readForm see what they always see. Only the
 * routes marked `acceptsFiles` are ever sent one (the onRequest hook refuses the rest unread).
 * A file past the limit is cut short and marked `tooLarge` rather than failing the request, so
 * its form can come back with the error on the file field; the rest of it is read and dropped.
 */
export const multipartOptions = {
  attachFieldsToBody: "keyValues" as const,
  throwFileSizeLimit: false,
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, fieldSize: 10_000, parts: 6, headerPairs: 100 },
  onFile: async (part: MultipartFile) => {
    const bytes = await part.toBuffer();
    (part as unknown as { value: unknown }).value = { filename: part.filename, bytes, ...(part.file.truncated ? { tooLarge: true } : {}) };
  },
};

export interface UploadedFile {
  filename: string;
  /** Cut short at MAX_UPLOAD_BYTES when tooLarge. */
  bytes: Buffer;
  /** The file was larger than MAX_UPLOAD_BYTES: refuse it. */
  tooLarge?: true;
}

/** The one file a form sent as `file`, with nothing beside it but the CSRF token; otherwise undefined. */
export function uploadedFile(body: unknown): UploadedFile | undefined {
  const { _csrf: _token, file, ...rest } = (body ?? {}) as Record<string, unknown>;
  const upload = file as { filename?: unknown; bytes?: unknown; tooLarge?: unknown } | undefined;
  if (Object.keys(rest).length > 0 || !upload || typeof upload.filename !== "string" || !Buffer.isBuffer(upload.bytes)) {
    return undefined;
  }
  return { filename: upload.filename, bytes: upload.bytes, ...(upload.tooLarge === true ? { tooLarge: true as const } : {}) };
}

/** Sends a file to be downloaded, never shown: its type, an attachment disposition with a safe name, and no caching. */
export function sendDownload(reply: FastifyReply, contentType: string, filename: string, body: string | Buffer): FastifyReply {
  return reply.type(contentType).header("content-disposition", downloadDisposition(filename)).header("cache-control", "no-store").send(body);
}

/** Content-Disposition for a download: always an attachment, the name safe in any browser (RFC 6266, 5987). */
export function downloadDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
