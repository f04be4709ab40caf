import { randomUUID } from "node:crypto";
import { sql, type Selectable } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { assertReachable, authorise, PERMISSIONS } from "../accounts/permissions.ts";
import { recordAudit, type AuditAction } from "../audit/audit.ts";
import { addDays, londonDateOf } from "../calendar/dates.ts";
import { peopleNames } from "../cases/cases.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import type { RegisterEntryTable } from "../platform/database/schema.ts";
import { changeScope, type Tx } from "../platform/database/tenant-scope.ts";
import { notFound } from "../platform/errors.ts";
import { openFor, sealFor, type Keyring } from "../platform/encryption/keyring.ts";
import { readForm, type FieldErrors } from "../platform/forms.ts";
import { DERIVED, detailsOf, ENTRY_SCHEMAS, KEEPS_OTHER_DETAILS, KIND_NAMES, nextReviewFrom, ONE_EACH, TEMPLATE_KINDS, PERSONAL_FIELDS, REGISTER_KINDS, splitEntry, STATUSES, type EntryStatus, type RegisterKind } from "./register-kinds.ts";
import { STARTER_ACTIVITIES } from "./starter-set.ts";
import { STARTER_RETENTION } from "./starter-retention.ts";
import { STARTER_DPIAS } from "./starter-dpias.ts";
import { withoutSignOff } from "./dpia-rules.ts";

/** The entries Steward offers to start a register from, by kind: each added as a draft, once. */
export const STARTERS: Partial<Record<RegisterKind, readonly ({ key: string; title: string } & Record<string, unknown>)[]>> = {
  processing: STARTER_ACTIVITIES.map((starter) => ({ ...starter, supplierIds: [] })),
  retention: STARTER_RETENTION,
  dpia: STARTER_DPIAS.map((template) => ({ ...template, ...DERIVED.dpia!(template) })),
};

/*
 * The registers' spine: entries of every kind, each with an owner, a review date and a status, on
 * one review schedule; a trust's template entries, copied by its schools, each copy remembering its
 * template. Every view, list, change and export is audited.
 */

/** How far ahead a review shows as coming up, in days (the first reminder goes then too). */
export const REVIEW_WINDOW_DAYS = 30;

export type ReviewState = "overdue" | "due" | "coming" | "later";

export interface RegisterEntry {
  id: string;
  organisationId: string;
  organisationName: string;
  kind: RegisterKind;
  title: string;
  status: EntryStatus;
  statusName: string;
  ownerUserId: string | null;
  ownerName: string | null;
  reviewOn: string;
  reviewState: ReviewState;
  lastReviewedOn: string | null;
  details: Record<string, unknown>;
  version: number;
  isTemplate: boolean;
  templateId: string | null;
  templateVersion: number | null;
  starterKey: string | null;
  changedAt: Date;
}

/** A form that did not pass: what to say next to each field, and what was sent (boxes ticked included). */
export class EntryFormError extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly values: Record<string, unknown>,
  ) {
    super(Object.values(errors).join(" "));
  }
}

type EntryRow = Selectable<RegisterEntryTable>;


const personalPlace = (organisationId: string, id: string) => ({ organisationId, table: "registerEntries" as const, column: "personal", rowId: id });

/** The kind's fields about a person, taken out of the details and sealed (null when the kind has none). */
export async function sealPersonal(trx: Tx, keyring: Keyring, kind: RegisterKind, organisationId: string, id: string, details: Record<string, unknown>): Promise<{ details: Record<string, unknown>; personal: string | null }> {
  const fields = PERSONAL_FIELDS[kind];
  if (!fields) return { details, personal: null };
  const rest = { ...details };
  const personal: Record<string, unknown> = {};
  for (const field of fields) {
    personal[field] = rest[field];
    delete rest[field];
  }
  return { details: rest, personal: await sealFor(trx, keyring, personalPlace(organisationId, id), JSON.stringify(personal)) };
}

export function reviewStateOf(reviewOn: string, today: string, status: EntryStatus): ReviewState {
  if (status === "retired") return "later";
  if (reviewOn < today) return "overdue";
  if (reviewOn === today) return "due";
  return reviewOn <= addDays(today, REVIEW_WINDOW_DAYS) ? "coming" : "later";
}

export function auditOfRegister(ctx: Context, organisationId: string, action: AuditAction, entryId?: string) {
  return { organisationId, actorUserId: ctx.actor.userId, action, recordType: "register" as const, recordId: entryId, meta: ctx.request, at: ctx.services.clock.now() };
}

const today = (ctx: Context) => londonDateOf(ctx.services.clock.now());

/** A status as the entry's kind says it: a DPIA is signed or a draft, not "in use". */
function statusNameOf(row: EntryRow): string {
  if (row.kind === "dpia" && row.status !== "retired") {
    const details = detailsOf(row.details);
    return details["signed"] === true ? `Signed (version ${String(details["signedVersion"])})` : details["draftAfter"] ? `Draft of version ${Number(details["draftAfter"]) + 1}` : "Draft";
  }
  return STATUSES.find((status) => status.id === row.status)!.name;
}

/**
 * The owners' names. An owner may be of the school's trust (a trust DPO owning a school's entry),
 * which a school's own people cannot otherwise read: the scope widens to the trusts of these
 * entries' organisations for this one read of names, then goes back.
 */
async function ownerNames(trx: Tx, ctx: Context, rows: readonly EntryRow[]): Promise<Map<string, string>> {
  const wanted = [...new Set(rows.map((row) => row.ownerUserId).filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const organisations = await trx.selectFrom("organisations").select(["id", "parentId"]).where("id", "in", [...new Set(rows.map((row) => row.orgId))]).execute();
  const parents = organisations.map((organisation) => organisation.parentId).filter((id): id is string => id !== null && !ctx.actor.organisationIds.includes(id));
  if (parents.length === 0) return peopleNames(trx, ctx, wanted);
  const widened = [...ctx.actor.organisationIds, ...new Set(parents)];
  await changeScope(trx, { organisationIds: widened });
  const names = await peopleNames(trx, ctx, wanted, widened);
  await changeScope(trx, { organisationIds: ctx.actor.organisationIds });
  return names;
}

async function entriesFromRows(trx: Tx, ctx: Context, rows: EntryRow[]): Promise<RegisterEntry[]> {
  const owners = await ownerNames(trx, ctx, rows);
  const names = new Map(ctx.actor.reachable.map((organisation) => [organisation.id, organisation.name]));
  const on = today(ctx);
  const personal = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    if (row.personal) personal.set(row.id, JSON.parse(await openFor(trx, ctx.services.keyring, personalPlace(row.orgId, row.id), row.personal)));
  }
  return rows.map((row) => ({
    id: row.id,
    organisationId: row.orgId,
    organisationName: names.get(row.orgId) ?? "",
    kind: row.kind as RegisterKind,
    title: row.title,
    status: row.status,
    statusName: statusNameOf(row),
    ownerUserId: row.ownerUserId,
    ownerName: row.ownerUserId ? (owners.get(row.ownerUserId) ?? null) : null,
    reviewOn: row.reviewOn,
    reviewState: reviewStateOf(row.reviewOn, on, row.status),
    lastReviewedOn: row.lastReviewedOn,
    details: { ...detailsOf(row.details), ...personal.get(row.id) },
    version: row.version,
    isTemplate: row.isTemplate,
    templateId: row.templateId,
    templateVersion: row.templateVersion,
    starterKey: row.starterKey,
    changedAt: row.changedAt,
  }));
}

/** The organisations a list covers: one the actor reaches, or all of them. */
function organisationsAsked(ctx: Context, organisationId: string | undefined): string[] {
  if (organisationId) {
    assertReachable(ctx.actor, organisationId);
    return [organisationId];
  }
  return ctx.actor.organisationIds;
}

/** A register's entries, for one organisation or every one the actor reaches; retired ones last. */
export async function listEntries(ctx: Context, kind: RegisterKind, options: { organisationId?: string | undefined; audit?: AuditAction } = {}): Promise<RegisterEntry[]> {
  authorise(ctx.actor, "registers:view");
  const organisationIds = organisationsAsked(ctx, options.organisationId);
  return inActorScope(ctx, async (trx) => {
    const rows = await trx.selectFrom("registerEntries").selectAll().where("orgId", "in", organisationIds).where("kind", "=", kind).orderBy("title").execute();
    for (const organisationId of new Set(rows.map((row) => row.orgId))) {
      await recordAudit(trx, auditOfRegister(ctx, organisationId, options.audit ?? "register.list"));
    }
    const entries = await entriesFromRows(trx, ctx, rows);
    const order = (entry: RegisterEntry) => (entry.status === "retired" ? 1 : 0);
    return entries.sort((a, b) => order(a) - order(b) || a.organisationName.localeCompare(b.organisationName) || a.title.localeCompare(b.title));
  });
}

async function findEntry(trx: Tx, ctx: Context, kind: RegisterKind, id: string, { forUpdate = false } = {}): Promise<EntryRow> {
  let query = trx.selectFrom("registerEntries").selectAll().where("orgId", "in", ctx.actor.organisationIds).where("id", "=", id).where("kind", "=", kind);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return row;
}

/** One entry, audited as viewed. */
export async function entryOf(ctx: Context, kind: RegisterKind, id: string, audit: "register.view" | "register.export" = "register.view"): Promise<RegisterEntry> {
  authorise(ctx.actor, "registers:view");
  return inActorScope(ctx, async (trx) => {
    const row = await findEntry(trx, ctx, kind, id);
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, audit, row.id));
    return (await entriesFromRows(trx, ctx, [row]))[0]!;
  });
}

/** Who can own an entry of the organisation: its active people (and its trust's) who can change the registers. */
export async function ownerChoices(ctx: Context, organisationId: string): Promise<{ id: string; name: string }[]> {
  assertReachable(ctx.actor, organisationId);
  return inActorScope(ctx, (trx) => ownersOf(trx, ctx, organisationId));
}

async function ownersOf(trx: Tx, ctx: Context, organisationId: string): Promise<{ id: string; name: string }[]> {
  const organisation = await trx.selectFrom("organisations").select("parentId").where("id", "=", organisationId).executeTakeFirstOrThrow();
  const organisationIds = [organisationId, organisation.parentId].filter((id): id is string => id !== null && ctx.actor.organisationIds.includes(id));
  // Those who can change the registers (staff cannot open them; auditors change nothing).
  const users = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).where("orgId", "in", organisationIds).where("deactivatedAt", "is", null).where("role", "in", [...PERMISSIONS["registers:manage"].roles]).execute();
  const people = [];
  for (const user of users) {
    people.push({ id: user.id, name: (await openPersonalFields(trx, ctx.services.keyring, user.orgId, user.id, { fullName: user.fullName })).fullName });
  }
  return people.sort((a, b) => a.name.localeCompare(b.name));
}

/** The boxes as sent, for showing the form again: text as typed, ticked boxes as lists. */
function sentValues(form: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((form ?? {}) as Record<string, unknown>)) {
    if (key !== "_csrf") values[key] = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value : "";
  }
  return values;
}

/**
 * Adds or changes an entry from its form. The form is checked against the kind's schema; the
 * owner must be one of the organisation's people; suppliers named by a processing activity must be
 * the same organisation's. A change makes a new version (a template's schools then see it changed).
 */
export async function saveEntry(ctx: Context, kind: RegisterKind, target: { organisationId: string; id?: string | undefined }, form: unknown): Promise<{ id: string; organisationId: string }> {
  authorise(ctx.actor, "registers:manage");
  // The template box sits beside a hidden "templateAsked": an unticked box sends nothing, which must mean no.
  const { isTemplate: templateBox, templateAsked, ...fields } = (typeof form === "object" && form !== null ? form : {}) as Record<string, unknown>;
  const parsed = readForm(ENTRY_SCHEMAS[kind], fields);
  if (!parsed.ok) {
    throw new EntryFormError(parsed.errors, sentValues(form));
  }
  const { title, status, ownerUserId, reviewOn: chosenReviewOn, details: answers } = splitEntry(parsed.data);
  const reviewOn = chosenReviewOn || nextReviewFrom(String(answers["completedOn"]));
  const details = answers;
  return inActorScope(ctx, async (trx) => {
    const existing = target.id ? await findEntry(trx, ctx, kind, target.id, { forUpdate: true }) : undefined;
    const organisationId = existing?.orgId ?? target.organisationId;
    assertReachable(ctx.actor, organisationId);
    const organisation = await trx.selectFrom("organisations").select(["kind"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
    const errors: FieldErrors = {};
    // Every entry in use has an owner: the person its reviews are for.
    if (status === "active" && !ownerUserId) errors["ownerUserId"] = "Select who owns it: an entry in use needs an owner, who is reminded of its reviews";
    if (ownerUserId && ownerUserId !== existing?.ownerUserId && !(await ownersOf(trx, ctx, organisationId)).some((person) => person.id === ownerUserId)) {
      errors["ownerUserId"] = "Select who owns it from the list";
    }
    // Entries another names must be the same organisation's, and of the kind named.
    for (const [fieldName, linkedKind, message] of [["supplierIds", "supplier", "Select the suppliers from the list"], ["processingIds", "processing", "Select the processing activities from the list"]] as const) {
      const linked = (details[fieldName] as string[] | undefined) ?? [];
      if (linked.length === 0) continue;
      const found = await trx.selectFrom("registerEntries").select("id").where("orgId", "=", organisationId).where("kind", "=", linkedKind).where("id", "in", linked).execute();
      if (found.length !== linked.length) errors[fieldName] = message;
    }
    if (!existing && ONE_EACH.includes(kind)) {
      const already = await trx.selectFrom("registerEntries").select("id").where("orgId", "=", organisationId).where("kind", "=", kind).where("status", "!=", "retired").executeTakeFirst();
      if (already) errors["title"] = `The ${KIND_NAMES[kind].one} is already recorded: change it instead`;
    }
    const readingId = details["noticeReadingId"];
    if (typeof readingId === "string" && readingId && !(await trx.selectFrom("supplierNoticeReadings").select("id").where("orgId", "=", organisationId).where("id", "=", readingId).executeTakeFirst())) {
      errors["noticeReadingId"] = "Read the privacy notice again";
    }
    if (Object.keys(errors).length) {
      throw new EntryFormError(errors, sentValues(form));
    }
    const isTemplate = organisation.kind === "trust" && TEMPLATE_KINDS.includes(kind) && (templateBox === "yes" || (templateAsked !== "yes" && existing?.isTemplate === true));
    // A signed DPIA's content is frozen; who keeps it under review, its status and its review date are not.
    const frozen = existing && detailsOf(existing.details)["signed"] === true;
    if (frozen) {
      const before = detailsOf(existing.details);
      // Ticked boxes come in the list's order: compared as sets.
      const same = (a: unknown, b: unknown) => JSON.stringify(Array.isArray(a) ? [...a].sort() : (a ?? null)) === JSON.stringify(Array.isArray(b) ? [...b].sort() : (b ?? null));
      const changed = title !== existing.title || ["examples", "criteria", "screeningNotes", "processingIds"].some((field) => !same(before[field], details[field]));
      if (changed) throw new EntryFormError({ title: "This DPIA is signed, so what it says is frozen: start a new version to change it (its owner, status and review date can still change)" }, sentValues(form));
    }
    // A DPIA is in use once signed, and only then.
    if (kind === "dpia" && status !== "retired" && (status === "active") !== Boolean(frozen)) {
      throw new EntryFormError({ status: frozen ? "A signed DPIA is in use, or no longer in use: start a new version to make a draft" : "A DPIA is in use once it is signed: leave it a draft until then" }, sentValues(form));
    }
    const now = ctx.services.clock.now();
    const id = existing?.id ?? randomUUID();
    // Worked out from the answers (a DPIA's screening: the examples newly ticked tick their criteria).
    const derived = DERIVED[kind]?.(details, existing ? detailsOf(existing.details) : undefined) ?? details;
    const kept = frozen ? detailsOf(existing.details) : existing && KEEPS_OTHER_DETAILS.includes(kind) ? { ...detailsOf(existing.details), ...derived } : derived;
    const sealed = await sealPersonal(trx, ctx.services.keyring, kind, organisationId, id, kept);
    const values = { title, status, ownerUserId, reviewOn, details: JSON.stringify(sealed.details), personal: sealed.personal, isTemplate, changedAt: now, changedBy: ctx.actor.userId };
    if (existing) {
      await trx.updateTable("registerEntries").set({ ...values, version: existing.version + 1 }).where("orgId", "=", organisationId).where("id", "=", id).execute();
    } else {
      await trx.insertInto("registerEntries").values({ orgId: organisationId, id, kind, ...values, templateId: null, templateVersion: null, starterKey: null, createdAt: now, createdBy: ctx.actor.userId }).execute();
    }
    await recordAudit(trx, auditOfRegister(ctx, organisationId, existing ? "register.change" : "register.add", id));
    return { id, organisationId };
  });
}

/**
 * When the next review falls due once this one is recorded: a year after it is done, except the
 * data protection fee, which renews a year after it was due when paid within 30 days of that or late.
 */
export function nextReviewAfter(kind: RegisterKind, reviewOn: string, today: string): string {
  const fromDue = kind === "organisation" && today >= addDays(reviewOn, -REVIEW_WINDOW_DAYS) && nextReviewFrom(reviewOn) > today;
  return nextReviewFrom(fromDue ? reviewOn : today);
}

/** Records a review: done today, the next one a year on unless another date is chosen. */
export async function recordReview(ctx: Context, kind: RegisterKind, id: string, nextReviewOn?: string): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  await inActorScope(ctx, async (trx) => {
    const row = await findEntry(trx, ctx, kind, id, { forUpdate: true });
    const on = today(ctx);
    const next = nextReviewOn && nextReviewOn > on ? nextReviewOn : nextReviewAfter(kind, row.reviewOn, on);
    await trx.updateTable("registerEntries").set({ lastReviewedOn: on, reviewOn: next, changedAt: ctx.services.clock.now(), changedBy: ctx.actor.userId }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.review", row.id));
  });
}

/** The starters of a register an organisation has not added yet. */
export async function startersNotAdded(ctx: Context, kind: RegisterKind, organisationId: string): Promise<{ key: string; title: string }[]> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  const added = await inActorScope(ctx, (trx) => trx.selectFrom("registerEntries").select("starterKey").where("orgId", "=", organisationId).where("kind", "=", kind).where("starterKey", "is not", null).execute());
  const taken = new Set(added.map((row) => row.starterKey));
  return (STARTERS[kind] ?? []).filter((starter) => !taken.has(starter.key)).map(({ key, title }) => ({ key, title }));
}

/** Adds the chosen starters as drafts, each once (a second click adds nothing twice). */
export async function addStarters(ctx: Context, kind: RegisterKind, organisationId: string, keys: readonly string[]): Promise<number> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  const chosen = (STARTERS[kind] ?? []).filter((starter) => keys.includes(starter.key));
  if (chosen.length === 0) {
    throw new EntryFormError({ starters: "Select at least one to add" }, {});
  }
  return inActorScope(ctx, async (trx) => {
    // One at a time per organisation, so two clicks at once cannot add one twice.
    await sql`select pg_advisory_xact_lock(hashtext(${`register-starters/${organisationId}`}))`.execute(trx);
    const added = await trx.selectFrom("registerEntries").select("starterKey").where("orgId", "=", organisationId).where("kind", "=", kind).where("starterKey", "is not", null).execute();
    const taken = new Set(added.map((row) => row.starterKey));
    const now = ctx.services.clock.now();
    const reviewOn = nextReviewFrom(today(ctx));
    let count = 0;
    for (const { key, title, ...details } of chosen) {
      if (taken.has(key)) continue;
      const id = randomUUID();
      await trx.insertInto("registerEntries").values({
        orgId: organisationId, id, kind, title, status: "draft", ownerUserId: null, reviewOn, details: JSON.stringify(details), personal: null,
        isTemplate: false, templateId: null, templateVersion: null, starterKey: key, createdAt: now, createdBy: ctx.actor.userId, changedAt: now, changedBy: ctx.actor.userId,
      }).execute();
      await recordAudit(trx, auditOfRegister(ctx, organisationId, "register.add", id));
      count += 1;
    }
    return count;
  });
}

export interface TrustTemplate {
  id: string;
  organisationId: string;
  kind: RegisterKind;
  title: string;
  details: Record<string, unknown>;
  version: number;
  changedAt: Date;
}

/** A template's details as a school's copy starts from them: a DPIA's sign-off is the school's own to give. */
function copiedDetails(kind: RegisterKind, details: Record<string, unknown>): Record<string, unknown> {
  // Links name the trust's own entries: the school links its own.
  if (kind === "processing") return { ...details, supplierIds: [] };
  if (kind === "retention") return { ...details, processingIds: [] };
  if (kind !== "dpia") return details;
  return { ...withoutSignOff(details), processingIds: [] };
}

/** The template entries of the school's trust (none for a trust or a stand-alone school). */
async function trustTemplates(trx: Tx, organisationId: string, kind?: RegisterKind): Promise<TrustTemplate[]> {
  const { rows } = await sql<{ id: string; orgId: string; kind: string; title: string; details: unknown; version: number; changedAt: Date }>`
    select id, org_id, kind, title, details, version, changed_at from steward_trust_templates(${organisationId})`.execute(trx);
  return rows
    .filter((row) => !kind || row.kind === kind)
    .map((row) => ({ id: row.id, organisationId: row.orgId, kind: row.kind as RegisterKind, title: row.title, details: detailsOf(row.details), version: row.version, changedAt: new Date(row.changedAt) }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

export async function templatesFor(ctx: Context, organisationId: string, kind: RegisterKind): Promise<TrustTemplate[]> {
  authorise(ctx.actor, "registers:view");
  assertReachable(ctx.actor, organisationId);
  return inActorScope(ctx, (trx) => trustTemplates(trx, organisationId, kind));
}

/** Copies the trust's template into the school, as a draft to adapt; the copy remembers the template's version. */
export async function copyTemplate(ctx: Context, kind: RegisterKind, templateId: string, organisationId: string): Promise<string> {
  authorise(ctx.actor, "registers:manage");
  assertReachable(ctx.actor, organisationId);
  return inActorScope(ctx, async (trx) => {
    const template = (await trustTemplates(trx, organisationId, kind)).find((candidate) => candidate.id === templateId);
    if (!template) {
      throw notFound();
    }
    const now = ctx.services.clock.now();
    const id = randomUUID();
    await trx.insertInto("registerEntries").values({
      orgId: organisationId, id, kind, title: template.title, status: "draft", ownerUserId: null, reviewOn: nextReviewFrom(today(ctx)), personal: null, details: JSON.stringify(copiedDetails(kind, template.details)),
      isTemplate: false, templateId: template.id, templateVersion: template.version, starterKey: null, createdAt: now, createdBy: ctx.actor.userId, changedAt: now, changedBy: ctx.actor.userId,
    }).execute();
    await recordAudit(trx, auditOfRegister(ctx, organisationId, "register.copy", id));
    return id;
  });
}

export interface TemplateNews {
  template: TrustTemplate;
  /** The details the trust has changed since this copy last took its template, by field name. */
  changedFields: string[];
}

/** For a copy: whether its trust's template has changed since, and in which fields. */
export async function templateNewsOf(ctx: Context, entry: RegisterEntry): Promise<TemplateNews | undefined> {
  if (!entry.templateId) return undefined;
  const template = await inActorScope(ctx, async (trx) => (await trustTemplates(trx, entry.organisationId, entry.kind)).find((candidate) => candidate.id === entry.templateId));
  if (!template || template.version <= (entry.templateVersion ?? 0)) return undefined;
  const changedFields = Object.keys({ ...template.details, ...entry.details }).filter((field) => field !== "supplierIds" && JSON.stringify(template.details[field] ?? null) !== JSON.stringify(entry.details[field] ?? null));
  return { template, changedFields };
}

/** Takes the template's current details into the copy ("use"), or only notes that its change was seen ("keep"). */
export async function answerTemplateChange(ctx: Context, kind: RegisterKind, id: string, answer: "use" | "keep"): Promise<void> {
  authorise(ctx.actor, "registers:manage");
  await inActorScope(ctx, async (trx) => {
    const row = await findEntry(trx, ctx, kind, id, { forUpdate: true });
    const template = row.templateId ? (await trustTemplates(trx, row.orgId, kind)).find((candidate) => candidate.id === row.templateId) : undefined;
    if (!template) {
      throw notFound();
    }
    const current = detailsOf(row.details);
    if (current["signed"] === true && answer === "use") {
      throw new EntryFormError({ title: "This DPIA is signed, so it is frozen: start a new version to take the trust’s changes" }, {});
    }
    // The school's own links stay; the rest is the trust's.
    const ownLinks = Object.fromEntries(["supplierIds", "processingIds", "draftAfter"].filter((field) => field in current).map((field) => [field, current[field]]));
    const details = answer === "use" ? { ...copiedDetails(kind, template.details), ...ownLinks } : current;
    await trx.updateTable("registerEntries")
      .set({ details: JSON.stringify(details), templateVersion: template.version, ...(answer === "use" ? { version: row.version + 1, changedAt: ctx.services.clock.now(), changedBy: ctx.actor.userId } : {}) })
      .where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await recordAudit(trx, auditOfRegister(ctx, row.orgId, "register.change", row.id));
  });
}

export interface ReviewScheduleItem {
  id: string;
  kind: RegisterKind;
  kindName: string;
  path: string;
  title: string;
  organisationName: string;
  ownerName: string | null;
  reviewOn: string;
  reviewState: ReviewState;
}

/** Reviews overdue, due today or coming in the next 30 days, for the organisations asked (the trust's: every school's). */
export async function reviewSchedule(ctx: Context, organisationId?: string): Promise<ReviewScheduleItem[]> {
  authorise(ctx.actor, "registers:view");
  const organisationIds = organisationsAsked(ctx, organisationId);
  return inActorScope(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("registerEntries")
      .selectAll()
      .where("orgId", "in", organisationIds)
      .where("status", "!=", "retired")
      .where("reviewOn", "<=", addDays(today(ctx), REVIEW_WINDOW_DAYS))
      .orderBy("reviewOn")
      .orderBy("title")
      .execute();
    const entries = await entriesFromRows(trx, ctx, rows);
    return entries.map((entry) => ({
      id: entry.id, kind: entry.kind, kindName: KIND_NAMES[entry.kind].one, path: KIND_NAMES[entry.kind].path, title: entry.title,
      organisationName: entry.organisationName, ownerName: entry.ownerName, reviewOn: entry.reviewOn, reviewState: entry.reviewState,
    }));
  });
}

/** Each register's size for the organisations asked: for the registers' home page. */
export async function registerCounts(ctx: Context, organisationId?: string): Promise<Record<RegisterKind, { inUse: number; drafts: number }>> {
  authorise(ctx.actor, "registers:view");
  const organisationIds = organisationsAsked(ctx, organisationId);
  const rows = await inActorScope(ctx, (trx) =>
    trx.selectFrom("registerEntries").select(["kind", "status", (eb) => eb.fn.countAll<string>().as("count")]).where("orgId", "in", organisationIds).groupBy(["kind", "status"]).execute(),
  );
  const counts = Object.fromEntries(REGISTER_KINDS.map((kind) => [kind, { inUse: 0, drafts: 0 }])) as Record<RegisterKind, { inUse: number; drafts: number }>;
  for (const row of rows) {
    const counted = counts[row.kind as RegisterKind];
    if (!counted) continue;
    if (row.status === "active") counted.inUse += Number(row.count);
    if (row.status === "draft") counted.drafts += Number(row.count);
  }
  return counts;
}

/** The processing activities that use a supplier (for the supplier's page). */
export async function activitiesUsing(ctx: Context, supplier: RegisterEntry): Promise<{ id: string; title: string }[]> {
  const rows = await inActorScope(ctx, (trx) => trx.selectFrom("registerEntries").select(["id", "title", "details"]).where("orgId", "=", supplier.organisationId).where("kind", "=", "processing").where("status", "!=", "retired").orderBy("title").execute());
  return rows.filter((row) => ((detailsOf(row.details)["supplierIds"] as string[] | undefined) ?? []).includes(supplier.id)).map(({ id, title }) => ({ id, title }));
}

/** The organisation's entries of a kind still in use, for another entry's boxes (a processing activity's suppliers, a retention rule's activities). */
export async function entryChoices(ctx: Context, kind: RegisterKind, organisationId: string): Promise<{ id: string; title: string }[]> {
  assertReachable(ctx.actor, organisationId);
  return inActorScope(ctx, (trx) => trx.selectFrom("registerEntries").select(["id", "title"]).where("orgId", "=", organisationId).where("kind", "=", kind).where("status", "!=", "retired").orderBy("title").execute());
}
