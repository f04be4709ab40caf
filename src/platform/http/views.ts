import path from "node:path";
import nunjucks from "nunjucks";
import type { FieldErrors } from "../forms.ts";
import { projectPath } from "../project-root.ts";

const SOURCE_ROOT = projectPath("src");
const GOVUK_FRONTEND = path.join(SOURCE_ROOT, "../node_modules/govuk-frontend/dist");

/**
 * One Nunjucks environment for every page. Templates are named from src/, so a capability's views
 * sit in its own folder ("accounts/views/register.njk"); GOV.UK Frontend's macros come from
 * "govuk/...". Autoescaping is on: values are HTML-escaped unless a template says otherwise.
 */
export function createViews(filters: Record<string, (...args: never[]) => unknown> = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([SOURCE_ROOT, GOVUK_FRONTEND]), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addFilter("fieldError", (errors: FieldErrors | undefined, field: string) =>
    errors?.[field] ? { text: errors[field] } : undefined,
  );
  env.addFilter("errorSummaryList", (errors: FieldErrors | undefined) =>
    Object.entries(errors ?? {}).map(([field, text]) => ({ text, href: `#${field}` })),
  );
  env.addFilter("fileSize", (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`));
  env.addFilter("map_people", (people: { id: string; name: string }[]) => people.map((person) => ({ value: person.id, text: person.name })));
  env.addFilter("map_statuses", (statuses: { id: string; name: string }[]) => statuses.map((status) => ({ value: status.id, text: status.name })));
  env.addFilter("map_outcomes", (outcomes: { id: string; name: string; needsDetail?: string }[]) =>
    outcomes.map((outcome) => ({ value: outcome.id, text: outcome.name, hint: outcome.needsDetail ? { text: outcome.needsDetail } : undefined })),
  );
  // The application's own (dates, role names): the platform knows no capability.
  for (const [name, filter] of Object.entries(filters)) {
    env.addFilter(name, filter as (...args: unknown[]) => unknown);
  }
  return env;
}
