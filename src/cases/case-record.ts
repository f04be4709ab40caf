import { inActorScope, type Context } from "../accounts/actor.ts";
import { recordView } from "../audit/audit.ts";
import { countdownTo } from "../calendar/deadlines.ts";
import { openFor } from "../platform/encryption/keyring.ts";
import { deadlineOf } from "./case-deadlines.ts";
import { auditOfCase, authoriseReading, findVisibleCase, openCaseColumns, peopleNames, summaryOf, type BreachReport, type CaseEvent, type CaseRecord } from "./cases.ts";
import { assessedDecision, RIGHTS } from "./workflows.ts";

/** One case in full: details, deadline with its rule, clock stops, timeline and attachments. Audited. */
/** `afterOwnChange`: the page is where the person's own change sent them back (see recordView). */
export async function getCase(ctx: Context, caseId: string, { afterOwnChange = false }: { afterOwnChange?: boolean } = {}): Promise<CaseRecord> {
  authoriseReading(ctx.actor);
  return inActorScope(ctx, async (trx) => {
    const row = await findVisibleCase(trx, ctx, caseId);
    const opened = await openCaseColumns(trx, ctx, row.orgId, row.id, row);
    const { deadline, stops } = await deadlineOf(trx, row);
    const events = await trx
      .selectFrom("caseEvents")
      .select(["id", "at", "actorUserId", "kind", "detail"])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", row.id)
      .orderBy("seq")
      .execute();
    const names = await peopleNames(trx, ctx, [row.assigneeId, row.createdBy, ...events.map((event) => event.actorUserId)]);
    const timeline: CaseEvent[] = [];
    for (const event of events) {
      timeline.push({
        at: event.at,
        // Nobody at the school: the requester's own doing (their form, message or file), or Steward's.
        actorName: event.actorUserId ? (names.get(event.actorUserId) ?? "Someone at the trust") : event.kind.startsWith("requester-") ? "The requester" : "Steward",
        kind: event.kind,
        detail: event.detail ? await openFor(trx, ctx.services.keyring, { organisationId: row.orgId, table: "caseEvents", column: "detail", rowId: event.id }, event.detail) : null,
      });
    }
    const attachmentRows = await trx
      .selectFrom("caseAttachments")
      .select(["id", "filename", "fileType", "sizeBytes", "uploadedAt"])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", row.id)
      .where("removedAt", "is", null)
      .orderBy("uploadedAt")
      .execute();
    const attachments = [];
    for (const attachment of attachmentRows) {
      attachments.push({
        ...attachment,
        filename: await openFor(trx, ctx.services.keyring, { organisationId: row.orgId, table: "caseAttachments", column: "filename", rowId: attachment.id }, attachment.filename),
      });
    }
    await recordView(trx, { ...auditOfCase(ctx, row.orgId, "case.view", row.id), recordId: row.id }, { afterOwnChange });
    const now = ctx.services.clock.now();
    const summary = summaryOf(row, names, now, opened.requesterName);
    const breachReport = opened.breachReport ? (JSON.parse(opened.breachReport) as BreachReport) : null;
    const decision = assessedDecision(row);
    return {
      ...summary,
      countdown: deadline.due && !row.closedAt && !row.responseSentOn ? countdownTo(deadline.due, now) : null,
      rightAsked: row.rightAsked,
      rightAskedName: RIGHTS.find((right) => right.id === row.rightAsked)?.name ?? null,
      channel: row.channel,
      requesterContact: opened.requesterContact,
      subjectKind: row.subjectKind,
      subjectName: opened.subjectName,
      summary: opened.summary,
      createdBy: row.createdBy,
      createdByName: row.createdBy ? (names.get(row.createdBy) ?? "Someone at the trust") : "The requester, through the school’s request page",
      deadline,
      stops,
      openStop: stops.find((stop) => stop.to === null) ?? null,
      extended: row.extended,
      extensionReason: opened.extensionReason,
      requesterToldOn: row.requesterToldOn,
      extendedTo: row.extendedTo,
      breach: breachReport && decision ? { ...breachReport, ...decision } : null,
      icoReportedOn: row.icoReportedOn,
      peopleToldOn: row.peopleToldOn,
      outcomeDetail: opened.outcomeDetail,
      responseChannel: row.responseChannel,
      events: timeline,
      attachments,
    };
  });
}
