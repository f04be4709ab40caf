import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { can } from "../accounts/permissions.ts";
import { contextOf } from "../accounts/request-context.ts";
import type { Context } from "../accounts/actor.ts";
import { sendDownload } from "../platform/http/files.ts";
import { paramsOr404 } from "../platform/http/params.ts";
import { notFound, StewardError } from "../platform/errors.ts";
import { uploadedFile } from "../platform/http/files.ts";
import { ConversionError } from "../redaction/convert.ts";
import { noticeText } from "./notice-reader/notice-text.ts";
import { addDisposal, approveDestruction, casesPastRetention, disposalLog, DISPOSAL_METHODS, type DisposalRecord } from "./disposals.ts";
import { tableAsCsv, type Column } from "../platform/spreadsheet.ts";
import { addDpiaRisk, DPIA_STEPS, dpiaAsJson, dpiaView, importDpia, removeDpiaRisk, saveDpiaStep, signDpia, signedVersion, startNewVersion, stepOf, scored, risksOf, type DpiaStepId } from "./dpia.ts";
import { LIKELIHOODS, MEASURE_EFFECTS, SEVERITIES } from "./dpia-rules.ts";
import { areaOf, areaValues, auditView, saveAuditArea } from "./self-audit.ts";
import { RAG } from "./self-audit-questions.ts";
import { noticeReadingOf, readSupplierNotice, supplierAnswersFrom, type SupplierNoticeReading } from "./notice-readings.ts";
import type { Services } from "../platform/services.ts";
import { londonDateOf } from "../calendar/dates.ts";
import { ARTICLE_6_BASES, ARTICLE_9_CONDITIONS, DATA_SUBJECTS, SCHEDULE_1_CONDITIONS, SPECIAL_CATEGORIES, TRANSFER_SAFEGUARDS } from "./lawful-bases.ts";
import { CERTIFICATIONS, FORM_FIELDS, ICO_REGISTRATION, KIND_NAMES, kindOfPath, nextReviewFrom, ONE_EACH, REGISTER_KINDS, STATUSES, SUPPLIER_ROLES, type RegisterKind, isUuid } from "./register-kinds.ts";
import { dpiaAsPdf, entryFields, registerAsCsv, registerAsPdf, registerAsXlsx, registerExport } from "./register-exports.ts";
import {
  activitiesUsing, addStarters, nextReviewAfter, answerTemplateChange, copyTemplate, entryOf, EntryFormError, listEntries, ownerChoices, recordReview,
  entryChoices, registerCounts, reviewSchedule, saveEntry, STARTERS, startersNotAdded, templateNewsOf, templatesFor, type RegisterEntry,
} from "./registers.ts";

/*
 * The registers on the web: their home page with the review schedule, each register's list,
 * an entry's page and form, the starter set, the trust's templates, and the exports.
 */

const registerParams = z.object({ register: z.string().regex(/^[a-z-]{3,20}$/) });
const entryParams = registerParams.extend({ id: z.uuid() });
const templateParams = registerParams.extend({ templateId: z.uuid() });
const exportParams = registerParams.extend({ format: z.enum(["pdf", "xlsx", "csv"]) });
const dpiaParams = z.object({ id: z.uuid() });
const stepParams = dpiaParams.extend({ step: z.string().regex(/^[a-z]{3,20}$/) });
const riskParams = dpiaParams.extend({ riskId: z.string().regex(/^[0-9a-z-]{2,36}$/) });
const versionParams = dpiaParams.extend({ version: z.coerce.number().int().min(1).max(10_000) });

const organisationQuery = z.object({ organisationId: z.uuid().optional().catch(undefined), done: z.string().max(20).optional().catch(undefined), reading: z.uuid().optional().catch(undefined) });

/** A pasted notice can be long: a 30-page notice is about 100 000 characters, more once form-encoded. */
const PASTED_NOTICE_BYTES = 1024 * 1024;

const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
};

/** The register a path names, or a page not found. */
function registerOf(params: unknown): RegisterKind {
  const kind = kindOfPath(paramsOr404(registerParams, params).register);
  if (!kind) {
    throw notFound();
  }
  return kind;
}

/** A title as part of a file name: "CCTV on the school site" → "cctv-on-the-school-site". */
const slugOf = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40).replace(/^-+|-+$/g, "") || "dpia";

/** What the button to a register's starting points says. */
const STARTER_NAMES: Partial<Record<RegisterKind, string>> = { processing: "Add typical school activities", retention: "Add the IRMS toolkit’s retention periods", dpia: "Start from a school template" };

/** The names of the entries another entry links to, by id: a processing activity's suppliers, a retention rule's activities. */
async function linkedNames(ctx: Context, kind: RegisterKind, organisationId: string): Promise<Map<string, string>> {
  const linked = kind === "processing" ? "supplier" : kind === "retention" ? "processing" : undefined;
  return new Map(linked ? (await entryChoices(ctx, linked, organisationId)).map((entry) => [entry.id, entry.title]) : []);
}

const DONE: Record<string, string> = {
  area: "The answers are saved.",
  step: "The step is saved.",
  risk: "The risk is added.",
  "risk-removed": "The risk is removed.",
  signed: "The DPIA is signed. It is frozen as this version: a change starts a new one.",
  "new-version": "A new version is open as a draft. The signed version stays as it was.",
  imported: "Imported as a draft. Check each step against your school, then do the consultation and sign-off.",
  saved: "Saved.",
  reviewed: "The review is recorded.",
  copied: "Copied from the trust’s template, as a draft: check it and make it yours.",
  taken: "The trust’s changes are in. Check them, then save if anything needs adapting.",
  kept: "Your version is kept; the trust’s change is marked as seen.",
};

/** The lists a DPIA's risk form uses. */
const RISK_CHOICES = { likelihoods: LIKELIHOODS, severities: SEVERITIES, effects: MEASURE_EFFECTS };

const DPIA_STEP_LIST = DPIA_STEPS.map((step) => ({ id: step.id, number: step.number, name: step.name, fields: step.fields }));

/** The lists a form's boxes come from. */
const CHOICES = {
  dataSubjects: DATA_SUBJECTS, specialCategories: SPECIAL_CATEGORIES, article6: ARTICLE_6_BASES, article9: ARTICLE_9_CONDITIONS,
  schedule1: SCHEDULE_1_CONDITIONS, transferSafeguards: TRANSFER_SAFEGUARDS, certifications: CERTIFICATIONS, supplierRoles: SUPPLIER_ROLES, statuses: STATUSES,
};

export function registersRoutes(app: FastifyInstance, services: Services): void {
  const organisationsOf = (ctx: Context) => ctx.actor.reachable;
  /** The organisation a page is for: the one asked for if the actor reaches it, else their only one (a trust's people choose). */
  const chosenOrganisation = (ctx: Context, organisationId: string | undefined) =>
    ctx.actor.reachable.find((organisation) => organisation.id === organisationId) ?? (ctx.actor.reachable.length === 1 ? ctx.actor.reachable[0] : undefined);
  const organisationChoices = (ctx: Context, all: string) => (ctx.actor.reachable.length > 1 ? [{ value: "", text: all }, ...ctx.actor.reachable.map((organisation) => ({ value: organisation.id, text: organisation.name }))] : []);

  app.get("/registers", { config: { access: "registers:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { organisationId } = organisationQuery.parse(request.query ?? {});
    const [counts, reviews] = await Promise.all([registerCounts(ctx, organisationId), reviewSchedule(ctx, organisationId)]);
    return reply.page("registers/views/home.njk", {
      registers: REGISTER_KINDS.map((kind) => ({ kind, ...KIND_NAMES[kind], ...counts[kind] })),
      reviews,
      overdue: reviews.filter((item) => item.reviewState === "overdue").length,
      chosenOrganisationId: organisationId ?? "",
      organisationChoices: organisationChoices(ctx, "Every school and the trust"),
      trustWide: ctx.actor.reachable.length > 1 && !organisationId,
    });
  });

  // ---- DPIAs: the steps after the screening, risks, sign-off, versions, sharing ----

  const dpiaPage = async (request: FastifyRequest, reply: FastifyReply, id: string, notice?: string, errors?: Record<string, string>) => {
    const ctx = contextOf(request, services);
    const view = await dpiaView(ctx, id);
    return reply.page("registers/views/dpia.njk", { view, entry: view.entry, names: KIND_NAMES.dpia, notice, errors, canManage: can(ctx.actor, "registers:manage"), choices: RISK_CHOICES }, errors ? 400 : 200);
  };

  /** After a DPIA change: back to its page, or the page again with what went wrong. */
  const dpiaChange = async (request: FastifyRequest, reply: FastifyReply, id: string, done: string, change: () => Promise<unknown>, onError?: (errors: Record<string, string>, values: Record<string, unknown>) => Promise<unknown>) => {
    try {
      await change();
      return reply.redirect(`/registers/dpias/${id}?done=${done}`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return onError ? onError(error.errors, error.values) : dpiaPage(request, reply, id, undefined, error.errors);
      throw error;
    }
  };

  const stepPage = async (request: FastifyRequest, reply: FastifyReply, id: string, stepId: string, problem?: { errors: Record<string, string>; values: Record<string, unknown> }) => {
    const step = stepOf(stepId);
    if (!step) return reply.callNotFound();
    const view = await dpiaView(contextOf(request, services), id);
    const saved = ((view.entry.details["steps"] as Record<string, Record<string, string>> | undefined) ?? {})[step.id] ?? {};
    return reply.page("registers/views/dpia-step.njk", { view, entry: view.entry, step, values: problem?.values ?? saved, errors: problem?.errors }, problem ? 400 : 200);
  };

  app.get("/registers/dpias/:id/steps/:step", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id, step } = paramsOr404(stepParams, request.params);
    return stepPage(request, reply, id, step);
  });

  app.post("/registers/dpias/:id/steps/:step", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id, step } = paramsOr404(stepParams, request.params);
    if (!stepOf(step)) return reply.callNotFound();
    return dpiaChange(request, reply, id, "step", () => saveDpiaStep(contextOf(request, services), id, step as DpiaStepId, request.body), (errors, values) => stepPage(request, reply, id, step, { errors, values }));
  });

  app.get("/registers/dpias/:id/risks", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    const view = await dpiaView(contextOf(request, services), id);
    return reply.page("registers/views/dpia-risks.njk", { view, entry: view.entry, choices: RISK_CHOICES, values: {} });
  });

  app.post("/registers/dpias/:id/risks", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    return dpiaChange(request, reply, id, "risk", () => addDpiaRisk(contextOf(request, services), id, request.body), async (errors, values) => {
      const view = await dpiaView(contextOf(request, services), id);
      return reply.page("registers/views/dpia-risks.njk", { view, entry: view.entry, choices: RISK_CHOICES, values, errors }, 400);
    });
  });

  app.post("/registers/dpias/:id/risks/:riskId/remove", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id, riskId } = paramsOr404(riskParams, request.params);
    return dpiaChange(request, reply, id, "risk-removed", () => removeDpiaRisk(contextOf(request, services), id, riskId));
  });

  app.post("/registers/dpias/:id/sign", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    return dpiaChange(request, reply, id, "signed", () => signDpia(contextOf(request, services), id));
  });

  app.post("/registers/dpias/:id/new-version", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    return dpiaChange(request, reply, id, "new-version", () => startNewVersion(contextOf(request, services), id));
  });

  app.get("/registers/dpias/:id/versions/:version", { config: { access: "registers:view" } }, async (request, reply) => {
    const { id, version } = paramsOr404(versionParams, request.params);
    const signed = await signedVersion(contextOf(request, services), id, version);
    return reply.page("registers/views/dpia-version.njk", { id, version, signed, risks: scored(risksOf(signed.content)), steps: signed.content["steps"] ?? {}, stepList: DPIA_STEP_LIST, choices: RISK_CHOICES });
  });

  app.get("/registers/dpias/:id/export.json", { config: { access: "registers:view" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    const entry = await entryOf(contextOf(request, services), "dpia", id, "register.export");
    return sendDownload(reply, "application/json; charset=utf-8", `dpia-${slugOf(entry.title)}.json`, dpiaAsJson(entry));
  });

  app.get("/registers/dpias/:id/export.pdf", { config: { access: "registers:view" } }, async (request, reply) => {
    const { id } = paramsOr404(dpiaParams, request.params);
    const view = await dpiaView(contextOf(request, services), id, "register.export");
    return sendDownload(reply, "application/pdf", `dpia-${slugOf(view.entry.title)}-${londonDateOf(services.clock.now())}.pdf`, Buffer.from(dpiaAsPdf(view)));
  });

  const importPage = (request: FastifyRequest, reply: FastifyReply, organisationId: string | undefined, errors?: Record<string, string>) => {
    const ctx = contextOf(request, services);
    const reachable = organisationsOf(ctx);
    const target = chosenOrganisation(ctx, organisationId);
    if (!target) return reply.page("registers/views/choose-school.njk", { names: { one: "DPIA", many: "Import a DPIA" }, path: "dpias/import", organisations: reachable, asQuery: true });
    return reply.page("registers/views/dpia-import.njk", { organisation: target, errors }, errors ? 400 : 200);
  };

  app.get("/registers/dpias/import", { config: { access: "registers:manage" } }, async (request, reply) => importPage(request, reply, organisationQuery.parse(request.query ?? {}).organisationId));

  app.post("/registers/dpias/import", { config: { access: "registers:manage", acceptsFiles: true } }, async (request, reply) => {
    const organisationId = organisationQuery.parse(request.query ?? {}).organisationId ?? "";
    const ctx = contextOf(request, services);
    if (!organisationsOf(ctx).some((organisation) => organisation.id === organisationId)) return reply.callNotFound();
    const upload = uploadedFile(request.body);
    if (!upload || (upload.filename === "" && upload.bytes.length === 0)) return importPage(request, reply, organisationId, { file: "Select the DPIA’s file (.json)" });
    if (upload.tooLarge || upload.bytes.length > 1024 * 1024) return importPage(request, reply, organisationId, { file: "The file must be smaller than 1 MB" });
    try {
      const id = await importDpia(ctx, organisationId, upload.bytes.toString("utf8"));
      return reply.redirect(`/registers/dpias/${id}?done=imported`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return importPage(request, reply, organisationId, error.errors);
      throw error;
    }
  });

  // ---- The self-audit, area by area ----

  const areaParams = dpiaParams.extend({ area: z.string().regex(/^[a-z-]{3,30}$/) });

  const areaPage = async (request: FastifyRequest, reply: FastifyReply, id: string, areaId: string, problem?: { errors: Record<string, string>; values: Record<string, unknown> }) => {
    const area = areaOf(areaId);
    if (!area) return reply.callNotFound();
    const ctx = contextOf(request, services);
    const view = await auditView(ctx, id);
    const evidence = (await Promise.all((["organisation", "policy", "training", "processing", "supplier", "dpia", "retention"] as const).map(async (kind) => (await entryChoices(ctx, kind, view.entry.organisationId)).map((entry) => ({ value: entry.id, text: `${entry.title} (${KIND_NAMES[kind].one})`, kind }))))).flat();
    return reply.page("registers/views/self-audit-area.njk", { view, entry: view.entry, area, rag: RAG, evidence, values: problem?.values ?? areaValues(view, area.id), errors: problem?.errors }, problem ? 400 : 200);
  };

  app.get("/registers/self-audits/:id/areas/:area", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id, area } = paramsOr404(areaParams, request.params);
    return areaPage(request, reply, id, area);
  });

  app.post("/registers/self-audits/:id/areas/:area", { config: { access: "registers:manage" } }, async (request, reply) => {
    const { id, area } = paramsOr404(areaParams, request.params);
    if (!areaOf(area)) return reply.callNotFound();
    try {
      await saveAuditArea(contextOf(request, services), id, area, request.body);
      return reply.redirect(`/registers/self-audits/${id}?done=area`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return areaPage(request, reply, id, area, { errors: error.errors, values: { ...(request.body as Record<string, unknown>) } });
      throw error;
    }
  });

  // ---- Retention in practice: the disposal log, and closed cases past their period ----

  const disposalsPage = async (request: FastifyRequest, reply: FastifyReply, problem?: { errors: Record<string, string> }) => {
    const ctx = contextOf(request, services);
    const { organisationId, done } = organisationQuery.parse(request.query ?? {});
    return reply.page("registers/views/disposals.njk", {
      pastRetention: await casesPastRetention(ctx, organisationId),
      log: await disposalLog(ctx, organisationId),
      trustWide: ctx.actor.reachable.length > 1 && !organisationId,
      chosenOrganisationId: organisationId ?? "",
      organisationChoices: organisationChoices(ctx, "Every school and the trust"),
      canManage: can(ctx.actor, "registers:manage"),
      notice: done === "recorded" ? "The disposal is in the log." : /^approved-\d+$/.test(done ?? "") ? `Destruction approved for ${done!.slice(9)} case${done === "approved-1" ? "" : "s"}. Steward will remove them when deletion comes with the licence’s lifecycle; until then they stay, marked approved.` : undefined,
      errors: problem?.errors,
    }, problem ? 400 : 200);
  };

  app.get("/registers/disposals", { config: { access: "registers:view" } }, async (request, reply) => disposalsPage(request, reply));

  app.post("/registers/disposals/approve", { config: { access: "registers:manage" } }, async (request, reply) => {
    const chosen = (request.body as Record<string, unknown> | undefined)?.["caseIds"];
    const caseIds = (Array.isArray(chosen) ? chosen : [chosen]).filter((id): id is string => typeof id === "string" && isUuid(id));
    try {
      const approved = await approveDestruction(contextOf(request, services), caseIds);
      return reply.redirect(`/registers/disposals?done=approved-${approved}`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return disposalsPage(request, reply, { errors: error.errors });
      throw error;
    }
  });

  const disposalForm = async (request: FastifyRequest, reply: FastifyReply, organisationId: string | undefined, problem?: { errors: Record<string, string>; values: Record<string, unknown> }) => {
    const ctx = contextOf(request, services);
    const reachable = organisationsOf(ctx);
    const target = chosenOrganisation(ctx, organisationId);
    if (!target) {
      return reply.page("registers/views/choose-school.njk", { names: { one: "disposal", many: "Record a disposal" }, path: "disposals/new", organisations: reachable, asQuery: true });
    }
    const today = londonDateOf(services.clock.now());
    return reply.page("registers/views/disposal-form.njk", {
      organisation: target, methods: DISPOSAL_METHODS, rules: await entryChoices(ctx, "retention", target.id),
      values: problem?.values ?? { disposedOn: today, disposedBy: ctx.actor.fullName }, errors: problem?.errors,
    }, problem ? 400 : 200);
  };

  app.get("/registers/disposals/new", { config: { access: "registers:manage" } }, async (request, reply) => disposalForm(request, reply, organisationQuery.parse(request.query ?? {}).organisationId));

  app.post("/registers/disposals/new", { config: { access: "registers:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { organisationId, ...form } = (request.body ?? {}) as Record<string, unknown>;
    if (typeof organisationId !== "string" || !organisationsOf(ctx).some((organisation) => organisation.id === organisationId)) return reply.callNotFound();
    try {
      await addDisposal(ctx, organisationId, form);
      return reply.redirect(`/registers/disposals?${ctx.actor.reachable.length > 1 ? `organisationId=${organisationId}&` : ""}done=recorded`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return disposalForm(request, reply, organisationId, { errors: error.errors, values: { ...form } });
      throw error;
    }
  });

  app.get("/registers/disposals/export.csv", { config: { access: "registers:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const log = await disposalLog(ctx, organisationQuery.parse(request.query ?? {}).organisationId, "register.export");
    const columns: Column<DisposalRecord>[] = [
      { header: "School", value: (record) => record.organisationName }, { header: "What", value: (record) => record.what }, { header: "Destroyed on", value: (record) => ({ date: record.disposedOn }) },
      { header: "How", value: (record) => record.methodName }, { header: "By", value: (record) => record.disposedBy }, { header: "Authority", value: (record) => record.authority },
      { header: "Retention rule", value: (record) => record.retentionTitle ?? "" }, { header: "Evidence", value: (record) => record.evidence ?? "" }, { header: "Recorded by", value: (record) => record.recordedByName ?? "" },
    ];
    return sendDownload(reply, "text/csv; charset=utf-8", `disposal-log-${londonDateOf(services.clock.now())}.csv`, tableAsCsv(columns, log));
  });

  app.get("/registers/:register", { config: { access: "registers:view" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const ctx = contextOf(request, services);
    const { organisationId } = organisationQuery.parse(request.query ?? {});
    const entries = await listEntries(ctx, kind, { organisationId });
    // A school's trust templates (for a school the actor is in, or the one chosen in a trust).
    const school = organisationId ?? (ctx.actor.organisation.kind === "school" ? ctx.actor.organisation.id : undefined);
    const templates = school ? await templatesFor(ctx, school, kind) : [];
    const copied = new Set(entries.map((entry) => entry.templateId).filter(Boolean));
    return reply.page("registers/views/list.njk", {
      kind, names: KIND_NAMES[kind], entries,
      trustWide: ctx.actor.reachable.length > 1 && !organisationId,
      chosenOrganisationId: organisationId ?? "",
      organisationChoices: organisationChoices(ctx, "Every school and the trust"),
      templates: templates.map((template) => ({ ...template, copied: copied.has(template.id) })),
      templateSchool: school,
      canManage: can(ctx.actor, "registers:manage"),
      starterName: STARTER_NAMES[kind],
      added: /^added-\d+$/.test(String(organisationQuery.parse(request.query ?? {}).done ?? "")) ? Number(String(organisationQuery.parse(request.query ?? {}).done).slice(6)) : undefined,
      starters: STARTERS[kind] && can(ctx.actor, "registers:manage") && ctx.actor.reachable.length === 1 ? await startersNotAdded(ctx, kind, ctx.actor.organisation.id) : [],
      hasStarters: STARTERS[kind] !== undefined,
      // An organisation has one of some kinds: once recorded, it is changed, not added again.
      canAdd: can(ctx.actor, "registers:manage") && !(ONE_EACH.includes(kind) && ctx.actor.reachable.length === 1 && entries.some((entry) => entry.status !== "retired")),
      exportQuery: organisationId ? `?organisationId=${organisationId}` : "",
    });
  });

  app.get("/registers/:register/export.:format", { config: { access: "registers:view" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { format } = paramsOr404(exportParams, request.params);
    const ctx = contextOf(request, services);
    const { organisationId } = organisationQuery.parse(request.query ?? {});
    const exported = await registerExport(ctx, kind, organisationId);
    const name = `${kind === "processing" ? "record-of-processing" : KIND_NAMES[kind].path}-${exported.madeOn}.${format}`;
    if (format === "pdf") return sendDownload(reply, "application/pdf", name, Buffer.from(registerAsPdf(exported)));
    if (format === "xlsx") return sendDownload(reply, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, Buffer.from(registerAsXlsx(exported)));
    return sendDownload(reply, "text/csv; charset=utf-8", name, registerAsCsv(exported));
  });

  /** The form for a new entry or a change, with every list it needs. */
  const showForm = async (reply: FastifyReply, ctx: Context, kind: RegisterKind, form: { organisationId: string; entry?: RegisterEntry; values: Record<string, unknown>; errors?: Record<string, string> }, status = 200) => {
    const readingId = typeof form.values["noticeReadingId"] === "string" ? form.values["noticeReadingId"] : "";
    const reading = kind === "supplier" && isUuid(readingId) ? await noticeReadingOf(ctx, readingId).catch(() => undefined) : undefined;
    const organisation = organisationsOf(ctx).find((candidate) => candidate.id === form.organisationId);
    // A trust shares what its schools adapt; not a person's training, its own facts or its own audits.
    const isTrust = ctx.actor.organisation.kind === "trust" && form.organisationId === ctx.actor.organisation.id && !(["training", "organisation", "audit"] as RegisterKind[]).includes(kind);
    const fields = FORM_FIELDS[kind];
    const activities = fields?.some((field) => field.optionsFrom === "processing") ? await entryChoices(ctx, "processing", form.organisationId) : [];
    return reply.page(fields ? "registers/views/entry-form.njk" : `registers/views/${kind}-form.njk`, {
      kind, names: KIND_NAMES[kind], entry: form.entry, values: form.values, errors: form.errors,
      organisationId: form.organisationId, organisationName: organisation?.name ?? "",
      // The current owner stays offered (a trust's person, or someone whose role has changed), so saving keeps them.
      owners: await ownerChoices(ctx, form.organisationId).then((people) => (form.entry?.ownerUserId && !people.some((person) => person.id === form.entry!.ownerUserId) ? [...people, { id: form.entry.ownerUserId, name: form.entry.ownerName ?? "The current owner" }] : people)),
      suppliers: kind === "processing" ? await entryChoices(ctx, "supplier", form.organisationId) : [],
      titleAsked: fields?.some((field) => field.name === "title") ?? true,
      fields: fields?.map((field) => ({ ...field, options: field.optionsFrom === "processing" ? activities.map((activity) => ({ id: activity.id, label: activity.title })) : field.options })),
      choices: CHOICES,
      canBeTemplate: isTrust,
      reading,
    }, status);
  };

  /** A form's values from a saved entry: the spine and the details, as the boxes hold them. */
  const valuesOf = (entry: RegisterEntry): Record<string, unknown> => ({ title: entry.title, status: entry.status, ownerUserId: entry.ownerUserId ?? "", reviewOn: entry.reviewOn, isTemplate: entry.isTemplate ? "yes" : "", ...entry.details });

  app.get("/registers/:register/new", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const ctx = contextOf(request, services);
    const { organisationId } = organisationQuery.parse(request.query ?? {});
    const reachable = organisationsOf(ctx);
    if (!organisationId && reachable.length > 1) {
      return reply.page("registers/views/choose-school.njk", { names: KIND_NAMES[kind], path: KIND_NAMES[kind].path, organisations: reachable });
    }
    const target = organisationId ?? ctx.actor.organisation.id;
    if (!reachable.some((organisation) => organisation.id === target)) {
      return reply.callNotFound();
    }
    // A supplier read from its privacy notice starts from what the notice said, for the DPO to confirm or correct.
    const { reading: readingId } = organisationQuery.parse(request.query ?? {});
    const reading: SupplierNoticeReading | undefined = kind === "supplier" && readingId ? await noticeReadingOf(ctx, readingId) : undefined;
    if (reading && reading.organisationId !== target) {
      return reply.callNotFound();
    }
    const prefill = reading ? { ...supplierAnswersFrom(reading.reading), noticeReadingId: reading.id } : {};
    const defaults = kind === "processing" ? { transfers: "no", criminalOffenceData: "no" } : {};
    // A training record's refresher is worked out from the day it was done, unless chosen.
    const reviewOn = kind === "training" ? "" : nextReviewFrom(londonDateOf(services.clock.now()));
    return showForm(reply, ctx, kind, { organisationId: target, values: { status: "draft", reviewOn, ...defaults, ...prefill } });
  });

  app.post("/registers/:register/new", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const ctx = contextOf(request, services);
    const { organisationId: organisationField, ...form } = (request.body ?? {}) as Record<string, unknown>;
    const organisationId = typeof organisationField === "string" && isUuid(organisationField) ? organisationField : ctx.actor.organisation.id;
    if (!organisationsOf(ctx).some((organisation) => organisation.id === organisationId)) {
      return reply.callNotFound();
    }
    try {
      const saved = await saveEntry(ctx, kind, { organisationId }, form);
      return reply.redirect(`/registers/${KIND_NAMES[kind].path}/${saved.id}?done=saved`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return showForm(reply, ctx, kind, { organisationId, values: error.values, errors: error.errors }, 400);
      throw error;
    }
  });

  app.get("/registers/:register/:id", { config: { access: "registers:view" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { id } = paramsOr404(entryParams, request.params);
    const ctx = contextOf(request, services);
    const { done } = organisationQuery.parse(request.query ?? {});
    if (kind === "dpia") return dpiaPage(request, reply, id, done ? DONE[done] : undefined);
    if (kind === "audit") {
      const view = await auditView(ctx, id);
      return reply.page("registers/views/self-audit.njk", { view, entry: view.entry, names: KIND_NAMES.audit, notice: done ? DONE[done] : undefined, canManage: can(ctx.actor, "registers:manage") });
    }
    const entry = await entryOf(ctx, kind, id);
    return reply.page("registers/views/entry.njk", {
      kind, names: KIND_NAMES[kind], entry,
      summary: entryFields(kind, entry, await linkedNames(ctx, kind, entry.organisationId)),
      icoRegistrationOdd: kind === "organisation" && typeof entry.details["icoRegistration"] === "string" && entry.details["icoRegistration"] !== "" && !ICO_REGISTRATION.test(entry.details["icoRegistration"]),
      usedBy: kind === "supplier" ? await activitiesUsing(ctx, entry) : [],
      reading: kind === "supplier" && typeof entry.details["noticeReadingId"] === "string" && entry.details["noticeReadingId"] ? await noticeReadingOf(ctx, entry.details["noticeReadingId"]).catch(() => undefined) : undefined,
      templateNews: await templateNewsOf(ctx, entry),
      canManage: can(ctx.actor, "registers:manage"),
      notice: done ? DONE[done] : undefined,
      nextReview: nextReviewAfter(kind, entry.reviewOn, londonDateOf(services.clock.now())),
    });
  });

  app.get("/registers/:register/:id/edit", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { id } = paramsOr404(entryParams, request.params);
    const ctx = contextOf(request, services);
    const entry = await entryOf(ctx, kind, id);
    return showForm(reply, ctx, kind, { organisationId: entry.organisationId, entry, values: valuesOf(entry) });
  });

  app.post("/registers/:register/:id/edit", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { id } = paramsOr404(entryParams, request.params);
    const ctx = contextOf(request, services);
    const { organisationId: _ignored, ...form } = (request.body ?? {}) as Record<string, unknown>;
    try {
      await saveEntry(ctx, kind, { organisationId: ctx.actor.organisation.id, id }, form);
      return reply.redirect(`/registers/${KIND_NAMES[kind].path}/${id}?done=saved`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) {
        const entry = await entryOf(ctx, kind, id);
        return showForm(reply, ctx, kind, { organisationId: entry.organisationId, entry, values: error.values, errors: error.errors }, 400);
      }
      throw error;
    }
  });

  app.post("/registers/:register/:id/review", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { id } = paramsOr404(entryParams, request.params);
    await recordReview(contextOf(request, services), kind, id);
    return reply.redirect(`/registers/${KIND_NAMES[kind].path}/${id}?done=reviewed`, 303);
  });

  app.post("/registers/:register/:id/template", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { id } = paramsOr404(entryParams, request.params);
    const answer = field(request.body, "answer") === "use" ? "use" : "keep";
    try {
      await answerTemplateChange(contextOf(request, services), kind, id, answer);
    } catch (error) {
      if (error instanceof EntryFormError && kind === "dpia") return dpiaPage(request, reply, id, undefined, { signed: Object.values(error.errors)[0]! });
      throw error;
    }
    return reply.redirect(`/registers/${KIND_NAMES[kind].path}/${id}?done=${answer === "use" ? "taken" : "kept"}`, 303);
  });

  app.post("/registers/:register/templates/:templateId/copy", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const { templateId } = paramsOr404(templateParams, request.params);
    const ctx = contextOf(request, services);
    const organisationId = field(request.body, "organisationId");
    if (!isUuid(organisationId)) return reply.callNotFound();
    const id = await copyTemplate(ctx, kind, templateId, organisationId);
    return reply.redirect(`/registers/${KIND_NAMES[kind].path}/${id}?done=copied`, 303);
  });

  /** The page that takes a supplier's privacy notice, pasted or uploaded. */
  const readPage = (request: FastifyRequest, reply: FastifyReply, organisationId: string | undefined, problem?: { errors: Record<string, string>; values?: Record<string, unknown> }) => {
    const ctx = contextOf(request, services);
    const reachable = organisationsOf(ctx);
    const target = chosenOrganisation(ctx, organisationId);
    if (!target) {
      return reply.page("registers/views/choose-school.njk", { names: { one: "supplier", many: "Add a supplier from its privacy notice" }, path: "suppliers/read", organisations: reachable, asQuery: true });
    }
    return reply.page("registers/views/read-notice.njk", { organisationId: target.id, organisationName: target.name, values: problem?.values ?? {}, errors: problem?.errors }, problem ? 400 : 200);
  };

  /** Reads the notice and goes on to the new supplier's form, filled in from it; a problem comes back to the page. */
  const readThen = async (request: FastifyRequest, reply: FastifyReply, organisationId: string, notice: () => Promise<{ source: string; text: string }>, field: "text" | "file", values: Record<string, unknown> = {}) => {
    const ctx = contextOf(request, services);
    if (!organisationsOf(ctx).some((organisation) => organisation.id === organisationId)) return reply.callNotFound();
    try {
      const id = await readSupplierNotice(ctx, organisationId, await notice());
      return reply.redirect(`/registers/suppliers/new?organisationId=${organisationId}&reading=${id}`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return readPage(request, reply, organisationId, { errors: { [field]: Object.values(error.errors)[0]! }, values });
      if ((error instanceof StewardError && error.code === "bad_request") || error instanceof ConversionError) return readPage(request, reply, organisationId, { errors: { [field]: error.message }, values });
      throw error;
    }
  };

  app.get("/registers/suppliers/read", { config: { access: "registers:manage" } }, async (request, reply) => readPage(request, reply, organisationQuery.parse(request.query ?? {}).organisationId));

  app.post("/registers/suppliers/read", { config: { access: "registers:manage" }, bodyLimit: PASTED_NOTICE_BYTES }, async (request, reply) => {
    const text = field(request.body, "text");
    return readThen(request, reply, field(request.body, "organisationId"), async () => ({ source: "pasted text", text }), "text", { text: text.slice(0, 600_000) });
  });

  app.post("/registers/suppliers/read/upload", { config: { access: "registers:manage", acceptsFiles: true } }, async (request, reply) => {
    const organisationId = organisationQuery.parse(request.query ?? {}).organisationId ?? "";
    const upload = uploadedFile(request.body);
    if (!upload || (upload.filename === "" && upload.bytes.length === 0)) return readPage(request, reply, organisationId, { errors: { file: "Select the notice’s file" } });
    if (upload.tooLarge) return readPage(request, reply, organisationId, { errors: { file: "The file must be smaller than 10 MB" } });
    return readThen(request, reply, organisationId, async () => ({ source: upload.filename, text: await noticeText(upload.filename, upload.bytes) }), "file");
  });

  app.get("/registers/:register/starters", { config: { access: "registers:manage" } }, async (request, reply) => starterPage(request, reply, registerOf(request.params)));
  app.post("/registers/:register/starters", { config: { access: "registers:manage" } }, async (request, reply) => {
    const kind = registerOf(request.params);
    const ctx = contextOf(request, services);
    const organisationId = field(request.body, "organisationId");
    const chosen = (request.body as Record<string, unknown> | undefined)?.["starters"];
    const keys = (Array.isArray(chosen) ? chosen : [chosen]).filter((key): key is string => typeof key === "string");
    if (!STARTERS[kind] || !organisationsOf(ctx).some((organisation) => organisation.id === organisationId)) return reply.callNotFound();
    try {
      const added = await addStarters(ctx, kind, organisationId, keys);
      const query = new URLSearchParams({ ...(ctx.actor.reachable.length > 1 ? { organisationId } : {}), done: `added-${added}` });
      return reply.redirect(`/registers/${KIND_NAMES[kind].path}?${query}`, 303);
    } catch (error) {
      if (error instanceof EntryFormError) return starterPage(request, reply, kind, error.errors);
      throw error;
    }
  });

  async function starterPage(request: FastifyRequest, reply: FastifyReply, kind: RegisterKind, errors?: Record<string, string>) {
    if (!STARTERS[kind]) return reply.callNotFound();
    const ctx = contextOf(request, services);
    const { organisationId } = organisationQuery.parse(request.query ?? {});
    const chosen = organisationId ?? field(request.body, "organisationId") ?? "";
    const reachable = organisationsOf(ctx);
    const target = chosenOrganisation(ctx, chosen);
    if (!target) {
      return reply.page("registers/views/choose-school.njk", { names: { one: "starting point", many: STARTER_NAMES[kind]! }, path: `${KIND_NAMES[kind].path}/starters`, organisations: reachable, asQuery: true });
    }
    return reply.page("registers/views/starters.njk", { kind, names: KIND_NAMES[kind], heading: STARTER_NAMES[kind], organisation: target, starters: await startersNotAdded(ctx, kind, target.id), errors }, errors ? 400 : 200);
  }
}
