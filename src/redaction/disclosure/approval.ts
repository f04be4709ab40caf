import { createHash, randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { addEvent, auditOfCase, CaseFormError, peopleNames } from "../../cases/cases.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { findDisclosingCase, refuseIfClosed } from "./documents.ts";

/**
 * A second pair of eyes before release, when the organisation asks for it: someone with the right
 * to manage cases who did not review the documents approves the bundle as it stands. The approval
 * is of that exact bundle (a fingerprint of its documents' redacted copies): a document added,
 * removed or redacted again afterwards, and it must be approved again.
 */
export interface ApprovalStatus {
  required: boolean;
  /** The approval that holds for the bundle as it is now, if any. */
  approvedBy: string | null;
  approvedAt: Date | null;
}

/** What the bundle is made of now: its documents and their redacted copies, in order. */
async function bundleFingerprint(trx: Tx, organisationId: string, caseId: string): Promise<string> {
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

export async function approvalStatus(trx: Tx, ctx: Context, found: { orgId: string; id: string }): Promise<ApprovalStatus> {
  const organisation = await trx.selectFrom("organisations").select("disclosureApprovalRequired").where("id", "=", found.orgId).executeTakeFirstOrThrow();
  const fingerprint = await bundleFingerprint(trx, found.orgId, found.id);
  const approval = await trx
    .selectFrom("disclosureApprovals")
    .select(["approvedBy", "approvedAt"])
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", found.id)
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

/** The case's approval, for its disclosure area's page. */
export async function bundleApproval(ctx: Context, caseId: string): Promise<ApprovalStatus> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => approvalStatus(trx, ctx, await findDisclosingCase(trx, ctx, caseId)));
}

/** Refuses the bundle's release when the organisation asks for a second person's approval and the bundle as it is has none. */
export async function ensureApproved(trx: Tx, ctx: Context, found: { orgId: string; id: string }): Promise<void> {
  const status = await approvalStatus(trx, ctx, found);
  if (status.required && !status.approvedBy) {
    throw new CaseFormError({ bundle: "Your organisation asks for a second person to approve the bundle before it is released. Ask someone who did not review the documents to approve it." });
  }
}

/** The approval of the bundle as it stands, by someone who decided nothing in its review. */
export async function approveBundle(ctx: Context, caseId: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  await inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    refuseIfClosed(found, "bundle");
    const documents = await trx
      .selectFrom("disclosureDocuments")
      .select(["id", "state", "addedBy"])
      .where("orgId", "=", found.orgId)
      .where("caseId", "=", found.id)
      .where("purpose", "=", "disclosure")
      .where("removedAt", "is", null)
      .forUpdate()
      .execute();
    if (documents.length === 0 || documents.some((document) => document.state !== "redacted")) {
      throw new CaseFormError({ bundle: "Every document for disclosure must be redacted before the bundle can be approved" });
    }
    const reviewed = await trx
      .selectFrom("disclosureRedactions")
      .select("id")
      .where("orgId", "=", found.orgId)
      .where(
        "documentId",
        "in",
        documents.map((document) => document.id),
      )
      .where("decidedBy", "=", ctx.actor.userId)
      .limit(1)
      .execute();
    if (reviewed.length > 0) {
      throw new CaseFormError({ bundle: "You made decisions in this review, so someone else must approve it" });
    }
    await trx
      .insertInto("disclosureApprovals")
      .values({ orgId: found.orgId, id: randomUUID(), caseId: found.id, approvedBy: ctx.actor.userId, approvedAt: ctx.services.clock.now(), fingerprint: await bundleFingerprint(trx, found.orgId, found.id) })
      .execute();
    await addEvent(trx, ctx, found.orgId, found.id, "disclosure", "Approved the disclosure bundle for release");
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.approve", caseId));
  });
}
