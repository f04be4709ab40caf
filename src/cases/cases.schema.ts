import { z } from "zod";
import { isIsoDate } from "../calendar/dates.ts";
import { CASE_TYPES, STOP_REASONS } from "../calendar/deadlines.ts";
import { capitalise, requiredText } from "../platform/forms.ts";
import { RESPONSE_CHANNELS } from "./response.ts";
import { CHANNELS, LIKELIHOODS, RIGHTS, SEVERITIES, SUBJECT_KINDS } from "./workflows.ts";

const ids = <T extends readonly { id: string }[]>(items: T) => items.map((item) => item.id) as [T[number]["id"], ...T[number]["id"][]];

/** A date field: GOV.UK's three boxes (joined by readForm) or one YYYY-MM-DD value. */
export const dateField = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, { error: `Enter ${what}` })
    .refine(isIsoDate, { error: `${capitalise(what)} must be a real date, for example 30 1 2027` });

const optionalText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${what} must be ${max} characters or fewer` })
    .optional()
    .transform((value) => (value ? value : undefined));

const TIME = /^([01]?\d|2[0-3]):[0-5]\d$/;

export const newCaseSchema = z.object({
  organisationId: z.string().uuid({ error: "Select which school it is for" }),
  type: z.enum(CASE_TYPES, { error: "Select what kind of request or incident this is" }),
  receivedOn: dateField("the date it was received"),
  receivedTime: z
    .string()
    .trim()
    .optional()
    .refine((value) => !value || TIME.test(value), { error: "Enter the time like 09:30" })
    .transform((value) => (value ? value.padStart(5, "0") : undefined)),
  rightAsked: z
    .union([z.literal(""), z.enum(ids(RIGHTS))], { error: "Select which right the request uses" })
    .optional()
    .transform((value) => (value ? value : undefined)),
  channel: z.enum(ids(CHANNELS), { error: "Select how it arrived" }),
  requesterName: requiredText("the name of the person who made the request or reported it"),
  requesterContact: optionalText("Contact details", 500),
  // Asked only of cases about someone's personal data: logCase insists where the type needs it.
  subjectKind: z
    .union([z.literal(""), z.enum(ids(SUBJECT_KINDS))], { error: "Select whose data it is about" })
    .optional()
    .transform((value) => (value ? value : undefined)),
  subjectName: optionalText("The name of the person the data is about", 200),
  summary: requiredText("what was asked for or what happened", { max: 5000 }),
  /** Set when the person has seen the likely-duplicate warning and says this is a different request. */
  notDuplicate: z
    .enum(["yes"])
    .optional()
    .transform((value) => value === "yes"),
  /** The form's own key (made when it was shown): the same form posted twice logs one case. */
  submissionKey: z
    .string()
    .optional()
    .transform((value) => (value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value) ? value : undefined)),
});
export type NewCase = z.output<typeof newCaseSchema>;

/** Correcting what was recorded when the case was logged: the same fields, for the case's own school. */
export const caseDetailsSchema = newCaseSchema.omit({ organisationId: true, notDuplicate: true, submissionKey: true });
export type CaseDetails = z.output<typeof caseDetailsSchema>;

/** The log form's first question: which school, and what kind of case (the rest of the form follows from them). */
export const newCaseKindSchema = z.object({
  organisationId: newCaseSchema.shape.organisationId,
  type: newCaseSchema.shape.type,
});

export const statusSchema = z.object({ status: requiredText("the stage") });
export const assignSchema = z.object({ assigneeId: z.string().uuid({ error: "Select who will handle it" }) });
export const noteSchema = z.object({ note: requiredText("a note", { max: 5000 }) });
export const stopSchema = z.object({
  reason: z.enum(STOP_REASONS, { error: "Select what the school is waiting for" }),
  fromOn: dateField("the date you asked"),
});
export const restartSchema = z.object({ toOn: dateField("the date it arrived") });
export const extendSchema = z.object({
  extensionReason: requiredText("the reasons for the extension", { max: 2000 }),
  toldOn: z.string().trim().optional(),
  extendedTo: z.string().trim().optional(),
});
export const closeSchema = z.object({
  // The check-your-answers page posts the closing again, confirmed (or asking to change it).
  confirmed: z.enum(["yes"]).optional(),
  change: z.enum(["yes"]).optional(),
  outcome: requiredText("the outcome"),
  detail: optionalText("The detail", 5000),
  // Required by closeCase unless there is no response to send (a withdrawn request, a breach).
  sentOn: z
    .string()
    .trim()
    .optional()
    .refine((value) => !value || isIsoDate(value), { error: "Date the response was sent must be a real date, for example 30 1 2027" })
    .transform((value) => (value ? value : undefined)),
  responseChannel: z
    .union([z.literal(""), z.enum(ids(RESPONSE_CHANNELS))], { error: "Select how the response was sent" })
    .optional()
    .transform((value) => (value ? value : undefined)),
});
export const reopenSchema = z.object({ reopenReason: requiredText("why the case is being reopened", { max: 2000 }) });
export const breachAssessmentSchema = z.object({
  likelihood: z.enum(ids(LIKELIHOODS), { error: "Select how likely harm to people is" }),
  severity: z.enum(ids(SEVERITIES), { error: "Select how severe the harm could be" }),
  peopleCategories: requiredText("the categories of people affected", { max: 1000 }),
  peopleCount: z.coerce.number({ error: "Enter the approximate number of people as a number" }).int({ error: "Enter a whole number of people" }).min(0).max(10_000_000),
  recordCategories: requiredText("the categories of records affected", { max: 1000 }),
  recordCount: z.coerce.number({ error: "Enter the approximate number of records as a number" }).int({ error: "Enter a whole number of records" }).min(0).max(100_000_000),
  consequences: requiredText("the likely consequences", { max: 5000 }),
  measures: requiredText("the measures taken or proposed", { max: 5000 }),
  contact: requiredText("the DPO's or contact point's name and details", { max: 1000 }),
  icoReportedOn: z.string().trim().optional(),
  peopleToldOn: z.string().trim().optional(),
});
export type BreachAssessment = z.output<typeof breachAssessmentSchema>;

export const caseFilterSchema = z.object({
  type: z.enum(CASE_TYPES).optional().catch(undefined),
  state: z.enum(["open", "closed", "all", "overdue"]).optional().catch(undefined),
  organisationId: z.string().uuid().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
export type CaseFilter = z.output<typeof caseFilterSchema>;
