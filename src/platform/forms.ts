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
  const { _csrf: _ignored, ...raw } = body as Record<string, unknown>;
  const { submitted, unstorable } = cleanText(raw, schema.shape);
  const fields = joinDateParts(submitted, schema.shape);
  if (Object.keys(fields).some((key) => !(key in schema.shape))) {
    throw badRequest("The form had fields Steward does not expect.");
  }
  const parsed = schema.safeParse(fields);
  if (parsed.success && unstorable.length === 0) {
    return { ok: true, data: parsed.data };
  }
  const errors: FieldErrors = {};
  for (const field of unstorable) {
    errors[field] = UNSTORABLE_CHARACTER;
  }
  for (const issue of parsed.error?.issues ?? []) {
    const field = String(issue.path[0] ?? "");
    if (field && !(field in errors)) {
      errors[field] = issue.message;
    }
  }
  // The boxes as typed, so that a date that is not one is shown back as it was written.
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(submitted)) {
    if (typeof value === "string" && !NEVER_ECHOED.has(key)) {
      values[key] = value;
    }
  }
  return { ok: false, errors, values };
}

/** What a field that held U+0000 says: PostgreSQL cannot store it in text, so it is refused, never silently dropped. */
export const UNSTORABLE_CHARACTER = "Remove the hidden character (a null character, often pasted in by mistake) from this answer";

/** Fields never changed in any way, even by stripping invisible characters: a password is as typed. */
const KEPT_EXACTLY = new Set(["password"]);

/**
 * Bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069): invisible,
 * they make a name or a sentence display as something else ("Trojan Source"). Nobody types them on
 * purpose in a school's records, so every form drops them wherever they appear.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Every text field as Steward will store it: bidirectional controls removed, and the names of the
 * fields (or dates, for a date's boxes) that held U+0000, which no text column can take (a 500 otherwise).
 */
function cleanText(raw: Record<string, unknown>, shape: Record<string, unknown>): { submitted: Record<string, unknown>; unstorable: string[] } {
  const submitted: Record<string, unknown> = {};
  const unstorable = new Set<string>();
  const clean = (key: string, value: unknown): unknown => {
    if (typeof value !== "string") {
      return Array.isArray(value) ? value.map((item) => clean(key, item)) : value;
    }
    if (value.includes("\u0000")) {
      const [, dateName] = /^(.+)-(?:day|month|year)$/.exec(key) ?? [];
      unstorable.add(dateName && dateName in shape ? dateName : key);
      value = value.replaceAll("\u0000", "");
    }
    return KEPT_EXACTLY.has(key) ? value : (value as string).replace(BIDI_CONTROLS, "");
  };
  for (const [key, value] of Object.entries(raw)) {
    submitted[key] = clean(key, value);
  }
  return { submitted, unstorable: [...unstorable] };
}

const DATE_PARTS = ["day", "month", "year"] as const;

/**
 * GOV.UK's date input sends one date as three boxes, `<name>-day`, `-month` and `-year`. For a
 * field the schema knows, they become one `YYYY-MM-DD` value: empty when all three are, and
 * something no date check accepts when they do not make a date, so the schema's own message
 * for that field is the one shown.
 */
function joinDateParts(submitted: Record<string, unknown>, shape: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(submitted)) {
    const [, name, part] = /^(.+)-(day|month|year)$/.exec(key) ?? [];
    if (!name || !part || !(name in shape) || name in submitted) {
      fields[key] = value;
      continue;
    }
    if (name in fields) {
      continue;
    }
    const [day, month, year] = DATE_PARTS.map((which) => submitted[`${name}-${which}`] ?? "");
    if (typeof day !== "string" || typeof month !== "string" || typeof year !== "string") {
      throw badRequest();
    }
    const [d, m, y] = [day.trim(), month.trim(), year.trim()];
    if (!d && !m && !y) {
      fields[name] = "";
    } else if (/^\d{1,2}$/.test(d) && /^\d{1,2}$/.test(m) && /^\d{4}$/.test(y)) {
      fields[name] = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
    } else {
      fields[name] = `not a date: ${d} ${m} ${y}`;
    }
  }
  return fields;
}

/** A required single-line text field, trimmed, with GOV.UK-style messages. */
export function requiredText(what: string, { max = 200 }: { max?: number } = {}) {
  return z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, { error: `Enter ${what}` })
    .max(max, { error: `${capitalise(what)} must be ${max} characters or fewer` });
}

/** "the date it was received" → "Date it was received", to begin a GOV.UK error message. */
export function capitalise(text: string): string {
  const bare = text.replace(/^(your|the|a|an) /, "");
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
