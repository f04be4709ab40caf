import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { paramsOr404 } from "../platform/http/params.ts";
import { z } from "zod";
import { listReachableOrganisations } from "../accounts/schools.ts";
import { readForm, type FieldErrors } from "../platform/forms.ts";
import { downloadDisposition, uploadedFile } from "../platform/http/files.ts";
import { contextOf } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { describeProclaimed, FIRST_PROJECTED_YEAR, NATION_NAMES, NATIONS, PROCLAIMED_BANK_HOLIDAYS } from "./bank-holidays.ts";
import { readCalendar, replaceTermDates, saveCalendar, TermDatesError } from "./calendar-settings.ts";
import { readPastedTermDates, readTermDatesCsv, writeTermDatesCsv, type TermDates } from "./school-days.ts";
import { readTermRows, termRowValues, withoutTermRows } from "./term-rows.ts";

const organisationParams = z.object({ id: z.uuid() });

const calendarSchema = z.object({
  nation: z.enum(NATIONS, { error: "Select the nation the school is in" }),
  schoolType: z.enum(["maintained", "academy", "independent"], { error: "Select what kind of school it is" }),
  adviceTargetDays: z.coerce
    .number({ error: "Enter the advice target as a number of working days" })
    .int({ error: "Enter a whole number of working days" })
    .min(1, { error: "The advice target must be at least 1 working day" })
    .max(60, { error: "The advice target must be 60 working days or fewer" }),
  // Pasted from a spreadsheet (or CSV): when given, it replaces the rows of date boxes.
  paste: z.string().max(50_000, { error: "The pasted term dates must be 50,000 characters or fewer" }).optional(),
});

/** Blank rows of date boxes under the saved ones, for the next terms (no script needed to add one). */
const BLANK_TERM_ROWS = 3;

const NOTICES: Record<string, string> = { saved: "The school’s calendar and term dates are saved. Open cases’ deadlines have been worked out again.", terms: "The term dates are saved. Open cases’ deadlines have been worked out again." };

function organisationIdFrom(params: unknown): string {
  return paramsOr404(organisationParams, params).id;
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

  /** The calendar page: saved settings, or (after a refusal) everything as it was typed, with the problems. */
  const showCalendar = async (request: FastifyRequest, reply: FastifyReply, organisationId: string, errors?: FieldErrors, values?: Record<string, string>, rowCount?: number) => {
    const calendar = await readCalendar(contextOf(request, services), organisationId);
    const done = (request.query as { done?: string } | undefined)?.done;
    const shown = values ?? { nation: calendar.nation, schoolType: calendar.schoolType, adviceTargetDays: String(calendar.adviceTargetDays), ...termRowValues(calendar.terms) };
    const rows = Array.from({ length: Math.max(rowCount ?? 0, values ? 0 : calendar.terms.length + BLANK_TERM_ROWS, 1) }, (_, row) => ({
      row,
      kind: shown[`term-${row}-kind`] ?? "term",
      // The count is of what is saved: shown only while the rows are the saved ones.
      schoolDays: values ? undefined : calendar.terms[row]?.kind === "term" ? calendar.schoolDays[row] : undefined,
    }));
    return reply.page(
      "calendar/views/calendar.njk",
      {
        errors,
        organisationId,
        calendar,
        rows,
        notice: done ? NOTICES[done] : undefined,
        values: shown,
        nations: NATIONS.map((nation) => ({ value: nation, text: NATION_NAMES[nation] })),
        firstProjectedYear: FIRST_PROJECTED_YEAR,
      },
      errors ? 400 : 200,
    );
  };

  app.get("/settings/calendar/:id", { config: { access: "calendar:manage" } }, async (request, reply) => showCalendar(request, reply, organisationIdFrom(request.params)));

  // One form: nation, kind, advice target and term dates are saved together or not at all, and a
  // refusal shows every field as it was typed (a bad term date must not lose the nation just chosen).
  app.post("/settings/calendar/:id", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const organisationId = organisationIdFrom(request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = readForm(calendarSchema, withoutTermRows(body));
    const rows = readTermRows(body);
    const typed = { ...(form.ok ? Object.fromEntries(Object.entries(form.data).map(([key, value]) => [key, String(value ?? "")])) : form.values), ...rows.values };
    const errors: FieldErrors = { ...(form.ok ? {} : form.errors) };
    const paste = form.ok ? (form.data.paste ?? "").trim() : "";
    // A post with no rows at all (not the page's own form, which always has them) leaves the terms alone.
    let terms: (TermDates & { row?: number })[] | undefined = rows.count > 0 ? rows.terms : undefined;
    if (paste) {
      const pasted = readPastedTermDates(paste);
      if (pasted.ok) terms = pasted.terms;
      else errors["paste"] = pasted.errors.join(". ");
    } else {
      Object.assign(errors, rows.errors);
    }
    if (form.ok && Object.keys(errors).length === 0) {
      try {
        const { nation, schoolType, adviceTargetDays } = form.data;
        await saveCalendar(contextOf(request, services), organisationId, { nation, schoolType, adviceTargetDays }, terms);
        return reply.redirect(`/settings/calendar/${organisationId}?done=saved`, 303);
      } catch (error) {
        if (!(error instanceof TermDatesError)) throw error;
        for (const problem of error.problems) {
          const row = terms?.[problem.index]?.row;
          errors[paste || row === undefined ? "paste" : `term-${row}-first`] ??= problem.message;
        }
      }
    }
    return showCalendar(request, reply, organisationId, errors, typed, rows.count);
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
    try {
      await replaceTermDates(contextOf(request, services), organisationId, result.terms);
    } catch (error) {
      if (error instanceof TermDatesError) return showCalendar(request, reply, organisationId, { termsFile: error.message });
      throw error;
    }
    return reply.redirect(`/settings/calendar/${organisationId}?done=terms`, 303);
  });

  app.get("/settings/calendar/:id/terms.csv", { config: { access: "calendar:manage" } }, async (request, reply) => {
    const calendar = await readCalendar(contextOf(request, services), organisationIdFrom(request.params));
    return reply.type("text/csv; charset=utf-8").header("content-disposition", downloadDisposition("term-dates.csv")).send(writeTermDatesCsv(calendar.terms));
  });
}
