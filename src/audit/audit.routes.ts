import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FieldErrors } from "../platform/forms.ts";
import { contextOf } from "../platform/http/request-context.ts";
import type { Services } from "../platform/services.ts";
import { AUDIT_PAGE_LIMIT, auditCsv, listAuditActors, listAuditEvents, type AuditFilters } from "./trail.ts";

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Enter a date like 2026-11-24" })
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), { error: "Enter a real date" });

const filterSchema = z.object({
  user: z.union([z.literal(""), z.uuid({ error: "Select a user from the list" })]).optional(),
  record: z.string().trim().max(100, { error: "Record id must be 100 characters or fewer" }).optional(),
  from: z.union([z.literal(""), isoDate]).optional(),
  to: z.union([z.literal(""), isoDate]).optional(),
});

/** The start of a London calendar day, as an instant (GMT or BST as the date requires). */
function startOfLondonDay(isoDay: string): Date {
  const noonUtc = new Date(`${isoDay}T12:00:00Z`);
  const londonNoon = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", hour12: false }).format(noonUtc);
  const offsetHours = Number(londonNoon) - 12;
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) - offsetHours * 3_600_000);
}

function readFilters(query: unknown): { filters: AuditFilters; values: Record<string, string>; errors?: FieldErrors } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(
    ["user", "record", "from", "to"].map((key) => [key, typeof raw[key] === "string" ? (raw[key] as string) : ""]),
  );
  const parsed = filterSchema.safeParse(values);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return { filters: {}, values, errors };
  }
  const { user, record, from, to } = parsed.data;
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return {
    values,
    filters: {
      userId: user || undefined,
      recordId: record || undefined,
      from: from ? startOfLondonDay(from) : undefined,
      to: to ? startOfLondonDay(nextDay(to)) : undefined,
    },
  };
}

export function auditRoutes(app: FastifyInstance, services: Services): void {
  app.get("/audit", { config: { access: "audit:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { filters, values, errors } = readFilters(request.query);
    // The names for the filter are read in the same request as the events, whose reading is recorded.
    const users = await listAuditActors(ctx);
    const events = errors ? [] : await listAuditEvents(ctx, filters);
    const query = new URLSearchParams(values).toString();
    return reply.page(
      "audit/views/audit.njk",
      { events, users, values, errors, limit: AUDIT_PAGE_LIMIT, csvHref: `/audit.csv?${query}` },
      errors ? 400 : 200,
    );
  });

  app.get("/audit.csv", { config: { access: "audit:view" } }, async (request, reply) => {
    const ctx = contextOf(request, services);
    const { filters, errors } = readFilters(request.query);
    if (errors) {
      return reply.redirect("/audit", 303);
    }
    const events = await listAuditEvents(ctx, filters, { purpose: "audit.export" });
    const day = ctx.services.clock.now().toISOString().slice(0, 10);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="steward-audit-${day}.csv"`)
      .send(auditCsv(events));
  });
}
