import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { can } from "../accounts/permissions.ts";
import { contextOf } from "../accounts/request-context.ts";
import { operatorContextOf, type OperatorContext } from "../operator/operator-context.ts";
import { operatorPage } from "../operator/operator-pages.ts";
import { sizeInWords } from "../cases/storage.ts";
import { readForm, type FieldErrors, type FormResult } from "../platform/forms.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import { sendDownload } from "../platform/http/files.ts";
import { exportEverything, ExportTooLargeError } from "../lifecycle/organisation-export.ts";
import type { Services } from "../platform/services.ts";
import { STATE_WORDS } from "./licence-life.ts";
import { cancelDeletionByOperator, decideOwnershipByOperator, licenceForOperator, setStorageByOperator, setTermByOperator } from "./licence-operator.ts";
import { approveDeletion, askForDeletion, askForOwnership, cancelDeletion, LicenceFormError, licenceOf, renewLicence } from "./licences.ts";

const deletionForm = z.object({ confirmName: z.string().max(300).default("") });
const ownershipForm = z.object({ reason: z.string().max(5000).default("") });
const termForm = z.object({ startsOn: z.string().max(20).default(""), endsOn: z.string().max(20).default("") });
const storageForm = z.object({ gigabytes: z.string().max(20).default("") });
const decisionForm = z.object({ decision: z.enum(["approve", "refuse"], { error: "Choose whether to approve or refuse the request" }) });
const licenceParams = z.object({ id: z.uuid() });

/** The licence's history, in words, for the operator's page. */
const EVENT_WORDS: Record<string, string> = {
  "licence.term-set": "The term was set",
  "licence.storage-set": "The storage limit was set",
  "licence.renewed-by-owner": "The owner renewed the licence",
  "licence.expired": "The term ended: dormant",
  "licence.reinstated": "Reinstated",
  "licence.ending": "Its data began to be destroyed",
  "licence.ended": "Its data was destroyed",
  "licence.deletion-cancelled": "An operator stopped the deletion",
  "licence.deletion-asked": "The owner asked for its deletion (waiting for a second admin)",
  "licence.deletion-approved": "Its deletion was asked for and approved: 7 days' cooling-off",
  "licence.deletion-stopped": "The organisation stopped its deletion",
  "ownership.approved": "An operator approved a request to take it over",
  "ownership.refused": "An operator refused a request to take it over",
};

/** A query flag a redirect sets to say what just happened, in words. */
const DONE: Record<string, string> = {
  renewed: "The licence is renewed.",
  "deletion-asked": "The deletion has been asked for. Nothing is destroyed yet.",
  "deletion-approved": "The deletion is approved. Everything is destroyed when the cooling-off ends, unless it is stopped first.",
  "deletion-stopped": "The deletion has been stopped. Nothing was deleted.",
  "ownership-asked": "Your request has gone to Steward's support, who will check it with your organisation before deciding.",
  "term-set": "The term is set.",
  "storage-set": "The storage limit is set.",
  decided: "The request is decided; the organisation has been told.",
};
const doneOf = (query: unknown) => DONE[String((query as Record<string, unknown> | undefined)?.["done"] ?? "")];

/**
 * Carries out a submitted form: its own errors, and a LicenceFormError from the domain, are shown
 * on its page (400) with what was typed; the answer is undefined when the action was done.
 */
async function withFormErrors<T>(
  form: FormResult<T>,
  act: (data: T) => Promise<unknown>,
  showErrors: (errors: FieldErrors, values: Record<string, unknown>) => Promise<FastifyReply>,
): Promise<FastifyReply | undefined> {
  if (!form.ok) {
    return showErrors(form.errors, form.values);
  }
  try {
    await act(form.data);
    return undefined;
  } catch (error) {
    if (!(error instanceof LicenceFormError)) throw error;
    return showErrors(error.errors, form.data as Record<string, unknown>);
  }
}

export function licencesRoutes(app: FastifyInstance, services: Services): void {
  // ----- The organisation's side: the owner and admins -----

  app.get("/licence", { config: { access: "licence:view", duringDormancy: true } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const licence = await licenceOf(ctx);
    return reply.page("licences/views/licence.njk", {
      licence,
      stateName: STATE_WORDS[licence.state],
      mayManage: can(ctx.actor, "licence:manage"),
      mayExport: can(ctx.actor, "organisation:export"),
      isAdmin: ctx.actor.role === "admin",
      done: doneOf(request.query),
    });
  });

  // Everything the organisation keeps, as one ZIP: open to the owner of a dormant licence too.
  app.get("/licence/export", { config: { access: "organisation:export", duringDormancy: true, recentConfirmation: true } }, async (request, reply) => {
    try {
      const { filename, zip } = await exportEverything(contextOf(request, services));
      return sendDownload(reply, "application/zip", filename, zip);
    } catch (error) {
      if (error instanceof ExportTooLargeError) throw badRequest(error.message);
      throw error;
    }
  });

  app.post("/licence/renew", { config: { access: "licence:manage", duringDormancy: true } }, async (request, reply) => {
    await renewLicence(contextOf(request, services));
    return reply.redirect("/licence?done=renewed", 303);
  });

  app.get("/licence/delete", { config: { access: "licence:manage", duringDormancy: true, recentConfirmation: true } }, async (request, reply) => {
    const licence = await licenceOf(contextOf(request, services));
    return reply.page("licences/views/delete.njk", { licence, values: {} });
  });

  app.post("/licence/delete", { config: { access: "licence:manage", duringDormancy: true, recentConfirmation: true } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const refused = await withFormErrors(readForm(deletionForm, request.body), (data) => askForDeletion(ctx, data), async (errors, values) =>
      reply.page("licences/views/delete.njk", { licence: await licenceOf(ctx), errors, values }, 400),
    );
    return refused ?? reply.redirect("/licence?done=deletion-asked", 303);
  });

  app.post("/licence/delete/approve", { config: { access: "licence:view", recentConfirmation: true } }, async (request, reply) => {
    await approveDeletion(contextOf(request, services));
    return reply.redirect("/licence?done=deletion-approved", 303);
  });

  app.post("/licence/delete/cancel", { config: { access: "licence:view", duringDormancy: true } }, async (request, reply) => {
    await cancelDeletion(contextOf(request, services));
    return reply.redirect("/licence?done=deletion-stopped", 303);
  });

  app.get("/licence/ownership", { config: { access: "licence:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    if (ctx.actor.role !== "admin") throw notFound();
    return reply.page("licences/views/ownership.njk", { licence: await licenceOf(ctx), values: {} });
  });

  app.post("/licence/ownership", { config: { access: "licence:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const refused = await withFormErrors(readForm(ownershipForm, request.body), (data) => askForOwnership(ctx, data), async (errors, values) =>
      reply.page("licences/views/ownership.njk", { licence: await licenceOf(ctx), errors, values }, 400),
    );
    return refused ?? reply.redirect("/licence?done=ownership-asked", 303);
  });

  // ----- The operator's side: one licence, and what the operator may change -----

  const operatorLicencePage = async (licenceId: string, extra: Record<string, unknown> = {}) => {
    const licence = await licenceForOperator(services, licenceId);
    return {
      licence,
      stateName: STATE_WORDS[licence.state],
      storage: licence.storageLimitBytes === null ? undefined : { used: sizeInWords(licence.storageUsedBytes), limit: sizeInWords(licence.storageLimitBytes), limitGigabytes: Number((licence.storageLimitBytes / 1024 ** 3).toFixed(2)) },
      ...extra,
      // What was typed into one form is kept; the other form shows what is saved.
      values: { startsOn: licence.termStartsOn, endsOn: licence.termEndsOn, ...(extra["values"] as Record<string, unknown> | undefined) },
      events: licence.events.map((event) => ({ ...event, words: EVENT_WORDS[event.action] ?? event.action })),
    };
  };
  const licenceIdOf = (params: unknown) => {
    const parsed = licenceParams.safeParse(params);
    if (!parsed.success) throw notFound();
    return parsed.data.id;
  };

  app.get("/operator/licences/:id", { config: { access: "operator" } }, async (request, reply) => {
    return operatorPage(request, reply, "licences/views/operator-licence.njk", await operatorLicencePage(licenceIdOf(request.params), { done: doneOf(request.query) }));
  });

  /** An operator's form: its errors shown on the licence's page, as that page's. */
  const operatorForm = <T extends z.ZodObject>(path: string, schema: T, act: (operator: OperatorContext, licenceId: string, data: z.output<T>) => Promise<void>, done: string) => {
    app.post(`/operator/licences/:id/${path}`, { config: { access: "operator" } }, async (request, reply) => {
      const licenceId = licenceIdOf(request.params);
      const refused = await withFormErrors(readForm(schema, request.body), (data) => act(operatorContextOf(request), licenceId, data), async (errors, values) =>
        operatorPage(request, reply, "licences/views/operator-licence.njk", await operatorLicencePage(licenceId, { errors, values }), 400),
      );
      return refused ?? reply.redirect(`/operator/licences/${licenceId}?done=${done}`, 303);
    });
  };
  operatorForm("term", termForm, (operator, licenceId, data) => setTermByOperator(services, operator, licenceId, data), "term-set");
  operatorForm("storage", storageForm, (operator, licenceId, data) => setStorageByOperator(services, operator, licenceId, data), "storage-set");
  operatorForm("cancel-deletion", z.object({}), (operator, licenceId) => cancelDeletionByOperator(services, operator, licenceId), "deletion-stopped");
  operatorForm("ownership", decisionForm, (operator, licenceId, data) => decideOwnershipByOperator(services, operator, licenceId, data.decision === "approve"), "decided");
}
