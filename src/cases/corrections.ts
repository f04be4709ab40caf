import type { Context } from "../accounts/actor.ts";
import { loadOrganisationCalendar } from "../calendar/calendar-store.ts";
import { formatDate, formatLondonDateTime } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { changeCase, CaseFormError, casePlace, sealCase, type CaseRecord } from "./cases.ts";
import type { CaseDetails } from "./cases.schema.ts";
import { checkCaseFacts, typeLoggedAs } from "./logging.ts";
import { openFor } from "../platform/encryption/keyring.ts";
import { asksWhoseData, CHANNELS, RIGHTS, typesOfferedTo, WORKFLOWS } from "./workflows.ts";

/**
 * Corrects what was recorded when a case was logged: its kind, the right asked for, when and how
 * it arrived, who asked, whose data it is and what was asked. The deadline is worked out again
 * from the corrected facts (changeCase does that); the timeline says what was corrected, and the
 * audit trail that someone did. The reference stays: it may already have been given out.
 */
export async function correctCaseDetails(ctx: Context, caseId: string, input: CaseDetails): Promise<void> {
  await changeCase(ctx, caseId, "case.correct", async (trx, row) => {
    const organisation = await trx.selectFrom("organisations").select("kind").where("id", "=", row.orgId).executeTakeFirstOrThrow();
    const calendar = await loadOrganisationCalendar(trx, row.orgId);
    const { type } = typeLoggedAs(input.type, organisation.kind, calendar);
    if (!typesOfferedTo(calendar.nation, calendar.schoolType).includes(type)) {
      throw new CaseFormError({ type: `${WORKFLOWS[type].name}s do not apply to this school` });
    }
    const workflow = WORKFLOWS[type];
    const changes: string[] = [];
    if (type !== row.type) {
      // Clock stops and an extension belong to the law of the kind they were made under.
      const stops = await trx.selectFrom("caseStops").select("reason").where("orgId", "=", row.orgId).where("caseId", "=", row.id).execute();
      if (stops.some((stop) => !workflow.stopReasons.includes(stop.reason))) {
        throw new CaseFormError({ type: `The clock of this case has been stopped in a way a ${workflow.name.toLowerCase()} does not allow. Log it afresh as a new case instead.` });
      }
      if (row.extended || row.extendedTo) {
        throw new CaseFormError({ type: "This case’s deadline has been extended under the rules of its kind. Log it afresh as a new case instead." });
      }
      changes.push(`the kind (was ${WORKFLOWS[row.type as CaseType].name}, now ${workflow.name})`);
    }
    // A time is kept only for a breach: for the rest, a day is what the law counts from.
    const receivedTime = type === "breach" ? input.receivedTime : undefined;
    const receivedAt = checkCaseFacts(ctx, { ...input, type, receivedTime });
    if (input.receivedOn !== row.receivedOn) {
      changes.push(`the date received (was ${formatDate(row.receivedOn)}, now ${formatDate(input.receivedOn)})`);
    } else if (type === "breach" && receivedAt.getTime() !== new Date(row.receivedAt).getTime()) {
      changes.push("the time the school became aware");
    }
    const rightAsked = type === "rights" ? (input.rightAsked ?? null) : null;
    if (rightAsked !== row.rightAsked && rightAsked) {
      changes.push(`the right asked for (now ${RIGHTS.find((right) => right.id === rightAsked)?.name ?? rightAsked})`);
    }
    const whose = asksWhoseData(type);
    if (input.channel !== row.channel) {
      changes.push(`how it arrived (now ${CHANNELS.find((channel) => channel.id === input.channel)?.name ?? input.channel})`);
    }
    const opened = async (column: "requesterName" | "requesterContact" | "subjectName" | "summary") => {
      const value = row[column];
      return value ? openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, column), value) : null;
    };
    const subjectKind = whose ? (input.subjectKind ?? "requester") : null;
    const subjectName = whose && subjectKind !== "requester" ? (input.subjectName ?? null) : null;
    // Names and what was asked are personal data: the timeline says which changed, not what to.
    const texts = [
      ["requesterName", input.requesterName, "the requester’s name"],
      ["requesterContact", input.requesterContact ?? null, "the contact details"],
      ["subjectName", subjectName, "the name of the person the data is about"],
      ["summary", input.summary, "what was asked for"],
    ] as const;
    // requesterName and summary are required by the form, so only the optional two can become null.
    const sealed: Partial<{ requesterName: string; requesterContact: string | null; subjectName: string | null; summary: string }> = {};
    for (const [column, value, words] of texts) {
      if (((await opened(column)) ?? null) !== value) {
        changes.push(words);
        Object.assign(sealed, { [column]: value === null ? null : await sealCase(trx, ctx, row.orgId, row.id, column, value) });
      }
    }
    if (subjectKind !== row.subjectKind && !changes.includes("the name of the person the data is about")) {
      changes.push("whose data it is about");
    }
    if (changes.length === 0) {
      return undefined;
    }
    const status = workflow.statuses.some((stage) => stage.id === row.status) ? row.status : workflow.statuses[0]!.id;
    await trx
      .updateTable("cases")
      .set({ type, rightAsked, receivedOn: input.receivedOn, receivedAt, channel: input.channel, subjectKind, status, ...sealed })
      .where("orgId", "=", row.orgId)
      .where("id", "=", row.id)
      .execute();
    return { event: "corrected", detail: `Corrected ${changes.join("; ")}. The deadline is worked out again.` };
  });
}

/** The details form's values as recorded now, for the correction page to start from. */
export function detailsFormValues(record: Pick<CaseRecord, "type" | "rightAsked" | "receivedOn" | "receivedAt" | "channel" | "subjectKind" | "requesterName" | "requesterContact" | "subjectName" | "summary">): Record<string, string> {
  return {
    type: record.type,
    rightAsked: record.rightAsked ?? "",
    receivedOn: record.receivedOn,
    receivedTime: record.type === "breach" ? formatLondonDateTime(new Date(record.receivedAt)).slice(11, 16) : "",
    channel: record.channel,
    requesterName: record.requesterName,
    requesterContact: record.requesterContact ?? "",
    subjectKind: record.subjectKind ?? "",
    subjectName: record.subjectName ?? "",
    summary: record.summary,
  };
}
