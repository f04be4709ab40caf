import { nearestLatin } from "../platform/latin.ts";
import { sql } from "kysely";
import type { Tx } from "../platform/database/tenant-scope.ts";

/*
 * Each school's and trust's public request page lives at /r/<public name>: a short address made
 * from its name when it is created, which an admin can change in Settings.
 */

export const PUBLIC_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** What a public name may be; the reason it may not, otherwise. */
export function publicNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 40) {
    return "The address must be 3 to 40 characters";
  }
  if (!PUBLIC_NAME.test(name)) {
    return "Use only lower-case letters, numbers and single hyphens between them, for example oak-hill-primary";
  }
  return undefined;
}

/** "St Mary's C of E Primary" → "st-marys-c-of-e-primary", cut to fit. */
export function publicNameFrom(name: string): string {
  const base = [...name.normalize("NFC")]
    .map(nearestLatin)
    .join("")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 34)
    .replace(/-+$/, "");
  return base.length >= 3 ? base : `school-${base || "x"}`.replace(/-$/, "");
}

/** Whether another organisation already has this public name (any organisation: names are one namespace). */
export async function publicNameTaken(trx: Tx, name: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`select id from steward_public_organisation(${name}) where public_name = ${name}`.execute(trx);
  return rows.length > 0;
}

/** A free public name for a new organisation, from its name (a number added where it would clash). */
export async function freePublicName(trx: Tx, organisationName: string): Promise<string> {
  const base = publicNameFrom(organisationName);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await publicNameTaken(trx, candidate))) {
      return candidate;
    }
  }
}
