import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { formatDate, londonDateOf } from "../calendar/dates.ts";
import { textPdf, type PdfLine } from "../reports/pdf.ts";
import { tableAsCsv, tableAsXlsx, type Cell, type Column } from "../platform/spreadsheet.ts";
import { ARTICLE_6_BASES, ARTICLE_9_CONDITIONS, DATA_SUBJECTS, labelOf, SCHEDULE_1_CONDITIONS, SPECIAL_CATEGORIES, TRANSFER_SAFEGUARDS, type Condition } from "./lawful-bases.ts";
import { CERTIFICATIONS, FORM_FIELDS, KIND_NAMES, SUPPLIER_ROLES, type FormField, type RegisterKind } from "./register-kinds.ts";
import { listEntries, type RegisterEntry } from "./registers.ts";
import { dpoContactText, organisationFactsOf } from "./organisation-facts.ts";
import { DPIA_STEPS, type DpiaView } from "./dpia.ts";
import { LIKELIHOODS, MEASURE_EFFECTS, SEVERITIES } from "./dpia-rules.ts";

/*
 * The registers as the ICO would ask for them (Article 30(4)): the record of processing as a PDF,
 * and every register as XLSX and CSV with the same columns.
 */

export interface RegisterExport {
  kind: RegisterKind;
  entries: RegisterEntry[];
  /** The controller's facts Article 30(1)(a) asks for, for each organisation in the export. */
  controllers: { id: string; name: string; postalAddress: string; telephone: string; dpoNames: string[] }[];
  /** The names of entries others link to (suppliers, processing activities), by id. */
  supplierNames: Map<string, string>;
  madeOn: string;
}

/** Everything an export needs, read once and audited as an export (not a list). */
export async function registerExport(ctx: Context, kind: RegisterKind, organisationId?: string): Promise<RegisterExport> {
  authorise(ctx.actor, "registers:view");
  const entries = (await listEntries(ctx, kind, { organisationId, audit: "register.export" })).filter((entry) => entry.status !== "retired");
  const organisationIds = organisationId ? [organisationId] : ctx.actor.organisationIds;
  return inActorScope(ctx, async (trx) => {
    const organisations = await trx.selectFrom("organisations").select(["id", "name", "postalAddress", "telephone"]).where("id", "in", organisationIds).orderBy("name").execute();
    const dpos = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).where("orgId", "in", organisationIds).where("role", "=", "dpo").where("deactivatedAt", "is", null).execute();
    const dpoNames = new Map<string, string[]>();
    for (const dpo of dpos) {
      const { fullName } = await openPersonalFields(trx, ctx.services.keyring, dpo.orgId, dpo.id, { fullName: dpo.fullName });
      dpoNames.set(dpo.orgId, [...(dpoNames.get(dpo.orgId) ?? []), fullName].sort());
    }
    // The DPO as the organisation names them (its ICO registration and DPO entry, or its trust's), else the people with the DPO role.
    for (const organisation of organisations) {
      const facts = await organisationFactsOf(trx, organisation.id, organisationIds);
      if (facts?.dpoName) dpoNames.set(organisation.id, [dpoContactText(facts, facts.dpoName)]);
    }
    const suppliers = await trx.selectFrom("registerEntries").select(["id", "title"]).where("orgId", "in", organisationIds).where("kind", "in", ["supplier", "processing"]).execute();
    return {
      kind,
      entries,
      controllers: organisations.filter((organisation) => entries.some((entry) => entry.organisationId === organisation.id) || organisationIds.length === 1).map((organisation) => ({ ...organisation, dpoNames: dpoNames.get(organisation.id) ?? [] })),
      supplierNames: new Map(suppliers.map((supplier) => [supplier.id, supplier.title])),
      madeOn: londonDateOf(ctx.services.clock.now()),
    };
  });
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const labels = (conditions: readonly Condition[], value: unknown) => list(value).map((id) => labelOf(conditions, id)).join("; ");
const dateCell = (value: unknown): Cell => (str(value) ? { date: str(value) } : "");

/** Every field of a processing activity, in Article 30(1)'s order, as label and text: the PDF and the spreadsheet read it the same way. */
function processingFields(entry: RegisterEntry, supplierNames: ReadonlyMap<string, string>): { label: string; text: string }[] {
  const d = entry.details;
  const whose = [labels(DATA_SUBJECTS, d["dataSubjects"]), str(d["otherDataSubjects"])].filter(Boolean).join("; ");
  return [
    { label: "Purposes", text: str(d["purposes"]) },
    { label: "Whose data", text: whose },
    { label: "Kinds of personal data", text: str(d["dataCategories"]) },
    { label: "Special category data", text: labels(SPECIAL_CATEGORIES, d["specialCategories"]) || "None" },
    { label: "Criminal offence data", text: d["criminalOffenceData"] === "yes" ? "Yes" : "No" },
    { label: "Lawful basis (Article 6)", text: labels(ARTICLE_6_BASES, d["article6"]) },
    { label: "Special category condition (Article 9)", text: labels(ARTICLE_9_CONDITIONS, d["article9"]) || "Not needed" },
    { label: "DPA 2018 Schedule 1 condition", text: labels(SCHEDULE_1_CONDITIONS, d["schedule1"]) || "Not needed" },
    { label: "Recipients", text: str(d["recipients"]) },
    { label: "Transfers outside the UK", text: d["transfers"] === "yes" ? `${str(d["transferCountries"])}, under ${labelOf(TRANSFER_SAFEGUARDS, str(d["transferSafeguard"]))}` : "None" },
    { label: "How long it is kept", text: str(d["retention"]) },
    { label: "Security measures", text: str(d["securityMeasures"]) },
    { label: "Systems", text: str(d["systems"]) },
    { label: "Suppliers", text: list(d["supplierIds"]).map((id) => supplierNames.get(id)).filter(Boolean).join("; ") },
    { label: "Information asset owner", text: str(d["assetOwner"]) },
    { label: "Privacy notice", text: str(d["privacyNotice"]) },
  ];
}

function supplierFields(entry: RegisterEntry): { label: string; text: string; cell?: Cell }[] {
  const d = entry.details;
  return [
    { label: "What it does", text: str(d["service"]) },
    { label: "Role", text: labelOf(SUPPLIER_ROLES, str(d["role"])).split(":")[0]! },
    { label: "Company number", text: str(d["companyNumber"]) },
    { label: "ICO registration", text: str(d["icoRegistration"]) },
    { label: "Privacy contact", text: str(d["contact"]) },
    { label: "Contract starts", text: str(d["contractStartOn"]) ? formatDate(str(d["contractStartOn"])) : "", cell: dateCell(d["contractStartOn"]) },
    { label: "Contract ends", text: str(d["contractEndOn"]) ? formatDate(str(d["contractEndOn"])) : "", cell: dateCell(d["contractEndOn"]) },
    { label: "Data processing agreement signed", text: str(d["dpaSignedOn"]) ? formatDate(str(d["dpaSignedOn"])) : "Not recorded", cell: dateCell(d["dpaSignedOn"]) },
    { label: "Where the data is stored", text: str(d["dataLocation"]) },
    { label: "Transfers outside the UK", text: str(d["transfers"]) },
    { label: "Sub-processors", text: str(d["subProcessors"]) },
    { label: "Certifications", text: labels(CERTIFICATIONS, d["certifications"]) },
    { label: "Privacy notice", text: str(d["noticeAddress"]) },
  ];
}

/** A drawn form's field as text: a date in words, the labels of what was chosen, the names of linked entries. */
function drawnField(field: FormField, value: unknown, linkedNames: ReadonlyMap<string, string>): { label: string; text: string; cell?: Cell } {
  if (field.type === "date") return { label: field.label, text: str(value) ? formatDate(str(value)) : "", cell: dateCell(value) };
  if (field.optionsFrom) return { label: field.label, text: list(value).map((id) => linkedNames.get(id)).filter(Boolean).join("; ") };
  if (field.options) return { label: field.label, text: (Array.isArray(value) ? list(value) : [str(value)].filter(Boolean)).map((id) => labelOf(field.options!, id)).join("; ") };
  return { label: field.label, text: str(value) };
}

/** An entry's fields as label and text, for its page and for every export. `linkedNames` names the entries it links to. */
export function entryFields(kind: RegisterKind, entry: RegisterEntry, linkedNames: ReadonlyMap<string, string>): { label: string; text: string; cell?: Cell }[] {
  if (kind === "processing") return processingFields(entry, linkedNames);
  if (kind === "supplier") return supplierFields(entry);
  return (FORM_FIELDS[kind] ?? []).filter((field) => field.name !== "title").map((field) => drawnField(field, entry.details[field.name], linkedNames));
}

const fieldsOf = (exported: RegisterExport, entry: RegisterEntry) => entryFields(exported.kind, entry, exported.supplierNames);

function columnsOf(exported: RegisterExport): Column<RegisterEntry>[] {
  const sample = exported.entries[0];
  const detailLabels = sample ? fieldsOf(exported, sample).map((field) => field.label) : [];
  return [
    { header: "Name", value: (entry) => entry.title },
    { header: "School", value: (entry) => entry.organisationName },
    { header: "Status", value: (entry) => entry.statusName },
    ...detailLabels.map((label, index) => ({ header: label, value: (entry: RegisterEntry) => { const field = fieldsOf(exported, entry)[index]!; return field.cell ?? field.text; } })),
    { header: KIND_NAMES[exported.kind].ownerLabel, value: (entry) => entry.ownerName ?? "" },
    { header: KIND_NAMES[exported.kind].reviewLabel, value: (entry) => ({ date: entry.reviewOn }) },
    { header: "Last reviewed", value: (entry) => (entry.lastReviewedOn ? { date: entry.lastReviewedOn } : "") },
  ];
}

export const registerAsCsv = (exported: RegisterExport): string => tableAsCsv(columnsOf(exported), exported.entries);
export const registerAsXlsx = (exported: RegisterExport): Uint8Array => tableAsXlsx(KIND_NAMES[exported.kind].many, columnsOf(exported), exported.entries);

/** The register as a document: each controller's Article 30(1)(a) facts, then each entry with every field. */
export function registerAsPdf(exported: RegisterExport): Uint8Array {
  const title = exported.kind === "processing" ? "Record of processing activities (UK GDPR Article 30)" : KIND_NAMES[exported.kind].many;
  const lines: PdfLine[] = [
    { text: title, size: 16, bold: true },
    { text: `Made by Steward on ${formatDate(exported.madeOn)}. Drafts are included and marked; entries no longer in use are not.`, size: 9, gapBefore: 4 },
  ];
  for (const controller of exported.controllers) {
    lines.push(
      { text: controller.name, size: 14, bold: true, gapBefore: 16 },
      { text: `Controller: ${controller.name}, ${controller.postalAddress.replace(/\s*\n\s*/g, ", ")}. Telephone ${controller.telephone}.`, size: 10 },
      { text: `Data protection officer: ${controller.dpoNames.length ? controller.dpoNames.join(", ") : "none named in Steward"}.`, size: 10 },
    );
    const entries = exported.entries.filter((entry) => entry.organisationId === controller.id);
    if (entries.length === 0) {
      lines.push({ text: "Nothing recorded yet.", gapBefore: 6 });
    }
    for (const entry of entries) {
      lines.push({ text: `${entry.title}${entry.status === "draft" ? " (draft: not yet checked)" : ""}`, size: 12, bold: true, gapBefore: 12 });
      for (const field of fieldsOf(exported, entry)) {
        if (!field.text) continue;
        lines.push({ text: field.label, bold: true, size: 9, gapBefore: 3 });
        for (const paragraph of field.text.split(/\n+/)) lines.push({ text: paragraph, size: 10 });
      }
      lines.push({ text: `${KIND_NAMES[exported.kind].ownerLabel}: ${entry.ownerName ?? "not set"}. ${KIND_NAMES[exported.kind].reviewLabel}: ${formatDate(entry.reviewOn)}.${entry.lastReviewedOn ? ` Last reviewed: ${formatDate(entry.lastReviewedOn)}.` : ""}`, size: 9, gapBefore: 3 });
    }
  }
  return textPdf(title, lines);
}

const nameOf = (list: readonly { id: string; label: string }[], id: string) => list.find((item) => item.id === id)?.label ?? "";

/** A DPIA as a document: the screening, each step's answers, the risks before and after, the sign-off and its versions. */
export function dpiaAsPdf(view: DpiaView): Uint8Array {
  const { entry } = view;
  const details = entry.details;
  const screening = details["screening"] as { needed: boolean; reasons: string[] } | undefined;
  const steps = (details["steps"] ?? {}) as Record<string, Record<string, string>>;
  const lines: PdfLine[] = [
    { text: `Data protection impact assessment: ${entry.title}`, size: 16, bold: true },
    { text: `${entry.organisationName}. ${view.signed ? `Signed, version ${String(details["signedVersion"])}, on ${formatDate(String(details["signedOn"]))}.` : "Draft: not signed."} Made by Steward.`, size: 9, gapBefore: 4 },
    { text: "Screening", size: 13, bold: true, gapBefore: 12 },
    { text: screening ? `${screening.needed ? "A DPIA is needed." : "A DPIA is not required."} ${screening.reasons.join(" ")}` : "Not screened." },
  ];
  if (view.priorConsultation) lines.push({ text: "A high risk remains after the measures: the ICO must be consulted before the processing starts (Article 36).", bold: true, gapBefore: 6 });
  for (const step of DPIA_STEPS) {
    lines.push({ text: `Step ${step.number}: ${step.name}`, size: 13, bold: true, gapBefore: 12 });
    const answers = steps[step.id];
    if (!answers) {
      lines.push({ text: "Not done yet." });
      continue;
    }
    for (const field of step.fields) {
      const value = answers[field.name];
      if (!value) continue;
      lines.push({ text: field.label, bold: true, size: 9, gapBefore: 3 });
      for (const paragraph of (value === "yes" ? "Yes" : value === "no" ? "No" : value).split(/\n+/)) lines.push({ text: paragraph });
    }
    if (step.id === "necessity") {
      lines.push({ text: "Steps 5 and 6: Risks and the measures that reduce them", size: 13, bold: true, gapBefore: 12 });
      if (view.risks.length === 0) lines.push({ text: "No risks recorded yet." });
      for (const [index, risk] of view.risks.entries()) {
        lines.push({ text: `Risk ${index + 1}: ${risk.description}`, bold: true, gapBefore: 6 });
        lines.push({ text: `Before the measures: ${nameOf(LIKELIHOODS, risk.likelihood)} likelihood, ${nameOf(SEVERITIES, risk.severity)} severity: ${risk.levelBefore} risk.` });
        if (risk.measure) {
          lines.push({ text: `Measure: ${risk.measure.replace(/\.\s*$/, "")}${risk.measureOwner ? ` (owner: ${risk.measureOwner}${risk.measureDueOn ? `, by ${formatDate(risk.measureDueOn)}` : ""})` : ""}. Effect: ${nameOf(MEASURE_EFFECTS, risk.effect).toLowerCase()}.` });
          lines.push({ text: `After the measures: ${nameOf(LIKELIHOODS, risk.likelihoodAfter)} likelihood, ${nameOf(SEVERITIES, risk.severityAfter)} severity: ${risk.levelAfter} risk.${risk.approved ? ` Measure approved: ${risk.approved}.` : ""}` });
        }
      }
    }
  }
  if (view.versions.length) {
    lines.push({ text: "Signed versions", size: 13, bold: true, gapBefore: 12 });
    for (const version of view.versions) lines.push({ text: `Version ${version.version}: signed by ${version.signedByName ?? "someone no longer here"} on ${formatDate(londonDateOf(version.signedAt))}.` });
  }
  return textPdf(`DPIA: ${entry.title}`, lines);
}
