import type { FastifyInstance, FastifyRequest } from "fastify";
import { paramsOr404 } from "../platform/http/params.ts";
import { z } from "zod";
import { writeSessionCookie } from "../auth/session-cookie.ts";
import { contextOf, requestMeta } from "./request-context.ts";
import { readForm } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { changeEmailSchema, changeNameSchema, changeRoleSchema, erasureRequestSchema, newSchoolSchema, newUserSchema, registerLicenceSchema } from "./accounts.schema.ts";
import {
  changeOwnName,
  confirmEmailChange,
  describeEmailChange,
  exportOwnData,
  listOpenErasureRequests,
  ownOpenErasureRequest,
  readOwnAccount,
  requestEmailChange,
  requestErasure,
} from "./own-account.ts";
import { can, ROLE_DESCRIPTIONS, ROLE_NAMES, SENSITIVE_ROLES } from "./permissions.ts";
import { registerLicence } from "./registration.ts";
import { addSchool, listReachableOrganisations } from "./schools.ts";
import { recordHistory } from "../audit/trail.ts";
import { changeSettings, readSettings } from "./settings.ts";
import {
  accountActionRefusal,
  changeRole,
  createUser,
  deactivateUser,
  findUser,
  listUsers,
  resetTwoFactor,
  signOutEverywhere,
  transferOwnership,
  type AccountAction,
} from "./users.ts";

const ACCOUNT_ACTIONS: AccountAction[] = ["deactivate", "change-role", "sign-out", "reset-two-factor"];
import { endOtherSessions, listOwnSessions } from "../auth/sessions.ts";
import { choicesInWords, readEmailChoices } from "../contact/consents.ts";

const userIdParams = z.object({ id: z.uuid() });

/**
 * Per admin (not per address: a school shares one), so a username cannot be tried against the
 * whole of Steward at speed: "taken" is the one thing user creation says about other organisations.
 */
const USER_CREATION_LIMIT = {
  max: 60,
  timeWindow: "1 hour",
  keyGenerator: (request: FastifyRequest) => `users-new:${request.actor?.userId ?? request.ip}`,
};

/** The notice /account shows after a change, from ?done=… */
const ACCOUNT_NOTICES: Record<string, string> = {
  name: "Your name is changed.",
  erasure: "Your request is sent to your organisation's administrators.",
  sessions: "You are signed out everywhere else.",
};

const settingsSchema = z.object({
  twoFactorRequired: z.enum(["yes"], { error: "Select whether everyone must use two-factor authentication" }).optional(),
  disclosureApprovalRequired: z.enum(["yes"], { error: "Select whether a second person must approve a bundle" }).optional(),
});

/** The role radios, each with what it is for and whether it needs confirmed training. */
function roleChoices(selected: unknown) {
  return (Object.keys(ROLE_DESCRIPTIONS) as (keyof typeof ROLE_DESCRIPTIONS)[]).map((role) => ({
    value: role,
    text: role === "auditor" ? `${ROLE_NAMES[role]} (read only)` : ROLE_NAMES[role],
    hint: { text: ROLE_DESCRIPTIONS[role] + (SENSITIVE_ROLES.includes(role) ? " Opens sensitive records." : "") },
    checked: selected === role,
  }));
}

/** A user id from the path; anything that is not a UUID is simply not found. */
function userIdFrom(params: unknown): string {
  return paramsOr404(userIdParams, params).id;
}

export function accountsRoutes(app: FastifyInstance, services: Services): void {
  app.get("/register", { config: { access: "public" } }, async (_request, reply) => {
    return reply.page("accounts/views/register.njk", { values: {} });
  });

  app.post("/register", { config: { access: "public", rateLimit: { max: 10, timeWindow: "1 hour" } } }, async (request, reply) => {
    const form = readForm(registerLicenceSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/register.njk", { errors: form.errors, values: form.values }, 400);
    }
    const result = await registerLicence(services, form.data, requestMeta(request));
    if (!result.ok) {
      const { password: _never, ...values } = form.data;
      return reply.page("accounts/views/register.njk", { errors: result.errors, values }, 400);
    }
    writeSessionCookie(request, reply, result.sessionToken);
    return reply.redirect("/dashboard", 303);
  });

  app.get("/users", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const users = await listUsers(ctx);
    const deactivated = users.find((user) => user.id === (request.query as Record<string, unknown>)["deactivated"]);
    const erasureRequests = (await listOpenErasureRequests(ctx)).map((erasure) => ({ ...erasure, user: users.find((user) => user.id === erasure.userId) }));
    return reply.page("accounts/views/users.njk", { users, deactivated, erasureRequests });
  });

  app.get("/users/new", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    return reply.page("accounts/views/new-user.njk", { organisations, roles: roleChoices(undefined), values: { organisationId: ctx.actor.organisation.id } });
  });

  app.post("/users/new", { config: { access: "users:manage", rateLimit: USER_CREATION_LIMIT } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(newUserSchema, request.body);
    const result = form.ok ? await createUser(ctx, form.data) : form;
    if (result.ok) {
      const user = await findUser(ctx, result.userId);
      return reply.page("accounts/views/user-created.njk", { user, setPasswordUrl: result.setPasswordUrl, emailHeld: !services.mailer });
    }
    const organisations = await listReachableOrganisations(ctx);
    const values: Record<string, unknown> = form.ok ? form.data : form.values;
    return reply.page("accounts/views/new-user.njk", { organisations, roles: roleChoices(values["role"]), errors: result.errors, values }, 400);
  });

  app.get("/users/:id", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const user = await findUser(ctx, userIdFrom(request.params));
    const events = await recordHistory(ctx, "user", user.id);
    const canTransfer =
      can(ctx.actor, "ownership:transfer") && user.role === "admin" && user.status === "active" && user.organisationId === ctx.actor.organisation.id;
    const query = request.query as Record<string, unknown>;
    const twoFactorReset = query["twoFactorReset"] === "1";
    const signedOut = query["signedOut"] === "1";
    const erasureRequests = await listOpenErasureRequests(ctx, { userId: user.id });
    // Only the actions this admin may take on this person are offered.
    const may = Object.fromEntries(ACCOUNT_ACTIONS.map((action) => [action, accountActionRefusal(ctx.actor, user, action) === undefined]));
    return reply.page("accounts/views/user.njk", { user, events, canTransfer, twoFactorReset, signedOut, erasureRequests, may });
  });

  app.get("/users/:id/role", { config: { access: "users:manage" } }, async (request, reply) => {
    const user = await findUser(contextOf(request, services), userIdFrom(request.params));
    return reply.page("accounts/views/change-role.njk", { user, roles: roleChoices(user.role), values: {} });
  });

  app.post("/users/:id/role", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const userId = userIdFrom(request.params);
    const form = readForm(changeRoleSchema, request.body);
    if (!form.ok) {
      const user = await findUser(ctx, userId);
      return reply.page("accounts/views/change-role.njk", { user, roles: roleChoices(form.values["role"]), errors: form.errors, values: form.values }, 400);
    }
    await changeRole(ctx, userId, form.data);
    return reply.redirect(`/users/${userId}`, 303);
  });

  app.get("/users/:id/transfer-ownership", { config: { access: "ownership:transfer" } }, async (request, reply) => {
    const user = await findUser(contextOf(request, services), userIdFrom(request.params));
    return reply.page("accounts/views/transfer-ownership.njk", { user });
  });

  app.post("/users/:id/transfer-ownership", { config: { access: "ownership:transfer" } }, async (request, reply) => {
    const userId = userIdFrom(request.params);
    await transferOwnership(contextOf(request, services), userId);
    return reply.redirect(`/users/${userId}`, 303);
  });

  app.get("/users/:id/deactivate", { config: { access: "users:manage" } }, async (request, reply) => {
    const user = await findUser(contextOf(request, services), userIdFrom(request.params));
    return reply.page("accounts/views/deactivate-user.njk", { user });
  });

  app.post("/users/:id/deactivate", { config: { access: "users:manage" } }, async (request, reply) => {
    const userId = userIdFrom(request.params);
    await deactivateUser(contextOf(request, services), userId);
    return reply.redirect(`/users?deactivated=${userId}`, 303);
  });

  app.post("/users/:id/sign-out", { config: { access: "users:manage" } }, async (request, reply) => {
    const userId = userIdFrom(request.params);
    await signOutEverywhere(contextOf(request, services), userId);
    return reply.redirect(`/users/${userId}?signedOut=1`, 303);
  });

  app.post("/users/:id/two-factor/reset", { config: { access: "users:manage" } }, async (request, reply) => {
    const userId = userIdFrom(request.params);
    await resetTwoFactor(contextOf(request, services), userId);
    return reply.redirect(`/users/${userId}?twoFactorReset=1`, 303);
  });

  app.get("/settings", { config: { access: "settings:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const saved = (request.query as Record<string, unknown>)["saved"] === "1";
    return reply.page("accounts/views/settings.njk", { settings: await readSettings(ctx), saved });
  });

  app.post("/settings", { config: { access: "settings:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(settingsSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/settings.njk", { settings: await readSettings(ctx), errors: form.errors }, 400);
    }
    await changeSettings(ctx, { twoFactorRequired: form.data.twoFactorRequired === "yes", disclosureApprovalRequired: form.data.disclosureApprovalRequired === "yes" });
    return reply.redirect("/settings?saved=1", 303);
  });

  app.get("/account", { config: { access: "signed-in", duringDormancy: true } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const account = await readOwnAccount(ctx);
    const sessions = await listOwnSessions(ctx, request.sessionId ?? "");
    const emailChoices = choicesInWords(await readEmailChoices(ctx));
    const done = (request.query as Record<string, unknown>)["done"];
    return reply.page("accounts/views/account.njk", { account, sessions, emailChoices, notice: typeof done === "string" ? ACCOUNT_NOTICES[done] : undefined });
  });

  app.post("/account/sessions/end-others", { config: { access: "signed-in" } }, async (request, reply) => {
    await endOtherSessions(contextOf(request, services), request.sessionId ?? "");
    return reply.redirect("/account?done=sessions", 303);
  });

  app.get("/account/name", { config: { access: "signed-in" } }, async (request, reply) => {
    return reply.page("accounts/views/change-name.njk", { values: { fullName: request.actor?.fullName } });
  });

  app.post("/account/name", { config: { access: "signed-in" } }, async (request, reply) => {
    const form = readForm(changeNameSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/change-name.njk", { errors: form.errors, values: form.values }, 400);
    }
    await changeOwnName(contextOf(request, services), form.data.fullName);
    return reply.redirect("/account?done=name", 303);
  });

  app.get("/account/email", { config: { access: "signed-in", recentConfirmation: true } }, async (_request, reply) => {
    return reply.page("accounts/views/change-email.njk", { values: {} });
  });

  app.post("/account/email", { config: { access: "signed-in", recentConfirmation: true } }, async (request, reply) => {
    const form = readForm(changeEmailSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/change-email.njk", { errors: form.errors, values: form.values }, 400);
    }
    const result = await requestEmailChange(contextOf(request, services), form.data.email);
    if (!result.ok) {
      return reply.page("accounts/views/change-email.njk", { errors: { email: result.error }, values: form.data }, 400);
    }
    return reply.page("accounts/views/check-new-email.njk", { newEmail: form.data.email });
  });

  app.get<{ Params: { token: string } }>("/account/email/confirm/:token", { config: { access: "public" } }, async (request, reply) => {
    const change = await describeEmailChange(services, request.params.token);
    if (!change) {
      return reply.page("accounts/views/confirm-email.njk", { outcome: "unusable" }, 404);
    }
    return reply.page("accounts/views/confirm-email.njk", { newEmail: change.newEmail });
  });

  app.post<{ Params: { token: string } }>("/account/email/confirm/:token", { config: { access: "public" } }, async (request, reply) => {
    const result = await confirmEmailChange(services, request.params.token, requestMeta(request));
    if (result.ok) {
      return reply.page("accounts/views/confirm-email.njk", { outcome: "changed" });
    }
    return reply.page("accounts/views/confirm-email.njk", { outcome: result.reason }, result.reason === "taken" ? 409 : 404);
  });

  app.get("/account/export.json", { config: { access: "signed-in", recentConfirmation: true } }, async (request, reply) => {
    const data = await exportOwnData(contextOf(request, services));
    return reply
      .header("content-disposition", 'attachment; filename="steward-my-data.json"')
      .header("cache-control", "no-store")
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(data, null, 2));
  });

  app.get("/account/erasure", { config: { access: "signed-in" } }, async (request, reply) => {
    return reply.page("accounts/views/erasure.njk", { values: {}, openSince: await ownOpenErasureRequest(contextOf(request, services)) });
  });

  app.post("/account/erasure", { config: { access: "signed-in" } }, async (request, reply) => {
    const form = readForm(erasureRequestSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/erasure.njk", { errors: form.errors, values: form.values }, 400);
    }
    const result = await requestErasure(contextOf(request, services), form.data.reason || undefined);
    if (!result.ok) {
      return reply.page("accounts/views/erasure.njk", { values: {}, openSince: result.openSince }, 409);
    }
    return reply.redirect("/account?done=erasure", 303);
  });

  app.get("/schools", { config: { access: "schools:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    const added = (request.query as Record<string, unknown>)["added"];
    return reply.page("accounts/views/schools.njk", {
      schools: organisations.filter((organisation) => organisation.kind === "school"),
      added: organisations.find((organisation) => organisation.id === added),
    });
  });

  app.get("/schools/new", { config: { access: "schools:manage" } }, async (_request, reply) => {
    return reply.page("accounts/views/new-school.njk", { values: {} });
  });

  app.post("/schools/new", { config: { access: "schools:manage" } }, async (request, reply) => {
    const form = readForm(newSchoolSchema, request.body);
    if (!form.ok) {
      return reply.page("accounts/views/new-school.njk", { errors: form.errors, values: form.values }, 400);
    }
    const schoolId = await addSchool(contextOf(request, services), form.data);
    return reply.redirect(`/schools?added=${schoolId}`, 303);
  });
}
