import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/audit.ts";
import { notFound } from "../platform/errors.ts";
import { detailsOf } from "./register-kinds.ts";
import { EntryFormError, auditOfRegister } from "./registers.ts";
import { MAX_TEXT, readPrivacyNotice, type NoticeFact, type NoticeFactKind, type NoticeReading } from "./notice-reader/read-notice.ts";

/*
 * A supplier's privacy notice, read: the DPO pastes or uploads it, Steward finds the due-diligence
 * facts (each with its sentence) and what the notice leaves out, keeps the reading, and offers the
 * facts as a new supplier's answers for the DPO to confirm or correct.
 */

/** What each kind of fact is called on the page. */
export const FACT_KIND_NAMES: Record<NoticeFactKind, string> = {
  controller: "Who the company is",
  "company-number": "Company number",
  "registered-address": "Registered address",
  "privacy-contact": "DPO or privacy contact",
  "ico-registration": "ICO registration number",
  role: "Controller or processor",
  "lawful-basis": "Lawful bases it claims",
  "data-category": "Kinds of data",
  retention: "How long it keeps data",
  transfer: "Transfers outside the UK or EEA",
  hosting: "Where the data is hosted",
  "sub-processor": "Sub-processors it names",
  security: "Security claims",
  cookies: "Cookies",
  analytics: "Analytics",
  rights: "How people use their rights",
  complaint: "How to complain",
};

/** Fewer characters than this is not a notice (a link pasted by mistake, say). */
const MIN_TEXT = 200;

export interface SupplierNoticeReading {
  id: string;
  organisationId: string;
  source: string;
  createdAt: Date;
  reading: NoticeReading;
  /** The facts by kind, in the order the page lists them. */
  groups: { kind: NoticeFactKind; name: string; facts: NoticeFact[] }[];
}

/** Reads a notice and keeps the reading for the organisation; returns its id. */
export async function readSupplierNotice(ctx: Context, organisationId: string, notice: { source: string; text: string }): Promise<string> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  const text = notice.text.replaceAll("\u0000", "").trim();
  if (text.length < MIN_TEXT) {
    throw new EntryFormError({ text: "Paste the whole of the privacy notice’s text (what you pasted is too short to be one)" }, {});
  }
  if (text.length > MAX_TEXT) {
    throw new EntryFormError({ text: `The notice is longer than Steward reads (${MAX_TEXT.toLocaleString("en-GB")} characters): paste the privacy notice alone` }, {});
  }
  const reading = readPrivacyNotice(text);
  return inActorScope(ctx, async (trx) => {
    const id = randomUUID();
    await trx.insertInto("supplierNoticeReadings").values({ orgId: organisationId, id, source: notice.source.slice(0, 300) || "Pasted text", noticeText: text, reading: JSON.stringify(reading), createdAt: ctx.services.clock.now(), createdBy: ctx.actor.userId }).execute();
    await recordAudit(trx, { ...auditOfRegister(ctx, organisationId, "register.notice-read"), recordId: undefined });
    return id;
  });
}

export async function noticeReadingOf(ctx: Context, id: string): Promise<SupplierNoticeReading> {
  authorise(ctx.actor, "registers:view");
  const row = await inActorScope(ctx, (trx) => trx.selectFrom("supplierNoticeReadings").select(["orgId", "id", "source", "createdAt", "reading"]).where("orgId", "in", ctx.actor.organisationIds).where("id", "=", id).executeTakeFirst());
  if (!row) {
    throw notFound();
  }
  const reading = detailsOf(row.reading) as unknown as NoticeReading;
  const groups = (Object.keys(FACT_KIND_NAMES) as NoticeFactKind[])
    .map((kind) => ({ kind, name: FACT_KIND_NAMES[kind], facts: reading.facts.filter((fact) => fact.kind === kind) }))
    .filter((group) => group.facts.length > 0);
  return { id: row.id, organisationId: row.orgId, source: row.source, createdAt: row.createdAt, reading, groups };
}

const valuesOf = (reading: NoticeReading, kind: NoticeFactKind) => [...new Set(reading.facts.filter((fact) => fact.kind === kind).map((fact) => fact.value))];

/** A new supplier's answers from a reading, for the DPO to confirm or correct on the supplier form. */
export function supplierAnswersFrom(reading: NoticeReading): Record<string, string | string[]> {
  const transfers = reading.facts.filter((fact) => fact.kind === "transfer");
  // The reader's values: "outside UK/EEA" (a transfer), or "UK only", "UK/EEA only", "no transfers outside UK/EEA".
  const outside = transfers.filter((fact) => fact.value === "outside UK/EEA");
  return {
    title: valuesOf(reading, "controller")[0] ?? "",
    companyNumber: valuesOf(reading, "company-number")[0] ?? "",
    icoRegistration: valuesOf(reading, "ico-registration")[0] ?? "",
    contact: valuesOf(reading, "privacy-contact").join("\n"),
    // Controller or processor is the DPO's to decide: a notice often covers only the supplier's
    // website or its own customers, not the school's data (the findings show what it says).
    role: "",
    dataLocation: [...valuesOf(reading, "hosting"), ...(transfers.length && outside.length === 0 ? [transfers.some((fact) => fact.value === "UK only") ? "UK only" : "UK or EEA"] : [])].join("; "),
    transfers: outside.map((fact) => [fact.value, fact.detail].filter(Boolean).join(": ")).join("\n"),
    subProcessors: [...new Set([...valuesOf(reading, "sub-processor"), ...valuesOf(reading, "analytics")])].join("; "),
    // Certifications are not ticked either: a notice often names its host's, not its own.
    certifications: [],
  };
}
