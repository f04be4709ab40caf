/**
 * The letters a school sends about a request or complaint, and the small template language they are
 * written in. A template is plain text with {{fieldName}} placeholders and nothing else: no logic, no
 * loops, no HTML, nothing that can run. That keeps a letter the DPO edits safe to fill in, and makes
 * every letter readable as it will be sent. Escaping for a web page is the view's job, not this one's.
 *
 * Words in [square brackets] are for the DPO to replace: the decisions only they can make. The app
 * refuses to send a letter while any are left (see unfilledParts).
 *
 * The legal content follows /work/shared/reference/uk-rules.md (sections 1, 2, 3 and 10).
 */
import type { CaseType, StopReason } from "../calendar/deadlines.ts";

export type LetterKind =
  | "acknowledgement"
  | "identity-request"
  | "clarification-request"
  | "fee-request"
  | "extension"
  | "sar-response"
  | "refusal-unfounded-excessive"
  | "rights-response"
  | "foi-response"
  | "foi-refusal"
  | "complaint-acknowledgement"
  | "complaint-outcome";

/** Every field a letter may use, with what it holds (shown to the DPO beside the editor). */
export const MERGE_FIELDS = Object.freeze({
  requesterName: "The requester's name",
  reference: "The case reference",
  receivedOn: 'The date the request was received, in words, for example "3 February 2026"',
  dueOn: "The date the response is currently due, in words",
  extendedTo: "The new due date after an extension, in words",
  today: "The date of the letter, in words",
  organisationName: "The school or trust",
  organisationAddress: "The school or trust's postal address (may be several lines)",
  senderName: "The member of staff sending the letter",
  senderRole: 'Their role, for example "Data protection officer"',
  requesterPageLink: "The link to the requester's own page in Steward (printed in a posted letter too)",
  releaseDays: 'How many days the download stays available, for example "28"',
  requestSummary: "What was asked, as logged",
  infoRegulator: "Who an information request's requester complains to: the ICO, or in Scotland the Scottish Information Commissioner",
  dpoContact: "The data protection officer's name and contact details, from Registers, ICO registration and DPO (the school office's telephone if none is recorded)",
} as const);

export type MergeField = keyof typeof MERGE_FIELDS;

export interface LetterTemplate {
  kind: LetterKind;
  /** A short name for lists, e.g. "Acknowledgement". */
  name: string;
  /** One sentence: when to send it. */
  purpose: string;
  caseTypes: readonly CaseType[];
  subject: string;
  body: string;
  /** Plain sentences naming the parts of the wording that rest on unconfirmed facts; empty when none. */
  unverified: readonly string[];
  /** Sending it stops (or starts afresh) the case's clock for this reason. */
  stopsClock?: StopReason;
  /** Sending it is the response that decides whether the case was answered on time. */
  isResponse?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The template language
// ---------------------------------------------------------------------------------------------

/** Inside the braces: a bare name, with optional spaces either side. Anything else is refused. */
const BARE_NAME = /^ *([A-Za-z_][A-Za-z0-9_]*) *$/;

type Part = string | { field: MergeField };

/** An own-property check, so names inherited from Object (constructor, __proto__, toString) are unknown. */
function isMergeField(name: string): name is MergeField {
  return Object.hasOwn(MERGE_FIELDS, name);
}

/** A short, one-line excerpt of the text from `at`, to show the DPO where a problem is. */
function near(text: string, at: number): string {
  const excerpt = text.slice(at, at + 30).replace(/\s+/g, " ");
  return at + 30 < text.length ? `${excerpt}…` : excerpt;
}

/**
 * Splits a template into text and fields, collecting every problem on the way. checkTemplate and
 * renderTemplate both use it, so what is checked is exactly what is filled in.
 */
function parse(text: string): { parts: Part[]; problems: string[] } {
  const parts: Part[] = [];
  const problems: string[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("{{", at);
    const close = text.indexOf("}}", at);
    if (close !== -1 && (open === -1 || close < open)) {
      problems.push(`There is a "}}" with no "{{" before it, at "${near(text, close)}". Remove it, or add the opening "{{".`);
      parts.push(text.slice(at, close + 2));
      at = close + 2;
      continue;
    }
    if (open === -1) {
      parts.push(text.slice(at));
      break;
    }
    parts.push(text.slice(at, open));
    const end = text.indexOf("}}", open + 2);
    const nextOpen = text.indexOf("{{", open + 2);
    // A "{{" whose next brace pair is another "{{" was never closed: report it and read on from there.
    if (end === -1 || (nextOpen !== -1 && nextOpen < end)) {
      problems.push(`"${near(text, open)}" opens with "{{" but is not closed with "}}".`);
      parts.push("{{");
      at = open + 2;
      continue;
    }
    const inside = text.slice(open + 2, end);
    const name = BARE_NAME.exec(inside)?.[1];
    if (name === undefined) {
      problems.push(
        `"{{${inside}}}" is not allowed: between "{{" and "}}" put only a field name, such as {{requesterName}}. Letters cannot contain logic or code.`,
      );
    } else if (!isMergeField(name)) {
      problems.push(`{{${name}}} is not a field Steward knows: use one of ${Object.keys(MERGE_FIELDS).join(", ")}.`);
    } else {
      parts.push({ field: name });
    }
    at = end + 2;
  }
  return { parts, problems };
}

/** Plain-English problems with a template's placeholders; empty when it is fine to use. */
export function checkTemplate(text: string): string[] {
  return parse(text).problems;
}

/**
 * Fills in each placeholder with its value as plain text. Values are inserted once and never read
 * again, so a value that itself contains "{{reference}}" (or "<script>", or "$&") stays as typed.
 */
export function renderTemplate(text: string, values: Record<MergeField, string>): string {
  const { parts, problems } = parse(text);
  if (problems.length > 0) {
    throw new Error(`This letter cannot be filled in: ${problems.join(" ")}`);
  }
  return parts
    .map((part) => {
      if (typeof part === "string") {
        return part;
      }
      const value: unknown = Object.hasOwn(values, part.field) ? values[part.field] : undefined;
      // A missing value must stop the letter, not print "undefined" in it.
      if (typeof value !== "string") {
        throw new Error(`This letter cannot be filled in: there is no value for {{${part.field}}}.`);
      }
      return value;
    })
    .join("");
}

/**
 * Each [square-bracketed part] still in the text: words the DPO was to replace. A bracket in a
 * filled-in value (say "[sic]" in a summary) is listed too, which errs on the side of a second look.
 */
export function unfilledParts(text: string): string[] {
  return text.match(/\[[^[\]]*\]/g) ?? [];
}

// ---------------------------------------------------------------------------------------------
// The letters
// ---------------------------------------------------------------------------------------------

const SIGN_OFF = "Yours sincerely,\n\n{{senderName}}\n{{senderRole}}\n{{organisationName}}";

/** A letter: the greeting, its paragraphs and the sign-off, with a blank line between each. */
function letter(...paragraphs: string[]): string {
  return ["Dear {{requesterName}},", ...paragraphs, SIGN_OFF].join("\n\n");
}

const ICO = "the Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint or 0303 123 1113";

const FOI_TYPES: readonly CaseType[] = ["foi", "foi-school", "eir", "foi-scotland", "eir-scotland"];

// FOIA and the EIR (England, Wales, Northern Ireland) go to the ICO; FOISA and the Scottish EIR go to
// the Scottish Information Commissioner (reference 3.4): {{infoRegulator}} names the one for the case's law.
const FOI_REVIEW_AND_REGULATOR = [
  "If you are unhappy with how we have dealt with your request, you can ask us for an internal review. Please ask within 40 working days of the date of this letter, quoting {{reference}}. You can ask on your request page, {{requesterPageLink}}, or by writing to us.",
  "If you are still unhappy after the review, you can complain to {{infoRegulator}}.",
];

/** The regulator an information request's requester complains to, by the law the case runs under. */
export function infoRegulatorFor(type: CaseType): string {
  return type === "foi-scotland" || type === "eir-scotland"
    ? "the Scottish Information Commissioner. You must apply to them within six months"
    : ICO;
}

const FOI_REVIEW_UNVERIFIED =
  "The 40 working days for asking for a review is confirmed in Steward's legal reference only for Scotland. For the Freedom of Information Act 2000 and the Environmental Information Regulations 2004, check it against the ICO's guidance.";

const TEMPLATES: LetterTemplate[] = [
  {
    kind: "acknowledgement",
    name: "Acknowledgement",
    purpose: "Send when a request arrives, to confirm the date received, the reference and the date we will respond by.",
    // A complaint has its own acknowledgement: its due date is the date to acknowledge by, not to respond.
    caseTypes: ["sar", "rights", "educational-record", ...FOI_TYPES],
    subject: "We have received your request {{reference}}",
    body: letter(
      "Thank you for your request. We received it on {{receivedOn}} and its reference number is {{reference}}. Please quote this number if you contact us about it.",
      "We have recorded your request as: {{requestSummary}}\n\nIf we have misunderstood what you want, please tell us.",
      "We will respond as soon as we can, and by {{dueOn}} at the latest. This date can change, for example if we need to ask you for more detail about what you want or, if you asked for personal information, for proof of who you are. If it changes, we will tell you the new date and why.",
      "You can see how your request is going, and send us anything we ask for, on your request page: {{requesterPageLink}}",
    ),
    unverified: [],
  },
  {
    kind: "identity-request",
    name: "Request for proof of identity",
    purpose: "Send when you need proof of who the requester is (or of parental responsibility) before you can start: the time limit runs from the day it arrives.",
    caseTypes: ["sar", "rights"],
    subject: "Your request {{reference}}: we need proof of your identity",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. Before we can start work on it, we need to be sure who you are. This makes sure we give personal information only to someone entitled to it.",
      "Please send us:\n\n[List the proof of identity you need, for example a copy of a passport or driving licence. Ask only for what you need.]",
      "If you are asking for your child's information, we may also need proof that you have parental responsibility for them. The right to see the information belongs to your child, so if they are old enough to understand it, we may also ask for their agreement.",
      "We have one month to respond, and it starts on the day we receive what we have asked for.",
      "Please upload it on your request page: {{requesterPageLink}}\n\nIf you cannot do that, you can post copies to:\n\n{{organisationAddress}}\n\nPlease do not send original documents.",
    ),
    unverified: [],
    stopsClock: "identity",
  },
  {
    kind: "clarification-request",
    name: "Request for more information",
    purpose: "Send when you hold a large amount of information and reasonably need the requester to say more about what the request covers: the days until they reply do not count.",
    caseTypes: ["sar", "rights"],
    subject: "Your request {{reference}}: we need more information",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. We have recorded it as: {{requestSummary}}",
      "We hold a large amount of information that your request could cover. To find what it is about, we need more detail from you.",
      "Please tell us:\n\n[Say what information you need to find the data, for example the dates or the members of staff involved.]",
      "The days from {{today}}, when we asked, until the day we receive your reply do not count towards the time we have to respond.",
      "Please reply on your request page: {{requesterPageLink}}\n\nIf you cannot do that, you can write to us at:\n\n{{organisationAddress}}",
    ),
    unverified: [
      "The letter says the days from asking until the reply do not count. That follows the ICO's guidance and section 54 of the Data Protection Act 2018, which the new Article 12A of the UK GDPR is believed to mirror; that Article 12A's wording matches section 54 exactly is unconfirmed.",
    ],
    stopsClock: "clarification",
  },
  {
    kind: "fee-request",
    name: "Fee request",
    purpose: "Send only when a subject access request is manifestly unfounded or excessive, or asks for further copies, and you are charging a reasonable fee: the time limit runs from the day it is paid.",
    // Further copies are a subject access matter (Art 15(3)), so the fee letter is worded for a SAR.
    caseTypes: ["sar"],
    subject: "Your subject access request {{reference}}: fee",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. We have recorded it as: {{requestSummary}}",
      "We normally deal with subject access requests free of charge. The law lets us charge a reasonable fee, based on our administrative costs, only where a request is manifestly unfounded or excessive, or where someone asks for further copies of information.",
      "[Say why a fee applies: either why this request is manifestly unfounded or excessive, with the facts you rely on, or that it asks for further copies.]",
      "[Say the amount of the fee, how you worked it out from your administrative costs, and how to pay it.]",
      "We do not have to deal with your request until you pay. The one month we have to respond starts on the day we receive your payment.",
      `If you think we are wrong to ask for a fee, please tell us. You can also complain to ${ICO}.`,
    ),
    unverified: [],
    stopsClock: "fee",
  },
  {
    kind: "extension",
    name: "Extension",
    purpose: "Send within the first month when the request's complexity, or the number of requests, means you need up to two further months.",
    caseTypes: ["sar", "rights"],
    subject: "Your request {{reference}}: we need more time",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. Our response is due by {{dueOn}}, but we need more time.",
      "The law lets us take up to two further months where that is necessary because a request is complex, or because of the number of requests someone has made. We must tell you within the first month, and tell you why.",
      "We need more time because [say why the request is complex, or how the number of requests means you need longer].",
      "We will now respond by {{extendedTo}}. We will respond sooner if we can.",
      `If you are unhappy that we need more time, you can complain to ${ICO}.`,
    ),
    unverified: [],
  },
  {
    kind: "sar-response",
    name: "Subject access response",
    purpose: "Send when the copy is ready: it confirms what you hold, points to the download and gives the information and rights Article 15 requires.",
    // For an educational-record request this is worded as a subject access response (an academy's
    // parent request goes the SAR way; a maintained school runs both clocks, reference 2.3).
    caseTypes: ["sar", "educational-record"],
    subject: "Your subject access request {{reference}}: our response",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. We have made a reasonable and proportionate search for the information you asked for. We can confirm that we hold and use personal information about you (or about your child, if you asked on their behalf).",
      "Your copy of the information is ready on your request page: {{requesterPageLink}}\n\nYou can download it there for {{releaseDays}} days. To keep it safe, we have not sent it with this letter.",
      "[Say what information you have withheld or blacked out and why, for example because it is about other people, and the exemption you relied on. If you withheld nothing, say so.]",
      "The law says we must also tell you the following about the information we hold about you.\n\n" +
        "Why we use it: [the purposes, for example to educate and look after pupils]\n\n" +
        "What kinds of information we hold: [for example contact details, attendance, behaviour, assessment and special educational needs records]\n\n" +
        "Who we share it with: [for example the local authority and the Department for Education; say if any goes outside the UK, and how it is protected there]\n\n" +
        "How long we keep it: [the periods, or how we decide them]\n\n" +
        "Where we got it, if not from you: [for example from your child's previous school, or from other agencies; or say that it all came from you]\n\n" +
        "Automated decisions: [say whether any decision about you is made by a computer alone, including profiling; if so, how it works and what it means for you. Schools rarely do this: if you do not, say so]\n\n" +
        "Our privacy notice, on our website, says more about each of these.",
      "You have the right to ask us to correct information that is wrong, to delete it, or to restrict how we use it. You also have the right to object to how we use it.",
      "If you are unhappy with how we have dealt with your request, please tell us first, quoting {{reference}}, so that we can try to put it right. You can also contact our data protection officer: {{dpoContact}}.",
      `You have the right to complain to ${ICO}. You also have the right to seek a judicial remedy, which means taking your case to court.`,
    ),
    unverified: [
      "The paragraph asking the requester to tell the school first rests on an unconfirmed claim that a subject access response must mention the right to complain to the school. It does no harm to keep it: from 19 June 2026 the school must handle data protection complaints, and the ICO expects people to complain to the school first.",
    ],
    isResponse: true,
  },
  {
    kind: "refusal-unfounded-excessive",
    name: "Refusal: manifestly unfounded or excessive",
    purpose: "Send without undue delay, and within the time limit, when you refuse a request as manifestly unfounded or excessive.",
    caseTypes: ["sar", "rights"],
    subject: "Your request {{reference}}: our decision",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. We have recorded it as: {{requestSummary}}",
      "We have decided not to act on your request. The law lets us refuse a request that is manifestly unfounded or excessive (Article 12(5) of the UK GDPR), and we consider that yours is.",
      "[Say whether the request is manifestly unfounded or manifestly excessive, and why, with the facts you rely on. A request is not excessive just because it asks for a lot of information.]",
      `You have the right to complain to ${ICO}. You also have the right to seek a judicial remedy, which means taking your case to court.`,
    ),
    unverified: [],
    isResponse: true,
  },
  {
    kind: "rights-response",
    name: "Rights request response",
    purpose: "Send when you have decided a request to correct, erase, restrict or object: what you did, or why not.",
    caseTypes: ["rights"],
    subject: "Your request {{reference}}: our decision",
    body: letter(
      "Thank you for your request, which we received on {{receivedOn}}. We have recorded it as: {{requestSummary}}",
      "[Say what you have done: for example, which information you corrected or erased, or how you now restrict its use. If you have not done all that was asked, say which parts and why, with the reason the law allows.]",
      "If we have told anyone else the information, we will tell them what we have changed, unless that is impossible or would take disproportionate effort. You can ask us who they are.",
      `If you are not happy with our decision, you have the right to complain to ${ICO}. You also have the right to seek a judicial remedy, which means taking your case to court.`,
    ),
    unverified: [
      "The paragraph about telling others who received the information follows Article 19 of the UK GDPR, which the reference does not cover.",
    ],
    isResponse: true,
  },
  {
    kind: "foi-response",
    name: "Freedom of information response",
    purpose: "Send when you release all the information asked for.",
    caseTypes: FOI_TYPES,
    subject: "Your request for information {{reference}}",
    body: letter(
      "Thank you for your request for information, which we received on {{receivedOn}}. You asked for: {{requestSummary}}",
      "The information you asked for is on your request page: {{requesterPageLink}}\n\nYou can download it there for {{releaseDays}} days. If you asked us to send it by post, it is enclosed with this letter.",
      ...FOI_REVIEW_AND_REGULATOR,
    ),
    unverified: [FOI_REVIEW_UNVERIFIED],
    isResponse: true,
  },
  {
    kind: "foi-refusal",
    name: "Freedom of information refusal",
    purpose: "Send when you withhold some or all of the information (under the Freedom of Information Act 2000, the section 17 refusal notice), or do not hold it.",
    caseTypes: FOI_TYPES,
    subject: "Your request for information {{reference}}: our decision",
    body: letter(
      "Thank you for your request for information, which we received on {{receivedOn}}. You asked for: {{requestSummary}}",
      "[Say whether we hold the information, and which parts, if any, we are releasing. If the exemption means you need not confirm or deny that we hold it, say that instead.]",
      "We are withholding information because an exemption applies. [Name the exemption (for environmental information, the exception), with its section or regulation number and the law it is in, and explain why it applies to this information.]",
      "[If the exemption is qualified, explain the public interest test: the reasons for and against releasing the information, and why the public interest in withholding it is greater. If the exemption is absolute, delete this paragraph.]",
      ...FOI_REVIEW_AND_REGULATOR,
    ),
    unverified: [FOI_REVIEW_UNVERIFIED],
    isResponse: true,
  },
  {
    kind: "complaint-acknowledgement",
    name: "Complaint acknowledgement",
    purpose: "Send within 30 days of receiving a data protection complaint, as the law requires from 19 June 2026.",
    caseTypes: ["complaint"],
    subject: "Your complaint {{reference}}",
    body: letter(
      "Thank you for your complaint about how we handle personal information. We received it on {{receivedOn}} and its reference number is {{reference}}. Please quote this number if you contact us about it.",
      "We have recorded your complaint as: {{requestSummary}}\n\nIf we have misunderstood, please tell us.",
      "We will now look into your complaint without undue delay. This may include asking staff, or others involved, for information. We will keep you updated and tell you the outcome.",
      `You can also contact ${ICO}. The ICO expects people to complain to the organisation first, which you have now done.`,
    ),
    unverified: [
      "The duty to acknowledge within 30 days comes from the Data (Use and Access) Act 2025 (in force 19 June 2026). The section it adds to the Data Protection Act 2018 (believed to be section 164A) is unconfirmed, so the letter does not cite it.",
    ],
    // A complaint's clock is the 30 days to acknowledge it (reference 1.6): this letter is what meets it.
    isResponse: true,
  },
  {
    kind: "complaint-outcome",
    name: "Complaint outcome",
    purpose: "Send when you have finished looking into a complaint, to give the outcome.",
    caseTypes: ["complaint"],
    subject: "Your complaint {{reference}}: our response",
    body: letter(
      "Thank you for your complaint, which we received on {{receivedOn}}. We have now finished looking into it.",
      "[Say what you looked at, what you found, and what you will do as a result.]",
      `If you are not satisfied with our response, you can complain to ${ICO}.`,
    ),
    unverified: [],
  },
];

/** One template per kind, frozen so no caller can change the wording every school shares. */
export const LETTER_TEMPLATES: readonly LetterTemplate[] = Object.freeze(TEMPLATES.map((template) => Object.freeze(template)));

export function letterTemplate(kind: LetterKind): LetterTemplate {
  const template = LETTER_TEMPLATES.find((candidate) => candidate.kind === kind);
  if (template === undefined) {
    throw new Error(`There is no letter template for "${kind}".`);
  }
  return template;
}

/** The letters a case of this type can send, in the order a case usually needs them. */
export function lettersFor(type: CaseType): LetterTemplate[] {
  return LETTER_TEMPLATES.filter((template) => template.caseTypes.includes(type));
}
