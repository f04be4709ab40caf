import { sql } from "kysely";
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise, ROLE_NAMES } from "../accounts/permissions.ts";
import { listReachableOrganisations } from "../accounts/schools.ts";
import { listUsers, type UserSummary } from "../accounts/users.ts";
import { recordAudit } from "../audit/audit.ts";
import { auditCsv, listAuditEvents, MAX_EXPORTED_EVENTS, type AuditRow } from "../audit/trail.ts";
import { readCalendar } from "../calendar/calendar-settings.ts";
import { formatLondonDateTime, londonDateOf } from "../calendar/dates.ts";
import { sha256 } from "../cases/attachments.ts";
import { deadlineOf } from "../cases/case-deadlines.ts";
import { listCases } from "../cases/case-list.ts";
import { findVisibleCase, openCaseColumns, peopleNames, summaryOf, type CaseSummary } from "../cases/cases.ts";
import { casesAsCsv } from "../cases/export.ts";
import { assessedDecision, RIGHTS, STOP_REASON_NAMES } from "../cases/workflows.ts";
import { letterTemplate, type LetterKind } from "../letters/templates.ts";
import { openBytesFor, openFileFor, openFor } from "../platform/encryption/keyring.ts";
import { tableAsCsv, type Column } from "../platform/spreadsheet.ts";
import { disposalLog, type DisposalRecord } from "../registers/disposals.ts";
import { registerAsCsv, registerAsPdf, registerExport } from "../registers/register-exports.ts";
import { KIND_NAMES, REGISTER_KINDS, type RegisterKind } from "../registers/register-kinds.ts";
import { listEntries, type RegisterEntry } from "../registers/registers.ts";
import { requestPageSettings } from "../requests/request-page-settings.ts";
import { requesterAddress } from "../requests/requester-access.ts";
import { askedOf, letterPlace, messagePlace, releasePlace } from "../requests/requester-page.ts";

/*
 * "Export everything": the licence owner takes all their organisation's data away as one ZIP,
 * even once the licence has lapsed (the privacy notice's promise, and the data controller's right
 * to its own data). For a trust, every school is in it, each in a folder of its own.
 *
 * Everything is read as the owner reads it: through the domain functions' own permission checks
 * and in the owner's row-level security scope (inActorScope), never the database owner's
 * connection. Each read is a transaction of its own, one after another (PGlite has one
 * connection: a second scope opened inside the first would wait for ever), and each case is read
 * in its own short transaction, so other requests are not held up for the whole export.
 *
 * The export records one event of its own, organisation.export, before it reads any record, so the
 * audit trail in the ZIP shows it. It reads cases, their records and files itself (under that
 * event) rather than one case.view or attachment-download per case; the list and export functions
 * it reuses still record their own reads as they always do (register.export for each register of
 * each organisation that has entries, audit.export for each organisation's trail, user.list).
 *
 * Files are decrypted one at a time and added to the ZIP as they are read; only the ZIP itself is
 * held, since the caller receives it as one Buffer. MAX_EXPORT_FILE_BYTES bounds it.
 */

/** What the licence's stored files (attachments and released responses) may come to for an export held in memory. */
export const MAX_EXPORT_FILE_BYTES = 1024 ** 3;

/** Cases read from the list per page: most organisations' cases all come in one. */
const CASES_PER_READ = 10_000;

/** The stored files are too many bytes to put in one ZIP held in memory. */
export class ExportTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`The organisation's files come to ${Math.ceil(bytes / 1024 ** 2)} MB, more than the ${MAX_EXPORT_FILE_BYTES / 1024 ** 2} MB one download can hold. Ask Steward's support for the export.`);
  }
}

/** Files already compressed: stored as they are, not deflated again. */
const COMPRESSED = new Set(["pdf", "png", "jpg", "docx", "xlsx"]);

/** A ZIP written as files are added; only its own bytes are kept. */
class ZipWriter {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #error: Error | undefined;
  readonly #zip = new Zip((error, chunk) => {
    if (error) {
      this.#error = error;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  });
  /** Names used so far, lower-cased: a name taken gets " (2)", " (3)"… before its extension. */
  readonly #taken = new Set<string>();

  constructor(private readonly madeAt: Date) {}

  /** Adds a file; returns the name it was given (unique in the ZIP). */
  add(path: string, bytes: Uint8Array, { compress = true }: { compress?: boolean } = {}): string {
    const name = this.#unique(path);
    const entry = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    entry.mtime = this.madeAt;
    this.#zip.add(entry);
    entry.push(bytes, true);
    if (this.#error) {
      throw this.#error;
    }
    return name;
  }

  text(path: string, text: string): string {
    return this.add(path, strToU8(text));
  }

  json(path: string, value: unknown): string {
    return this.text(path, `${JSON.stringify(value, null, 2)}\n`);
  }

  finish(): Buffer {
    this.#zip.end();
    if (this.#error) {
      throw this.#error;
    }
    return Buffer.concat(this.#chunks, this.#size);
  }

  #unique(path: string): string {
    let name = path;
    const dot = path.lastIndexOf(".");
    const [stem, extension] = dot > path.lastIndexOf("/") + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
    for (let n = 2; this.#taken.has(name.toLowerCase()); n += 1) {
      name = `${stem} (${n})${extension}`;
    }
    this.#taken.add(name.toLowerCase());
    return name;
  }
}

/** One part of a path in the ZIP: no separators, control or reserved characters, not empty, not too long (a long name keeps its extension). */
function segment(text: string, max = 100): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = text.replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").replace(/[\\/:*?"<>|]/g, "-").trim().replace(/^[.\s]+|[.\s]+$/g, "");
  if (clean.length <= max) {
    return clean || "unnamed";
  }
  const dot = clean.lastIndexOf(".");
  const extension = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : "";
  return `${clean.slice(0, max - extension.length).trimEnd()}${extension}`;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "organisation";

interface Problem {
  where: string;
  what: string;
}

/**
 * Everything the owner's organisation holds (for a trust, every school's too), as one ZIP, and
 * the name to download it as. Only the licence owner may (organisation:export); nothing is read
 * or recorded for anyone else.
 */
export async function exportEverything(ctx: Context): Promise<{ filename: string; zip: Buffer }> {
  authorise(ctx.actor, "organisation:export");
  const { actor, services } = ctx;
  const organisationIds = actor.organisationIds;
  const fileBytes = await inActorScope(ctx, async (trx) => {
    const { rows } = await sql<{ bytes: string | null }>`
      select (select coalesce(sum(size_bytes), 0) from case_attachments where org_id = any(${organisationIds}::uuid[]) and removed_at is null)
           + (select coalesce(sum(size_bytes), 0) from case_releases where org_id = any(${organisationIds}::uuid[])) as bytes`.execute(trx);
    return Number(rows[0]?.bytes ?? 0);
  });
  if (fileBytes > MAX_EXPORT_FILE_BYTES) {
    throw new ExportTooLargeError(fileBytes);
  }
  const madeAt = services.clock.now();
  // Recorded first, in a transaction of its own, so the trail in the ZIP includes it.
  await inActorScope(ctx, (trx) =>
    recordAudit(trx, { organisationId: actor.organisation.id, actorUserId: actor.userId, action: "organisation.export", recordType: "organisation", recordId: actor.organisation.id, meta: ctx.request, at: madeAt }),
  );
  const zip = new ZipWriter(madeAt);
  const problems: Problem[] = [];
  const organisations = await listReachableOrganisations(ctx);
  const folders = new Map<string, string>();
  const takenFolders = new Set<string>(["readme.txt"]);
  for (const organisation of organisations) {
    let folder = segment(organisation.name);
    for (let n = 2; takenFolders.has(folder.toLowerCase()); n += 1) folder = `${segment(organisation.name)} (${n})`;
    takenFolders.add(folder.toLowerCase());
    folders.set(organisation.id, folder);
  }
  const users = await listUsers(ctx);
  const pageSettings = await requestPageSettings(ctx);
  const counts = new Map<string, { cases: number; files: number; users: number; registerEntries: number; auditEvents: number }>();
  for (const organisation of organisations) {
    const folder = folders.get(organisation.id)!;
    const cases = await everyCase(ctx, organisation.id);
    zip.text(`${folder}/cases.csv`, casesAsCsv(cases));
    let files = 0;
    for (const summary of cases) {
      files += await exportCase(ctx, zip, `${folder}/cases/${segment(summary.reference)}`, summary.id, problems);
    }
    const registerEntries = await exportRegisters(ctx, zip, `${folder}/registers`, organisation.id);
    const people = users.filter((user) => user.organisationId === organisation.id);
    zip.text(`${folder}/users.csv`, usersAsCsv(people));
    await exportSettings(ctx, zip, `${folder}/settings.json`, organisation, pageSettings.find((setting) => setting.organisationId === organisation.id));
    counts.set(organisation.id, { cases: cases.length, files, users: people.length, registerEntries, auditEvents: 0 });
  }
  // The trail last, up to a moment fixed now: it shows this export's event and the reads above.
  const trailTo = new Date(services.clock.now().getTime() + 1);
  for (const organisation of organisations) {
    const events = await everyAuditEvent(ctx, organisation.id, trailTo);
    zip.text(`${folders.get(organisation.id)}/audit-trail.csv`, auditCsv(events));
    counts.get(organisation.id)!.auditEvents = events.length;
  }
  zip.text("README.txt", readme(ctx, madeAt, organisations.map((organisation) => ({ ...organisation, folder: folders.get(organisation.id)!, ...counts.get(organisation.id)! })), problems));
  return { filename: `steward-export-${slug(actor.organisation.name)}-${londonDateOf(madeAt)}.zip`, zip: zip.finish() };
}

/** Every case of one organisation, open and closed, in the list's order: the case list read a page at a time, without its own audit (the export's covers it). */
async function everyCase(ctx: Context, organisationId: string): Promise<CaseSummary[]> {
  const cases = new Map<string, CaseSummary>();
  for (let page = 1; ; page += 1) {
    const list = await listCases(ctx, { state: "all", organisationId, page }, { audit: null, perPage: CASES_PER_READ });
    for (const listed of list.cases) {
      if (!cases.has(listed.id)) cases.set(listed.id, listed);
    }
    if (list.page >= list.pages) {
      return [...cases.values()];
    }
  }
}

/** Every event of one organisation's trail before `to`, newest first, as the trail's CSV export reads it. */
async function everyAuditEvent(ctx: Context, organisationId: string, to: Date): Promise<AuditRow[]> {
  const events: AuditRow[] = [];
  for (let page = 1; ; page += 1) {
    const read = await listAuditEvents(ctx, { organisationId, to }, { purpose: "audit.export", page, perPage: MAX_EXPORTED_EVENTS });
    events.push(...read.events);
    if (read.page >= read.pages) {
      return events;
    }
  }
}

const letterKindName = (kind: string): string => {
  try {
    return letterTemplate(kind as LetterKind).name;
  } catch {
    return kind;
  }
};

/**
 * One case in full, in one transaction of the owner's scope: its record as JSON (details, deadline
 * and its rule, clock stops, timeline with notes, letters, messages, attachments, released
 * responses) and each attachment's and released response's file, decrypted, one at a time.
 * Returns how many files it added besides the record.
 */
async function exportCase(ctx: Context, zip: ZipWriter, folder: string, caseId: string, problems: Problem[]): Promise<number> {
  const { keyring, files } = ctx.services;
  return inActorScope(ctx, async (trx) => {
    const row = await findVisibleCase(trx, ctx, caseId);
    const orgId = row.orgId;
    const where = `Case ${row.reference}`;
    const opened = await openCaseColumns(trx, ctx, orgId, row.id, row);
    const events = await trx.selectFrom("caseEvents").select(["id", "at", "actorUserId", "kind", "detail"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("seq").execute();
    const stops = await trx.selectFrom("caseStops").select(["reason", "fromOn", "toOn", "endedByRequester"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("fromOn").execute();
    const attachments = await trx.selectFrom("caseAttachments").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("uploadedAt").orderBy("id").execute();
    const messages = await trx.selectFrom("caseMessages").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").orderBy("id").execute();
    const letters = await trx.selectFrom("caseLetters").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").orderBy("id").execute();
    const releases = await trx.selectFrom("caseReleases").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("releasedAt").orderBy("id").execute();
    const names = await peopleNames(trx, ctx, [
      row.assigneeId,
      row.createdBy,
      ...events.map((event) => event.actorUserId),
      ...attachments.flatMap((attachment) => [attachment.uploadedBy, attachment.removedBy]),
      ...messages.map((message) => message.authorUserId),
      ...letters.map((letter) => letter.sentBy),
      ...releases.map((release) => release.releasedBy),
    ]);
    const person = (userId: string | null, nobody: string) => (userId ? (names.get(userId) ?? "Someone at the trust") : nobody);
    let deadline: unknown = null;
    try {
      deadline = (await deadlineOf(trx, row)).deadline;
    } catch (error) {
      problems.push({ where, what: `its deadline could not be worked out (${(error as Error).message})` });
    }
    const timeline = [];
    for (const event of events) {
      timeline.push({
        at: event.at,
        by: event.actorUserId ? person(event.actorUserId, "") : event.kind.startsWith("requester-") ? "The requester" : "Steward",
        kind: event.kind,
        detail: event.detail ? await openFor(trx, keyring, { organisationId: orgId, table: "caseEvents", column: "detail", rowId: event.id }, event.detail) : null,
      });
    }
    let added = 0;
    const attachmentRecords = [];
    for (const attachment of attachments) {
      const filename = await openFor(trx, keyring, { organisationId: orgId, table: "caseAttachments", column: "filename", rowId: attachment.id }, attachment.filename);
      const record = {
        filename,
        file: null as string | null,
        fileType: attachment.fileType,
        sizeBytes: attachment.sizeBytes,
        uploadedAt: attachment.uploadedAt,
        uploadedBy: person(attachment.uploadedBy, "The requester"),
        purpose: attachment.purpose,
        removedAt: attachment.removedAt,
        removedBy: attachment.removedAt ? person(attachment.removedBy, "Steward") : null,
        removalReason: attachment.removalReason ? await openFor(trx, keyring, { organisationId: orgId, table: "caseAttachments", column: "removalReason", rowId: attachment.id }, attachment.removalReason) : null,
      };
      if (!attachment.removedAt) {
        // As openAttachment opens it: sealed in the row (before the file store), or sealed in the file store with its hash checked.
        const place = { organisationId: orgId, table: "caseAttachments" as const, column: "content", rowId: attachment.id };
        let bytes: Buffer | undefined;
        if (attachment.content !== null) {
          bytes = await openBytesFor(trx, keyring, place, attachment.content);
        } else {
          const sealed = await files.get({ organisationId: orgId, id: attachment.id });
          if (sealed && sha256(sealed) === attachment.contentSha256) {
            bytes = await openFileFor(trx, keyring, place, sealed);
          } else {
            problems.push({ where, what: `the file "${filename}" is missing or damaged in Steward's file store` });
          }
        }
        if (bytes) {
          const path = zip.add(`${folder}/attachments/${segment(filename)}`, bytes, { compress: !COMPRESSED.has(attachment.fileType) });
          record.file = path.slice(folder.length + 1);
          added += 1;
        }
      }
      attachmentRecords.push({ id: attachment.id, messageId: attachment.messageId, ...record });
    }
    const messageRecords = [];
    for (const message of messages) {
      messageRecords.push({
        sentAt: message.sentAt,
        from: message.fromRequester ? "The requester" : person(message.authorUserId, "Steward"),
        toRequester: !message.fromRequester,
        answeredAt: message.answeredAt,
        body: await openFor(trx, keyring, messagePlace(orgId, message.id), message.body),
        files: attachmentRecords.filter((attachment) => attachment.messageId === message.id).map((attachment) => attachment.file ?? attachment.filename),
      });
    }
    const letterRecords = [];
    for (const letter of letters) {
      letterRecords.push({
        kind: letter.kind,
        kindName: letterKindName(letter.kind),
        sentOn: letter.sentOn,
        sentAt: letter.sentAt,
        sentBy: person(letter.sentBy, "Steward"),
        method: letter.method,
        postalAddress: letter.postalAddress ? await openFor(trx, keyring, letterPlace(orgId, letter.id, "postalAddress"), letter.postalAddress) : null,
        subject: await openFor(trx, keyring, letterPlace(orgId, letter.id, "subject"), letter.subject),
        body: await openFor(trx, keyring, letterPlace(orgId, letter.id, "body"), letter.body),
        releasedTheResponse: letter.releaseId !== null,
      });
    }
    const releaseRecords = [];
    for (const release of releases) {
      const sealed = await files.get({ organisationId: orgId, id: release.id });
      const bytes = sealed ? await openFileFor(trx, keyring, releasePlace(orgId, release.id), sealed) : undefined;
      let file: string | null = null;
      if (bytes && sha256(bytes) === release.contentSha256) {
        file = zip.add(`${folder}/released/${londonDateOf(new Date(release.releasedAt))} response.pdf`, bytes, { compress: false }).slice(folder.length + 1);
        added += 1;
      } else {
        problems.push({ where, what: `the response released on ${londonDateOf(new Date(release.releasedAt))} is missing or damaged in Steward's file store` });
      }
      releaseRecords.push({ file, releasedAt: release.releasedAt, releasedBy: person(release.releasedBy, "Steward"), downloadableUntil: release.expiresAt, sizeBytes: Number(release.sizeBytes) });
    }
    const summary = summaryOf(row, names, ctx.services.clock.now(), opened.requesterName);
    const decision = assessedDecision(row);
    zip.json(`${folder}/case.json`, {
      about: "One case as Steward held it. Times are UTC (ISO 8601); days are London calendar days (YYYY-MM-DD).",
      reference: row.reference,
      school: row.organisationName,
      type: summary.type,
      typeName: summary.typeName,
      rightAsked: row.rightAsked,
      rightAskedName: RIGHTS.find((right) => right.id === row.rightAsked)?.name ?? null,
      stage: summary.statusName,
      channel: row.channel,
      receivedAt: row.receivedAt,
      receivedOn: row.receivedOn,
      requester: {
        name: opened.requesterName,
        contact: opened.requesterContact,
        email: (await requesterAddress(trx, ctx.services, orgId, row.id)) ?? null,
        askedInTheirOwnWords: await askedOf(trx, ctx.services, orgId, row.id),
      },
      subjectKind: row.subjectKind,
      subjectName: opened.subjectName,
      summary: opened.summary,
      loggedBy: row.createdBy ? person(row.createdBy, "") : "The requester, through the school's request page",
      loggedAt: row.createdAt,
      assignedTo: summary.assigneeName,
      deadline,
      dueOn: row.dueOn,
      dueAt: row.dueAt,
      clockStops: stops.map((stop) => ({ reason: STOP_REASON_NAMES[stop.reason] ?? stop.reason, from: stop.fromOn, to: stop.toOn, endedByTheRequester: stop.endedByRequester })),
      extended: row.extended,
      extensionReason: opened.extensionReason,
      requesterToldOfExtensionOn: row.requesterToldOn,
      extendedTo: row.extendedTo,
      breach: opened.breachReport ? { ...(JSON.parse(opened.breachReport) as Record<string, unknown>), ...(decision ?? {}) } : null,
      reportedToTheIcoOn: row.icoReportedOn,
      peopleToldOn: row.peopleToldOn,
      closedAt: row.closedAt,
      outcome: summary.outcomeName,
      outcomeDetail: opened.outcomeDetail,
      response: summary.response,
      notes: timeline.filter((event) => event.kind === "note").map(({ at, by, detail }) => ({ at, by, note: detail })),
      timeline,
      letters: letterRecords,
      messages: messageRecords,
      attachments: attachmentRecords.map(({ id: _id, messageId, ...attachment }) => ({ ...attachment, sentWithAMessage: messageId !== null })),
      releasedResponses: releaseRecords,
    });
    return added;
  });
}

/**
 * The registers of one organisation: each as the registers' own CSV export (every entry, those no
 * longer in use marked so) and as JSON with every field, the record of processing as its Article 30
 * PDF, and the disposal log. Returns how many entries there were.
 */
async function exportRegisters(ctx: Context, zip: ZipWriter, folder: string, organisationId: string): Promise<number> {
  const madeOn = londonDateOf(ctx.services.clock.now());
  const entries = new Map<RegisterKind, RegisterEntry[]>();
  for (const kind of REGISTER_KINDS) {
    entries.set(kind, await listEntries(ctx, kind, { organisationId, audit: "register.export" }));
  }
  // What an entry links to (suppliers, processing activities…), named as the export names them.
  const linkedNames = new Map([...entries.values()].flat().map((entry) => [entry.id, entry.title]));
  for (const kind of REGISTER_KINDS) {
    const name = kind === "processing" ? "record-of-processing" : KIND_NAMES[kind].path;
    zip.text(`${folder}/${name}.csv`, registerAsCsv({ kind, entries: entries.get(kind)!, controllers: [], supplierNames: linkedNames, madeOn }));
    zip.json(`${folder}/${name}.json`, entries.get(kind)!);
  }
  zip.add(`${folder}/record-of-processing.pdf`, registerAsPdf(await registerExport(ctx, "processing", organisationId)), { compress: false });
  zip.text(`${folder}/disposal-log.csv`, tableAsCsv(DISPOSAL_COLUMNS, await disposalLog(ctx, organisationId, "register.export")));
  return [...entries.values()].reduce((sum, list) => sum + list.length, 0);
}

/** The disposal log's columns, as its own CSV download has them. */
const DISPOSAL_COLUMNS: Column<DisposalRecord>[] = [
  { header: "School", value: (record) => record.organisationName },
  { header: "What", value: (record) => record.what },
  { header: "Destroyed on", value: (record) => ({ date: record.disposedOn }) },
  { header: "How", value: (record) => record.methodName },
  { header: "By", value: (record) => record.disposedBy },
  { header: "Authority", value: (record) => record.authority },
  { header: "Retention rule", value: (record) => record.retentionTitle ?? "" },
  { header: "Evidence", value: (record) => record.evidence ?? "" },
  { header: "Recorded by", value: (record) => record.recordedByName ?? "" },
];

const STATUS_NAMES: Record<UserSummary["status"], string> = { active: "Active", invited: "Invited (no password set yet)", deactivated: "Deactivated" };

/** The people of one organisation: names, addresses, roles. No password hashes, two-factor keys or recovery codes: UserSummary carries none. */
function usersAsCsv(users: readonly UserSummary[]): string {
  const columns: Column<UserSummary>[] = [
    { header: "Name", value: (user) => user.fullName },
    { header: "Email", value: (user) => user.email },
    { header: "Username", value: (user) => user.username },
    { header: "Role", value: (user) => ROLE_NAMES[user.role] },
    { header: "Status", value: (user) => STATUS_NAMES[user.status] },
    { header: "Two-factor sign-in set up", value: (user) => (user.twoFactorEnabled ? "Yes" : "No") },
  ];
  return tableAsCsv(columns, users);
}

/** One organisation's settings: its details, sign-in and disclosure settings, calendar with term dates, request page and own letter wording. */
async function exportSettings(
  ctx: Context,
  zip: ZipWriter,
  path: string,
  organisation: { id: string; kind: string; name: string; postalAddress: string; telephone: string },
  requestPage: { publicName: string | null; link: string | null; releaseDays: number } | undefined,
): Promise<void> {
  const calendar = await readCalendar(ctx, organisation.id);
  const { row, wordings } = await inActorScope(ctx, async (trx) => ({
    row: await trx
      .selectFrom("organisations")
      .select(["parentId", "createdAt", "twoFactorRequired", "disclosureApprovalRequired", "referenceCode"])
      .where("id", "=", organisation.id)
      .executeTakeFirstOrThrow(),
    wordings: await trx.selectFrom("letterTemplates").select(["kind", "subject", "body", "changedBy", "changedAt"]).where("orgId", "=", organisation.id).orderBy("kind").execute(),
  }));
  const changers = wordings.length ? await inActorScope(ctx, (trx) => peopleNames(trx, ctx, wordings.map((wording) => wording.changedBy))) : new Map<string, string>();
  zip.json(path, {
    about: "The organisation's settings as Steward held them. Times are UTC (ISO 8601).",
    organisation: { name: organisation.name, kind: organisation.kind, postalAddress: organisation.postalAddress, telephone: organisation.telephone, partOfATrust: row.parentId !== null, caseReferenceCode: row.referenceCode, registeredAt: row.createdAt },
    signIn: { twoFactorRequiredForEveryone: row.twoFactorRequired },
    disclosure: { secondPersonMustApproveABundle: row.disclosureApprovalRequired },
    calendar: {
      nation: calendar.nation,
      kindOfSchool: calendar.schoolType,
      adviceTargetWorkingDays: calendar.adviceTargetDays,
      termDates: calendar.terms.map((term, index) => ({ kind: term.kind, firstDay: term.firstDay, lastDay: term.lastDay, ...(term.kind === "term" ? { schoolDays: calendar.schoolDays[index] } : {}) })),
    },
    requestPage: requestPage ? { publicName: requestPage.publicName, address: requestPage.link, releasedResponseDownloadableForDays: requestPage.releaseDays } : null,
    ownLetterWording: wordings.map((wording) => ({ letter: letterKindName(wording.kind), kind: wording.kind, subject: wording.subject, body: wording.body, changedBy: changers.get(wording.changedBy) ?? "Someone at the trust", changedAt: wording.changedAt })),
  });
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

function readme(
  ctx: Context,
  madeAt: Date,
  organisations: readonly { kind: string; name: string; folder: string; cases: number; files: number; users: number; registerEntries: number; auditEvents: number }[],
  problems: readonly Problem[],
): string {
  const lines = [
    "Everything Steward holds for your organisation",
    "==============================================",
    "",
    `Made on ${formatLondonDateTime(madeAt)} (London time) for ${ctx.actor.organisation.name}, by its licence owner, ${ctx.actor.fullName}.`,
    "This download is recorded in the audit trail (\"Downloaded everything the organisation holds\").",
    "It holds personal data about children, parents and staff: keep it as safely as Steward did, and delete it when it is no longer needed.",
    "",
    "Organisations (one folder each)",
    "-------------------------------",
    ...organisations.map(
      (organisation) =>
        `${organisation.folder}/  (${organisation.kind === "trust" ? "the trust" : "a school"}): ${count(organisation.cases, "case")}, ${count(organisation.files, "file")}, ${count(organisation.registerEntries, "register entry", "register entries")}, ${count(organisation.users, "user")}, ${count(organisation.auditEvents, "audit event")}`,
    ),
    "",
    "In each folder",
    "--------------",
    "cases.csv                         every case, open and closed: one row each, the columns of the case list's own export",
    "cases/<reference>/case.json       the case in full: details, deadline and its rule, clock stops, extension, breach assessment,",
    "                                  outcome, the timeline (notes among it, and listed again as notes), letters with their full",
    "                                  text, messages with the requester, and a list of its files",
    "cases/<reference>/attachments/    the case's files as they were uploaded, decrypted",
    "cases/<reference>/released/       responses released to the requester through their request page, as they received them",
    "registers/<register>.csv          each register as its own export: every entry (those no longer in use are marked so)",
    "registers/<register>.json         the same entries with every field, for another system to read",
    "registers/record-of-processing.pdf  the record of processing activities as the ICO asks for it (UK GDPR Article 30)",
    "registers/disposal-log.csv        the disposal log",
    "users.csv                         everyone with an account: name, email address, username, role, status",
    "settings.json                     the organisation's details, settings, calendar with term dates, request page, and its own letter wording",
    "audit-trail.csv                   the audit trail, newest first, up to this download, with each event's place and hash in its chain",
    "",
    "Times in .json files are UTC (ISO 8601). Dates and times in .csv files are London time, as Steward shows them.",
    "",
    "Not included",
    "------------",
    "- Passwords, two-factor keys and recovery codes (Steward keeps only hashes or sealed copies, of no use outside it),",
    "  sessions and sign-in links.",
    "- The working files of a disclosure (documents gathered for redaction, their text and the redaction work): they are",
    "  destroyed 30 days after a case closes. The response as released to the requester is included.",
    "- Emails waiting in or sent from the outbox; letters and messages are in each case.json.",
    "- The contents of files removed from a case: their removal, by whom and why, is in case.json.",
  ];
  if (problems.length > 0) {
    lines.push("", "Could not be included", "---------------------", ...problems.map((problem) => `- ${problem.where}: ${problem.what}.`));
  }
  return `${lines.join("\r\n")}\r\n`;
}
