import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { addDays, isIsoDate, parseDateTime } from "../calendar/dates.ts";
import { readForm, type FieldErrors } from "../platform/forms.ts";
import { filterQuery, paginationOf } from "../platform/http/pagination.ts";
import { contextOf } from "../accounts/request-context.ts";
import type { Services } from "../platform/services.ts";
import { ACTION_KINDS, AUDIT_PER_PAGE, auditCsv, listAuditActors, listAuditEvents, MAX_EXPORTED_EVENTS, type AuditFilters } from "./trail.ts";

const day = (what: string) =>
  z.union([z.literal(""), z.string().refine(isIsoDate, { error: `${what} must be a real date, for example 24 11 2026` })]).optional();

// The trail's filter arrives in the query string: GOV.UK date boxes (from-day, from-month, from-year) or a YYYY-MM-DD.
const filterSchema = z.object({
  user: z.union([z.literal(""), z.uuid({ error: "Select a user from the list" })]).optional(),
  kind: z.union([z.literal(""), z.enum(ACTION_KINDS.map((kind) => kind.id) as [string, ...string[]], { error: "Select a kind of action from the list" })]).optional(),
  organisationId: z.union([z.literal(""), z.uuid({ error: "Select a school from the list" })]).optional(),
  record: z.string().trim().max(100, { error: "Record must be 100 characters or fewer" }).refine((value) => !value.includes("\u0000"), { error: "Record must not contain control characters" }).optional(),
  from: day("From date"),
  to: day("To date"),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(1),
});

type FilterValues = z.output<typeof filterSchema>;

/** The start of a London calendar day, as an instant (GMT or BST as the date requires). */
function startOfLondonDay(isoDay: string): Date {
  return parseDateTime(`${isoDay}T00:00`)!;
}

function readFilters(query: unknown): { filters: AuditFilters; data: FilterValues; values: Record<string, string>; errors?: FieldErrors } {
  const form = readForm(filterSchema, query ?? {});
  if (!form.ok) {
    return { filters: {}, data: {}, values: form.values, errors: form.errors };
  }
  const data = form.data;
  const values = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value ?? "")]));
  if (data.from && data.to && data.to < data.from) {
    return { filters: {}, data, values, errors: { to: "To date must be the same as or after the from date" } };
  }
  return {
    data,
    values,
    filters: {
      userId: data.user || undefined,
      recordId: data.record || undefined,
      kind: data.kind || undefined,
      organisationId: data.organisationId || undefined,
      from: data.from ? startOfLondonDay(data.from) : undefined,
      to: data.to ? startOfLondonDay(addDays(data.to, 1)) : undefined,
    },
  };
}

export function auditRoutes(app: FastifyInstance, services: Services): void {
  app.get("/audit", { config: { access: "audit:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { filters, data, values, errors } = readFilters(request.query);
    // The names for the filter are read in the same request as the events, whose reading is recorded.
    const users = await listAuditActors(ctx);
    const organisations = ctx.actor.reachable.length > 1 ? ctx.actor.reachable : [];
    const result = errors ? { events: [], total: 0, page: 1, pages: 1 } : await listAuditEvents(ctx, filters, { page: data.page ?? 1 });
    const filter = { user: data.user, kind: data.kind, organisationId: data.organisationId, record: data.record, from: data.from, to: data.to };
    return reply.page(
      "audit/views/audit.njk",
      {
        ...result,
        first: (result.page - 1) * AUDIT_PER_PAGE + 1,
        last: (result.page - 1) * AUDIT_PER_PAGE + result.events.length,
        pagination: paginationOf(result.page, result.pages, (page) => `/audit?${filterQuery({ ...filter, page })}`),
        users,
        kinds: ACTION_KINDS,
        organisations,
        values,
        errors,
        csvHref: `/audit.csv?${filterQuery(filter)}`,
      },
      errors ? 400 : 200,
    );
  });

  app.get("/audit.csv", { config: { access: "audit:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { filters, errors } = readFilters(request.query);
    if (errors) {
      return reply.redirect("/audit", 303);
    }
    const { events } = await listAuditEvents(ctx, filters, { purpose: "audit.export", perPage: MAX_EXPORTED_EVENTS });
    const today = ctx.services.clock.now().toISOString().slice(0, 10);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="steward-audit-${today}.csv"`)
      .send(auditCsv(events));
  });
}
