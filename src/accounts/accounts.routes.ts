import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { writeSessionCookie } from "../auth/session-cookie.ts";
import { contextOf, requestMeta } from "../platform/http/request-context.ts";
import { readForm } from "../platform/forms.ts";
import { notFound } from "../platform/errors.ts";
import type { Services } from "../platform/services.ts";
import { newSchoolSchema, newUserSchema, registerLicenceSchema } from "./accounts.schema.ts";
import { registerLicence } from "./registration.ts";
import { addSchool, listReachableOrganisations } from "./schools.ts";
import { recordHistory } from "../audit/trail.ts";
import { createUser, deactivateUser, findUser, listUsers } from "./users.ts";

const userIdParams = z.object({ id: z.uuid() });

/** A user id from the path; anything that is not a UUID is simply not found. */
function userIdFrom(params: unknown): string {
  const parsed = userIdParams.safeParse(params);
  if (!parsed.success) {
    throw notFound();
  }
  return parsed.data.id;
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
    return reply.page("accounts/views/users.njk", { users, deactivated });
  });

  app.get("/users/new", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    return reply.page("accounts/views/new-user.njk", { organisations, values: { organisationId: ctx.actor.organisation.id } });
  });

  app.post("/users/new", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const form = readForm(newUserSchema, request.body);
    const result = form.ok ? await createUser(ctx, form.data) : form;
    if (result.ok) {
      const user = await findUser(ctx, result.userId);
      return reply.page("accounts/views/user-created.njk", { user, setPasswordUrl: result.setPasswordUrl, emailHeld: !services.mailer });
    }
    const organisations = await listReachableOrganisations(ctx);
    const values = form.ok ? form.data : form.values;
    return reply.page("accounts/views/new-user.njk", { organisations, errors: result.errors, values }, 400);
  });

  app.get("/users/:id", { config: { access: "users:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const user = await findUser(ctx, userIdFrom(request.params));
    const events = await recordHistory(ctx, "user", user.id);
    return reply.page("accounts/views/user.njk", { user, events });
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
