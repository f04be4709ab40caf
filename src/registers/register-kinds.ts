import { z } from "zod";
import { addCalendarMonths, isIsoDate } from "../calendar/dates.ts";
import { capitalise } from "../platform/forms.ts";
import { ALWAYS_REQUIRED, criteriaWithExamples, ICO_CRITERIA, SCHOOL_EXAMPLES, screen } from "./dpia-rules.ts";
import { ARTICLE_6_BASES, ARTICLE_9_CONDITIONS, DATA_SUBJECTS, labelOf, NEEDS_SCHEDULE_1, SCHEDULE_1_CONDITIONS, SCHEDULE_1_FOR, SPECIAL_CATEGORIES, TRANSFER_SAFEGUARDS, type Condition } from "./lawful-bases.ts";

/*
 * What each register holds. Every entry shares the spine (a title, an owner, a review date and a
 * status); each kind adds its own details, checked here on the server whatever the form sent.
 */

export const REGISTER_KINDS = ["processing", "supplier", "dpia", "retention", "policy", "training", "organisation", "audit"] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

export const KIND_NAMES: Record<RegisterKind, { one: string; many: string; path: string; reviewLabel: string; ownerLabel: string }> = {
  processing: { one: "processing activity", many: "Record of processing", path: "processing", reviewLabel: "Next review", ownerLabel: "Owner" },
  supplier: { one: "supplier", many: "Suppliers and processors", path: "suppliers", reviewLabel: "Next review", ownerLabel: "Owner" },
  dpia: { one: "DPIA", many: "Data protection impact assessments", path: "dpias", reviewLabel: "Next review", ownerLabel: "Keeps it under review" },
  retention: { one: "retention rule", many: "Retention schedule", path: "retention", reviewLabel: "Next review", ownerLabel: "Owner" },
  policy: { one: "policy or notice", many: "Policies and privacy notices", path: "policies", reviewLabel: "Next review", ownerLabel: "Owner" },
  training: { one: "training record", many: "Training records", path: "training", reviewLabel: "Refresher due", ownerLabel: "Reminded of the refresher" },
  audit: { one: "self-audit", many: "Compliance self-audits", path: "self-audits", reviewLabel: "Next audit due", ownerLabel: "Runs the audit" },
  organisation: { one: "ICO registration and DPO", many: "ICO registration and DPO", path: "ico-and-dpo", reviewLabel: "Data protection fee renews on", ownerLabel: "Reminded of the renewal" },
};

/** The fields of a kind that are about a person: sealed under the organisation's key, never plain in the database. */
export const PERSONAL_FIELDS: Partial<Record<RegisterKind, readonly string[]>> = { training: ["personName", "evidence"] };

/**
 * Kinds whose form does not hold every detail: a change keeps the ones it does not send (a DPIA's
 * steps and risks, a self-audit's answers, the user a training record was made for).
 */
export const KEEPS_OTHER_DETAILS: readonly RegisterKind[] = ["dpia", "audit", "training"];

/** Kinds a trust can share as templates: not a person's training, its own facts or its own audits. */
export const TEMPLATE_KINDS: readonly RegisterKind[] = ["processing", "supplier", "dpia", "retention", "policy"];

/** Kinds an organisation has one of, at most (not retired). */
export const ONE_EACH: readonly RegisterKind[] = ["organisation"];

export const kindOfPath = (path: string): RegisterKind | undefined => REGISTER_KINDS.find((kind) => KIND_NAMES[kind].path === path);

export const STATUSES = [
  { id: "draft", name: "Draft: not yet checked" },
  { id: "active", name: "In use" },
  { id: "retired", name: "No longer in use" },
] as const;
export type EntryStatus = (typeof STATUSES)[number]["id"];

/** A JSON column as an object: the database drivers hand jsonb back parsed (pg) or as text (some paths). */
export const detailsOf = (value: unknown): Record<string, unknown> => (typeof value === "string" ? JSON.parse(value) : ((value ?? {}) as Record<string, unknown>));

/** How long until an entry is due for review when nobody chooses: a year, the usual cycle. */
export const REVIEW_MONTHS = 12;
export const nextReviewFrom = (today: string) => addCalendarMonths(today, REVIEW_MONTHS).date;

const ids = (list: readonly Condition[]) => list.map((item) => item.id);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id as PostgreSQL takes it: anything else is refused before it reaches a query. */
export const isUuid = (value: string): boolean => UUID.test(value);

/** Ticked boxes: nothing, one value or several, each one the list knows. */
const ticked = (list: readonly Condition[], what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : [value].flat()))
    .refine((values) => values.every((value) => ids(list).includes(value)), { error: `Select ${what} from the list` })
    .transform((values) => [...new Set(values)]);

const text = (what: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, { error: `Enter ${what}` })
    .max(max, { error: `${capitalise(what)} must be ${max.toLocaleString("en-GB")} characters or fewer` });

const optionalText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${capitalise(what)} must be ${max.toLocaleString("en-GB")} characters or fewer` })
    .optional()
    .transform((value) => value ?? "");

const optionalDate = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => value ?? "")
    .refine((value) => value === "" || isIsoDate(value), { error: `${capitalise(what)} must be a real date, for example 31 8 2027` });

const uuids = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat()))
  .refine((values) => values.every((value) => isUuid(value)), { error: "Select from the list" })
  .transform((values) => [...new Set(values)]);

/** The spine every entry has. */
const spine = {
  title: text("a name", 200),
  status: z.enum(["draft", "active", "retired"], { error: "Select whether it is in use" }),
  ownerUserId: z
    .string()
    .optional()
    .transform((value) => value || null)
    .refine((value) => value === null || isUuid(value), { error: "Select who owns it" }),
  reviewOn: z
    .string({ error: "Enter the date of its next review" })
    .trim()
    .min(1, { error: "Enter the date of its next review" })
    .refine(isIsoDate, { error: "The date of its next review must be a real date, for example 31 8 2027" }),
};

/** A processing activity: every Article 30(1) field, with the lawful basis and conditions (ICO's documentation guidance). */
export const processingSchema = z
  .object({
    ...spine,
    purposes: text("the purposes of the processing", 4000),
    dataSubjects: ticked(DATA_SUBJECTS, "whose data it is"),
    otherDataSubjects: optionalText("other people whose data it is", 500),
    dataCategories: text("the kinds of personal data", 4000),
    specialCategories: ticked(SPECIAL_CATEGORIES, "the special category data"),
    criminalOffenceData: z.enum(["yes", "no"], { error: "Select whether it includes criminal offence data" }),
    article6: ticked(ARTICLE_6_BASES, "the lawful basis"),
    article9: ticked(ARTICLE_9_CONDITIONS, "the special category condition"),
    schedule1: ticked(SCHEDULE_1_CONDITIONS, "the Schedule 1 condition"),
    recipients: text("who receives the data (or “Nobody outside the school”)", 4000),
    transfers: z.enum(["no", "yes"], { error: "Select whether the data leaves the UK" }),
    transferCountries: optionalText("the countries", 500),
    transferSafeguard: z
      .string()
      .optional()
      .transform((value) => value ?? "")
      .refine((value) => value === "" || ids(TRANSFER_SAFEGUARDS).includes(value), { error: "Select the safeguard from the list" }),
    retention: text("how long the data is kept (or where the retention schedule says)", 2000),
    securityMeasures: optionalText("the security measures", 4000),
    systems: optionalText("the systems it uses", 1000),
    supplierIds: uuids,
    assetOwner: optionalText("the information asset owner", 200),
    privacyNotice: optionalText("where the privacy notice is", 500),
  })
  .superRefine((entry, context) => {
    const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (entry.dataSubjects.length === 0 && !entry.otherDataSubjects) problem("dataSubjects", "Select whose data it is");
    if (entry.article6.length === 0) problem("article6", "Select the lawful basis (Article 6)");
    if (entry.specialCategories.length > 0 && entry.article9.length === 0) problem("article9", "Select the condition for the special category data (Article 9)");
    const needsSchedule1 = entry.article9.some((id) => NEEDS_SCHEDULE_1.includes(id)) || entry.criminalOffenceData === "yes";
    if (needsSchedule1 && entry.schedule1.length === 0) problem("schedule1", entry.criminalOffenceData === "yes" ? "Select the Schedule 1 condition for the criminal offence data" : "Select the Schedule 1 condition the Article 9 condition needs");
    // Each of those Article 9 conditions is met by its own Schedule 1 paragraphs (DPA 2018 s10).
    const unmet = entry.article9.find((id) => SCHEDULE_1_FOR[id] && !SCHEDULE_1_FOR[id]!.some((paragraph) => entry.schedule1.includes(paragraph)));
    if (entry.schedule1.length > 0 && unmet) problem("schedule1", `${labelOf(ARTICLE_9_CONDITIONS, unmet)} needs ${unmet === "9-2-g" ? "a Schedule 1 Part 2 condition" : labelOf(SCHEDULE_1_CONDITIONS, SCHEDULE_1_FOR[unmet]![0]!)}`);
    if (entry.transfers === "yes" && !entry.transferCountries) problem("transferCountries", "Enter the countries the data goes to");
    if (entry.transfers === "yes" && !entry.transferSafeguard) problem("transferSafeguard", "Select the safeguard for the transfer");
  });

export const CERTIFICATIONS = [
  { id: "cyber-essentials", label: "Cyber Essentials" },
  { id: "cyber-essentials-plus", label: "Cyber Essentials Plus" },
  { id: "iso-27001", label: "ISO/IEC 27001" },
  { id: "soc-2", label: "SOC 2" },
] as const satisfies readonly Condition[];

export const SUPPLIER_ROLES = [
  { id: "processor", label: "Processor: acts only on the school’s instructions" },
  { id: "controller", label: "Controller: decides for itself how the data is used" },
  { id: "joint-controller", label: "Joint controller with the school" },
] as const satisfies readonly Condition[];

/** A supplier: what it does with the school's data, on what terms, and where. */
export const supplierSchema = z.object({
  ...spine,
  service: text("what the supplier does for the school", 2000),
  role: z.enum(ids(SUPPLIER_ROLES) as [string, ...string[]], { error: "Select whether it is a processor or a controller" }),
  companyNumber: optionalText("the company number", 20),
  contact: optionalText("the privacy contact", 500),
  icoRegistration: optionalText("the ICO registration number", 20),
  contractStartOn: optionalDate("the contract’s start"),
  contractEndOn: optionalDate("the contract’s end"),
  dpaSignedOn: optionalDate("the date the data processing agreement was signed"),
  dataLocation: optionalText("where the data is stored", 500),
  transfers: optionalText("transfers outside the UK", 1000),
  subProcessors: optionalText("the sub-processors", 2000),
  certifications: ticked(CERTIFICATIONS, "the certifications"),
  noticeAddress: optionalText("the privacy notice’s address", 500),
  /** The reading of its privacy notice these answers came from, if any. */
  noticeReadingId: z
    .string()
    .optional()
    .transform((value) => value ?? "")
    .refine((value) => value === "" || isUuid(value), { error: "Read the privacy notice again" }),
});

/** What a retention rule says to do when the period ends. */
export const RETENTION_ACTIONS = [
  { id: "destroy", label: "Destroy securely" },
  { id: "review", label: "Review, then destroy or keep" },
  { id: "transfer", label: "Transfer (to the next school, or the archives)" },
  { id: "permanent", label: "Keep permanently" },
] as const satisfies readonly Condition[];

/** How sure the period is, as uk-rules.md §8 marks the IRMS rows. */
export const RETENTION_SOURCES = [
  { id: "verified", label: "Verified against the law or an official source" },
  { id: "corroborated", label: "Corroborated by sources that cite the IRMS toolkit" },
  { id: "unverified", label: "Not yet verified: check against the current IRMS toolkit" },
  { id: "own", label: "Our own decision (the reason is recorded)" },
] as const satisfies readonly Condition[];

/** Steward's own records a retention rule can govern: closed cases of these kinds. */
export const CASE_RECORDS = [
  { id: "sar", label: "Subject access requests" },
  { id: "rights", label: "Other data protection rights requests" },
  { id: "educational-record", label: "Educational record requests" },
  { id: "foi", label: "Freedom of information and EIR requests" },
  { id: "breach", label: "Personal data breaches" },
  { id: "complaint", label: "Data protection complaints" },
  { id: "advice", label: "Advice requests" },
] as const satisfies readonly Condition[];

const months = z
  .string()
  .trim()
  .optional()
  .transform((value) => value ?? "")
  .refine((value) => value === "" || (/^\d{1,4}$/.test(value) && Number(value) <= 1200), { error: "Enter the number of months as a whole number up to 1200, or leave it empty" });

/** A row of the retention schedule: what is kept, from when, for how long, then what. */
export const retentionSchema = z
  .object({
    ...spine,
    trigger: text("what starts the period (for example the pupil’s date of birth)", 300),
    period: text("how long it is kept", 300),
    action: z.enum(ids(RETENTION_ACTIONS) as [string, ...string[]], { error: "Select what happens at the end" }),
    source: z.enum(ids(RETENTION_SOURCES) as [string, ...string[]], { error: "Select how sure the period is" }),
    reason: optionalText("why it differs from the guidance", 2000),
    processingIds: uuids,
    caseRecords: ticked(CASE_RECORDS, "Steward’s records"),
    keepMonths: months,
  })
  .superRefine((entry, context) => {
    if (entry.source === "own" && !entry.reason) context.addIssue({ code: "custom", path: ["reason"], message: "Say why the school keeps these for a different period (the IRMS toolkit asks for the reason)" });
    if (entry.caseRecords.length > 0 && !entry.keepMonths) context.addIssue({ code: "custom", path: ["keepMonths"], message: "Enter how many months Steward keeps these cases after they close" });
  });

export const POLICY_KINDS = [
  { id: "data-protection-policy", label: "Data protection policy" },
  { id: "privacy-notice-pupils", label: "Privacy notice: pupils" },
  { id: "privacy-notice-parents", label: "Privacy notice: parents and carers" },
  { id: "privacy-notice-staff", label: "Privacy notice: staff" },
  { id: "privacy-notice-governors", label: "Privacy notice: governors and volunteers" },
  { id: "privacy-notice-visitors", label: "Privacy notice: visitors" },
  { id: "privacy-notice-applicants", label: "Privacy notice: job applicants" },
  { id: "cctv-policy", label: "CCTV policy" },
  { id: "retention-policy", label: "Records retention policy" },
  { id: "breach-procedure", label: "Breach procedure" },
  { id: "appropriate-policy-document", label: "Appropriate policy document (DPA 2018 Schedule 1)" },
  { id: "acceptable-use", label: "Acceptable use policy" },
  { id: "other", label: "Another policy" },
] as const satisfies readonly Condition[];

/** A policy or privacy notice in the library: its version, who approved it, where it is published. */
export const policySchema = z.object({
  ...spine,
  policyKind: z.enum(ids(POLICY_KINDS) as [string, ...string[]], { error: "Select what kind of policy or notice it is" }),
  versionLabel: text("its version (for example 3 or 2026-1)", 40),
  approvedOn: optionalDate("the date it was approved"),
  approvedBy: optionalText("who approved it", 200),
  publishedAt: optionalText("where it is published", 500),
  changes: optionalText("what changed in this version", 2000),
});

/** One person's training: the course, when, who gave it, and when the refresher is due (the review date). */
export const trainingSchema = z.object({
  ...spine,
  // Left empty, the refresher falls due a year after the training was done.
  reviewOn: z
    .string()
    .trim()
    .optional()
    .transform((value) => value ?? "")
    .refine((value) => value === "" || isIsoDate(value), { error: "The date the refresher is due must be a real date, for example 31 8 2027" }),
  personName: text("the name of the person trained", 200),
  completedOn: z
    .string({ error: "Enter the date the training was done" })
    .trim()
    .min(1, { error: "Enter the date the training was done" })
    .refine(isIsoDate, { error: "The date the training was done must be a real date, for example 31 8 2027" }),
  provider: optionalText("who gave the training", 200),
  evidence: optionalText("the evidence (a certificate, a register)", 500),
});

const ICO_FEE_TIERS = [
  { id: "tier-1", label: "Tier 1: micro organisations and charities (£52 from February 2025)" },
  { id: "tier-2", label: "Tier 2: small and medium (£78 from February 2025)" },
  { id: "tier-3", label: "Tier 3: large (£3,763 from February 2025)" },
] as const satisfies readonly Condition[];
export { ICO_FEE_TIERS };

/** The ICO's registration number as uk-rules.md §11.2 suggests checking it: Z, then a letter or digit, then six digits. */
export const ICO_REGISTRATION = /^Z[0-9A-Z][0-9]{6}$/;

/** The organisation's own facts: its ICO registration and fee, and its named DPO (shown in letters and on the request page). */
export const organisationSchema = z.object({
  ...spine,
  icoRegistration: z
    .string()
    .trim()
    .max(20, { error: "The ICO registration number must be 20 characters or fewer" })
    .optional()
    .transform((value) => (value ?? "").toUpperCase().replace(/\s+/g, "")),
  feeTier: z
    .string()
    .optional()
    .transform((value) => value ?? "")
    .refine((value) => value === "" || ids(ICO_FEE_TIERS).includes(value), { error: "Select the fee tier from the list" }),
  dpoName: text("the name of the data protection officer (a person or a service)", 200),
  dpoEmail: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => value ?? "")
    .refine((value) => value === "" || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), { error: "Enter the DPO’s email address in the right format, like name@example.org" }),
  dpoPhone: optionalText("the DPO’s telephone number", 40),
  dpoAddress: optionalText("the DPO’s postal address", 500),
});

const SCREENING_CRITERIA = [...ALWAYS_REQUIRED, ...ICO_CRITERIA];
const EXAMPLES = SCHOOL_EXAMPLES.map(({ id, label }) => ({ id, label }));

/**
 * A DPIA's first page: what it assesses and the screening (the ICO's criteria, with the school
 * examples that usually meet them). Whether one is needed is worked out from the answers on save.
 */
export const dpiaSchema = z.object({
  ...spine,
  examples: ticked(EXAMPLES, "the school examples"),
  criteria: ticked(SCREENING_CRITERIA, "the criteria"),
  screeningNotes: optionalText("the notes on the screening", 2000),
  processingIds: uuids,
});

/** What a kind works out from its answers when they are saved: a DPIA's screening result. */
export const DERIVED: Partial<Record<RegisterKind, (details: Record<string, unknown>, before?: Record<string, unknown>) => Record<string, unknown>>> = {
  // A school example ticks its criteria when it is ticked; after that they are as the DPO leaves them.
  dpia: (details, before) => {
    const ticked = (details["criteria"] as string[]) ?? [];
    const earlier = (before?.["examples"] as string[] | undefined) ?? [];
    const criteria = criteriaWithExamples(ticked, ((details["examples"] as string[]) ?? []).filter((example) => !earlier.includes(example)));
    return { ...details, criteria, screening: screen(criteria) };
  },
};

/** A self-audit's first page: its name; the answers are given area by area (self-audit.ts). */
export const auditSchema = z.object({ ...spine });

export const ENTRY_SCHEMAS = {
  processing: processingSchema, supplier: supplierSchema, dpia: dpiaSchema, retention: retentionSchema, policy: policySchema, training: trainingSchema, organisation: organisationSchema, audit: auditSchema,
} as const satisfies Record<RegisterKind, z.ZodType>;

export type ProcessingEntryInput = z.output<typeof processingSchema>;
export type SupplierEntryInput = z.output<typeof supplierSchema>;
export type EntryInput = { [Kind in RegisterKind]: z.output<(typeof ENTRY_SCHEMAS)[Kind]> }[RegisterKind];

/** A field of a form Steward draws from its description (the registers whose forms need nothing more). */
export interface FormField {
  name: string;
  label: string;
  hint?: string;
  type: "text" | "textarea" | "date" | "ticks" | "radios" | "number";
  options?: readonly Condition[];
  /** Choices the page fills in (the organisation's processing activities). */
  optionsFrom?: "processing";
  optional?: boolean;
  width?: string;
}

/** The forms of the registers drawn from their fields (processing and suppliers have their own pages). */
export const FORM_FIELDS: Partial<Record<RegisterKind, readonly FormField[]>> = {
  audit: [{ name: "title", label: "Name of the audit", hint: "For example Self-audit, autumn 2026", type: "text" }],
  dpia: [
    { name: "title", label: "What it assesses", hint: "For example CCTV in the playground, or Moving to a new MIS", type: "text" },
    { name: "processingIds", label: "The processing activities it covers", type: "ticks", optionsFrom: "processing", optional: true },
    { name: "examples", label: "Is it one of these?", hint: "Each ticks the criteria it usually meets: check them below", type: "ticks", options: EXAMPLES, optional: true },
    { name: "criteria", label: "Which of these does it do?", hint: "Article 35(3) first, then the ICO’s list. Steward works out from these whether a DPIA is needed", type: "ticks", options: SCREENING_CRITERIA, optional: true },
    { name: "screeningNotes", label: "Notes on the screening", type: "textarea", optional: true },
  ],
  retention: [
    { name: "title", label: "Record", hint: "For example Pupil educational record (secondary)", type: "text" },
    { name: "trigger", label: "What starts the period", hint: "For example the pupil’s date of birth, the end of employment, the case’s closure", type: "text" },
    { name: "period", label: "How long it is kept", hint: "For example 25 years", type: "text", width: "govuk-input--width-20" },
    { name: "action", label: "At the end", type: "radios", options: RETENTION_ACTIONS },
    { name: "source", label: "How sure the period is", type: "radios", options: RETENTION_SOURCES },
    { name: "reason", label: "Why it differs from the guidance (if it does)", type: "textarea", optional: true },
    { name: "processingIds", label: "Processing activities it applies to", type: "ticks", optionsFrom: "processing", optional: true },
    { name: "caseRecords", label: "Steward’s own records it governs", hint: "Closed cases of these kinds are listed for the DPO to approve their destruction once the period is over", type: "ticks", options: CASE_RECORDS, optional: true },
    { name: "keepMonths", label: "For Steward’s cases: months after closure", type: "number", optional: true, width: "govuk-input--width-4" },
  ],
  policy: [
    { name: "title", label: "Name", hint: "For example Privacy notice for parents", type: "text" },
    { name: "policyKind", label: "Kind", type: "radios", options: POLICY_KINDS },
    { name: "versionLabel", label: "Version", type: "text", width: "govuk-input--width-10" },
    { name: "approvedOn", label: "Approved on", type: "date", optional: true },
    { name: "approvedBy", label: "Approved by", hint: "For example the governing board, the trust board", type: "text", optional: true },
    { name: "publishedAt", label: "Where it is published", hint: "For example the school website’s policies page", type: "text", optional: true },
    { name: "changes", label: "What changed in this version", type: "textarea", optional: true },
  ],
  training: [
    { name: "personName", label: "Person trained", type: "text" },
    { name: "title", label: "Course", hint: "For example Data protection for school staff", type: "text" },
    { name: "completedOn", label: "Done on", type: "date" },
    { name: "provider", label: "Given by", type: "text", optional: true },
    { name: "evidence", label: "Evidence", hint: "For example the certificate, or the sign-in sheet of an INSET session", type: "text", optional: true },
  ],
  organisation: [
    { name: "icoRegistration", label: "ICO registration number", hint: "On the ICO’s register of fee payers, such as ZA123456", type: "text", optional: true, width: "govuk-input--width-10" },
    { name: "feeTier", label: "Data protection fee tier", type: "radios", options: ICO_FEE_TIERS, optional: true },
    { name: "dpoName", label: "Data protection officer", hint: "The person, or the DPO service, named in letters and on the request page", type: "text" },
    { name: "dpoEmail", label: "DPO’s email address", type: "text", optional: true },
    { name: "dpoPhone", label: "DPO’s telephone number", type: "text", optional: true, width: "govuk-input--width-20" },
    { name: "dpoAddress", label: "DPO’s postal address", type: "textarea", optional: true },
  ],
};

/** The spine's fields, apart from the kind's own details. */
export function splitEntry(input: { title: string; status: EntryStatus; ownerUserId: string | null; reviewOn: string } & Record<string, unknown>): { title: string; status: EntryStatus; ownerUserId: string | null; reviewOn: string; details: Record<string, unknown> } {
  const { title, status, ownerUserId, reviewOn, ...details } = input;
  return { title, status, ownerUserId, reviewOn, details };
}
