import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { CaseFormError } from "../../cases/cases.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { openFor, sealFor } from "../../platform/encryption/keyring.ts";
import { notFound } from "../../platform/errors.ts";
import type { Services } from "../../platform/services.ts";
import { RECOGNIZER_DESCRIPTIONS, RECOGNIZER_NAMES } from "../detection/detect.ts";
import type { KnownPerson, PersonPart } from "../detection/people.ts";

/**
 * Each organisation's redaction settings: which recognizers run, the words it always removes (a
 * foster carer's house name), and the school's own people list, imported from an MIS export as
 * CSV. The words and the list are personal data: sealed, and every view and change audited.
 * Reading a document uses them (disclosure-jobs.ts); a change applies to documents read after it.
 */
export interface DetectionSettings {
  switchedOff: ReadonlySet<string>;
  alwaysRemove: string[];
  schoolPeople: KnownPerson[];
}

export interface RedactionSettingsPage {
  organisationId: string;
  recognizers: { name: string; description: string; on: boolean }[];
  alwaysRemove: string[];
  peopleCount: number;
  peopleImportedAt: Date | null;
}

export const MOST_WORDS = 500;
export const MOST_PEOPLE = 20_000;
export const MOST_LIST_BYTES = 5 * 1024 * 1024;

const place = (organisationId: string, column: "alwaysRemove" | "people") => ({ organisationId, table: "redactionSettings" as const, column, rowId: organisationId });

/** What detection uses for an organisation: nothing switched off, no words and no list until someone sets them. */
export async function detectionSettingsOf(trx: Tx, services: Pick<Services, "keyring">, organisationId: string): Promise<DetectionSettings> {
  const row = await trx.selectFrom("redactionSettings").selectAll().where("orgId", "=", organisationId).executeTakeFirst();
  return {
    switchedOff: new Set((row?.switchedOff ?? []).filter((name) => SWITCHABLE.includes(name))),
    alwaysRemove: row?.alwaysRemove ? (JSON.parse(await openFor(trx, services.keyring, place(organisationId, "alwaysRemove"), row.alwaysRemove)) as string[]) : [],
    schoolPeople: row?.people ? (JSON.parse(await openFor(trx, services.keyring, place(organisationId, "people"), row.people)) as KnownPerson[]) : [],
  };
}

function checkOrganisation(ctx: Context, organisationId: string): void {
  if (!ctx.actor.organisationIds.includes(organisationId)) {
    throw notFound();
  }
}

const audit = (ctx: Context, organisationId: string, action: "redaction.settings-view" | "redaction.settings-change") => ({
  organisationId,
  actorUserId: ctx.actor.userId,
  action,
  recordType: "organisation" as const,
  recordId: organisationId,
  meta: ctx.request,
  at: ctx.services.clock.now(),
});

export async function readRedactionSettings(ctx: Context, organisationId: string): Promise<RedactionSettingsPage> {
  authorise(ctx.actor, "cases:manage");
  checkOrganisation(ctx, organisationId);
  return inActorScope(ctx, async (trx) => {
    const row = await trx.selectFrom("redactionSettings").select(["peopleCount", "peopleImportedAt"]).where("orgId", "=", organisationId).executeTakeFirst();
    const settings = await detectionSettingsOf(trx, ctx.services, organisationId);
    await recordAudit(trx, audit(ctx, organisationId, "redaction.settings-view"));
    return {
      organisationId,
      recognizers: SWITCHABLE.map((name) => ({ name, description: RECOGNIZER_DESCRIPTIONS[name] ?? name, on: !settings.switchedOff.has(name) })),
      alwaysRemove: settings.alwaysRemove,
      peopleCount: row?.peopleCount ?? 0,
      peopleImportedAt: row?.peopleImportedAt ? new Date(row.peopleImportedAt) : null,
    };
  });
}

/** Writes the organisation's settings row with `change` applied, making it on first use. */
async function changeSettings(ctx: Context, organisationId: string, change: (trx: Tx) => Promise<Partial<{ switchedOff: string[]; alwaysRemove: string | null; people: string | null; peopleCount: number; peopleImportedAt: Date | null }>>): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  checkOrganisation(ctx, organisationId);
  await inActorScope(ctx, async (trx) => {
    const values = await change(trx);
    const now = ctx.services.clock.now();
    await trx
      .insertInto("redactionSettings")
      .values({ orgId: organisationId, switchedOff: [], alwaysRemove: null, people: null, peopleImportedAt: null, ...values, changedBy: ctx.actor.userId, changedAt: now })
      .onConflict((oc) => oc.column("orgId").doUpdateSet({ ...values, changedBy: ctx.actor.userId, changedAt: now }))
      .execute();
    await recordAudit(trx, audit(ctx, organisationId, "redaction.settings-change"));
  });
}

/** The people a DPO lists for a request are always looked for: switching them off for the whole organisation would silently undo each list. */
const SWITCHABLE: readonly string[] = RECOGNIZER_NAMES.filter((name) => name !== "known-people");

/** Which recognizers run: the names given are on, every other switchable one off. */
export async function setRecognizers(ctx: Context, organisationId: string, on: readonly string[]): Promise<void> {
  const unknown = on.filter((name) => !SWITCHABLE.includes(name));
  if (unknown.length > 0) {
    throw new CaseFormError({ recognizers: "Choose from the list" });
  }
  await changeSettings(ctx, organisationId, async () => ({ switchedOff: SWITCHABLE.filter((name) => !on.includes(name)) }));
}

/** The always-remove words, one phrase a line. */
export async function setAlwaysRemove(ctx: Context, organisationId: string, text: string): Promise<void> {
  const words = [...new Set(text.split(/\r?\n/).map((line) => line.trim().replace(/\s+/g, " ")).filter(Boolean))];
  if (words.length > MOST_WORDS) {
    throw new CaseFormError({ words: `Give at most ${MOST_WORDS} words or phrases` });
  }
  const tooShort = words.find((word) => word.length < 3);
  if (tooShort !== undefined) {
    throw new CaseFormError({ words: `“${tooShort}” is too short to remove everywhere: give at least 3 characters` });
  }
  const tooLong = words.find((word) => word.length > 100);
  if (tooLong !== undefined) {
    throw new CaseFormError({ words: "Each word or phrase must be 100 characters or fewer" });
  }
  await changeSettings(ctx, organisationId, async (trx) => ({
    alwaysRemove: words.length ? await sealFor(trx, ctx.services.keyring, place(organisationId, "alwaysRemove"), JSON.stringify(words)) : null,
  }));
}

/**
 * CSV's rows, as RFC 4180 writes them (quoted cells may hold commas, quotes written "" and line
 * breaks; spaces before a quote are allowed), each with the line it starts on. A quote left open
 * is an error, never a row that swallows the rest of the file.
 */
export function csvRows(text: string): { ok: true; rows: { line: number; cells: string[] }[] } | { ok: false; error: string } {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.some((value) => value.trim() !== "")) {
      rows.push({ line: rowLine, cells });
    }
    cells = [];
    cell = "";
  };
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        if (character === "\n") line += 1;
        cell += character;
      }
    } else if (character === '"' && cell.trim() === "") {
      quoted = true;
      quoteLine = line;
      cell = "";
    } else if (character === ",") {
      cells.push(cell);
      cell = "";
    } else if (character === "\n" || character === "\r") {
      if (character === "\r" && text[index + 1] === "\n") index += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else {
      cell += character;
    }
  }
  if (quoted) {
    return { ok: false, error: `Line ${quoteLine}: a quote (") is opened and never closed` };
  }
  endRow();
  return { ok: true, rows };
}

export type ListOf = "pupils" | "parents" | "staff" | "mixed";
const LIST_PARTS: Record<Exclude<ListOf, "mixed">, PersonPart> = { pupils: "other-pupil", parents: "parent", staff: "staff" };

/** A role as an MIS export words it, as a part in a request. */
function partOfRole(role: string): PersonPart | undefined {
  const word = role.trim().toLowerCase();
  if (/pupil|student|learner|child/.test(word)) return "other-pupil";
  if (/parent|carer|guardian|contact|mother|father/.test(word)) return "parent";
  if (/staff|teacher|employee|teaching|support|governor/.test(word)) return "staff";
  return undefined;
}

/**
 * Reads a people list exported from the MIS: a header row naming the columns (a full name, or a
 * first name and a surname; optionally a role), then a person a row. Every problem is reported
 * with its line; nothing is kept unless the whole file reads.
 */
export function readPeopleList(text: string, listOf: ListOf): { ok: true; people: KnownPerson[] } | { ok: false; error: string } {
  const parsed = csvRows(text.replace(/^\uFEFF/, ""));
  if (!parsed.ok) {
    return parsed;
  }
  const rows = parsed.rows;
  // Excel writes "sep=," first when asked to: it is not the header.
  if (rows[0] && rows[0].cells.length <= 2 && /^sep=.?$/i.test(rows[0].cells.join(",").trim())) {
    rows.shift();
  }
  const header = (rows.shift()?.cells ?? []).map((cell) => cell.trim().toLowerCase().replace(/[_-]+/g, " ").replace(/[^a-z ]/g, "").replace(/\s+/g, " "));
  const column = (...names: string[]) => header.findIndex((cell) => names.includes(cell));
  const full = column("name", "full name", "legal name", "preferred name", "pupil name", "student name", "staff name", "contact name");
  const first = column("forename", "first name", "legal forename", "preferred forename", "given name", "first names");
  const last = column("surname", "last name", "legal surname", "preferred surname", "family name");
  const role = column("role", "type", "category", "relationship", "person type");
  if (full < 0 && (first < 0 || last < 0)) {
    return { ok: false, error: "The first line must name the columns: a Name column, or Forename and Surname" };
  }
  if (listOf === "mixed" && role < 0) {
    return { ok: false, error: "A list of pupils, parents and staff together needs a Role column saying which each person is" };
  }
  if (rows.length === 0) {
    return { ok: false, error: "The file has nobody in it" };
  }
  if (rows.length > MOST_PEOPLE) {
    return { ok: false, error: `The file has more than ${MOST_PEOPLE.toLocaleString("en-GB")} people: split it` };
  }
  const people: KnownPerson[] = [];
  for (const { line, cells } of rows) {
    const name = (full >= 0 ? (cells[full] ?? "") : `${cells[first] ?? ""} ${cells[last] ?? ""}`).trim().replace(/\s+/g, " ");
    if ((name.match(/\p{L}/gu)?.length ?? 0) < 2 || name.length > 200) {
      return { ok: false, error: `Line ${line}: there is no name, or it is shorter than 2 letters or longer than 200 characters` };
    }
    const part = listOf === "mixed" ? partOfRole(cells[role] ?? "") : LIST_PARTS[listOf];
    if (!part) {
      return { ok: false, error: `Line ${line}: the role must say pupil, parent or carer, or staff` };
    }
    people.push({ name, part });
  }
  return { ok: true, people };
}

export async function importSchoolPeople(ctx: Context, organisationId: string, file: { bytes: Buffer; tooLarge?: true }, listOf: ListOf): Promise<number> {
  if (file.tooLarge || file.bytes.length > MOST_LIST_BYTES) {
    throw new CaseFormError({ file: "The file must be smaller than 5 MB" });
  }
  const text = file.bytes.toString("utf8");
  if (file.bytes.includes(0) || !Buffer.from(text, "utf8").equals(file.bytes)) {
    throw new CaseFormError({ file: "The file must be a CSV saved as UTF-8 text" });
  }
  const list = readPeopleList(text, listOf);
  if (!list.ok) {
    throw new CaseFormError({ file: list.error });
  }
  await changeSettings(ctx, organisationId, async (trx) => ({
    people: await sealFor(trx, ctx.services.keyring, place(organisationId, "people"), JSON.stringify(list.people)),
    peopleCount: list.people.length,
    peopleImportedAt: ctx.services.clock.now(),
  }));
  return list.people.length;
}

export async function clearSchoolPeople(ctx: Context, organisationId: string): Promise<void> {
  await changeSettings(ctx, organisationId, async () => ({ people: null, peopleCount: 0, peopleImportedAt: null }));
}
