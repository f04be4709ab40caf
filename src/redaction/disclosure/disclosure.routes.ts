import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { contextOf } from "../../accounts/request-context.ts";
import { CaseFormError } from "../../cases/cases.ts";
import { getCase } from "../../cases/case-record.ts";
import { badRequest, notFound } from "../../platform/errors.ts";
import { capitalise, readForm, requiredText, type FieldErrors } from "../../platform/forms.ts";
import { paramsOr404 } from "../../platform/http/params.ts";
import { sendDownload, uploadedFile } from "../../platform/http/files.ts";
import type { Services } from "../../platform/services.ts";
import { REVIEW_SCALE } from "../pdf/page-image.ts";
import { PART_NAMES, type PersonPart } from "../detection/people.ts";
import { approveBundle, bundleApproval } from "./approval.ts";
import { clearSchoolPeople, importSchoolPeople, readRedactionSettings, setAlwaysRemove, setRecognizers } from "./redaction-settings.ts";
import { disclosureBundle } from "./disclosure-bundle.ts";
import { addSearchTask, finishTask, myTasks, searchTasksOfCase, taskForAssignee, uploadToTask } from "./search-tasks.ts";
import { assignableTo } from "../../cases/case-changes.ts";
import { dateField } from "../../cases/cases.schema.ts";
import { addAttachmentToDisclosure, addDocument, addRequestPerson, disclosureArea, documentToRemove, downloadDocument, LISTABLE_PARTS, PURPOSES, removeDocument, removeRequestPerson, type Purpose } from "./documents.ts";
import { changeRedactions, decideAll, decideMarks, markRegion, redactDocument, removeMark, removePhrase, reviewPage, reviewPageImage, withholdPage, type Decision, type MarkDecision } from "./review.ts";

/**
 * The disclosure area of a case and the review of its documents. Every route is the DPO's work
 * (cases:manage); every one finds the case through the one visibility rule, so another
 * organisation's case, document or mark is a 404 however it is asked for.
 */
const caseParams = z.object({ id: z.uuid() });
const documentParams = z.object({ id: z.uuid(), documentId: z.uuid() });
const pageParams = documentParams.extend({ page: z.coerce.number().int().min(1).max(100_000) });

/**
 * While Steward works on a document the page can look again by itself, without JavaScript: a
 * refresh every 10 seconds, at most 30 times (5 minutes), and only after the person asked for the
 * work (the redirect carries ?check=1) so a form being filled in is never reloaded under them. Each
 * look is a request, so an open page does not keep a session alive for ever. "Stop checking" stops it.
 */
const REFRESH_SECONDS = 10;
const MOST_CHECKS = 30;

function refreshOf(request: FastifyRequest, path: string, working: boolean): { url: string; seconds: number; stop: string } | undefined {
  const check = Number((request.query as Record<string, unknown> | undefined)?.["check"]);
  if (!working || !Number.isInteger(check) || check < 1 || check >= MOST_CHECKS) {
    return undefined;
  }
  return { url: `${path}?check=${check + 1}`, seconds: REFRESH_SECONDS, stop: path };
}

const DOCUMENT_TYPES = ".pdf,.docx,.doc,.odt,.rtf,.eml,.jpg,.jpeg,.png,.tif,.tiff,.txt,.csv,.xlsx";

const NOTICES: Record<string, string> = {
  added: "The document is added. Steward is reading it: its suggestions appear here when it is ready.",
  "added-working": "The working file is added. It stays with the case and is never sent to the requester.",
  person: "The list of people is changed. Steward is looking through every document again for them; decisions you made stay, and redacted documents are back in review.",
  decided: "Your decisions are saved.",
  phrase: "Every match of the words is marked for removal.",
  withheld: "The page is marked to be withheld.",
  region: "The box is marked for removal.",
  "mark-removed": "The mark is taken off.",
  redacting: "Steward is applying the redactions and checking the result.",
  reopened: "The document is back in review. Redact it again when you have made your changes.",
  removed: "The document is removed.",
  approved: "The bundle is approved for release.",
  task: "The search task is given. Whoever it is for is emailed the case’s reference and the date it is due (unless it is you), and sees it under Your search tasks.",
};

const purposeSchema = z.enum(["disclosure", "working"], { error: "Select whether the document is for disclosure or a working file" });
const personSchema = z.object({
  name: requiredText("the person's name", { max: 200 }),
  part: z.enum(LISTABLE_PARTS as [PersonPart, ...PersonPart[]], { error: "Select the person's part in the request" }),
});
const attachmentSchema = z.object({ attachmentId: z.uuid({ error: "Select an attachment" }), purpose: purposeSchema });
const reasonCode = z.string().max(8).optional();
const taskParams = z.object({ taskId: z.uuid() });
const taskSchema = z.object({
  title: requiredText("what to search for", { max: 300 }),
  assigneeId: z.uuid({ error: "Select who will search" }),
  dueOn: dateField("the date it is due"),
});
const finishSchema = z.object({ outcome: z.enum(["done", "nothing-found"], { error: "Select whether you found documents or nothing" }) });
const TASK_NOTICES: Record<string, string> = {
  uploaded: "The document is uploaded. Add any more you find, then say the search is done.",
  finished: "Thank you: the DPO can see the search is finished.",
};
const removeSchema = z.object({ removalReason: requiredText("why you are removing the document", { max: 2000 }) });
const phraseSchema = z.object({ phrase: requiredText("the words to remove", { max: 300 }), reasonCode });
const withholdSchema = z.object({ reasonCode });
const coordinate = z.coerce.number({ error: "Draw a box over what to remove" });
const regionSchema = z.object({ x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate, reasonCode });
const decideAllSchema = z.object({
  which: z.enum(["person", "kind", "undecided"]),
  person: z.string().max(200).optional(),
  kind: z.string().max(40).optional(),
  decision: z.enum(["remove", "keep"], { error: "Select remove or keep" }),
  reasonCode,
});

export function disclosureRoutes(app: FastifyInstance, services: Services): void {
  const showArea = async (request: FastifyRequest, reply: FastifyReply, caseId: string, errors?: FieldErrors, values: Record<string, unknown> = {}) => {
    const ctx = contextOf(request, services);
    const area = await disclosureArea(ctx, caseId);
    const record = await getCase(ctx, caseId);
    const tasks = await searchTasksOfCase(ctx, caseId);
    const approval = await bundleApproval(ctx, caseId);
    const people = area.closed ? [] : await assignableTo(ctx, caseId);
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    return reply.page(
      "redaction/views/disclosure.njk",
      {
        errors,
        values,
        record,
        area,
        notice: typeof done === "string" ? NOTICES[done] : undefined,
        showSchool: ctx.actor.organisationIds.length > 1,
        purposes: PURPOSES.map((purpose) => ({ value: purpose.id, text: purpose.name, hint: { text: purpose.hint } })),
        parts: LISTABLE_PARTS.map((part) => ({ value: part, text: capitalise(PART_NAMES[part]) })),
        documentTypes: DOCUMENT_TYPES,
        refresh: refreshOf(request, `/cases/${caseId}/disclosure`, area.working > 0),
        tasks,
        approval,
        assignees: [{ value: "", text: "Choose someone" }, ...people.map((person) => ({ value: person.id, text: person.name }))],
        attachmentItems: [{ value: "", text: "Choose an attachment" }, ...area.attachments.map((attachment) => ({ value: attachment.id, text: attachment.filename }))],
      },
      errors ? 400 : 200,
    );
  };

  app.get("/cases/:id/disclosure", { config: { access: "cases:manage" } }, async (request, reply) => showArea(request, reply, paramsOr404(caseParams, request.params).id));

  /** A change from the area's forms: back to the area with its notice, or with the problem by its field. */
  const areaChange = async (request: FastifyRequest, reply: FastifyReply, caseId: string, change: () => Promise<string>) => {
    try {
      const done = await change();
      return reply.redirect(`/cases/${caseId}/disclosure?done=${done}${done === "added" || done === "person" ? "&check=1" : ""}`, 303);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showArea(request, reply, caseId, error.errors, (request.body ?? {}) as Record<string, unknown>);
      }
      throw error;
    }
  };

  app.post("/cases/:id/disclosure/documents", { config: { access: "cases:manage", acceptsFiles: true } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    const { purpose, ...rest } = (request.body ?? {}) as Record<string, unknown>;
    const upload = uploadedFile(rest);
    const chosen = purposeSchema.safeParse(purpose);
    if (!chosen.success) {
      return showArea(request, reply, caseId, { purpose: "Select whether the document is for disclosure or a working file" });
    }
    // A browser sends an empty, nameless file when none was chosen.
    if (!upload || (upload.filename === "" && upload.bytes.length === 0)) {
      return showArea(request, reply, caseId, { file: "Select a file to add" }, { purpose });
    }
    return areaChange(request, reply, caseId, async () => {
      await addDocument(contextOf(request, services), caseId, upload, chosen.data);
      return chosen.data === "working" ? "added-working" : "added";
    });
  });

  app.post("/cases/:id/disclosure/attachments", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    const form = readForm(attachmentSchema, request.body);
    if (!form.ok) {
      return showArea(request, reply, caseId, form.errors, form.values);
    }
    return areaChange(request, reply, caseId, async () => {
      await addAttachmentToDisclosure(contextOf(request, services), caseId, form.data.attachmentId, form.data.purpose as Purpose);
      return form.data.purpose === "working" ? "added-working" : "added";
    });
  });

  app.post("/cases/:id/disclosure/people", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    const form = readForm(personSchema, request.body);
    if (!form.ok) {
      return showArea(request, reply, caseId, form.errors, form.values);
    }
    return areaChange(request, reply, caseId, async () => {
      await addRequestPerson(contextOf(request, services), caseId, { name: form.data.name, part: form.data.part as PersonPart });
      return "person";
    });
  });

  app.post("/cases/:id/disclosure/tasks", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    const form = readForm(taskSchema, request.body);
    if (!form.ok) {
      return showArea(request, reply, caseId, form.errors, form.values);
    }
    return areaChange(request, reply, caseId, async () => {
      await addSearchTask(contextOf(request, services), caseId, form.data);
      return "task";
    });
  });

  // The assignee's side: their own tasks, and nothing else of the case.
  app.get("/tasks", { config: { access: "cases:log" } }, async (request, reply) => reply.page("redaction/views/tasks.njk", { tasks: await myTasks(contextOf(request, services)) }));

  const showTask = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors) => {
    const { taskId } = paramsOr404(taskParams, request.params);
    const task = await taskForAssignee(contextOf(request, services), taskId);
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    return reply.page("redaction/views/task.njk", { errors, task, notice: typeof done === "string" ? TASK_NOTICES[done] : undefined, documentTypes: DOCUMENT_TYPES }, errors ? 400 : 200);
  };
  app.get("/tasks/:taskId", { config: { access: "cases:log" } }, async (request, reply) => showTask(request, reply));
  app.post("/tasks/:taskId/documents", { config: { access: "cases:log", acceptsFiles: true } }, async (request, reply) => {
    const { taskId } = paramsOr404(taskParams, request.params);
    const upload = uploadedFile(request.body);
    if (!upload || (upload.filename === "" && upload.bytes.length === 0)) {
      return showTask(request, reply, { file: "Select a file to upload" });
    }
    try {
      await uploadToTask(contextOf(request, services), taskId, upload);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showTask(request, reply, error.errors);
      }
      throw error;
    }
    return reply.redirect(`/tasks/${taskId}?done=uploaded`, 303);
  });
  app.post("/tasks/:taskId/finish", { config: { access: "cases:log" } }, async (request, reply) => {
    const { taskId } = paramsOr404(taskParams, request.params);
    const form = readForm(finishSchema, request.body);
    if (!form.ok) {
      return showTask(request, reply, form.errors);
    }
    try {
      await finishTask(contextOf(request, services), taskId, form.data.outcome);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showTask(request, reply, error.errors);
      }
      throw error;
    }
    return reply.redirect(`/tasks/${taskId}?done=finished`, 303);
  });

  app.post("/cases/:id/disclosure/people/:personId/remove", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id, personId } = paramsOr404(z.object({ id: z.uuid(), personId: z.uuid() }), request.params);
    await removeRequestPerson(contextOf(request, services), id, personId);
    return reply.redirect(`/cases/${id}/disclosure?done=person`, 303);
  });

  // The organisation's redaction settings: recognizers, always-remove words, the school's people list.
  const settingsQuery = z.object({ organisationId: z.uuid().optional() });
  const showSettings = async (request: FastifyRequest, reply: FastifyReply, organisationId?: string, errors?: FieldErrors, values: Record<string, unknown> = {}) => {
    const ctx = contextOf(request, services);
    const chosen = organisationId ?? settingsQuery.catch({}).parse(request.query ?? {}).organisationId ?? ctx.actor.organisation.id;
    const settings = await readRedactionSettings(ctx, chosen);
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    return reply.page(
      "redaction/views/settings.njk",
      {
        errors,
        values,
        settings,
        notice: done === "saved" ? "The redaction settings are saved. They apply to documents read from now on." : undefined,
        organisations: ctx.actor.reachable.length > 1 ? ctx.actor.reachable.map((organisation) => ({ value: organisation.id, text: organisation.name, selected: organisation.id === chosen })) : [],
        organisationName: ctx.actor.reachable.find((organisation) => organisation.id === chosen)?.name ?? ctx.actor.organisation.name,
      },
      errors ? 400 : 200,
    );
  };
  app.get("/redaction-settings", { config: { access: "cases:manage" } }, async (request, reply) => showSettings(request, reply));
  const settingsChange = (path: string, change: (ctx: ReturnType<typeof contextOf>, organisationId: string, body: Record<string, unknown>) => Promise<void>, options: { acceptsFiles?: true } = {}) => {
    app.post(`/redaction-settings/${path}`, { config: { access: "cases:manage", ...options } }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const organisationId = z.uuid().safeParse(body["organisationId"]);
      if (!organisationId.success) {
        throw notFound();
      }
      try {
        await change(contextOf(request, services), organisationId.data, body);
      } catch (error) {
        if (error instanceof CaseFormError) {
          return showSettings(request, reply, organisationId.data, error.errors, body);
        }
        throw error;
      }
      return reply.redirect(`/redaction-settings?organisationId=${organisationId.data}&done=saved`, 303);
    });
  };
  settingsChange("recognizers", (ctx, organisationId, body) =>
    setRecognizers(
      ctx,
      organisationId,
      Object.keys(body)
        .filter((field) => field.startsWith("on-") && body[field] === "yes")
        .map((field) => field.slice(3)),
    ),
  );
  settingsChange("words", (ctx, organisationId, body) => setAlwaysRemove(ctx, organisationId, typeof body["words"] === "string" ? body["words"] : ""));
  settingsChange(
    "people",
    async (ctx, organisationId, body) => {
      const { organisationId: _organisation, listOf, ...rest } = body;
      const upload = uploadedFile(rest);
      const chosen = z.enum(["pupils", "parents", "staff", "mixed"]).safeParse(listOf);
      if (!chosen.success) {
        throw new CaseFormError({ listOf: "Select who is on the list" });
      }
      if (!upload || (upload.filename === "" && upload.bytes.length === 0)) {
        throw new CaseFormError({ file: "Select the CSV file exported from your MIS" });
      }
      await importSchoolPeople(ctx, organisationId, upload, chosen.data);
    },
    { acceptsFiles: true },
  );
  settingsChange("people/remove", (ctx, organisationId) => clearSchoolPeople(ctx, organisationId));

  app.post("/cases/:id/disclosure/approve", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    return areaChange(request, reply, caseId, async () => {
      await approveBundle(contextOf(request, services), caseId);
      return "approved";
    });
  });

  app.get("/cases/:id/disclosure/bundle.pdf", { config: { access: "cases:manage" } }, async (request, reply) => {
    const caseId = paramsOr404(caseParams, request.params).id;
    try {
      const bundle = await disclosureBundle(contextOf(request, services), caseId);
      return sendDownload(reply, "application/pdf", bundle.filename, bundle.bytes);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showArea(request, reply, caseId, error.errors);
      }
      throw error;
    }
  });

  for (const which of ["original", "redacted"] as const) {
    app.get(`/cases/:id/disclosure/documents/:documentId/${which}`, { config: { access: "cases:manage" } }, async (request, reply) => {
      const { id, documentId } = paramsOr404(documentParams, request.params);
      let file;
      try {
        file = await downloadDocument(contextOf(request, services), id, documentId, which);
      } catch (error) {
        if (error instanceof CaseFormError) {
          return showArea(request, reply, id, error.errors);
        }
        throw error;
      }
      reply.header("x-content-type-options", "nosniff").header("content-security-policy", "sandbox; default-src 'none'");
      return sendDownload(reply, file.contentType, file.filename, file.bytes);
    });
  }

  const showRemove = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values: Record<string, unknown> = {}) => {
    const { id, documentId } = paramsOr404(documentParams, request.params);
    const ctx = contextOf(request, services);
    const document = await documentToRemove(ctx, id, documentId);
    const record = await getCase(ctx, id);
    return reply.page("redaction/views/remove-document.njk", { errors, values, record, document }, errors ? 400 : 200);
  };
  app.get("/cases/:id/disclosure/documents/:documentId/remove", { config: { access: "cases:manage" } }, async (request, reply) => showRemove(request, reply));
  app.post("/cases/:id/disclosure/documents/:documentId/remove", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id, documentId } = paramsOr404(documentParams, request.params);
    const form = readForm(removeSchema, request.body);
    if (!form.ok) {
      return showRemove(request, reply, form.errors, form.values);
    }
    try {
      await removeDocument(contextOf(request, services), id, documentId, form.data.removalReason);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showRemove(request, reply, error.errors, form.data);
      }
      throw error;
    }
    return reply.redirect(`/cases/${id}/disclosure?done=removed`, 303);
  });

  app.get("/cases/:id/disclosure/documents/:documentId", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id, documentId } = paramsOr404(documentParams, request.params);
    return reply.redirect(`/cases/${id}/disclosure/documents/${documentId}/pages/1`, 303);
  });

  const showReview = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values: Record<string, unknown> = {}) => {
    const { id, documentId, page } = paramsOr404(pageParams, request.params);
    const ctx = contextOf(request, services);
    const review = await reviewPage(ctx, id, documentId, page - 1);
    const record = await getCase(ctx, id);
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    const base = `/cases/${id}/disclosure/documents/${documentId}`;
    return reply.page(
      "redaction/views/review.njk",
      {
        errors,
        values,
        record,
        review,
        base,
        pagePath: `${base}/pages/${page}`,
        pageNumber: page,
        notice: typeof done === "string" ? NOTICES[done] : undefined,
        showSchool: ctx.actor.organisationIds.length > 1,
        reasons: review.reasons.map((reason) => ({ value: reason.code, text: `${reason.code}: ${reason.name} (${reason.law})` })),
        refresh: refreshOf(request, `${base}/pages/${page}`, review.state === "redacting"),
        imageScale: REVIEW_SCALE,
      },
      errors ? 400 : 200,
    );
  };

  app.get("/cases/:id/disclosure/documents/:documentId/pages/:page", { config: { access: "cases:manage" } }, async (request, reply) => showReview(request, reply));

  app.get("/cases/:id/disclosure/documents/:documentId/pages/:page/image.png", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id, documentId, page } = paramsOr404(pageParams, request.params);
    const image = await reviewPageImage(contextOf(request, services), id, documentId, page - 1);
    return reply.type("image/png").header("cache-control", "no-store").header("x-content-type-options", "nosniff").send(Buffer.from(image.png));
  });

  /** A change from the review page: back to the same page with its notice, or with the problem. */
  const reviewChange = <Schema extends z.ZodObject>(path: string, schema: Schema | undefined, change: (ctx: ReturnType<typeof contextOf>, params: z.output<typeof pageParams>, data: z.output<Schema> & Record<string, string>) => Promise<string>) => {
    app.post(`/cases/:id/disclosure/documents/:documentId/pages/:page/${path}`, { config: { access: "cases:manage" } }, async (request, reply) => {
      const params = paramsOr404(pageParams, request.params);
      let data = (request.body ?? {}) as Record<string, string>;
      if (schema) {
        const form = readForm(schema, request.body);
        if (!form.ok) {
          return showReview(request, reply, form.errors, form.values);
        }
        data = form.data as Record<string, string>;
      }
      try {
        const done = await change(contextOf(request, services), params, data as z.output<Schema> & Record<string, string>);
        const target = done === "redacting" || done === "reopened" ? 1 : params.page;
        return reply.redirect(`/cases/${params.id}/disclosure/documents/${params.documentId}/pages/${target}?done=${done}${done === "redacting" ? "&check=1" : ""}`, 303);
      } catch (error) {
        if (error instanceof CaseFormError) {
          return showReview(request, reply, error.errors, (request.body ?? {}) as Record<string, unknown>);
        }
        throw error;
      }
    });
  };

  // Each mark's decision comes as decision-<id> (remove, keep or pending) with its reason as reason-<id>, and what
  // the page showed as shown-<id>, so a decision someone else made since is never silently overwritten.
  reviewChange("decisions", undefined, async (ctx, params, body) => {
    const decisions: MarkDecision[] = [];
    for (const [field, value] of Object.entries(body)) {
      const match = /^decision-([0-9a-f-]{36})$/.exec(field);
      if (field === "_csrf" || /^(reason|shown)-[0-9a-f-]{36}$/.test(field)) {
        continue;
      }
      if (!match || typeof value !== "string" || !["remove", "keep", "pending"].includes(value)) {
        throw badRequest("The form had fields Steward does not expect.");
      }
      const reason = body[`reason-${match[1]}`];
      const shown = body[`shown-${match[1]}`];
      decisions.push({ id: match[1]!, decision: value as Decision, ...(typeof reason === "string" && reason ? { reasonCode: reason } : {}), ...(typeof shown === "string" ? { shown } : {}) });
    }
    await decideMarks(ctx, params.id, params.documentId, decisions);
    return "decided";
  });
  reviewChange("decide-all", decideAllSchema, async (ctx, params, data) => {
    const which = data.which === "person" ? { person: data.person ?? "" } : data.which === "kind" ? { kind: data.kind ?? "" } : { undecided: true as const };
    await decideAll(ctx, params.id, params.documentId, which, data.decision, data.reasonCode);
    return "decided";
  });
  reviewChange("phrase", phraseSchema, async (ctx, params, data) => {
    await removePhrase(ctx, params.id, params.documentId, data.phrase, data.reasonCode);
    return "phrase";
  });
  reviewChange("withhold", withholdSchema, async (ctx, params, data) => {
    await withholdPage(ctx, params.id, params.documentId, params.page - 1, data.reasonCode);
    return "withheld";
  });
  reviewChange("region", regionSchema, async (ctx, params, data) => {
    await markRegion(ctx, params.id, params.documentId, params.page - 1, [data.x0, data.y0, data.x1, data.y1], data.reasonCode);
    return "region";
  });
  reviewChange("marks/remove", z.object({ markId: z.uuid() }), async (ctx, params, data) => {
    await removeMark(ctx, params.id, params.documentId, data.markId);
    return "mark-removed";
  });
  reviewChange("redact", undefined, async (ctx, params) => {
    await redactDocument(ctx, params.id, params.documentId);
    return "redacting";
  });
  reviewChange("change", undefined, async (ctx, params) => {
    await changeRedactions(ctx, params.id, params.documentId);
    return "reopened";
  });
}
