import { randomUUID } from "node:crypto";
import { paramsOr404 } from "../platform/http/params.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { can } from "../accounts/permissions.ts";
import { NATION_NAMES } from "../calendar/bank-holidays.ts";
import { londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { notFound } from "../platform/errors.ts";
import { readForm, type FieldErrors } from "../platform/forms.ts";
import { filterQuery, paginationOf } from "../platform/http/pagination.ts";
import { contextOf } from "../accounts/request-context.ts";
import { sendDownload, uploadedFile } from "../platform/http/files.ts";
import type { Services } from "../platform/services.ts";
import { ALLOWED_EXTENSIONS, attachFile, attachmentToRemove, openAttachment, removeAttachment } from "./attachments.ts";
import { removeAttachmentSchema } from "./attachments.schema.ts";
import {
  assignSchema,
  breachAssessmentSchema,
  caseFilterSchema,
  caseDetailsSchema,
  closeSchema,
  extendSchema,
  newCaseKindSchema,
  newCaseSchema,
  noteSchema,
  reopenSchema,
  restartSchema,
  statusSchema,
  stopSchema,
} from "./cases.schema.ts";
import { addNote, assessBreach, assignableTo, assignCase, changeStatus, closeCase, extendCase, previewClosing, reopenCase, restartClock, stopClock } from "./case-changes.ts";
import { CASES_PER_PAGE, listCases } from "./case-list.ts";
import { getCase } from "./case-record.ts";
import { CaseFormError } from "./cases.ts";
import { correctCaseDetails, detailsFormValues } from "./corrections.ts";
import { casesAsCsv, casesAsXlsx } from "./export.ts";
import { LikelyDuplicateError, logCase, organisationsForLogging, type LikelyDuplicate } from "./logging.ts";
import { responseChannelItems } from "./response.ts";
import { asksWhoseData, CHANNELS, DISCLOSING_CASE_TYPES, DISCLOSURE_PURGE_DAYS, LIKELIHOODS, RIGHTS, SEVERITIES, STOP_REASON_NAMES, SUBJECT_KINDS, WORKFLOWS } from "./workflows.ts";

/** An export is one file of every case the filter matches, up to this many. */
const MAX_EXPORTED_CASES = 100_000;

const caseParams = z.object({ id: z.uuid() });
const attachmentParams = z.object({ id: z.uuid(), attachmentId: z.uuid() });

function caseIdFrom(params: unknown): string {
  return paramsOr404(caseParams, params).id;
}

/** A response already sent by a letter from Steward fills in the close form's date and way (the DPO can change them). */
function sentResponseValues(record: { response: { sentOn: string | null }; responseChannel: string | null }): Record<string, string> {
  return record.response.sentOn ? { sentOn: record.response.sentOn, ...(record.responseChannel ? { responseChannel: record.responseChannel } : {}) } : {};
}

/** The closing as typed (from the form or the check page's Change link), and nothing else. */
function closeValuesFrom(source: unknown): Record<string, string> {
  const fields = ["outcome", "detail", "sentOn", "sentOn-day", "sentOn-month", "sentOn-year", "responseChannel"];
  const given = (source ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.filter((field) => typeof given[field] === "string").map((field) => [field, given[field] as string]));
}

/** What /cases/:id says after a change, from ?done=… */
const CASE_NOTICES: Record<string, string> = {
  logged: "The case is logged.",
  "logged-as-sar": "Logged as a subject access request: this school has no educational record rule, so a parent’s request for the record is the child’s subject access request, due in one calendar month.",
  assigned: "The case has been assigned.",
  status: "The stage is changed.",
  stopped: "The clock is stopped.",
  restarted: "The clock is running again.",
  extended: "The deadline is extended.",
  note: "Your note is added.",
  attached: "The file is attached.",
  "attachment-removed": "The file is removed.",
  closed: "The case is closed.",
  corrected: "The case’s details are corrected, and its deadline worked out again.",
  reopened: "The case is open again. Check the deadline: it has been worked out afresh.",
  assessed: "The risk assessment is saved.",
};

/** The notice after a change; after logging, it names who was emailed (from the timeline). */
function noticeOf(done: string, record: { events: readonly { kind: string; detail: string | null }[] }): string | undefined {
  const notice = CASE_NOTICES[done];
  if (notice && done.startsWith("logged")) {
    const told = record.events.findLast((event) => event.kind === "told")?.detail;
    return told ? `${notice} ${told}` : notice;
  }
  return notice;
}

export function casesRoutes(app: FastifyInstance, services: Services): void {
  app.get("/cases", { config: { access: "signed-in" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const filter = caseFilterSchema.parse(request.query ?? {});
    const list = await listCases(ctx, filter);
    const organisations = ctx.actor.reachable.length > 1 ? ctx.actor.reachable.map((organisation) => ({ value: organisation.id, text: organisation.name })) : [];
    const query = filterQuery({ ...filter, page: undefined });
    return reply.page("cases/views/list.njk", {
      ...list,
      first: (list.page - 1) * CASES_PER_PAGE + 1,
      last: (list.page - 1) * CASES_PER_PAGE + list.cases.length,
      pagination: paginationOf(list.page, list.pages, (page) => `/cases?${filterQuery({ ...filter, page })}`),
      filter: { state: filter.state ?? "open", type: filter.type ?? "", organisationId: filter.organisationId ?? "" },
      query,
      types: Object.values(WORKFLOWS).map((workflow) => ({ value: workflow.type, text: workflow.name })),
      organisations,
      showSchool: ctx.actor.organisationIds.length > 1,
      canLog: can(ctx.actor, "cases:log"),
      canExport: can(ctx.actor, "cases:view-all"),
      seesAll: can(ctx.actor, "cases:view-all"),
    });
  });

  app.get("/cases/export.csv", { config: { access: "cases:view-all" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { cases } = await listCases(ctx, { ...caseFilterSchema.parse(request.query ?? {}), page: 1 }, { audit: "case.export", perPage: MAX_EXPORTED_CASES });
    return sendDownload(reply, "text/csv; charset=utf-8", `steward-cases-${londonDateOf(services.clock.now())}.csv`, casesAsCsv(cases));
  });

  app.get("/cases/export.xlsx", { config: { access: "cases:view-all" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { cases } = await listCases(ctx, { ...caseFilterSchema.parse(request.query ?? {}), page: 1 }, { audit: "case.export", perPage: MAX_EXPORTED_CASES });
    return sendDownload(reply, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `steward-cases-${londonDateOf(services.clock.now())}.xlsx`, Buffer.from(casesAsXlsx(cases)));
  });

  /**
   * Logging a case is two pages, one question first: which school and what kind of case. The
   * second asks only what that kind needs (no "whose data" for an FOI request, a time for a breach).
   */
  const showNewCaseKind = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values: Record<string, string> = {}) => {
    const ctx = contextOf(request, services);
    const organisations = await organisationsForLogging(ctx);
    // Every type any reachable school offers: the domain refuses one that does not apply to the chosen school.
    // The educational record is always offered in England: at an academy it becomes a subject access request.
    // An FOI request is one choice: whether it counts school days follows from the school.
    const offered = [...new Set(organisations.flatMap((organisation) => (organisation.nation === "england" ? [...organisation.types, "educational-record" as const] : organisation.types)))]
      .filter((type) => type !== "foi-school")
      .sort((a, b) => Object.keys(WORKFLOWS).indexOf(a) - Object.keys(WORKFLOWS).indexOf(b));
    const academyNote = organisations.some((organisation) => organisation.nation === "england" && organisation.schoolType !== "maintained")
      ? ". At an academy or independent school this is logged as a subject access request (one month)."
      : "";
    const foiNote = organisations.some((organisation) => organisation.kind === "school" && organisation.nation !== "scotland" && organisation.schoolType !== "independent")
      ? ". A school’s request is counted in school days: 20 school days or 60 working days, whichever is sooner."
      : "";
    return reply.page(
      "cases/views/new.njk",
      {
        errors,
        values: organisations.length === 1 ? { organisationId: organisations[0]!.id, ...values } : values,
        organisations: [{ value: "", text: "Select a school" }, ...organisations.map((organisation) => ({ value: organisation.id, text: organisation.label }))],
        types: offered.map((type) => ({
          value: type,
          text: type === "foi" ? "Freedom of information request" : WORKFLOWS[type].name,
          hint: { text: WORKFLOWS[type].hint + (type === "educational-record" ? academyNote : type === "foi" ? foiNote : "") },
          checked: values["type"] === type,
        })),
      },
      errors ? 400 : 200,
    );
  };

  const showNewCaseDetails = async (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: { organisationId: string; type: CaseType },
    { errors, values = {}, duplicates }: { errors?: FieldErrors; values?: Record<string, string>; duplicates?: LikelyDuplicate[] } = {},
  ) => {
    const ctx = contextOf(request, services);
    const organisation = (await organisationsForLogging(ctx)).find((candidate) => candidate.id === kind.organisationId);
    if (!organisation) {
      return showNewCaseKind(request, reply, { organisationId: "Select which school it is for" }, { type: kind.type });
    }
    const workflow = WORKFLOWS[kind.type];
    return reply.page(
      "cases/views/new-details.njk",
      {
        errors,
        // A fresh key for each new form; the same one when it comes back with a problem.
        values: { receivedOn: londonDateOf(services.clock.now()), ...values, ...kind, submissionKey: values["submissionKey"] || randomUUID() },
        kind,
        typeName: kind.type === "foi" || kind.type === "foi-school" ? "Freedom of information request" : workflow.name,
        organisationName: organisation.label,
        manySchools: ctx.actor.organisationIds.length > 1,
        asksWhoseData: asksWhoseData(kind.type),
        duplicates,
        channels: [{ value: "", text: "Select how it arrived" }, ...CHANNELS.map((channel) => ({ value: channel.id, text: channel.name }))],
        rights: RIGHTS.map((right) => ({ value: right.id, text: right.name, checked: values["rightAsked"] === right.id })),
        subjectKinds: SUBJECT_KINDS.filter((subject) => kind.type !== "breach" || subject.id !== "requester").map((subject) => ({ value: subject.id, text: subject.name, checked: values["subjectKind"] === subject.id })),
      },
      errors ? 400 : 200,
    );
  };

  app.get("/cases/new", { config: { access: "cases:log" } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, string>;
    const chosen = { organisationId: typeof query["organisationId"] === "string" ? query["organisationId"] : "", type: typeof query["type"] === "string" ? query["type"] : "" };
    if (!("organisationId" in query) && !("type" in query)) {
      return showNewCaseKind(request, reply);
    }
    const form = readForm(newCaseKindSchema, chosen);
    if (!form.ok || query["change"] === "yes") {
      return showNewCaseKind(request, reply, form.ok ? undefined : form.errors, chosen);
    }
    return showNewCaseDetails(request, reply, form.data);
  });

  app.post("/cases", { config: { access: "cases:log" } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const kind = readForm(newCaseKindSchema, { organisationId: body["organisationId"], type: body["type"] });
    if (!kind.ok) {
      return showNewCaseKind(request, reply, kind.errors, kind.values);
    }
    const form = readForm(newCaseSchema, request.body);
    if (!form.ok) {
      return showNewCaseDetails(request, reply, kind.data, { errors: form.errors, values: form.values });
    }
    try {
      const { id, asSubjectAccess } = await logCase(contextOf(request, services), form.data);
      return reply.redirect(`/cases/${id}?done=${asSubjectAccess ? "logged-as-sar" : "logged"}`, 303);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showNewCaseDetails(request, reply, kind.data, { errors: error.errors, values: body });
      }
      if (error instanceof LikelyDuplicateError) {
        return showNewCaseDetails(request, reply, kind.data, { values: body, duplicates: error.duplicates });
      }
      throw error;
    }
  });

  const showCase = async (request: FastifyRequest, reply: FastifyReply, caseId: string, errors?: FieldErrors, values: Record<string, string> = {}) => {
    const ctx = contextOf(request, services);
    const done = (request.query as { done?: string } | undefined)?.done;
    // Landing here from one's own change (?done=), that change's audit event already covers the view.
    const record = await getCase(ctx, caseId, { afterOwnChange: Boolean(done) && !errors });
    const workflow = WORKFLOWS[record.type];
    const canManage = can(ctx.actor, "cases:manage");
    return reply.page(
      "cases/views/case.njk",
      {
        errors,
        values,
        record,
        workflow,
        notice: done ? noticeOf(done, record) : undefined,
        canManage,
        discloses: canManage && DISCLOSING_CASE_TYPES.includes(record.type),
        // A closed case's disclosure working data goes this many days on (redaction/disclosure/purge.ts).
        disclosurePurgeOn: record.closedAt ? londonDateOf(new Date(new Date(record.closedAt).getTime() + DISCLOSURE_PURGE_DAYS * 86_400_000)) : undefined,
        canReadAudit: can(ctx.actor, "audit:view"),
        // An auditor reads and changes nothing: no note or file forms for them.
        canAdd: can(ctx.actor, "cases:log"),
        showSchool: ctx.actor.organisationIds.length > 1,
        today: londonDateOf(services.clock.now()),
        people: canManage && !record.closedAt ? await assignableTo(ctx, caseId) : [],
        channelName: CHANNELS.find((channel) => channel.id === record.channel)?.name ?? record.channel,
        subjectKindName: SUBJECT_KINDS.find((kind) => kind.id === record.subjectKind)?.name ?? record.subjectKind,
        stopReasons: workflow.stopReasons.map((reason) => ({ value: reason, text: STOP_REASON_NAMES[reason] })),
        stopReasonName: record.openStop ? STOP_REASON_NAMES[record.openStop.reason] : "",
        allowedExtensions: ALLOWED_EXTENSIONS.map((extension) => `.${extension}`).join(","),
        responseChannels: responseChannelItems(values),
      },
      errors ? 400 : 200,
    );
  };

  app.get("/cases/:id", { config: { access: "signed-in" } }, async (request, reply) => showCase(request, reply, caseIdFrom(request.params)));

  /** A form that changes a case: read it, run the change, or show its page again (the case, unless said) with the problem. */
  const caseChange = <Schema extends z.ZodObject>(
    path: string,
    access: "cases:manage" | "cases:log",
    schema: Schema,
    change: (ctx: ReturnType<typeof contextOf>, caseId: string, data: z.output<Schema>) => Promise<void>,
    done: string,
    showForm: typeof showCase = showCase,
  ) => {
    app.post(`/cases/:id/${path}`, { config: { access } }, async (request, reply) => {
      const caseId = caseIdFrom(request.params);
      const form = readForm(schema, request.body);
      if (!form.ok) {
        return showForm(request, reply, caseId, form.errors, form.values);
      }
      try {
        await change(contextOf(request, services), caseId, form.data);
      } catch (error) {
        if (error instanceof CaseFormError) {
          return showForm(request, reply, caseId, error.errors, request.body as Record<string, string>);
        }
        throw error;
      }
      return reply.redirect(`/cases/${caseId}?done=${done}`, 303);
    });
  };

  /**
   * Each task on a case has a page of its own (GOV.UK's one thing per page), reached from the
   * case's Change links, and comes back with its problem there rather than on the case page.
   */
  const showTask =
    (task: "assign" | "stage" | "clock" | "extend" | "close" | "reopen" | "details") =>
    async (request: FastifyRequest, reply: FastifyReply, caseId: string, errors?: FieldErrors, values: Record<string, string> = {}) => {
      const ctx = contextOf(request, services);
      const record = await getCase(ctx, caseId);
      const workflow = WORKFLOWS[record.type];
      const usable = task === "reopen" ? Boolean(record.closedAt) : !record.closedAt;
      if (!usable || (task === "clock" && workflow.stopReasons.length === 0) || (task === "extend" && (!workflow.extension || record.extended || record.extendedTo || record.openStop))) {
        return reply.redirect(`/cases/${caseId}`, 303);
      }
      const people = task === "assign" ? await assignableTo(ctx, caseId) : [];
      const organisation = task === "details" ? (await organisationsForLogging(ctx)).find((candidate) => candidate.id === record.organisationId) : undefined;
      const chosenType = (values["type"] as CaseType | undefined) ?? record.type;
      return reply.page(
        `cases/views/tasks/${task}.njk`,
        {
          errors,
          values: Object.keys(values).length > 0 ? values : task === "details" ? detailsFormValues(record) : task === "close" ? sentResponseValues(record) : values,
          record,
          workflow,
          showSchool: ctx.actor.organisationIds.length > 1,
          today: londonDateOf(services.clock.now()),
          people: people.map((person) => ({ value: person.id, text: person.name })),
          stages: workflow.statuses.map((stage) => ({ value: stage.id, text: stage.name })),
          stopReasons: workflow.stopReasons.map((reason) => ({ value: reason, text: STOP_REASON_NAMES[reason] })),
          stopReasonName: record.openStop ? STOP_REASON_NAMES[record.openStop.reason] : "",
          responseChannels: responseChannelItems(Object.keys(values).length > 0 ? values : task === "close" ? sentResponseValues(record) : values),
          types: (organisation?.types ?? [record.type]).map((type) => ({ value: type, text: WORKFLOWS[type].name })),
          channels: CHANNELS.map((channel) => ({ value: channel.id, text: channel.name })),
          rights: RIGHTS.map((right) => ({ value: right.id, text: right.name })),
          subjectKinds: SUBJECT_KINDS.map((subject) => ({ value: subject.id, text: subject.name })),
          isBreach: chosenType === "breach" || record.type === "breach",
          asksWhoseData: asksWhoseData(chosenType) || asksWhoseData(record.type),
        },
        errors ? 400 : 200,
      );
    };
  for (const task of ["assign", "stage", "clock", "extend", "close", "reopen", "details"] as const) {
    app.get(`/cases/:id/${task}`, { config: { access: "cases:manage" } }, async (request, reply) =>
      showTask(task)(request, reply, caseIdFrom(request.params)),
    );
  }

  caseChange("assign", "cases:manage", assignSchema, (ctx, id, data) => assignCase(ctx, id, data.assigneeId), "assigned", showTask("assign"));
  caseChange("status", "cases:manage", statusSchema, (ctx, id, data) => changeStatus(ctx, id, data.status), "status", showTask("stage"));
  caseChange("stop", "cases:manage", stopSchema, (ctx, id, data) => stopClock(ctx, id, data.reason, data.fromOn), "stopped", showTask("clock"));
  caseChange("restart", "cases:manage", restartSchema, (ctx, id, data) => restartClock(ctx, id, data.toOn), "restarted", showTask("clock"));
  caseChange("extend", "cases:manage", extendSchema, (ctx, id, data) => extendCase(ctx, id, { reason: data.extensionReason, toldOn: data.toldOn, extendedTo: data.extendedTo }), "extended", showTask("extend"));
  caseChange("reopen", "cases:manage", reopenSchema, (ctx, id, data) => reopenCase(ctx, id, data.reopenReason), "reopened", showTask("reopen"));
  caseChange("details", "cases:manage", caseDetailsSchema, (ctx, id, data) => correctCaseDetails(ctx, id, data), "corrected", showTask("details"));

  // Closing asks twice: the form, then a check of what will be recorded (whether it was on time
  // included); only the second post, marked confirmed, closes the case.
  app.post("/cases/:id/close", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = caseIdFrom(request.params);
    const body = (request.body ?? {}) as Record<string, string>;
    if (body["change"] === "yes") {
      return showTask("close")(request, reply, caseId, undefined, closeValuesFrom(body));
    }
    const form = readForm(closeSchema, request.body);
    if (!form.ok) {
      return showTask("close")(request, reply, caseId, form.errors, form.values);
    }
    const ctx = contextOf(request, services);
    try {
      if (body["confirmed"] !== "yes") {
        const closing = await previewClosing(ctx, caseId, form.data);
        const record = await getCase(ctx, caseId);
        const hidden = Object.fromEntries(Object.entries(closeValuesFrom(body)).filter(([, value]) => value !== ""));
        return reply.page("cases/views/tasks/close-check.njk", { record, closing, hidden, showSchool: ctx.actor.organisationIds.length > 1 });
      }
      await closeCase(ctx, caseId, form.data);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showTask("close")(request, reply, caseId, error.errors, body);
      }
      throw error;
    }
    return reply.redirect(`/cases/${caseId}?done=closed`, 303);
  });
  caseChange("notes", "cases:log", noteSchema, (ctx, id, data) => addNote(ctx, id, data.note), "note");

  app.post("/cases/:id/attachments", { config: { access: "cases:log", acceptsFiles: true } }, async (request, reply) => {
    const caseId = caseIdFrom(request.params);
    const upload = uploadedFile(request.body);
    if (!upload) {
      return showCase(request, reply, caseId, { file: "Select a file to attach" });
    }
    try {
      await attachFile(contextOf(request, services), caseId, upload);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showCase(request, reply, caseId, error.errors);
      }
      throw error;
    }
    return reply.redirect(`/cases/${caseId}?done=attached`, 303);
  });

  app.get("/cases/:id/attachments/:attachmentId", { config: { access: "signed-in" } }, async (request, reply) => {
    const params = attachmentParams.safeParse(request.params);
    if (!params.success) {
      throw notFound();
    }
    const file = await openAttachment(contextOf(request, services), params.data.id, params.data.attachmentId);
    // Never shown inline: downloaded, with our stored type, no sniffing, and sandboxed if opened.
    reply.header("x-content-type-options", "nosniff").header("content-security-policy", "sandbox; default-src 'none'");
    return sendDownload(reply, file.contentType, file.filename, file.bytes);
  });

  // Removing a wrong attachment: one page, saying why.
  const showRemoveAttachment = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values: Record<string, string> = {}) => {
    const params = attachmentParams.safeParse(request.params);
    if (!params.success) {
      throw notFound();
    }
    const ctx = contextOf(request, services);
    const file = await attachmentToRemove(ctx, params.data.id, params.data.attachmentId);
    const record = await getCase(ctx, params.data.id);
    return reply.page("cases/views/remove-attachment.njk", { errors, values, record, file }, errors ? 400 : 200);
  };

  app.get("/cases/:id/attachments/:attachmentId/remove", { config: { access: "cases:manage" } }, async (request, reply) => showRemoveAttachment(request, reply));

  app.post("/cases/:id/attachments/:attachmentId/remove", { config: { access: "cases:manage" } }, async (request, reply) => {
    const params = attachmentParams.safeParse(request.params);
    if (!params.success) {
      throw notFound();
    }
    const form = readForm(removeAttachmentSchema, request.body);
    if (!form.ok) {
      return showRemoveAttachment(request, reply, form.errors, form.values);
    }
    await removeAttachment(contextOf(request, services), params.data.id, params.data.attachmentId, form.data.removalReason);
    return reply.redirect(`/cases/${params.data.id}?done=attachment-removed`, 303);
  });

  const showBreachForm = async (request: FastifyRequest, reply: FastifyReply, caseId: string, errors?: FieldErrors, values?: Record<string, string>) => {
    const record = await getCase(contextOf(request, services), caseId);
    if (record.type !== "breach") {
      throw notFound();
    }
    const saved = record.breach;
    return reply.page(
      "cases/views/breach.njk",
      {
        errors,
        record,
        values: values ?? (saved ? { ...saved, peopleCount: String(saved.peopleCount), recordCount: String(saved.recordCount) } : {}),
        likelihoods: LIKELIHOODS.map((item) => ({ value: item.id, text: item.name })),
        severities: SEVERITIES.map((item) => ({ value: item.id, text: item.name })),
      },
      errors ? 400 : 200,
    );
  };

  app.get("/cases/:id/breach", { config: { access: "cases:manage" } }, async (request, reply) => showBreachForm(request, reply, caseIdFrom(request.params)));

  caseChange("breach", "cases:manage", breachAssessmentSchema, (ctx, id, data) => assessBreach(ctx, id, data), "assessed", showBreachForm);

  app.get("/cases/:id/breach-report", { config: { access: "signed-in" } }, async (request, reply) => {
    const record = await getCase(contextOf(request, services), caseIdFrom(request.params));
    if (record.type !== "breach") {
      throw notFound();
    }
    const risk = record.breach
      ? { likelihood: LIKELIHOODS.find((item) => item.id === record.breach!.likelihood)?.name, severity: SEVERITIES.find((item) => item.id === record.breach!.severity)?.name }
      : undefined;
    return reply.page("cases/views/breach-report.njk", { record, risk, nationNames: NATION_NAMES });
  });
}
