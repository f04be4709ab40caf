import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { sizeInWords } from "../cases/storage.ts";
import { readForm } from "../platform/forms.ts";
import type { LicenceState } from "../platform/database/schema.ts";
import type { Services } from "../platform/services.ts";
import { licenceOverview, platformHealth, BACKUPS_SHOWN } from "./console.ts";
import { clearOperatorCookie, writeOperatorCookie } from "./operator-cookie.ts";
import { recordOperatorEvent } from "./operator-context.ts";
import { operatorPage } from "./operator-pages.ts";
import { asOperator } from "./operator-scope.ts";
import { deleteOperatorSession, resolveOperatorSession } from "./operator-sessions.ts";
import { operatorTwoFactorSetup, passOperatorSecondFactor } from "./operator-two-factor.ts";
import { operatorRefusal, signInOperator } from "./operators.ts";
import { completeOperatorSetup, setupTokenIsUsable } from "./setup-token.ts";

/** Per client address, on top of each account's own slow-down and lock (as staff sign-in). */
const SIGN_IN_LIMIT = { max: 20, timeWindow: "5 minutes" };

const signInSchema = z.object({
  email: z.string().trim().min(1, { error: "Enter your email address" }).max(320, { error: "Enter your email address" }),
  password: z.string().min(1, { error: "Enter your password" }).max(1024),
});

const codeSchema = z.object({
  code: z
    .string()
    // Authenticator apps show the code as "123 456": the space is not part of it.
    .transform((value) => value.replace(/\s/g, ""))
    .pipe(z.string().min(1, { error: "Enter the 6-digit code your authenticator app shows" }).regex(/^\d{6}$/, { error: "The code must be 6 numbers, like 123456" })),
});

const setupSchema = z.object({ token: z.string().max(100), email: z.string().max(1000), password: z.string().max(1024) });

/** A licence's state, in words. */
const STATE_NAMES: Record<LicenceState, string> = {
  active: "Active",
  dormant: "Dormant: term ended",
  "deletion-pending": "Deletion pending",
  ending: "Ending: data being destroyed",
  ended: "Ended",
};

function signInNotice(query: unknown): string | undefined {
  const q = (query ?? {}) as Record<string, unknown>;
  if (q["expired"] === "1") return "You have been signed out because you had not used the console for 20 minutes, or had been signed in for 12 hours. Sign in again to continue.";
  if (q["signedOut"] === "1") return "You have signed out.";
  if (q["created"] === "1") return "Your operator account is ready. Sign in, then set up two-factor authentication with an authenticator app.";
  return undefined;
}

/** A console page, by its name in operator/views/. */
const page = (request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown> = {}, status?: number) =>
  operatorPage(request, reply, `operator/views/${template}`, context, status);

const meta = (request: FastifyRequest) => ({ ip: request.ip });

export function operatorRoutes(app: FastifyInstance, services: Services): void {
  // The one-time address printed at the first start: the first operator's email address and password.
  app.get("/operator/setup", { config: { access: "public", operatorPage: true } }, async (request, reply) => {
    const token = ((request.query ?? {}) as Record<string, unknown>)["token"];
    if (!(await setupTokenIsUsable(services, token))) {
      return page(request, reply, "setup-unusable.njk", {}, 404);
    }
    return page(request, reply, "setup.njk", { token, values: {} });
  });

  app.post("/operator/setup", { config: { access: "public", operatorPage: true, rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const form = readForm(setupSchema, request.body);
    const token = form.ok ? form.data.token : undefined;
    const result = await completeOperatorSetup(services, token, form.ok ? { email: form.data.email, password: form.data.password } : {});
    if (result.ok) {
      return reply.redirect("/operator/login?created=1", 303);
    }
    if ("unusable" in result) {
      return page(request, reply, "setup-unusable.njk", {}, 404);
    }
    return page(request, reply, "setup.njk", { token, errors: result.errors, values: { email: form.ok ? form.data.email : "" } }, 400);
  });

  app.get("/operator/login", { config: { access: "public", operatorPage: true } }, async (request, reply) => {
    return page(request, reply, "login.njk", { notice: signInNotice(request.query), values: {} });
  });

  app.post("/operator/login", { config: { access: "public", operatorPage: true, rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const form = readForm(signInSchema, request.body);
    if (!form.ok) {
      return page(request, reply, "login.njk", { errors: form.errors, values: form.values }, 400);
    }
    const result = await signInOperator(services, form.data, meta(request));
    if (!result.ok) {
      const message = operatorRefusal(result, "The email address and password do not match an operator account");
      return page(request, reply, "login.njk", { errors: { email: message }, values: { email: form.data.email } }, result.reason === "invalid" ? 401 : 429);
    }
    writeOperatorCookie(request, reply, result.token);
    return reply.redirect(result.twoFactorSetUp ? "/operator/login/two-factor" : "/operator/two-factor/setup", 303);
  });

  /** The half-signed session behind the cookie, or where to send someone who has none. */
  const halfSigned = async (request: FastifyRequest, reply: FastifyReply, wanted: "code" | "set-up") => {
    const lookup = request.sessionCookie ? await resolveOperatorSession(services, request.sessionCookie) : { kind: "none" as const };
    if (lookup.kind !== "active") {
      return { redirect: reply.redirect(lookup.kind === "expired" ? "/operator/login?expired=1" : "/operator/login", 303) };
    }
    if (!lookup.awaitingSecondFactor) {
      return { redirect: reply.redirect("/operator", 303) };
    }
    if (lookup.twoFactorSetUp !== (wanted === "code")) {
      return { redirect: reply.redirect(lookup.twoFactorSetUp ? "/operator/login/two-factor" : "/operator/two-factor/setup", 303) };
    }
    return { session: lookup };
  };

  app.get("/operator/login/two-factor", { config: { access: "public", operatorPage: true } }, async (request, reply) => {
    const half = await halfSigned(request, reply, "code");
    return half.redirect ?? page(request, reply, "second-factor.njk", {});
  });

  app.post("/operator/login/two-factor", { config: { access: "public", operatorPage: true, rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const half = await halfSigned(request, reply, "code");
    if (half.redirect) {
      return half.redirect;
    }
    const form = readForm(codeSchema, request.body);
    if (!form.ok) {
      return page(request, reply, "second-factor.njk", { errors: form.errors }, 400);
    }
    const result = await passOperatorSecondFactor(services, half.session.sessionId, form.data.code, { setUp: false, meta: meta(request) });
    if (result.ok) {
      writeOperatorCookie(request, reply, result.token);
      return reply.redirect("/operator", 303);
    }
    if (result.reason === "expired") {
      return reply.redirect("/operator/login?expired=1", 303);
    }
    const message =
      result.reason === "invalid" ? (result.message ?? "That code is not right, or has been used already. Enter the code your app shows now") : operatorRefusal(result, "");
    return page(request, reply, "second-factor.njk", { errors: { code: message } }, result.reason === "invalid" ? 401 : 429);
  });

  app.get("/operator/two-factor/setup", { config: { access: "public", operatorPage: true } }, async (request, reply) => {
    const half = await halfSigned(request, reply, "set-up");
    if (half.redirect) {
      return half.redirect;
    }
    return page(request, reply, "two-factor-setup.njk", { setup: await operatorTwoFactorSetup(services, half.session.operator.id) });
  });

  app.post("/operator/two-factor/setup", { config: { access: "public", operatorPage: true, rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const half = await halfSigned(request, reply, "set-up");
    if (half.redirect) {
      return half.redirect;
    }
    const form = readForm(codeSchema, request.body);
    const result = form.ok
      ? await passOperatorSecondFactor(services, half.session.sessionId, form.data.code, { setUp: true, meta: meta(request) })
      : ({ ok: false, reason: "invalid", message: form.errors["code"] } as const);
    if (result.ok) {
      writeOperatorCookie(request, reply, result.token);
      return reply.redirect("/operator", 303);
    }
    if (result.reason === "expired") {
      return reply.redirect("/operator/login?expired=1", 303);
    }
    const message = "message" in result && result.message ? result.message : "That code is not right. Enter the 6-digit code your authenticator app shows now";
    return page(request, reply, "two-factor-setup.njk", { setup: await operatorTwoFactorSetup(services, half.session.operator.id), errors: { code: message } }, 400);
  });

  app.post("/operator/logout", { config: { access: "public", operatorPage: true } }, async (request, reply) => {
    const token = request.sessionCookie;
    if (token) {
      const now = services.clock.now();
      await asOperator(services.database.db, async (trx) => {
        const operatorId = await deleteOperatorSession(trx, token);
        if (operatorId) {
          await recordOperatorEvent(trx, { operatorId, action: "operator.sign-out", at: now });
        }
      });
    }
    clearOperatorCookie(request, reply);
    return reply.redirect("/operator/login?signedOut=1", 303);
  });

  app.get("/operator", { config: { access: "operator" } }, async (request, reply) => {
    const licences = await licenceOverview(services);
    return page(request, reply, "licences.njk", {
      licences: licences.map((licence) => ({
        ...licence,
        stateName: STATE_NAMES[licence.state],
        storage:
          licence.storageLimitBytes === null
            ? undefined
            : { used: sizeInWords(licence.storageUsedBytes), limit: sizeInWords(licence.storageLimitBytes), over: licence.storageUsedBytes > licence.storageLimitBytes },
      })),
    });
  });

  app.get("/operator/health", { config: { access: "operator" } }, async (request, reply) => {
    const health = await platformHealth(services);
    return page(request, reply, "health.njk", {
      health,
      databaseSize: sizeInWords(health.databaseBytes),
      backups: health.backups.map((backup) => ({ ...backup, size: sizeInWords(backup.bytes) })),
      backupsShown: BACKUPS_SHOWN,
    });
  });
}
