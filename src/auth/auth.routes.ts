import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { describePasswordLink, requestPasswordReset, setPasswordWithLink } from "../accounts/password-links.ts";
import { setPasswordSchema } from "../accounts/accounts.schema.ts";
import { readForm } from "../platform/forms.ts";
import { contextOf, requestMeta } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { clearSessionCookie, writeSessionCookie } from "./session-cookie.ts";
import { endSession } from "./sessions.ts";
import { confirmItIsYou, safeReturnPath } from "./confirmation.ts";
import { signIn, signInRefusal } from "./sign-in.ts";
import { confirmTwoFactor, passSecondFactor, regenerateRecoveryCodes, twoFactorSetup } from "./two-factor.ts";

const passwordResetSchema = z.object({
  login: z.string().trim().min(1, { error: "Enter your username or email address" }).max(254, { error: "Enter your username or email address" }),
});

/** Per client address, on top of each account's own slow-down and lock (@fastify/rate-limit). */
const SIGN_IN_LIMIT = { max: 20, timeWindow: "5 minutes" };
const RESET_LIMIT = { max: 5, timeWindow: "15 minutes" };

const signInSchema = z.object({
  login: z.string().trim().min(1, { error: "Enter your username or email address" }).max(254),
  password: z.string().min(1, { error: "Enter your password" }).max(1024),
});

const secondFactorSchema = z.object({
  code: z.string().trim().min(1, { error: "Enter the code from your authenticator app, or a recovery code" }).max(40, { error: "Enter the 6-digit code from your authenticator app, or a recovery code" }),
});

const confirmTwoFactorSchema = z.object({
  code: z
    .string()
    // Authenticator apps show the code as "123 456": the space is not part of it.
    .transform((value) => value.replace(/\s/g, ""))
    .pipe(z.string().min(1, { error: "Enter the 6-digit code your authenticator app shows" }).regex(/^\d{6}$/, { error: "The code must be 6 numbers, like 123456" })),
});

const confirmItIsYouSchema = z.object({
  password: z.string().min(1, { error: "Enter your password" }).max(1024),
  code: z.string().trim().max(20).optional(),
});

/** Which notice the sign-in page shows, from ?expired=1 and friends. */
function signInNotice(query: unknown): string | undefined {
  const q = (query ?? {}) as Record<string, unknown>;
  if (q["expired"] === "1") {
    const kept = q["kept"] === "1" ? " What you had typed was not sent, but Steward has kept it: once you sign in, you will see it again to check and send." : "";
    return `You have been signed out because you had not used Steward for 20 minutes, or had been signed in for 12 hours. Sign in again to continue.${kept}`;
  }
  if (q["signedOut"] === "1") return "You have signed out.";
  if (q["licence"] === "closed") {
    return "Your organisation’s Steward licence has ended, so only its owner can sign in, to renew it or download its data. Ask them, or contact Steward’s support.";
  }
  if (q["passwordSet"] === "1") return "Your password is set. You can now sign in.";
  return undefined;
}

/** Where to go once signed in: the same-site page that was asked for (?next=…), or the dashboard. */
function landingOf(query: unknown): string {
  return safeReturnPath(((query ?? {}) as Record<string, unknown>)["next"], "/dashboard");
}

/** A sign-in page's address, carrying where to land afterwards when that is not the dashboard. */
function carryingLanding(path: string, landing: string): string {
  return landing === "/dashboard" ? path : `${path}?next=${encodeURIComponent(landing)}`;
}

export function authRoutes(app: FastifyInstance, services: Services): void {
  app.get("/login", { config: { access: "public" } }, async (request, reply) => {
    return reply.page("auth/views/login.njk", { notice: signInNotice(request.query), action: carryingLanding("/login", landingOf(request.query)) });
  });

  app.post("/login", { config: { access: "public", rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const landing = landingOf(request.query);
    const action = carryingLanding("/login", landing);
    const form = readForm(signInSchema, request.body);
    if (!form.ok) {
      return reply.page("auth/views/login.njk", { errors: form.errors, values: form.values, action }, 400);
    }
    const result = await signIn(services, form.data, requestMeta(request));
    if (!result.ok) {
      return reply.page(
        "auth/views/login.njk",
        { errors: { login: signInRefusal(result) }, values: { login: form.data.login }, action },
        result.reason === "invalid" || result.reason === "ambiguous" ? 401 : 429,
      );
    }
    writeSessionCookie(request, reply, result.token);
    return reply.redirect(result.secondFactorNeeded ? carryingLanding("/login/two-factor", landing) : landing, 303);
  });

  app.get("/login/two-factor", { config: { access: "second-factor" } }, async (request, reply) => {
    return reply.page("auth/views/second-factor.njk", { values: {}, action: carryingLanding("/login/two-factor", landingOf(request.query)) });
  });

  app.post("/login/two-factor", { config: { access: "second-factor", rateLimit: SIGN_IN_LIMIT } }, async (request, reply) => {
    const landing = landingOf(request.query);
    const action = carryingLanding("/login/two-factor", landing);
    const form = readForm(secondFactorSchema, request.body);
    if (!form.ok) {
      return reply.page("auth/views/second-factor.njk", { errors: form.errors, values: {}, action }, 400);
    }
    const result = await passSecondFactor(services, request.sessionCookie ?? "", form.data.code, requestMeta(request));
    if (!result.ok) {
      const message = result.reason === "invalid" ? "That code is not right, or has been used already. Enter the code your app shows now" : signInRefusal(result);
      return reply.page("auth/views/second-factor.njk", { errors: { code: message }, values: {}, action }, result.reason === "invalid" ? 401 : 429);
    }
    writeSessionCookie(request, reply, result.token);
    return reply.redirect(landing, 303);
  });

  // "Stay signed in" in the timeout warning: any signed-in request keeps the session alive; this one does nothing else.
  app.get("/session/keep-alive", { config: { access: "signed-in", duringTwoFactorSetup: true, duringDormancy: true } }, async (_request, reply) => {
    return reply.code(204).header("cache-control", "no-store").send();
  });

  app.get("/account/confirm", { config: { access: "signed-in", duringDormancy: true } }, async (request, reply) => {
    return reply.page("auth/views/confirm.njk", { next: safeReturnPath((request.query as Record<string, unknown>)["next"]) });
  });

  app.post("/account/confirm", { config: { access: "signed-in", rateLimit: SIGN_IN_LIMIT, duringDormancy: true } }, async (request, reply) => {
    const next = safeReturnPath((request.query as Record<string, unknown>)["next"]);
    const form = readForm(confirmItIsYouSchema, request.body);
    if (!form.ok) {
      return reply.page("auth/views/confirm.njk", { next, errors: form.errors }, 400);
    }
    const result = await confirmItIsYou(contextOf(request, services), request.sessionId ?? "", form.data);
    if (!result.ok) {
      const message = result.reason === "invalid" ? "That password or code is not right" : signInRefusal(result);
      return reply.page("auth/views/confirm.njk", { next, errors: { password: message } }, result.reason === "invalid" ? 401 : 429);
    }
    return reply.redirect(next, 303);
  });

  app.get("/account/two-factor", { config: { access: "signed-in", duringTwoFactorSetup: true, duringDormancy: true } }, async (request, reply) => {
    const setup = await twoFactorSetup(contextOf(request, services));
    return reply.page("auth/views/two-factor.njk", { setup, values: {} });
  });

  app.post("/account/two-factor", { config: { access: "signed-in", duringTwoFactorSetup: true, duringDormancy: true } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(confirmTwoFactorSchema, request.body);
    const result = form.ok ? await confirmTwoFactor(ctx, form.data.code) : { ok: false as const, error: form.errors["code"] ?? "" };
    if (result.ok) {
      return reply.page("auth/views/recovery-codes.njk", { recoveryCodes: result.recoveryCodes });
    }
    const setup = await twoFactorSetup(ctx);
    return reply.page("auth/views/two-factor.njk", { setup, errors: { code: result.error }, values: {} }, 400);
  });

  app.post("/account/two-factor/recovery-codes", { config: { access: "signed-in" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(confirmTwoFactorSchema, request.body);
    const result = form.ok ? await regenerateRecoveryCodes(ctx, form.data.code) : { ok: false as const, error: form.errors["code"] ?? "" };
    if (result.ok) {
      return reply.page("auth/views/recovery-codes.njk", { recoveryCodes: result.recoveryCodes, replaced: true });
    }
    const setup = await twoFactorSetup(ctx);
    return reply.page("auth/views/two-factor.njk", { setup, errors: { code: result.error }, values: {} }, 400);
  });

  app.get("/password-reset", { config: { access: "public" } }, async (_request, reply) => {
    return reply.page("auth/views/password-reset.njk", { values: {} });
  });

  app.post("/password-reset", { config: { access: "public", rateLimit: RESET_LIMIT } }, async (request, reply) => {
    const form = readForm(passwordResetSchema, request.body);
    if (!form.ok) {
      return reply.page("auth/views/password-reset.njk", { errors: form.errors, values: form.values }, 400);
    }
    await requestPasswordReset(services, form.data.login, requestMeta(request));
    return reply.page("auth/views/password-reset-sent.njk", {});
  });

  app.post("/logout", { config: { access: "public" } }, async (request, reply) => {
    if (request.sessionCookie) {
      await endSession(services, request.sessionCookie, requestMeta(request));
    }
    clearSessionCookie(request, reply);
    reply.header("clear-site-data", '"cache", "cookies", "storage"');
    return reply.redirect("/login?signedOut=1", 303);
  });

  app.get<{ Params: { token: string } }>(
    "/set-password/:token",
    { config: { access: "public" } },
    async (request, reply) => {
      const holder = await describePasswordLink(services, request.params.token);
      if (!holder) {
        return reply.page("auth/views/link-unusable.njk", {}, 404);
      }
      return reply.page("auth/views/set-password.njk", { holder });
    },
  );

  app.post<{ Params: { token: string } }>(
    "/set-password/:token",
    { config: { access: "public" } },
    async (request, reply) => {
      const form = readForm(setPasswordSchema, request.body);
      const result = form.ok
        ? await setPasswordWithLink(services, request.params.token, form.data.password, requestMeta(request))
        : { ok: false as const, errors: form.errors };
      if (result.ok) {
        return reply.redirect("/login?passwordSet=1", 303);
      }
      if ("linkUnusable" in result) {
        return reply.page("auth/views/link-unusable.njk", {}, 404);
      }
      const holder = await describePasswordLink(services, request.params.token);
      if (!holder) {
        return reply.page("auth/views/link-unusable.njk", {}, 404);
      }
      return reply.page("auth/views/set-password.njk", { holder, errors: result.errors }, 400);
    },
  );
}
