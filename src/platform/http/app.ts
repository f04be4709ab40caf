import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { aboutRoutes } from "../../about/about.routes.ts";
import { accountsRoutes } from "../../accounts/accounts.routes.ts";
import type { Actor } from "../../accounts/actor.ts";
import { can, PERMISSIONS, ROLE_NAMES, type Action } from "../../accounts/permissions.ts";
import { auditRoutes } from "../../audit/audit.routes.ts";
import { authRoutes } from "../../auth/auth.routes.ts";
import { readSessionCookie, writeSessionCookie } from "../../auth/session-cookie.ts";
import { isRecentlyConfirmed } from "../../auth/confirmation.ts";
import { keepFormPostedAfterExpiry, takeKeptForm, withoutKeptMarker } from "../../auth/kept-forms.ts";
import { IDLE_TIMEOUT_MS, resolveSession } from "../../auth/sessions.ts";
import { newToken } from "../../auth/tokens.ts";
import { casesRoutes } from "../../cases/cases.routes.ts";
import { calendarRoutes } from "../../calendar/calendar.routes.ts";
import { dashboardRoutes } from "../../dashboard/dashboard.routes.ts";
import { reportsRoutes } from "../../reports/reports.routes.ts";
import { notifyRoutes } from "../../notify/notify.routes.ts";
import { BUSY_RETRY_AFTER_SECONDS, csrfInvalid, forbidden, StewardError } from "../errors.ts";
import type { Services } from "../services.ts";
import { csrfTokenFor, isSameOriginRequest, isValidCsrfToken } from "./csrf.ts";
import { healthRoutes } from "./health.ts";
import { multipartOptions } from "./files.ts";
import { createViews } from "./views.ts";

/**
 * Who may use a route: anyone; someone who has given their password and owes the second factor;
 * anyone signed in; or those the permission table allows an action.
 */
export type Access = "public" | "second-factor" | "signed-in" | Action;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /** Open to a signed-in person who must set up two-factor and has not yet (everything else sends them there). */
    duringTwoFactorSetup?: boolean;
    /** Sensitive: the person must have proved who they are in the last 15 minutes, or is asked to again. */
    recentConfirmation?: boolean;
    /** Takes a file upload (multipart form). Every other route refuses one before reading it. */
    acceptsFiles?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
    /** The signed-in session's id (never its token), for "this browser" and "sign out elsewhere". */
    sessionId: string | undefined;
    sessionCookie: string | undefined;
    /** A form posted into a session that had just run out: whose it was (see kept-forms.ts). */
    expiredSession: { organisationId: string; userId: string } | undefined;
    /** What the person had typed before being signed out, given back on this page once. */
    keptForm: Record<string, string> | undefined;
  }
  interface FastifyInstance {
    /** Every route and who may use it, as registered: security tests sweep this list. */
    routeTable: { method: string; url: string; access: Access }[];
  }
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

const PUBLIC_ASSETS = fileURLToPath(new URL("../../../public/build/", import.meta.url));
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The navigation a signed-in person sees, each item behind the permission it needs. */
const NAVIGATION: { href: string; text: string; action: Action | Action[] | "signed-in" }[] = [
  { href: "/dashboard", text: "Dashboard", action: "dashboard:view" },
  { href: "/cases", text: "Cases", action: ["cases:log", "cases:view-all"] },
  { href: "/schools", text: "Schools", action: "schools:manage" },
  { href: "/users", text: "Users", action: "users:manage" },
  { href: "/outbox", text: "Outbox", action: "outbox:view" },
  { href: "/audit", text: "Audit trail", action: "audit:view" },
  { href: "/settings", text: "Settings", action: "settings:manage" },
  { href: "/account", text: "Your account", action: "signed-in" },
];

/**
 * The composition root: every cross-cutting concern, in the order it runs, on one screen.
 * Security headers → static assets → session → access check → CSRF → routes → errors.
 */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // Fastify's own request lines carry the raw URL (which may hold a one-time token): one line
    // of our own is written per response instead (onResponse, below).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    // Believe X-Forwarded-For/-Proto only from the configured number of proxy hops (API-06).
    trustProxy: (_address: string, hop: number) => hop < services.config.trustProxyHops,
    bodyLimit: 64 * 1024,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
  });
  const views = createViews();
  // Codes stay in the database; pages say what they mean.
  views.addFilter("roleName", (role: string) => ROLE_NAMES[role as keyof typeof ROLE_NAMES] ?? role);

  // Deny by default: a route that does not say who may use it stops the server starting.
  app.decorate("routeTable", []);
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/assets/")) {
      route.config = { ...route.config, access: "public" };
    }
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (access === undefined || !(access === "public" || access === "second-factor" || access === "signed-in" || access in PERMISSIONS)) {
      throw new Error(`Route ${route.method} ${route.url} does not declare who may use it (config.access)`);
    }
    for (const method of [route.method].flat()) {
      app.routeTable.push({ method, url: route.url, access });
    }
  });

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: false, // sent only over HTTPS, below
    frameguard: { action: "deny" },
    // Nothing to other sites. Not "no-referrer": with it, Chrome sends `Origin: null` on our own
    // form posts, and the origin check below needs the real one.
    referrerPolicy: { policy: "same-origin" },
  });
  // Per-address limits on the routes that ask for them (config.rateLimit): sign-in, registration,
  // password reset. Kept in each process's memory; several processes each keep their own count.
  await app.register(rateLimit, { global: false });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, multipartOptions);
  await app.register(fastifyStatic, { root: PUBLIC_ASSETS, prefix: "/assets/", decorateReply: false, index: false });

  app.decorateRequest("actor", undefined);
  app.decorateRequest("sessionCookie", undefined);
  app.decorateRequest("sessionId", undefined);
  app.decorateRequest("expiredSession", undefined);
  app.decorateRequest("keptForm", undefined);
  app.decorateReply("page", function page(this: FastifyReply, template, context = {}, status) {
    const request = this.request;
    const actor = request.actor;
    const kept = request.keptForm;
    const html = views.render(template, {
      ...context,
      // What was typed before a sign-out wins over the page's own values, this once.
      ...(kept ? { values: { ...(context["values"] as Record<string, unknown> | undefined), ...kept }, keptForm: true } : {}),
      actor,
      // For the timeout warning (assets/session-timeout.js): how long an idle session lives.
      sessionTimeoutSeconds: IDLE_TIMEOUT_MS / 1000,
      cspNonce: this.cspNonce.script,
      csrfToken: () => csrfTokenFor(services.csrfKey, ensureVisitorCookie(request, this)),
      // Someone who must set up two-factor first is offered nowhere else to go.
      navigation: actor && !(actor.twoFactor.required && !actor.twoFactor.enabled)
        ? NAVIGATION.filter((item) => item.action === "signed-in" || [item.action].flat().some((action) => can(actor, action))).map((item) => ({
            href: item.href,
            text: item.text,
            active: request.url === item.href || request.url.startsWith(`${item.href}/`),
          }))
        : [],
    });
    return this.code(status ?? this.statusCode)
      .type("text/html; charset=utf-8")
      .send(html);
  });

  // Who is asking: the session behind the cookie, checked on every non-public route.
  app.addHook("onRequest", async (request, reply) => {
    // Uploads are read into memory: only the routes made for them may be sent one (before parsing).
    if (String(request.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/") && !request.routeOptions.config.acceptsFiles) {
      return reply.page("platform/views/problem.njk", { title: "There is a problem", message: "This form does not take files." }, 415);
    }
    request.sessionCookie = readSessionCookie(request);
    const access = request.routeOptions.config.access ?? "public";
    if (access === "public") {
      return;
    }
    const lookup = request.sessionCookie ? await resolveSession(services, request.sessionCookie) : { kind: "none" as const };
    if (lookup.kind === "expired" && request.method === "POST" && access !== "second-factor" && isPlainFormPost(request)) {
      // Its body is read after this hook: the preHandler below keeps what was typed (or not).
      request.expiredSession = { organisationId: lookup.organisationId, userId: lookup.userId };
      return;
    }
    if (lookup.kind !== "active") {
      // A page asked for (a link from an email, a bookmark) is where sign-in lands afterwards.
      const signIn = new URLSearchParams(lookup.kind === "expired" ? { expired: "1" } : {});
      if (request.method === "GET" && request.url !== "/dashboard") {
        signIn.set("next", request.url);
      }
      return reply.redirect(signIn.size ? `/login?${signIn.toString()}` : "/login", 303);
    }
    // Half signed in (password only): nothing but the second factor, whatever the address.
    if (lookup.awaitingSecondFactor !== (access === "second-factor")) {
      return reply.redirect(lookup.awaitingSecondFactor ? "/login/two-factor" : "/dashboard", 303);
    }
    if (access === "second-factor") {
      return;
    }
    request.actor = lookup.actor;
    request.sessionId = lookup.sessionId;
    const { twoFactor } = lookup.actor;
    if (twoFactor.required && !twoFactor.enabled && !request.routeOptions.config.duringTwoFactorSetup) {
      return reply.redirect("/account/two-factor", 303);
    }
    if (access !== "signed-in" && !can(lookup.actor, access)) {
      throw forbidden();
    }
    if (request.routeOptions.config.recentConfirmation && !isRecentlyConfirmed(lookup.confirmedAt, services.clock.now())) {
      return reply.redirect(`/account/confirm?next=${encodeURIComponent(request.url)}`, 303);
    }
    // Back from signing in after a form was kept: the page shows what was typed, once.
    const query = request.query as Record<string, unknown> | undefined;
    if (request.method === "GET" && query?.["kept"] === "1") {
      delete query["kept"];
      request.keptForm = await takeKeptForm(services, lookup.actor, withoutKeptMarker(request.url));
    }
  });

  // A form posted after its session ran out does nothing, but what was typed is kept for after sign-in.
  app.addHook("preHandler", async (request, reply) => {
    if (request.expiredSession) {
      return reply.redirect(await keepFormPostedAfterExpiry(services, request, request.expiredSession), 303);
    }
  });

  // Every state change must carry the form's token and come from our own pages.
  app.addHook("preHandler", async (request) => {
    if (!STATE_CHANGING.has(request.method)) {
      return;
    }
    const submitted = (request.body as Record<string, unknown> | undefined)?.["_csrf"];
    if (!isSameOriginRequest(request.headers, request.host) || !isValidCsrfToken(services.csrfKey, request.sessionCookie, submitted)) {
      throw csrfInvalid();
    }
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.protocol === "https") {
      reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    reply.header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html")) {
      // Pages may show personal data: never keep them in a cache, so Back after sign-out shows nothing.
      reply.header("cache-control", "no-store");
    }
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? "(none)", status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "request",
    );
  });

  healthRoutes(app, services);
  aboutRoutes(app);
  authRoutes(app, services);
  accountsRoutes(app, services);
  dashboardRoutes(app, services);
  casesRoutes(app, services);
  reportsRoutes(app, services);
  calendarRoutes(app, services);
  notifyRoutes(app, services);
  auditRoutes(app, services);

  app.setNotFoundHandler((_request, reply) => {
    reply.page("platform/views/not-found.njk", {}, 404);
  });

  app.setErrorHandler((error: FastifyError | StewardError, request, reply) => {
    if (error instanceof StewardError) {
      if (error.code === "busy") {
        reply.header("retry-after", String(BUSY_RETRY_AFTER_SECONDS));
      }
      if (error.code === "not_signed_in") {
        return reply.redirect("/login", 303);
      }
      if (error.code === "not_found") {
        return reply.page("platform/views/not-found.njk", {}, 404);
      }
      return reply.page("platform/views/problem.njk", { title: problemTitle(error.status), message: error.message }, error.status);
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.page(
        "platform/views/problem.njk",
        { title: "Too many attempts", message: "You have tried this too many times from this address. Wait a few minutes, then try again." },
        429,
      );
    }
    if (status < 500) {
      return reply.page(
        "platform/views/problem.njk",
        { title: problemTitle(status), message: "Steward could not read that request." },
        status,
      );
    }
    request.log.error({ err: error, route: request.routeOptions.url }, "request failed");
    return reply.page("platform/views/server-error.njk", { reference: request.id }, 500);
  });

  return app;
}

/** An ordinary form post (no files): the only kind whose fields are kept after a sign-out. */
function isPlainFormPost(request: FastifyRequest): boolean {
  return String(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

function problemTitle(status: number): string {
  if (status === 403) return "You cannot do that";
  if (status === 413) return "That was too large";
  return "There is a problem";
}

/** A visitor needs the cookie before they can post a form: give them one when a page first asks. */
function ensureVisitorCookie(request: FastifyRequest, reply: FastifyReply): string {
  if (!request.sessionCookie) {
    writeSessionCookie(request, reply, newToken());
  }
  return request.sessionCookie as string;
}
