import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { addEvent, auditOfCase, CaseFormError } from "../../cases/cases.ts";
import { approvalStatus, bundleFingerprint, type ApprovalStatus } from "./approval-status.ts";
import { findDisclosingCase, refuseIfClosed } from "./documents.ts";

/**
 * A second pair of eyes before release, when the organisation asks for it: someone with the right
 * to manage cases who did not review the documents approves the bundle as it stands. The approval
 * is of that exact bundle (a fingerprint of its documents' redacted copies): a document added,
 * removed or redacted again afterwards, and it must be approved again.
 */

/** The case's approval, for its disclosure area's page. */
export async function bundleApproval(ctx: Context, caseId: string): Promise<ApprovalStatus> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => approvalStatus(trx, ctx, await findDisclosingCase(trx, ctx, caseId)));
}

/** The approval of the bundle as it stands, by someone who took no part in its review. */
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
    // Whoever took part in the review (decided a mark, redacted, listed or removed a person, removed a document)
    // is no second pair of eyes. The audit trail only grows, so it says so for certain, however decisions were later overwritten.
    const reviewed = await trx
      .selectFrom("auditEvents")
      .select("id")
      .where("orgId", "=", found.orgId)
      .where("recordId", "=", found.id)
      .where("actorUserId", "=", ctx.actor.userId)
      .where("action", "in", ["disclosure.decide", "disclosure.redact", "disclosure.person-add", "disclosure.person-remove", "disclosure.remove"])
      .limit(1)
      .execute();
    if (reviewed.length > 0) {
      throw new CaseFormError({ bundle: "You took part in this review, so someone else must approve it" });
    }
    await trx
      .insertInto("disclosureApprovals")
      .values({ orgId: found.orgId, id: randomUUID(), caseId: found.id, approvedBy: ctx.actor.userId, approvedAt: ctx.services.clock.now(), fingerprint: await bundleFingerprint(trx, found.orgId, found.id) })
      .execute();
    await addEvent(trx, ctx, found.orgId, found.id, "disclosure", "Approved the disclosure bundle for release");
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.approve", caseId));
  });
}
