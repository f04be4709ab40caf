import { z } from "zod";
import { badRequest } from "./errors.ts";

/** Field name → the message shown next to it (GOV.UK error message pattern). */
export type FieldErrors = Record<string, string>;

export type FormResult<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Fields whose values are never sent back to the browser, even after an error. */
const NEVER_ECHOED = new Set(["password", "_csrf"]);

/**
 * Validates a submitted form against a strict schema. Every field's first problem is reported at
 * once; a form that carries fields the schema does not know is refused outright (no mass assignment:
 * organisation, role or owner fields cannot be slipped in).
 */
export function readForm<Schema extends z.ZodObject>(schema: Schema, body: unknown): FormResult<z.output<Schema>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest();
  }
  const { _csrf: _ignored, ...fields } = body as Record<string, unknown>;
  if (Object.keys(fields).some((key) => !(key in schema.shape))) {
    throw badRequest("The form had fields Steward does not expect.");
  }
  const parsed = schema.safeParse(fields);
  if (parsed.success) {
    return { ok: true, data: parsed.data };
  }
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "");
    if (field && !(field in errors)) {
      errors[field] = issue.message;
    }
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && !NEVER_ECHOED.has(key)) {
      values[key] = value;
    }
  }
  return { ok: false, errors, values };
}

/** A required single-line text field, trimmed, with GOV.UK-style messages. */
export function requiredText(what: string, { max = 200 }: { max?: number } = {}) {
  return z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, { error: `Enter ${what}` })
    .max(max, { error: `${capitalise(what)} must be ${max} characters or fewer` });
}

function capitalise(text: string): string {
  const bare = text.replace(/^(your|the|a|an) /, "");
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
