import { randomUUID } from "node:crypto";
import { sha256 } from "../../cases/attachments.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { openFileFor, sealFileFor } from "../../platform/encryption/keyring.ts";
import type { Services } from "../../platform/services.ts";
import { openWorkingBytes, sealWorkingBytes, workingKeyOf } from "./working-keys.ts";

/**
 * A disclosure document's files in the file store: the original as given (under the document's
 * own id), the normalised PDF, the text as read (pages, OCR words and their boxes, as JSON), and
 * the redacted copy. The first three are working data, sealed under the case's working key and
 * gone for good when it is destroyed; the redacted copy goes to the requester and stays with the
 * case, sealed under the organisation's key. The row keeps each one's id and the hash of its
 * sealed bytes, so a damaged or swapped file is refused rather than shown.
 */
export type DocumentFile = "original" | "pdf" | "text" | "redacted";

export const documentPlace = (organisationId: string, documentId: string, column: string) => ({
  organisationId,
  table: "disclosureDocuments" as const,
  column,
  rowId: documentId,
});

type FileServices = Pick<Services, "keyring" | "files" | "config">;

/** A document as its files need it: its organisation, its case (whose working key seals them) and its own id. */
export interface DocumentKey {
  orgId: string;
  caseId: string;
  id: string;
}

/** Seals and writes one of a document's files; returns its id and hash for the row. Written before the commit: a file whose row never commits is swept later. */
export async function storeDocumentFile(trx: Tx, services: FileServices, document: DocumentKey, which: DocumentFile, bytes: Uint8Array): Promise<{ fileId: string; sha256: string }> {
  const fileId = which === "original" ? document.id : randomUUID();
  const sealed =
    which === "redacted"
      ? await sealFileFor(trx, services.keyring, documentPlace(document.orgId, document.id, which), Buffer.from(bytes))
      : sealWorkingBytes(await workingKeyOf(services, document.orgId, document.caseId, { create: true }), { table: "disclosureDocuments", column: which, rowId: document.id }, bytes);
  await services.files.put({ organisationId: document.orgId, id: fileId }, sealed);
  return { fileId, sha256: sha256(sealed) };
}

/** Reads one of a document's files back, checking it is the one the row recorded. Throws WorkingDataGone once the case's working data is purged. */
export async function readDocumentFile(trx: Tx, services: FileServices, document: DocumentKey, which: DocumentFile, fileId: string | null, expectedSha256: string | null): Promise<Buffer> {
  if (!fileId || !expectedSha256) {
    throw new Error(`Document ${document.id} has no ${which} file`);
  }
  const sealed = await services.files.get({ organisationId: document.orgId, id: fileId });
  if (!sealed || sha256(sealed) !== expectedSha256) {
    throw new Error(`The ${which} file of document ${document.id} is missing or damaged in the file store`);
  }
  return which === "redacted"
    ? openFileFor(trx, services.keyring, documentPlace(document.orgId, document.id, which), sealed)
    : openWorkingBytes(await workingKeyOf(services, document.orgId, document.caseId), { table: "disclosureDocuments", column: which, rowId: document.id }, sealed);
}
