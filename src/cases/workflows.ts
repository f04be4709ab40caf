import type { Nation } from "../calendar/bank-holidays.ts";
import type { CaseType, StopReason } from "../calendar/deadlines.ts";

/**
 * Each case type's workflow: what it is called, how its reference starts, the stages it moves
 * through, how it may end, and which clock controls it has. One table, read by the forms, the
 * domain checks and the pages alike.
 */
export interface Workflow {
  type: CaseType;
  name: string;
  /** What a member of staff picks on the log form. */
  hint: string;
  prefix: string;
  statuses: readonly { id: string; name: string }[];
  outcomes: readonly { id: string; name: string; needsDetail?: string }[];
  stopReasons: readonly StopReason[];
  /** months: two further months; eir: to 40 working days; public-interest: to a date the DPO sets. */
  extension: "months" | "eir" | "public-interest" | null;
}

const RIGHTS_OUTCOMES = [
  { id: "complied", name: "Complied with in full" },
  { id: "complied-in-part", name: "Complied with in part", needsDetail: "Say which parts, and why not the rest" },
  { id: "refused", name: "Refused", needsDetail: "Give the reason or exemption relied on" },
  { id: "withdrawn", name: "Withdrawn by the requester" },
] as const;

const FOI_OUTCOMES = [
  { id: "provided", name: "Information provided in full" },
  { id: "provided-in-part", name: "Provided in part", needsDetail: "Name the exemptions or exceptions applied" },
  { id: "refused", name: "Refused", needsDetail: "Name the exemption, exception or reason (cost limit, vexatious)" },
  { id: "not-held", name: "Information not held" },
  { id: "withdrawn", name: "Withdrawn by the requester" },
] as const;

const FOI_STATUSES = [
  { id: "received", name: "Received" },
  { id: "searching", name: "Searching for the information" },
  { id: "considering", name: "Considering exemptions" },
  { id: "responded", name: "Responded" },
] as const;

export const WORKFLOWS: Record<CaseType, Workflow> = {
  sar: {
    type: "sar",
    name: "Subject access request",
    hint: "Someone asks for a copy of their own data, or a parent asks for their child’s",
    prefix: "SAR",
    statuses: [
      { id: "received", name: "Received" },
      { id: "identity-check", name: "Checking identity" },
      { id: "searching", name: "Searching for the data" },
      { id: "reviewing", name: "Reviewing and redacting" },
      { id: "responded", name: "Responded" },
    ],
    outcomes: [
      { id: "disclosed-in-full", name: "Disclosed in full" },
      { id: "disclosed-in-part", name: "Disclosed in part", needsDetail: "Name the exemptions applied" },
      { id: "refused", name: "Refused", needsDetail: "Give the exemption, or why the request is manifestly unfounded or excessive" },
      { id: "no-data-held", name: "No personal data held" },
      { id: "withdrawn", name: "Withdrawn by the requester" },
    ],
    stopReasons: ["identity", "fee", "clarification"],
    extension: "months",
  },
  rights: {
    type: "rights",
    name: "Other rights request",
    hint: "Correct, erase, restrict, object to or move someone’s data",
    prefix: "RR",
    statuses: [
      { id: "received", name: "Received" },
      { id: "identity-check", name: "Checking identity" },
      { id: "considering", name: "Considering the request" },
      { id: "responded", name: "Responded" },
    ],
    outcomes: RIGHTS_OUTCOMES,
    stopReasons: ["identity", "fee", "clarification"],
    extension: "months",
  },
  "educational-record": {
    type: "educational-record",
    name: "Educational record request",
    hint: "A parent asks to see or have a copy of their child’s educational record",
    prefix: "EDR",
    statuses: [
      { id: "received", name: "Received" },
      { id: "gathering", name: "Gathering the record" },
      { id: "reviewing", name: "Reviewing" },
      { id: "responded", name: "Made available" },
    ],
    outcomes: [
      { id: "made-available", name: "Made available in full" },
      { id: "made-available-in-part", name: "Made available in part", needsDetail: "Say what was withheld and why" },
      { id: "withdrawn", name: "Withdrawn by the parent" },
    ],
    stopReasons: [],
    extension: null,
  },
  foi: {
    type: "foi",
    name: "Freedom of information request",
    hint: "Anyone asks for recorded information the school holds",
    prefix: "FOI",
    statuses: FOI_STATUSES,
    outcomes: FOI_OUTCOMES,
    stopReasons: ["fee", "clarification"],
    extension: "public-interest",
  },
  "foi-school": {
    type: "foi-school",
    name: "Freedom of information request (school days)",
    hint: "An FOI request counted in school days: 20 school days or 60 working days, whichever is sooner",
    prefix: "FOI",
    statuses: FOI_STATUSES,
    outcomes: FOI_OUTCOMES,
    stopReasons: ["fee", "clarification"],
    extension: "public-interest",
  },
  eir: {
    type: "eir",
    name: "Environmental information request",
    hint: "A request for environmental information (buildings, energy, land); may be spoken",
    prefix: "EIR",
    statuses: FOI_STATUSES,
    outcomes: FOI_OUTCOMES,
    stopReasons: ["fee", "clarification"],
    extension: "eir",
  },
  "foi-scotland": {
    type: "foi-scotland",
    name: "Freedom of information request (Scotland)",
    hint: "An FOI request under the Freedom of Information (Scotland) Act 2002",
    prefix: "FOI",
    statuses: FOI_STATUSES,
    outcomes: FOI_OUTCOMES,
    stopReasons: ["fee", "clarification"],
    extension: null,
  },
  "eir-scotland": {
    type: "eir-scotland",
    name: "Environmental information request (Scotland)",
    hint: "A request for environmental information (buildings, energy, land) under the Environmental Information (Scotland) Regulations 2004; may be spoken",
    prefix: "EIR",
    statuses: FOI_STATUSES,
    outcomes: FOI_OUTCOMES,
    stopReasons: ["fee", "clarification"],
    extension: "eir",
  },
  breach: {
    type: "breach",
    name: "Personal data breach",
    hint: "Personal data lost, sent to the wrong person, stolen, changed or made unavailable",
    prefix: "BR",
    statuses: [
      { id: "received", name: "Logged" },
      { id: "containing", name: "Containing" },
      { id: "assessing", name: "Assessing the risk" },
      { id: "notifying", name: "Notifying" },
      { id: "reviewing", name: "Reviewing lessons" },
    ],
    outcomes: [
      { id: "reported", name: "Reported to the ICO" },
      { id: "not-reportable", name: "Not reported: unlikely to result in a risk to people", needsDetail: "Record why it was unlikely to result in a risk" },
      { id: "not-a-breach", name: "Not a personal data breach", needsDetail: "Record why" },
    ],
    stopReasons: [],
    extension: null,
  },
  complaint: {
    type: "complaint",
    name: "Data protection complaint",
    hint: "Someone complains about how the school has used their data",
    prefix: "CMP",
    statuses: [
      { id: "received", name: "Received" },
      { id: "acknowledged", name: "Acknowledged" },
      { id: "investigating", name: "Investigating" },
      { id: "responded", name: "Responded" },
    ],
    outcomes: [
      { id: "upheld", name: "Upheld" },
      { id: "partly-upheld", name: "Partly upheld" },
      { id: "not-upheld", name: "Not upheld" },
      { id: "withdrawn", name: "Withdrawn" },
    ],
    stopReasons: [],
    extension: null,
  },
  advice: {
    type: "advice",
    name: "Advice request to the DPO",
    hint: "A question for the data protection officer",
    prefix: "ADV",
    statuses: [
      { id: "received", name: "Received" },
      { id: "in-progress", name: "In progress" },
      { id: "answered", name: "Answered" },
    ],
    outcomes: [
      { id: "advice-given", name: "Advice given" },
      { id: "withdrawn", name: "No longer needed" },
    ],
    stopReasons: [],
    extension: null,
  },
};

/**
 * The types offered to an organisation: in Scotland FOISA and the Environmental Information
 * (Scotland) Regulations replace FOIA and the EIR; a maintained school (or a trust, which may log
 * for any school) is offered FOI counted in school days. The 15-school-day educational record right
 * belongs to maintained schools in England and to every school in Scotland (the Scottish
 * regulations name the education authority, the managers of a grant-aided school and the
 * proprietor of an independent one).
 */
export function typesOfferedTo(nation: Nation, schoolType: "maintained" | "academy" | "independent"): CaseType[] {
  const types: CaseType[] = ["sar", "rights"];
  if ((nation === "england" && schoolType === "maintained") || nation === "scotland") {
    types.push("educational-record");
  }
  if (nation === "scotland") {
    types.push("foi-scotland", "eir-scotland");
  } else if (schoolType !== "independent") {
    types.push("foi", "foi-school", "eir");
  }
  types.push("breach", "complaint", "advice");
  return types;
}

/** The rights an "other rights request" may use (UK GDPR Arts 16–18, 20, 21). */
export const RIGHTS = [
  { id: "rectification", name: "Rectification (correct the data)" },
  { id: "erasure", name: "Erasure (delete the data)" },
  { id: "restriction", name: "Restriction (stop using it for now)" },
  { id: "objection", name: "Objection (stop using it)" },
  { id: "portability", name: "Portability (a copy to take elsewhere)" },
] as const;

export const CHANNELS = [
  { id: "email", name: "Email" },
  { id: "letter", name: "Letter" },
  { id: "in-person", name: "In person" },
  { id: "phone", name: "Phone" },
  { id: "web-form", name: "Website form" },
  { id: "social-media", name: "Social media" },
  { id: "found-internally", name: "Found by staff" },
] as const;

/** The requests whose answer discloses documents (their case has a disclosure area): the data protection rights and freedom of information. */
export const DISCLOSING_CASE_TYPES: readonly CaseType[] = ["sar", "rights", "educational-record", "foi", "foi-school", "eir", "foi-scotland", "eir-scotland"];

/** How long after a case closes its disclosure's working data is kept (reopening within it keeps it): the product's privacy notice promises 30 days. */
export const DISCLOSURE_PURGE_DAYS = 30;

export const SUBJECT_KINDS = [
  { id: "requester", name: "The requester themselves" },
  { id: "pupil", name: "A pupil" },
  { id: "parent", name: "A parent or carer" },
  { id: "staff", name: "A member of staff" },
  { id: "other", name: "Someone else" },
] as const;

export const STOP_REASON_NAMES: Record<StopReason, string> = {
  identity: "Waiting for proof of identity",
  fee: "Waiting for a fee",
  clarification: "Waiting for clarification",
};

/** ICO breach self-assessment: likelihood × severity of harm to the people affected. */
export const LIKELIHOODS = [
  { id: "remote", name: "Remote" },
  { id: "possible", name: "Possible" },
  { id: "likely", name: "Likely" },
  { id: "very-likely", name: "Very likely" },
] as const;
export const SEVERITIES = [
  { id: "minimal", name: "Minimal" },
  { id: "significant", name: "Significant" },
  { id: "severe", name: "Severe" },
] as const;

export type Likelihood = (typeof LIKELIHOODS)[number]["id"];
export type Severity = (typeof SEVERITIES)[number]["id"];

/**
 * What the assessment says to do: the risk to people (not to the school), read from likelihood ×
 * severity. Report to the ICO unless the risk is low; tell the people affected when it is high.
 * Severity wins: severe harm lifts even a remote likelihood out of "low" (uk-rules.md §4.3).
 */
const RISK: Record<Likelihood, Record<Severity, "low" | "medium" | "high">> = {
  remote: { minimal: "low", significant: "low", severe: "medium" },
  possible: { minimal: "low", significant: "medium", severe: "high" },
  likely: { minimal: "medium", significant: "high", severe: "high" },
  "very-likely": { minimal: "medium", significant: "high", severe: "high" },
};

export function breachDecision(likelihood: Likelihood, severity: Severity): { risk: "low" | "medium" | "high"; reportToIco: boolean; tellPeople: boolean } {
  const risk = RISK[likelihood][severity];
  return { risk, reportToIco: risk !== "low", tellPeople: risk === "high" };
}

/** The decision a stored assessment gives, or undefined while the breach is not yet assessed. */
export function assessedDecision(row: { riskLikelihood: string | null; riskSeverity: string | null }): ReturnType<typeof breachDecision> | undefined {
  return row.riskLikelihood && row.riskSeverity ? breachDecision(row.riskLikelihood as Likelihood, row.riskSeverity as Severity) : undefined;
}

export function isOpenStatus(workflow: Workflow, status: string): boolean {
  return workflow.statuses.some((item) => item.id === status);
}

/**
 * Whether the log form asks whose personal data a case is about: not for information requests
 * (FOI, EIR and Scotland's), which are about recorded information, nor for advice.
 */
export function asksWhoseData(type: CaseType): boolean {
  return !["foi", "foi-school", "eir", "foi-scotland", "eir-scotland", "advice"].includes(type);
}
