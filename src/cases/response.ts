import { daysBetween, formatDate } from "../calendar/dates.ts";

/** How a response reached the requester. */
export const RESPONSE_CHANNELS = [
  { id: "email", name: "By email" },
  { id: "post", name: "By post" },
  { id: "by-hand", name: "By hand" },
  { id: "collected", name: "Collected from the school" },
  { id: "portal", name: "Through a secure online portal or download" },
] as const;

export type ResponseChannel = (typeof RESPONSE_CHANNELS)[number]["id"];

/** An outcome with no response to send: the requester withdrew (or the advice was no longer needed). */
export function needsResponse(type: string, outcome: string): boolean {
  return type !== "breach" && outcome !== "withdrawn";
}

export type Timeliness = "on-time" | "late" | "not-applicable" | "not-recorded";

export const TIMELINESS_NAMES: Record<Timeliness, string> = {
  "on-time": "On time",
  late: "Late",
  "not-applicable": "Not applicable",
  "not-recorded": "Not recorded",
};

/** What timeliness needs to know about a case, as stored. */
export interface TimelinessFacts {
  type: string;
  outcome: string | null;
  closedAt: Date | null;
  receivedOn: string;
  /** For a breach, the London day its 72 hours end. */
  dueOn: string | null;
  icoReportedOn: string | null;
  responseSentOn: string | null;
}

/**
 * Whether a closed case was answered on time, against the deadline in force when it closed (the
 * one computeDeadline worked out, with its clock stops and extensions, stored as due_on): on time
 * if the response went on or before the due date. A breach has no response to a requester: what
 * runs against its 72 hours is the report to the ICO, so a reported breach is on time if the
 * report went by then (on the day the 72 hours end, at the latest), and one not reported is not applicable. An open case has none yet (null).
 */
export function timelinessOf(facts: TimelinessFacts): Timeliness | null {
  if (facts.type === "breach") {
    // The report is recorded as a day, so a report on the day the 72 hours end counts as on time.
    if (facts.icoReportedOn && facts.dueOn) {
      return facts.icoReportedOn <= facts.dueOn ? "on-time" : "late";
    }
    return facts.closedAt ? "not-applicable" : null;
  }
  if (!facts.closedAt || !facts.outcome) {
    return null;
  }
  if (!needsResponse(facts.type, facts.outcome)) {
    return "not-applicable";
  }
  if (!facts.responseSentOn || !facts.dueOn) {
    return "not-recorded";
  }
  return facts.responseSentOn <= facts.dueOn ? "on-time" : "late";
}

/** Calendar days from receipt to the response going out (0 when sent the day it came). */
export function daysToRespond(facts: Pick<TimelinessFacts, "receivedOn" | "responseSentOn">): number | null {
  return facts.responseSentOn ? daysBetween(facts.receivedOn, facts.responseSentOn) : null;
}

/** What the list and the case page say about a closed case's response. */
export interface ResponseSummary {
  sentOn: string | null;
  channelName: string | null;
  timeliness: Timeliness | null;
  timelinessName: string | null;
  text: string | null;
}

export function responseSummaryOf(facts: TimelinessFacts & { responseChannel: string | null }): ResponseSummary {
  const timeliness = timelinessOf(facts);
  const channelName = RESPONSE_CHANNELS.find((channel) => channel.id === facts.responseChannel)?.name ?? null;
  let text: string | null = null;
  if (facts.responseSentOn) {
    text = `Sent ${formatDate(facts.responseSentOn)}${channelName ? `, ${channelName.charAt(0).toLowerCase()}${channelName.slice(1)}` : ""}`;
  } else if (timeliness === "not-recorded") {
    text = "Date sent not recorded";
  }
  return { sentOn: facts.responseSentOn, channelName, timeliness, timelinessName: timeliness ? TIMELINESS_NAMES[timeliness] : null, text };
}

/** The close form's "how was it sent" radios, keeping what was typed when the form comes back with an error. */
export function responseChannelItems(values: Record<string, string | undefined>) {
  return RESPONSE_CHANNELS.map((channel) => ({ value: channel.id, text: channel.name, checked: values["responseChannel"] === channel.id }));
}
