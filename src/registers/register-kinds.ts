import { z } from "zod";
import { addCalendarMonths, isIsoDate } from "../calendar/dates.ts";
import { capitalise } from "../platform/forms.ts";
import { ARTICLE_6_BASES, ARTICLE_9_CONDITIONS, DATA_SUBJECTS, NEEDS_SCHEDULE_1, SCHEDULE_1_CONDITIONS, SPECIAL_CATEGORIES, TRANSFER_SAFEGUARDS, type Condition } from "./lawful-bases.ts";

/*
 * What each register holds. Every entry shares the spine (a title, an owner, a review date and a
 * status); each kind adds its own details, checked here on the server whatever the form sent.
 */

export const REGISTER_KINDS = ["processing", "supplier"] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

export const KIND_NAMES: Record<RegisterKind, { one: string; many: string; path: string }> = {
  processing: { one: "processing activity", many: "Record of processing", path: "processing" },
  supplier: { one: "supplier", many: "Suppliers and processors", path: "suppliers" },
};

export const kindOfPath = (path: string): RegisterKind | undefined => REGISTER_KINDS.find((kind) => KIND_NAMES[kind].path === path);

export const STATUSES = [
  { id: "draft", name: "Draft: not yet checked" },
  { id: "active", name: "In use" },
  { id: "retired", name: "No longer in use" },
] as const;
export type EntryStatus = (typeof STATUSES)[number]["id"];

/** How long until an entry is due for review when nobody chooses: a year, the usual cycle. */
export const REVIEW_MONTHS = 12;
export const nextReviewFrom = (today: string) => addCalendarMonths(today, REVIEW_MONTHS).date;

const ids = (list: readonly Condition[]) => list.map((item) => item.id);

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
  .refine((values) => values.every((value) => /^[0-9a-f-]{36}$/.test(value)), { error: "Select from the list" })
  .transform((values) => [...new Set(values)]);

/** The spine every entry has. */
const spine = {
  title: text("a name", 200),
  status: z.enum(["draft", "active", "retired"], { error: "Select whether it is in use" }),
  ownerUserId: z
    .string()
    .optional()
    .transform((value) => value || null)
    .refine((value) => value === null || /^[0-9a-f-]{36}$/.test(value), { error: "Select who owns it" }),
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
    .refine((value) => value === "" || /^[0-9a-f-]{36}$/.test(value), { error: "Read the privacy notice again" }),
});

export const ENTRY_SCHEMAS = { processing: processingSchema, supplier: supplierSchema } as const satisfies Record<RegisterKind, z.ZodType>;

export type ProcessingEntryInput = z.output<typeof processingSchema>;
export type SupplierEntryInput = z.output<typeof supplierSchema>;
export type EntryInput = ProcessingEntryInput | SupplierEntryInput;

/** The spine's fields, apart from the kind's own details. */
export function splitEntry(input: EntryInput): { title: string; status: EntryStatus; ownerUserId: string | null; reviewOn: string; details: Record<string, unknown> } {
  const { title, status, ownerUserId, reviewOn, ...details } = input;
  return { title, status, ownerUserId, reviewOn, details };
}
