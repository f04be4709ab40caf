import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { aboutRoutes } from "./about/about.routes.ts";
import { accountsRoutes } from "./accounts/accounts.routes.ts";
import type { Actor } from "./accounts/actor.ts";
import { can, PERMISSIONS, ROLE_NAMES, type Action } from "./accounts/permissions.ts";
import { auditRoutes } from "./audit/audit.routes.ts";
import { authRoutes } from "./auth/auth.routes.ts";
import { isRecentlyConfirmed } from "./auth/confirmation.ts";
import { keepFormPostedAfterExpiry, takeKeptForm, withoutKeptMarker } from "./auth/kept-forms.ts";
import { readSessionCookie, writeSessionCookie } from "./auth/session-cookie.ts";
import { IDLE_TIMEOUT_MS, resolveSession } from "./auth/sessions.ts";
import { newToken } from "./auth/tokens.ts";
import { calendarRoutes } from "./calendar/calendar.routes.ts";
import { DATE_FILTERS } from "./calendar/date-filters.ts";
import { casesRoutes } from "./cases/cases.routes.ts";
import { contactRoutes } from "./contact/contact.routes.ts";
import { dashboardRoutes } from "./dashboard/dashboard.routes.ts";
import { notifyRoutes } from "./notify/notify.routes.ts";
import { reportsRoutes } from "./reports/reports.routes.ts";
import { registersRoutes } from "./registers/registers.routes.ts";
import { licencesRoutes } from "./licences/licences.routes.ts";
import { disclosureRoutes } from "./redaction/disclosure/disclosure.routes.ts";
import { requestsRoutes } from "./requests/requests.routes.ts";
import { ensureOperatorVisitorCookie } from "./operator/operator-cookie.ts";
import { carriesOperatorSession, guardOperatorRoute, isOperatorPage } from "./operator/operator-guard.ts";
import { operatorRoutes } from "./operator/operator.routes.ts";
import { forbidden } from "./platform/errors.ts";
import { buildApp } from "./platform/http/app.ts";
import type { Services } from "./platform/services.ts";

/**
 * Who may use a route: anyone; someone who has given their password and owes the second factor;
 * anyone signed in; those the permission table allows an action; or an operator signed in to the
 * operator's console (both factors; src/operator/), who has no way into any other route.
 */
export type Access = "public" | "second-factor" | "signed-in" | "operator" | Action;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /** Open to a signed-in person who must set up two-factor and has not yet (everything else sends them there). */
    duringTwoFactorSetup?: boolean;
    /** Sensitive: the person must have proved who they are in the last 15 minutes, or is asked to again. */
    recentConfirmation?: boolean;
    /** A public page of the operator's console (sign-in, setup): its forms bind to the operator cookie. */
    operatorPage?: boolean;
    /** Open to the owner of a dormant licence (its term has ended): renewing, exporting, their account, signing out. */
    duringDormancy?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
    /** The signed-in session's id (never its token), for "this browser" and "sign out elsewhere". */
    sessionId: string | undefined;
    /** When the signed-in session ends if nothing more is asked of it (the timeout warning counts to it). */
    sessionIdleEndsAt: Date | undefined;
    /** A form posted into a session that had just run out: whose it was (see kept-forms.ts). */
    expiredSession: { organisationId: string; userId: string } | undefined;
    /** What the person had typed before being signed out, given back on this page once. */
    keptForm: Record<string, string> | undefined;
    /** The signed-in owner's licence is dormant: only the licence page and their account are open to them. */
    licenceDormant: boolean | undefined;
    /** The operator signed in to the console, on routes with access "operator" (src/operator/operator-guard.ts). */
    operator: { id: string; email: string } | undefined;
  }
}

/** The navigation a signed-in person sees, each item behind the permission it needs. */
const NAVIGATION: { href: string; text: string; action: Action | Action[] | "signed-in" }[] = [
  { href: "/dashboard", text: "Dashboard", action: "dashboard:view" },
  { href: "/cases", text: "Cases", action: ["cases:log", "cases:view-all"] },
  { href: "/schools", text: "Schools", action: "schools:manage" },
  { href: "/users", text: "Users", action: "users:manage" },
  { href: "/registers", text: "Registers", action: "registers:view" },
  { href: "/outbox", text: "Outbox", action: "outbox:view" },
  { href: "/audit", text: "Audit trail", action: "audit:view" },
  { href: "/settings", text: "Settings", action: "settings:manage" },
  { href: "/licence", text: "Licence", action: "licence:view" },
  { href: "/account", text: "Account", action: "signed-in" },
];

/** All a dormant licence's owner can reach (the licence is otherwise reached from Settings, to keep the bar on one line). */
const DORMANT_NAVIGATION = new Set(["/licence", "/account"]);

/**
 * The composition root of the web app: the platform's ground floor (src/platform/http/app.ts),
 * the session and permission guard, what every page shows, and every capability's routes.
 */
export async function buildStewardApp(services: Services): Promise<FastifyInstance> {
  const app = await buildApp(services, {
    requestFields: ["actor", "sessionId", "sessionIdleEndsAt", "expiredSession", "keptForm", "operator", "licenceDormant"],
    isKnownAccess: (access) => access === "public" || access === "second-factor" || access === "signed-in" || access === "operator" || access in PERMISSIONS,
    guard: (request, reply) => guard(services, request, reply),
    // A form posted after its session ran out does nothing, but what was typed is kept for after sign-in.
    beforeCsrfCheck: async (request, reply) => {
      if (request.expiredSession) {
        return reply.redirect(await keepFormPostedAfterExpiry(services, request, request.expiredSession), 303);
      }
    },
    visitorToken: ensureVisitorCookie,
    pageContext: (request, context) => pageContext(services, request, context),
    // Codes stay in the database; pages say what they mean.
    viewFilters: { ...DATE_FILTERS, roleName: (role: string) => ROLE_NAMES[role as keyof typeof ROLE_NAMES] ?? role },
    routes: (app) => {
      aboutRoutes(app, services);
      authRoutes(app, services);
      accountsRoutes(app, services);
      contactRoutes(app, services);
      dashboardRoutes(app, services);
      casesRoutes(app, services);
      disclosureRoutes(app, services);
      requestsRoutes(app, services);
      reportsRoutes(app, services);
      registersRoutes(app, services);
      licencesRoutes(app, services);
      calendarRoutes(app, services);
      notifyRoutes(app, services);
      auditRoutes(app, services);
      operatorRoutes(app, services);
    },
  });
  return app;
}

/** Who is asking: the session behind the cookie, checked on every non-public route; the one place permissions are checked. */
async function guard(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  request.sessionCookie = readSessionCookie(request);
  const access = request.routeOptions.config.access ?? "public";
  // The operator's console: its own cookie and sessions (src/operator/operator-guard.ts).
  if (access === "operator" || isOperatorPage(request)) {
    return guardOperatorRoute(services, request, reply);
  }
  if (access === "public") {
    return;
  }
  const lookup = request.sessionCookie ? await resolveSession(services, request.sessionCookie) : { kind: "none" as const };
  // An operator has no way into a school's pages: refused outright, never offered a sign-in.
  if (lookup.kind !== "active" && (await carriesOperatorSession(services, request))) {
    throw forbidden();
  }
  if (lookup.kind === "expired" && request.method === "POST" && access !== "second-factor" && isPlainFormPost(request)) {
    // Its body is read after this hook: beforeCsrfCheck keeps what was typed (or not).
    request.expiredSession = { organisationId: lookup.organisationId, userId: lookup.userId };
    return;
  }
  if (lookup.kind === "licence-closed") {
    return reply.redirect("/login?licence=closed", 303);
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
  // A dormant licence: its owner may renew it or take its data away, and nothing else.
  request.licenceDormant = lookup.licenceDormant;
  if (lookup.licenceDormant && !request.routeOptions.config.duringDormancy) {
    return reply.redirect("/licence", 303);
  }
  request.sessionId = lookup.sessionId;
  request.sessionIdleEndsAt = lookup.idleEndsAt;
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
}

/** What every page is given: who is signed in, the navigation they may use, a kept form, the idle timeout. */
function pageContext(services: Services, request: FastifyRequest, context: Record<string, unknown>): Record<string, unknown> {
  const actor = request.actor;
  const kept = request.keptForm;
  return {
    // What was typed before a sign-out wins over the page's own values, this once.
    ...(kept ? { values: { ...(context["values"] as Record<string, unknown> | undefined), ...kept }, keptForm: true } : {}),
    actor,
    // For the timeout warning (assets/session-timeout.js): how long this session lives if left idle from now.
    sessionTimeoutSeconds: Math.floor((request.sessionIdleEndsAt ? request.sessionIdleEndsAt.getTime() - services.clock.now().getTime() : IDLE_TIMEOUT_MS) / 1000),
    // Someone who must set up two-factor first is offered nowhere else to go.
    navigation: actor && !(actor.twoFactor.required && !actor.twoFactor.enabled)
      ? NAVIGATION.filter((item) => (request.licenceDormant ? DORMANT_NAVIGATION.has(item.href) : item.href !== "/licence"))
          .filter((item) => item.action === "signed-in" || [item.action].flat().some((action) => can(actor, action)))
          .map((item) => ({
          href: item.href,
          text: item.text,
          active: request.url === item.href || request.url.startsWith(`${item.href}/`),
        }))
      : [],
  };
}

/** An ordinary form post (no files): the only kind whose fields are kept after a sign-out. */
function isPlainFormPost(request: FastifyRequest): boolean {
  return String(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

/** A visitor needs the cookie before they can post a form: give them one when a page first asks. */
function ensureVisitorCookie(request: FastifyRequest, reply: FastifyReply): string {
  if (isOperatorPage(request)) {
    return ensureOperatorVisitorCookie(request, reply);
  }
  if (!request.sessionCookie) {
    writeSessionCookie(request, reply, newToken());
  }
  return request.sessionCookie as string;
}
