import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { listReachableOrganisations } from "../accounts/schools.ts";
import { notFound } from "../platform/errors.ts";
import { readForm, type FieldErrors } from "../platform/forms.ts";
import { downloadDisposition, uploadedFile } from "../platform/http/files.ts";
import { contextOf } from "../platform/http/request-context.ts";
import type { Services } from "../platform/services.ts";
import { describeProclaimed, FIRST_PROJECTED_YEAR, NATION_NAMES, NATIONS, PROCLAIMED_BANK_HOLIDAYS } from "./bank-holidays.ts";
import { changeCalendar, readCalendar, replaceTermDates } from "./calendar-settings.ts";
import { readTermDatesCsv, writeTermDatesCsv } from "./school-days.ts";

const organisationParams = z.object({ id: z.uuid() });

const calendarSchema = z.object({
  nation: z.enum(NATIONS, { error: "Choose the nation the school is in" }),
  schoolType: z.enum(["maintained", "academy", "independent"], { error: "Choose what kind of school it is" }),
  adviceTargetDays: z.coerce
    .number({ error: "Enter the advice target as a number of working days" })
    .int({ error: "Enter a whole number of working days" })
    .min(1, { error: "The advice target must be at least 1 working day" })
    .max(60, { error: "The advice target must be 60 working days or fewer" }),
});

const termsSchema = z.object({ terms: z.string({ error: "Paste or type the term dates" }).max(50_000, { error: "The term dates must be 50,000 characters or fewer" }) });

const NOTICES: Record<string, string> = { saved: "The school’s calendar is saved. Open cases’ deadlines have been worked out again.", terms: "The term dates are saved. Open cases’ deadlines have been worked out again." };

function organisationIdFrom(params: unknown): string {
  const parsed = organisationParams.safeParse(params);
  if (!parsed.success) {
    throw notFound();
  }
  return parsed.data.id;
}

export function calendarRoutes(app: FastifyInstance, services: Services): void {
  app.get("/settings/calendar", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const organisations = await listReachableOrganisations(ctx);
    const calendars = [];
    for (const organisation of organisations) {
      const calendar = await readCalendar(ctx, organisation.id);
      calendars.push({ ...organisation, nationName: NATION_NAMES[calendar.nation], schoolType: calendar.schoolType, terms: calendar.terms.length });
    }
    return reply.page("calendar/views/calendars.njk", { calendars, firstProjectedYear: FIRST_PROJECTED_YEAR, proclaimed: PROCLAIMED_BANK_HOLIDAYS.map(describeProclaimed) });
  });

  const showCalendar = async (request: FastifyRequest, reply: FastifyReply, organisationId: string, errors?: FieldErrors, values?: Record<string, string>) => {
    const calendar = await readCalendar(contextOf(request, services), organisationId);
    const done = (request.query as { done?: string } | undefined)?.done;
    return reply.page(
      "calendar/views/calendar.njk",
      {
        errors,
        organisationId,
        calendar,
        notice: done ? NOTICES[done] : undefined,
        values: values ?? { nation: calendar.nation, schoolType: calendar.schoolType, adviceTargetDays: String(calendar.adviceTargetDays), terms: writeTermDatesCsv(calendar.terms) },
        nations: NATIONS.map((nation) => ({ value: nation, text: NATION_NAMES[nation] })),
        firstProjectedYear: FIRST_PROJECTED_YEAR,
      },
      errors ? 400 : 200,
    );
  };

  app.get("/settings/calendar/:id", { config: { access: "calendar:manage" } }, async (request, reply) => showCalendar(request, reply, organisationIdFrom(request.params)));

  app.post("/settings/calendar/:id", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const organisationId = organisationIdFrom(request.params);
    const form = readForm(calendarSchema, request.body);
    if (!form.ok) {
      return showCalendar(request, reply, organisationId, form.errors, form.values);
    }
    await changeCalendar(contextOf(request, services), organisationId, form.data);
    return reply.redirect(`/settings/calendar/${organisationId}?done=saved`, 303);
  });

  app.post("/settings/calendar/:id/terms", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const organisationId = organisationIdFrom(request.params);
    const form = readForm(termsSchema, request.body);
    if (!form.ok) {
      return showCalendar(request, reply, organisationId, form.errors, form.values);
    }
    const result = readTermDatesCsv(form.data.terms);
    if (!result.ok) {
      return showCalendar(request, reply, organisationId, { terms: result.errors.join(". ") }, { terms: form.data.terms });
    }
    await replaceTermDates(contextOf(request, services), organisationId, result.terms);
    return reply.redirect(`/settings/calendar/${organisationId}?done=terms`, 303);
  });

  // The same CSV as a file, for an admin who keeps term dates in a spreadsheet.
  app.post("/settings/calendar/:id/terms-file", { config: { access: "calendar:manage", acceptsFiles: true } }, async (request, reply) => {
    const organisationId = organisationIdFrom(request.params);
    const upload = uploadedFile(request.body);
    if (!upload || upload.bytes.length === 0) {
      return showCalendar(request, reply, organisationId, { termsFile: "Select a CSV file of term dates" });
    }
    const text = upload.bytes.toString("utf8");
    if (upload.bytes.length > 50_000 || text.includes("\u0000")) {
      return showCalendar(request, reply, organisationId, { termsFile: "The selected file must be a CSV file smaller than 50 KB" });
    }
    const result = readTermDatesCsv(text);
    if (!result.ok) {
      return showCalendar(request, reply, organisationId, { termsFile: result.errors.join(". ") });
    }
    await replaceTermDates(contextOf(request, services), organisationId, result.terms);
    return reply.redirect(`/settings/calendar/${organisationId}?done=terms`, 303);
  });

  app.get("/settings/calendar/:id/terms.csv", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const calendar = await readCalendar(contextOf(request, services), organisationIdFrom(request.params));
    return reply.type("text/csv; charset=utf-8").header("content-disposition", downloadDisposition("term-dates.csv")).send(writeTermDatesCsv(calendar.terms));
  });
}
