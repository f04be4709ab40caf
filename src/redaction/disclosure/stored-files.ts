import { randomUUID } from "node:crypto";
import { sha256 } from "../../cases/attachments.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { openFileFor, sealFileFor } from "../../platform/encryption/keyring.ts";
import type { Services } from "../../platform/services.ts";

/**
 * A disclosure document's files, each sealed under its organisation's key in the file store: the
 * original as given (under the document's own id), the normalised PDF, the text as read (pages,
 * OCR words and their boxes, as JSON), and the redacted copy. The row keeps each one's id and the
 * hash of its sealed bytes, so a damaged or swapped file is refused rather than shown.
 */
export type DocumentFile = "original" | "pdf" | "text" | "redacted";

export const documentPlace = (organisationId: string, documentId: string, column: string) => ({
  organisationId,
  table: "disclosureDocuments" as const,
  column,
  rowId: documentId,
});

type FileServices = Pick<Services, "keyring" | "files">;

/** Seals and writes one of a document's files; returns its id and hash for the row. Written before the commit: a file whose row never commits is swept later. */
export async function storeDocumentFile(trx: Tx, services: FileServices, organisationId: string, documentId: string, which: DocumentFile, bytes: Uint8Array): Promise<{ fileId: string; sha256: string }> {
  const fileId = which === "original" ? documentId : randomUUID();
  const sealed = await sealFileFor(trx, services.keyring, documentPlace(organisationId, documentId, which), Buffer.from(bytes));
  await services.files.put({ organisationId, id: fileId }, sealed);
  return { fileId, sha256: sha256(sealed) };
}

/** Reads one of a document's files back, checking it is the one the row recorded. */
export async function readDocumentFile(trx: Tx, services: FileServices, organisationId: string, documentId: string, which: DocumentFile, fileId: string | null, expectedSha256: string | null): Promise<Buffer> {
  if (!fileId || !expectedSha256) {
    throw new Error(`Document ${documentId} has no ${which} file yet`);
  }
  const sealed = await services.files.get({ organisationId, id: fileId });
  if (!sealed || sha256(sealed) !== expectedSha256) {
    throw new Error(`The ${which} file of document ${documentId} is missing or damaged in the file store`);
  }
  return openFileFor(trx, services.keyring, documentPlace(organisationId, documentId, which), sealed);
}
