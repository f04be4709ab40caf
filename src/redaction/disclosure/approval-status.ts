import { createHash } from "node:crypto";
import type { Context } from "../../accounts/actor.ts";
import { CaseFormError, peopleNames } from "../../cases/cases.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";

/**
 * Whether the bundle as it stands has a second person's approval, when the organisation asks for
 * one (approval.ts gives it). The approval is of that exact bundle: a fingerprint of its
 * documents' redacted copies, so a document added, removed or redacted again needs a new one.
 */
export interface ApprovalStatus {
  required: boolean;
  /** The approval that holds for the bundle as it is now, if any. */
  approvedBy: string | null;
  approvedAt: Date | null;
}

/** What the bundle is made of now: its documents and their redacted copies, in order. */
export async function bundleFingerprint(trx: Tx, organisationId: string, caseId: string): Promise<string> {
  const rows = await trx
    .selectFrom("disclosureDocuments")
    .select(["id", "state", "redactedSha256"])
    .where("orgId", "=", organisationId)
    .where("caseId", "=", caseId)
    .where("purpose", "=", "disclosure")
    .where("removedAt", "is", null)
    .orderBy("id")
    .execute();
  return createHash("sha256")
    .update(rows.map((row) => `${row.id}:${row.state}:${row.redactedSha256 ?? ""}`).join("\n"))
    .digest("hex");
}

export async function approvalStatus(trx: Tx, ctx: Context, found: { orgId: string; caseId?: string; id: string }): Promise<ApprovalStatus> {
  const caseId = found.caseId ?? found.id;
  const organisation = await trx.selectFrom("organisations").select("disclosureApprovalRequired").where("id", "=", found.orgId).executeTakeFirstOrThrow();
  const fingerprint = await bundleFingerprint(trx, found.orgId, caseId);
  const approval = await trx
    .selectFrom("disclosureApprovals")
    .select(["approvedBy", "approvedAt"])
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", caseId)
    .where("fingerprint", "=", fingerprint)
    .orderBy("approvedAt", "desc")
    .executeTakeFirst();
  const names = approval ? await peopleNames(trx, ctx, [approval.approvedBy]) : new Map<string, string>();
  return {
    required: organisation.disclosureApprovalRequired,
    approvedBy: approval ? (names.get(approval.approvedBy) ?? "Someone who has left") : null,
    approvedAt: approval ? new Date(approval.approvedAt) : null,
  };
}

/** Refuses the bundle's release (or a redacted copy's: the bundle's pieces) when the organisation asks for a second person's approval and the bundle as it is has none. `found` is the case, or a document of it. */
export async function ensureApproved(trx: Tx, ctx: Context, found: { orgId: string; caseId?: string; id: string }): Promise<void> {
  const status = await approvalStatus(trx, ctx, found);
  if (status.required && !status.approvedBy) {
    throw new CaseFormError({ bundle: "Your organisation asks for a second person to approve the bundle before it is released. Ask someone who did not review the documents to approve it." });
  }
}

