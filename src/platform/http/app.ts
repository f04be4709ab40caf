import { randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { busy, BUSY_RETRY_AFTER_SECONDS, csrfInvalid, StewardError } from "../errors.ts";
import { isPoolWaitTimeout } from "../database/errors.ts";
import type { Services } from "../services.ts";
import { csrfTokenFor, isSameOriginRequest, isValidCsrfToken } from "./csrf.ts";
import { healthRoutes } from "./health.ts";
import { multipartOptions } from "./files.ts";
import { createViews } from "./views.ts";
import { projectPath } from "../project-root.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Takes a file upload (multipart form). Every other route refuses one before reading it. */
    acceptsFiles?: boolean;
  }
  interface FastifyRequest {
    /** The browser's token from its cookie, which CSRF tokens are bound to (set by the assembly's guard). */
    sessionCookie: string | undefined;
  }
  interface FastifyInstance {
    /** Every route and who may use it, as registered: security tests sweep this list. */
    routeTable: { method: string; url: string; access: string }[];
  }
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * What the application adds to this ground floor (src/app.ts): who is asking and what they may
 * do, what every page shows them, and the routes. The platform knows no capability.
 */
export interface AppAssembly {
  /** Request fields the guard fills in (declared up front, as Fastify asks). */
  requestFields: string[];
  /** Whether a route's declared access (config.access) is one the guard understands. */
  isKnownAccess(access: string): boolean;
  /** Who is asking, and may they: every request, after the upload check, before the body is read. */
  guard: Hook;
  /** Once the body is read, before the CSRF check. */
  beforeCsrfCheck?: Hook;
  /** The browser's token CSRF tokens are bound to, given as a cookie the first time a page needs one. */
  visitorToken(request: FastifyRequest, reply: FastifyReply): string;
  /** What every page is given besides its own context (who is signed in, the navigation). */
  pageContext(request: FastifyRequest, context: Record<string, unknown>): Record<string, unknown>;
  /** Nunjucks filters beyond the platform's own (dates, role names). */
  viewFilters: Record<string, (...args: never[]) => unknown>;
  /** Registers every capability's routes. */
  routes(app: FastifyInstance): void;
}

const PUBLIC_ASSETS = projectPath("public", "build");
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The web app's ground floor: every cross-cutting concern, in the order it runs, on one screen.
 * Security headers → static assets → the assembly's guard (session, access) → CSRF → routes → errors.
 */
export async function buildApp(services: Services, assembly: AppAssembly): Promise<FastifyInstance> {
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
  const views = createViews(assembly.viewFilters);

  // Deny by default: a route that does not say who may use it stops the server starting.
  app.decorate("routeTable", []);
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/assets/")) {
      route.config = { ...route.config, access: "public" };
    }
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (typeof access !== "string" || !assembly.isKnownAccess(access)) {
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

  app.decorateRequest("sessionCookie", undefined);
  for (const field of assembly.requestFields) {
    app.decorateRequest(field, undefined);
  }
  app.decorateReply("page", function page(this: FastifyReply, template, context = {}, status) {
    const request = this.request;
    const html = views.render(template, {
      ...context,
      ...assembly.pageContext(request, context),
      cspNonce: this.cspNonce.script,
      csrfToken: () => csrfTokenFor(services.csrfKey, assembly.visitorToken(request, this)),
    });
    return this.code(status ?? this.statusCode)
      .type("text/html; charset=utf-8")
      .send(html);
  });

  app.addHook("onRequest", async (request, reply) => {
    // Uploads are read into memory: only the routes made for them may be sent one (before parsing).
    if (String(request.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/") && !request.routeOptions.config.acceptsFiles) {
      return reply.page("platform/views/problem.njk", { title: "There is a problem", message: "This form does not take files." }, 415);
    }
  });
  // Who is asking: the session behind the cookie, checked on every non-public route.
  app.addHook("onRequest", assembly.guard);
  if (assembly.beforeCsrfCheck) {
    app.addHook("preHandler", assembly.beforeCsrfCheck);
  }

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
  assembly.routes(app);

  app.setNotFoundHandler((_request, reply) => {
    reply.page("platform/views/not-found.njk", {}, 404);
  });

  app.setErrorHandler((error: FastifyError | StewardError, request, reply) => {
    if (isPoolWaitTimeout(error)) {
      // Every database connection was busy for the pool's whole wait: nothing was done, so ask for a retry, never a 500.
      request.log.warn({ route: request.routeOptions.url }, "no database connection came free in time: answered 503");
      error = busy("Steward is very busy just now. Wait a few seconds, then try again.");
    }
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

function problemTitle(status: number): string {
  if (status === 403) return "You cannot do that";
  if (status === 413) return "That was too large";
  return "There is a problem";
}
