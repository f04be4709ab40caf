import { inPublicScope } from "./public-scope.ts";
import { organisationFactsOf } from "../registers/organisation-facts.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { contextOf, requestMeta } from "../accounts/request-context.ts";
import { CaseFormError } from "../cases/cases.ts";
import { RIGHTS } from "../cases/workflows.ts";
import { badRequest } from "../platform/errors.ts";
import { readForm } from "../platform/forms.ts";
import { paramsOr404 } from "../platform/http/params.ts";
import { sendDownload, type UploadedFile } from "../platform/http/files.ts";
import type { Services } from "../platform/services.ts";
import { changeRequesterAddress, correspondenceOf, draftLetter, letterPdf, putPauseBack, replyToRequester, sendLetter } from "./correspondence.ts";
import { letterWordings, previewWording, resetWording, saveWording, wordingForEdit } from "./letter-wording.ts";
import { ABOUT, confirmPublicRequest, findPublicOrganisation, formStamp, pendingConfirmation, publicForm, publicRequestProblems, PublicFormError, PublicFormRefused, publicRequestSchema, startPublicRequest, WrongCode, type PublicContext } from "./public-forms.ts";
import { askForNewLink, endRequesterSession, enterRequesterCode, openRequesterLink, REQUESTER_IDLE_MS, RequesterAccessRefused, resolveRequesterSession, sendRequesterCode } from "./requester-access.ts";
import { downloadRelease, ReleaseExpired, requesterView, sendRequesterMessage, uploadIdentity } from "./requester-page.ts";
import { requestPageSettings, saveRequestPageSettings } from "./request-page-settings.ts";

/*
 * The requester's side on the web. Public pages under /r/<public name>: the forms, the code that
 * confirms an address, the link and code that open a requester's page, and that page. Staff pages:
 * a case's correspondence, letters, the organisation's letter wording and its request page's settings.
 */

/**
 * Per network address, on top of the per-address and per-form limits the domain keeps. Generous:
 * a mobile network or a school office puts many parents behind one address, and a form sent back
 * with an error counts too.
 */
const FORM_LIMIT = { max: 60, timeWindow: "1 hour" };
const CODE_LIMIT = { max: 30, timeWindow: "1 hour" };

const publicParams = z.object({ publicName: z.string().regex(/^[a-z0-9-]{3,40}$/) });
const formParams = publicParams.extend({ form: z.string().regex(/^[a-z]{3,20}$/) });
const confirmParams = publicParams.extend({ confirmationId: z.uuid() });
const linkParams = publicParams.extend({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
const releaseParams = publicParams.extend({ releaseId: z.uuid() });
const caseParams = z.object({ id: z.uuid() });
const letterParams = caseParams.extend({ letterId: z.uuid() });
const kindParams = z.object({ kind: z.string().regex(/^[a-z-]{3,40}$/) });

/** The requester's session cookie: its own name, so a member of staff's session in the same browser is untouched. */
function requesterCookieName(request: FastifyRequest): string {
  return request.protocol === "https" ? "__Host-steward_requester" : "steward_requester";
}
const readRequesterCookie = (request: FastifyRequest) => request.cookies[requesterCookieName(request)];
function writeRequesterCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(requesterCookieName(request), token, { path: "/", httpOnly: true, sameSite: "lax", secure: request.protocol === "https" });
}
function clearRequesterCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(requesterCookieName(request), { path: "/", httpOnly: true, sameSite: "lax", secure: request.protocol === "https" });
}

const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
};
const fileOf = (body: unknown): UploadedFile | undefined => {
  const upload = (body as Record<string, unknown> | undefined)?.["file"] as { filename?: unknown; bytes?: unknown; tooLarge?: unknown } | undefined;
  if (!upload || typeof upload.filename !== "string" || !Buffer.isBuffer(upload.bytes) || (upload.bytes.length === 0 && !upload.filename)) {
    return undefined;
  }
  return { filename: upload.filename, bytes: upload.bytes, ...(upload.tooLarge === true ? { tooLarge: true as const } : {}) };
};

const REQUESTER_NOTICES: Record<string, string> = {
  sent: "Your request has been sent to the school. We have emailed you its reference and a link back to this page.",
  message: "Your message has been sent to the school.",
  "message-restarted": "Your message has been sent. The school was waiting for it: the time it has to respond is running again from today.",
  identity: "Your proof of identity has been sent to the school.",
  "identity-restarted": "Your proof of identity has been sent. The time the school has to respond is running again from today.",
};

const STAFF_NOTICES: Record<string, string> = {
  message: "Your message is sent. The requester is emailed a link to read it on their page.",
  address: "The requester’s email address is saved.",
  paused: "The pause is back: the clock waits for clarification again, from the day you asked.",
  emailed: "The letter is sent by email, and is on the case’s timeline.",
  posted: "The letter is recorded, and is on the case’s timeline. Download it below to print and post.",
  saved: "The wording is saved. New letters use it.",
  reset: "The wording is back to Steward’s.",
};

export function requestsRoutes(app: FastifyInstance, services: Services): void {
  const publicContext = async (request: FastifyRequest): Promise<PublicContext> => {
    const { publicName } = paramsOr404(publicParams, request.params);
    return { services, request: requestMeta(request), organisation: await findPublicOrganisation(services, publicName) };
  };

  // ---- The public page and its forms ----

  app.get("/r/:publicName", { config: { access: "public" } }, async (request, reply) => {
    const ctx = await publicContext(request);
    return reply.page("requests/views/public-home.njk", { organisation: ctx.organisation, forms: ctx.organisation.forms, facts: await inPublicScope(ctx, (trx) => organisationFactsOf(trx, ctx.organisation.id, [ctx.organisation.id])) });
  });

  const showForm = (reply: FastifyReply, ctx: PublicContext, formId: string, extra: Record<string, unknown> = {}, status = 200) =>
    reply.page("requests/views/public-form.njk", { organisation: ctx.organisation, form: publicForm(ctx.organisation, formId), about: ABOUT, rights: RIGHTS, stamp: formStamp(services), values: {}, ...extra }, status);

  app.get("/r/:publicName/:form", { config: { access: "public" } }, async (request, reply) => {
    const { form } = paramsOr404(formParams, request.params);
    return showForm(reply, await publicContext(request), form);
  });

  app.post("/r/:publicName/:form", { config: { access: "public", rateLimit: FORM_LIMIT } }, async (request, reply) => {
    const { form: formId } = paramsOr404(formParams, request.params);
    const ctx = await publicContext(request);
    publicForm(ctx.organisation, formId);
    const form = readForm(publicRequestSchema, request.body);
    if (!form.ok) {
      // Every problem at once, in the form's order: the whole-form checks' and the fields' own.
      const found = { ...publicRequestProblems(publicForm(ctx.organisation, formId), form.values), ...form.errors };
      const order = ["name", "email", "about", "subjectName", "parentalResponsibility", "right", "details"];
      const errors = Object.fromEntries(Object.entries(found).sort(([a], [b]) => (order.indexOf(a) + 100) % 100 - (order.indexOf(b) + 100) % 100));
      return showForm(reply, ctx, formId, { errors, values: form.values }, 400);
    }
    const values = { ...form.data, stamp: undefined, website: undefined };
    try {
      const id = await startPublicRequest(ctx, formId, form.data);
      return reply.redirect(`/r/${ctx.organisation.publicName}/confirm/${id}`, 303);
    } catch (error) {
      if (error instanceof PublicFormError) {
        return showForm(reply, ctx, formId, { errors: error.errors, values }, 400);
      }
      if (error instanceof PublicFormRefused) {
        return showForm(reply, ctx, formId, { refused: error.message, values }, 429);
      }
      throw error;
    }
  });

  app.get("/r/:publicName/confirm/:confirmationId", { config: { access: "public" } }, async (request, reply) => {
    const { confirmationId } = paramsOr404(confirmParams, request.params);
    const ctx = await publicContext(request);
    const pending = await pendingConfirmation(ctx, confirmationId);
    return reply.page("requests/views/public-confirm.njk", { organisation: ctx.organisation, confirmationId, pending });
  });

  app.post("/r/:publicName/confirm/:confirmationId", { config: { access: "public", rateLimit: CODE_LIMIT } }, async (request, reply) => {
    const { confirmationId } = paramsOr404(confirmParams, request.params);
    const ctx = await publicContext(request);
    try {
      const { sessionToken } = await confirmPublicRequest(ctx, confirmationId, field(request.body, "code"));
      writeRequesterCookie(request, reply, sessionToken);
      return reply.redirect(`/r/${ctx.organisation.publicName}/request?done=sent`, 303);
    } catch (error) {
      if (error instanceof WrongCode) {
        const pending = await pendingConfirmation(ctx, confirmationId);
        return reply.page("requests/views/public-confirm.njk", { organisation: ctx.organisation, confirmationId, pending, errors: { code: error.message } }, 400);
      }
      if (error instanceof CaseFormError) {
        // The school's settings changed between the form and the code (this kind of request no longer applies to it).
        return reply.page("platform/views/problem.njk", { title: "Your request was not sent", message: `${ctx.organisation.name} cannot take this kind of request through its page just now. Nothing was sent: contact the school directly.` }, 409);
      }
      throw error;
    }
  });

  // ---- The link in an email, the code it sends, a new link ----

  app.get("/r/:publicName/your-request/:token", { config: { access: "public" } }, async (request, reply) => {
    const { token } = paramsOr404(linkParams, request.params);
    const ctx = await publicContext(request);
    const state = await openRequesterLink(ctx, token);
    const sent = (request.query as Record<string, unknown>)["sent"] === "1";
    return reply.page("requests/views/requester-link.njk", { organisation: ctx.organisation, token, state, sent }, state.kind === "unusable" ? 410 : 200);
  });

  app.post("/r/:publicName/your-request/:token/code", { config: { access: "public", rateLimit: CODE_LIMIT } }, async (request, reply) => {
    const { token } = paramsOr404(linkParams, request.params);
    const ctx = await publicContext(request);
    try {
      await sendRequesterCode(ctx, token);
    } catch (error) {
      if (error instanceof RequesterAccessRefused) {
        const state = await openRequesterLink(ctx, token);
        return reply.page("requests/views/requester-link.njk", { organisation: ctx.organisation, token, state, refused: error.message }, 429);
      }
      throw error;
    }
    return reply.redirect(`/r/${ctx.organisation.publicName}/your-request/${token}?sent=1`, 303);
  });

  app.post("/r/:publicName/your-request/:token", { config: { access: "public", rateLimit: CODE_LIMIT } }, async (request, reply) => {
    const { token } = paramsOr404(linkParams, request.params);
    const ctx = await publicContext(request);
    try {
      const sessionToken = await enterRequesterCode(ctx, token, field(request.body, "code"));
      writeRequesterCookie(request, reply, sessionToken);
      return reply.redirect(`/r/${ctx.organisation.publicName}/request`, 303);
    } catch (error) {
      if (error instanceof RequesterAccessRefused) {
        const state = await openRequesterLink(ctx, token);
        return reply.page("requests/views/requester-link.njk", { organisation: ctx.organisation, token, state, sent: true, errors: { code: error.message } }, 400);
      }
      throw error;
    }
  });

  app.get("/r/:publicName/new-link", { config: { access: "public" } }, async (request, reply) => {
    const ctx = await publicContext(request);
    return reply.page("requests/views/new-link.njk", { organisation: ctx.organisation, values: {} });
  });

  app.post("/r/:publicName/new-link", { config: { access: "public", rateLimit: FORM_LIMIT } }, async (request, reply) => {
    const ctx = await publicContext(request);
    const reference = field(request.body, "reference").slice(0, 60);
    const email = field(request.body, "email").slice(0, 254);
    const errors: Record<string, string> = {};
    if (!reference.trim()) errors["reference"] = "Enter your request’s reference, for example SAR-2026-0012";
    if (!email.trim()) errors["email"] = "Enter the email address you made the request from";
    if (Object.keys(errors).length) {
      return reply.page("requests/views/new-link.njk", { organisation: ctx.organisation, errors, values: { reference, email } }, 400);
    }
    await askForNewLink(ctx, reference, email);
    return reply.page("requests/views/new-link.njk", { organisation: ctx.organisation, asked: true, values: {} });
  });

  // ---- The requester's own page ----

  /** The requester's session for this organisation's page, or a page saying how to get back in. */
  const requesterSession = async (request: FastifyRequest, reply: FastifyReply, ctx: PublicContext) => {
    const session = await resolveRequesterSession(ctx, readRequesterCookie(request));
    if (!session) {
      clearRequesterCookie(request, reply);
      reply.page("requests/views/requester-signed-out.njk", { organisation: ctx.organisation, idleMinutes: REQUESTER_IDLE_MS / 60_000 }, 401);
    }
    return session;
  };

  const showRequesterPage = async (request: FastifyRequest, reply: FastifyReply, ctx: PublicContext, session: { sessionId: string; caseId: string }, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await requesterView(ctx, session);
    const done = String((request.query as Record<string, unknown>)["done"] ?? "");
    return reply.page("requests/views/requester.njk", { organisation: ctx.organisation, view, notice: REQUESTER_NOTICES[done], idleMinutes: REQUESTER_IDLE_MS / 60_000, values: {}, ...extra }, status);
  };

  app.get("/r/:publicName/request", { config: { access: "public" } }, async (request, reply) => {
    const ctx = await publicContext(request);
    const session = await requesterSession(request, reply, ctx);
    return session ? showRequesterPage(request, reply, ctx, session) : reply;
  });

  app.post("/r/:publicName/request/messages", { config: { access: "public", acceptsFiles: true } }, async (request, reply) => {
    const ctx = await publicContext(request);
    const session = await requesterSession(request, reply, ctx);
    if (!session) return reply;
    try {
      const { clockRestarted } = await sendRequesterMessage(ctx, session, { body: field(request.body, "body"), file: fileOf(request.body) });
      return reply.redirect(`/r/${ctx.organisation.publicName}/request?done=${clockRestarted ? "message-restarted" : "message"}#messages`, 303);
    } catch (error) {
      if (error instanceof CaseFormError) {
        const errors = error.errors["file"] ? { messageFile: error.errors["file"] } : { body: error.errors["body"] ?? error.message };
        return showRequesterPage(request, reply, ctx, session, { errors, values: { body: field(request.body, "body") } }, 400);
      }
      throw error;
    }
  });

  app.post("/r/:publicName/request/identity", { config: { access: "public", acceptsFiles: true } }, async (request, reply) => {
    const ctx = await publicContext(request);
    const session = await requesterSession(request, reply, ctx);
    if (!session) return reply;
    try {
      const { clockRestarted } = await uploadIdentity(ctx, session, fileOf(request.body));
      return reply.redirect(`/r/${ctx.organisation.publicName}/request?done=${clockRestarted ? "identity-restarted" : "identity"}`, 303);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showRequesterPage(request, reply, ctx, session, { errors: { file: error.errors["file"] ?? error.message } }, 400);
      }
      throw error;
    }
  });

  app.get("/r/:publicName/request/responses/:releaseId", { config: { access: "public" } }, async (request, reply) => {
    const { releaseId } = paramsOr404(releaseParams, request.params);
    const ctx = await publicContext(request);
    const session = await requesterSession(request, reply, ctx);
    if (!session) return reply;
    try {
      const { filename, bytes } = await downloadRelease(ctx, session, releaseId);
      return sendDownload(reply, "application/pdf", filename, bytes);
    } catch (error) {
      if (error instanceof ReleaseExpired) {
        return reply.page("requests/views/release-expired.njk", { organisation: ctx.organisation, message: error.message }, 410);
      }
      throw error;
    }
  });

  app.post("/r/:publicName/request/sign-out", { config: { access: "public" } }, async (request, reply) => {
    const ctx = await publicContext(request);
    await endRequesterSession(ctx, readRequesterCookie(request));
    clearRequesterCookie(request, reply);
    return reply.page("requests/views/requester-signed-out.njk", { organisation: ctx.organisation, signedOut: true, idleMinutes: REQUESTER_IDLE_MS / 60_000 });
  });

  // ---- The school's side ----

  const showCorrespondence = async (request: FastifyRequest, reply: FastifyReply, caseId: string, extra: Record<string, unknown> = {}, status = 200) => {
    const ctx = contextOf(request, services);
    const correspondence = await correspondenceOf(ctx, caseId);
    const done = String((request.query as Record<string, unknown>)["done"] ?? "");
    const letterId = String((request.query as Record<string, unknown>)["letter"] ?? "");
    return reply.page("requests/views/correspondence.njk", { correspondence, notice: STAFF_NOTICES[done], postedLetterId: /^[0-9a-f-]{36}$/.test(letterId) ? letterId : undefined, values: {}, ...extra }, status);
  };

  app.get("/cases/:id/correspondence", { config: { access: "cases:manage" } }, async (request, reply) => showCorrespondence(request, reply, paramsOr404(caseParams, request.params).id));

  app.post("/cases/:id/correspondence/messages", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(caseParams, request.params);
    try {
      await replyToRequester(contextOf(request, services), id, field(request.body, "body"));
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showCorrespondence(request, reply, id, { errors: error.errors, values: { body: field(request.body, "body") } }, 400);
      }
      throw error;
    }
    return reply.redirect(`/cases/${id}/correspondence?done=message#messages`, 303);
  });

  app.post("/cases/:id/correspondence/pause", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(caseParams, request.params);
    try {
      await putPauseBack(contextOf(request, services), id);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showCorrespondence(request, reply, id, { errors: error.errors }, 400);
      }
      throw error;
    }
    return reply.redirect(`/cases/${id}/correspondence?done=paused`, 303);
  });

  app.post("/cases/:id/correspondence/address", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(caseParams, request.params);
    try {
      await changeRequesterAddress(contextOf(request, services), id, field(request.body, "email").slice(0, 300));
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showCorrespondence(request, reply, id, { errors: error.errors, values: { email: field(request.body, "email").slice(0, 300) } }, 400);
      }
      throw error;
    }
    return reply.redirect(`/cases/${id}/correspondence?done=address`, 303);
  });

  app.get("/cases/:id/letters/new", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(caseParams, request.params);
    const kind = String((request.query as Record<string, unknown>)["kind"] ?? "");
    const draft = await draftLetter(contextOf(request, services), id, kind);
    return reply.page("requests/views/letter.njk", { draft, values: { subject: draft.subject, body: draft.body, method: draft.address ? "email" : "post", release: draft.canRelease && !draft.releaseBlocked ? "yes" : "" } });
  });

  const letterSchema = z.object({
    kind: z.string().max(40),
    subject: z.string().max(1000),
    body: z.string().max(40_000),
    method: z.enum(["email", "post"], { error: "Select how the letter goes to the requester" }),
    release: z.enum(["yes"]).optional(),
    postalAddress: z.string().max(500, { error: "The postal address must be 500 characters or fewer" }).optional(),
  });

  app.post("/cases/:id/letters", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id } = paramsOr404(caseParams, request.params);
    const ctx = contextOf(request, services);
    const form = readForm(letterSchema, request.body);
    const kind = field(request.body, "kind");
    if (!form.ok) {
      const draft = await draftLetter(ctx, id, kind);
      return reply.page("requests/views/letter.njk", { draft, errors: form.errors, values: form.values }, 400);
    }
    try {
      const letterId = await sendLetter(ctx, id, { ...form.data, release: form.data.release === "yes" });
      return reply.redirect(form.data.method === "email" ? `/cases/${id}/correspondence?done=emailed` : `/cases/${id}/correspondence?done=posted&letter=${letterId}`, 303);
    } catch (error) {
      if (error instanceof CaseFormError) {
        const draft = await draftLetter(ctx, id, kind);
        const errors = error.errors["bundle"] ? { release: error.errors["bundle"] } : error.errors;
        // Keep what the DPO wrote: the form comes back as they left it.
        return reply.page("requests/views/letter.njk", { draft, errors, values: { ...form.data } }, 400);
      }
      throw error;
    }
  });

  app.get("/cases/:id/letters/:letterId/pdf", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { id, letterId } = paramsOr404(letterParams, request.params);
    const { filename, bytes } = await letterPdf(contextOf(request, services), id, letterId);
    return sendDownload(reply, "application/pdf", filename, Buffer.from(bytes));
  });

  // ---- The organisation's letter wording and request page ----

  const organisationOf = (request: FastifyRequest): string => {
    const ctx = contextOf(request, services);
    const asked = String((request.query as Record<string, unknown>)["organisationId"] ?? field(request.body, "organisationId") ?? "");
    return /^[0-9a-f-]{36}$/.test(asked) && ctx.actor.organisationIds.includes(asked) ? asked : ctx.actor.organisation.id;
  };

  app.get("/letters", { config: { access: "cases:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisationId = organisationOf(request);
    const wordings = await letterWordings(ctx, organisationId);
    return reply.page("requests/views/wordings.njk", { wordings, organisationId, organisations: ctx.actor.reachable });
  });

  const showWording = async (request: FastifyRequest, reply: FastifyReply, kind: string, extra: Record<string, unknown> = {}, status = 200) => {
    const ctx = contextOf(request, services);
    const organisationId = organisationOf(request);
    const wording = await wordingForEdit(ctx, organisationId, kind);
    const done = String((request.query as Record<string, unknown>)["done"] ?? "");
    return reply.page("requests/views/wording.njk", { wording, organisationId, organisationName: ctx.actor.reachable.find((item) => item.id === organisationId)?.name, notice: STAFF_NOTICES[done], values: { subject: wording.subject, body: wording.body }, ...extra }, status);
  };

  app.get("/letters/:kind", { config: { access: "cases:manage" } }, async (request, reply) => showWording(request, reply, paramsOr404(kindParams, request.params).kind));

  app.post("/letters/:kind", { config: { access: "cases:manage" } }, async (request, reply) => {
    const { kind } = paramsOr404(kindParams, request.params);
    const ctx = contextOf(request, services);
    const organisationId = organisationOf(request);
    const action = field(request.body, "action");
    const subject = field(request.body, "subject").slice(0, 1000);
    const body = field(request.body, "body").slice(0, 40_000);
    const back = `/letters/${kind}?organisationId=${organisationId}`;
    try {
      if (action === "reset") {
        await resetWording(ctx, organisationId, kind);
        return reply.redirect(`${back}&done=reset`, 303);
      }
      if (action === "preview") {
        return showWording(request, reply, kind, { preview: previewWording(subject, body), values: { subject, body } });
      }
      if (action !== "save") {
        throw badRequest();
      }
      await saveWording(ctx, organisationId, kind, subject, body);
    } catch (error) {
      if (error instanceof CaseFormError) {
        return showWording(request, reply, kind, { errors: error.errors, values: { subject, body } }, 400);
      }
      throw error;
    }
    return reply.redirect(`${back}&done=saved`, 303);
  });

  app.get("/request-page", { config: { access: "settings:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const settings = await requestPageSettings(ctx);
    const done = (request.query as Record<string, unknown>)["done"] === "saved";
    return reply.page("requests/views/request-page-settings.njk", { settings, notice: done ? "The request page’s settings are saved." : undefined, values: {} });
  });

  app.post("/request-page", { config: { access: "settings:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisationId = field(request.body, "organisationId");
    const publicName = field(request.body, "publicName").trim().slice(0, 100);
    const releaseDays = field(request.body, "releaseDays").trim().slice(0, 10);
    try {
      await saveRequestPageSettings(ctx, organisationId, { publicName, releaseDays });
    } catch (error) {
      if (error instanceof CaseFormError) {
        const settings = await requestPageSettings(ctx);
        return reply.page("requests/views/request-page-settings.njk", { settings, errors: error.errors, editing: organisationId, values: { publicName, releaseDays } }, 400);
      }
      throw error;
    }
    return reply.redirect("/request-page?done=saved", 303);
  });
}
