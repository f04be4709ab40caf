import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { sql } from "kysely";
import { csvCell } from "../platform/spreadsheet.ts";
import { KIND_NAMES, type RegisterKind } from "../registers/register-kinds.ts";
import { recordAudit, type AuditAction } from "./audit.ts";

export interface AuditFilters {
  userId?: string | undefined;
  /** A record's id, or a case's reference. */
  recordId?: string | undefined;
  /** One of ACTION_KINDS' ids. */
  kind?: string | undefined;
  organisationId?: string | undefined;
  /** Inclusive, as London calendar days turned into instants by the caller. */
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditRow {
  /** Its place in the organisation's chain; null for a moment after it happens, until it is sealed. */
  seq: number | null;
  occurredAt: Date;
  organisationName: string;
  actorUserId: string | null;
  actorName: string | null;
  action: string;
  /** What happened, in words ("Looked at a case"). */
  actionName: string;
  recordType: string | null;
  recordId: string | null;
  /** The record as people know it: a case's reference, a person's name, an organisation's name. */
  recordName: string | null;
  /** Where the record can be seen, when it has a page. */
  recordHref: string | null;
  ip: string | null;
  userAgent: string | null;
  hash: string | null;
}

type ActionKind = "cases" | "registers" | "signing-in" | "people" | "settings" | "oversight";

/** The kinds of action the trail can be filtered by, in the order the filter lists them. */
export const ACTION_KINDS: { id: ActionKind; name: string }[] = [
  { id: "cases", name: "Case work" },
  { id: "registers", name: "Registers" },
  { id: "people", name: "People, roles and accounts" },
  { id: "signing-in", name: "Signing in and two-factor" },
  { id: "settings", name: "Licence, schools and calendars" },
  { id: "oversight", name: "Audit trail and outbox" },
];

interface ActionWords {
  name: string;
  kind: ActionKind;
}

/**
 * Every action in words, with its kind: a Record of AuditAction, so a new action cannot be added
 * without its words (an action still on its way into AuditAction may be listed ahead of it).
 */
export const ACTIONS: Record<AuditAction, ActionWords> & Record<string, ActionWords> = {
  "licence.register": { name: "Registered the licence", kind: "settings" },
  "school.add": { name: "Added a school", kind: "settings" },
  "organisation.settings-change": { name: "Changed the organisation's settings", kind: "settings" },
  "organisation.export": { name: "Downloaded everything the organisation holds", kind: "settings" },
  "calendar.change": { name: "Changed a school calendar", kind: "settings" },
  "calendar.terms-import": { name: "Imported term dates", kind: "settings" },
  "report.view": { name: "Looked at the governors' report", kind: "oversight" },
  "register.list": { name: "Looked at a register", kind: "registers" },
  "register.view": { name: "Looked at a register entry", kind: "registers" },
  "register.add": { name: "Added a register entry", kind: "registers" },
  "register.change": { name: "Changed a register entry", kind: "registers" },
  "register.review": { name: "Recorded a register entry's review", kind: "registers" },
  "register.copy": { name: "Copied a trust template into a register", kind: "registers" },
  "register.export": { name: "Exported a register", kind: "registers" },
  "register.notice-read": { name: "Read a supplier's privacy notice", kind: "registers" },
  "register.sign": { name: "Signed a DPIA", kind: "registers" },
  "register.disposal": { name: "Recorded a disposal in the disposal log", kind: "registers" },
  "case.destruction-approve": { name: "Approved a closed case's destruction (past its retention period)", kind: "registers" },
  "user.create": { name: "Added a user", kind: "people" },
  "user.deactivate": { name: "Deactivated a user", kind: "people" },
  "role.grant": { name: "Changed a user's role", kind: "people" },
  "ownership.transfer": { name: "Transferred ownership of the licence", kind: "people" },
  "ownership.request": { name: "Asked to take over the licence (its owner has gone)", kind: "people" },
  "ownership.request-decided": { name: "Steward's operator decided a request to take over the licence", kind: "people" },
  "licence.view": { name: "Looked at the licence", kind: "settings" },
  "licence.renew": { name: "Renewed the licence", kind: "settings" },
  "licence.term-change": { name: "Steward's operator set the licence's term", kind: "settings" },
  "licence.expiry-warning": { name: "Steward warned that the licence ends soon", kind: "settings" },
  "licence.expired": { name: "The licence expired: only the owner can sign in", kind: "settings" },
  "licence.reinstated": { name: "The licence was reinstated", kind: "settings" },
  "licence.deletion-request": { name: "Asked for the organisation and all its data to be deleted", kind: "settings" },
  "licence.deletion-approve": { name: "Approved the deletion of the organisation and all its data", kind: "settings" },
  "licence.deletion-cancel": { name: "Stopped the deletion of the organisation's data", kind: "settings" },
  "licence.ending": { name: "The organisation's data is being destroyed", kind: "settings" },
  "user.list": { name: "Looked at the list of users", kind: "people" },
  "user.view": { name: "Looked at a user", kind: "people" },
  "account.view": { name: "Looked at their own account", kind: "people" },
  "account.name-change": { name: "Changed their name", kind: "people" },
  "account.email-change-request": { name: "Asked to change their email address", kind: "people" },
  "account.email-change": { name: "Changed their email address", kind: "people" },
  "account.export": { name: "Downloaded their own data", kind: "people" },
  "account.erasure-request": { name: "Asked for their data to be erased", kind: "people" },
  "contact.choices-change": { name: "Changed which emails beyond the service's own they get (news, surveys)", kind: "people" },
  "contact.unsubscribe": { name: "Unsubscribed from news or surveys with the link in an email", kind: "people" },
  "password.set": { name: "Set a password", kind: "signing-in" },
  "password-reset.request": { name: "Asked for a password reset", kind: "signing-in" },
  "session.start": { name: "Signed in", kind: "signing-in" },
  "session.end": { name: "Signed out", kind: "signing-in" },
  "session.end-others": { name: "Signed out their other sessions", kind: "signing-in" },
  "session.end-all": { name: "Signed a user out everywhere", kind: "signing-in" },
  "session.confirm": { name: "Confirmed it was them (password again)", kind: "signing-in" },
  "sign-in.refused": { name: "Sign-in refused", kind: "signing-in" },
  "sign-in.locked": { name: "Account locked after failed sign-ins", kind: "signing-in" },
  "two-factor.enable": { name: "Set up two-factor authentication", kind: "signing-in" },
  "two-factor.refused": { name: "Two-factor code refused", kind: "signing-in" },
  "two-factor.recovery-code-used": { name: "Signed in with a recovery code", kind: "signing-in" },
  "two-factor.reset": { name: "Reset a user's two-factor authentication", kind: "signing-in" },
  "two-factor.recovery-codes-replace": { name: "Replaced their recovery codes", kind: "signing-in" },
  "outbox.read": { name: "Read the outbox", kind: "oversight" },
  "audit.read": { name: "Looked at the audit trail", kind: "oversight" },
  "audit.export": { name: "Downloaded the audit trail", kind: "oversight" },
  "case.log": { name: "Logged a case", kind: "cases" },
  "case.list": { name: "Looked at the list of cases", kind: "cases" },
  "case.view": { name: "Looked at a case", kind: "cases" },
  "case.export": { name: "Downloaded the cases", kind: "cases" },
  "case.assign": { name: "Assigned a case", kind: "cases" },
  "case.status": { name: "Changed a case's stage", kind: "cases" },
  "case.clock-stop": { name: "Stopped a case's clock", kind: "cases" },
  "case.clock-restart": { name: "Restarted a case's clock", kind: "cases" },
  "case.extend": { name: "Extended a case's deadline", kind: "cases" },
  "case.note": { name: "Added a note to a case", kind: "cases" },
  "case.close": { name: "Closed a case", kind: "cases" },
  "case.reopen": { name: "Reopened a case", kind: "cases" },
  "case.correct": { name: "Corrected a case's details", kind: "cases" },
  "case.breach-assess": { name: "Assessed a breach's risk", kind: "cases" },
  "case.attach": { name: "Attached a file to a case", kind: "cases" },
  "case.attachment-download": { name: "Downloaded a case's file", kind: "cases" },
  "case.attachment-remove": { name: "Removed a file from a case", kind: "cases" },
  "disclosure.view": { name: "Opened a case's disclosure area", kind: "cases" },
  "disclosure.add": { name: "Added a document for disclosure", kind: "cases" },
  "disclosure.person-add": { name: "Listed a person the request concerns", kind: "cases" },
  "disclosure.person-remove": { name: "Took a person off the request's list", kind: "cases" },
  "disclosure.review": { name: "Reviewed a page for redaction", kind: "cases" },
  "disclosure.decide": { name: "Decided what to redact", kind: "cases" },
  "disclosure.redact": { name: "Applied a document's redactions", kind: "cases" },
  "disclosure.download": { name: "Downloaded a document from the disclosure area", kind: "cases" },
  "disclosure.bundle": { name: "Downloaded the disclosure bundle", kind: "cases" },
  "disclosure.verified": { name: "A redacted document passed Steward's checks", kind: "cases" },
  "disclosure.verify-failed": { name: "A redacted document failed Steward's checks and was not kept", kind: "cases" },
  "disclosure.purge": { name: "Deleted a closed case's disclosure working files", kind: "cases" },
  "disclosure.remove": { name: "Removed a document from the disclosure area", kind: "cases" },
  "disclosure.approve": { name: "Approved a disclosure bundle for release", kind: "cases" },
  "redaction.settings-view": { name: "Opened the redaction settings", kind: "cases" },
  "redaction.settings-change": { name: "Changed the redaction settings", kind: "cases" },
  "disclosure.task-add": { name: "Gave someone a search for documents", kind: "cases" },
  "disclosure.task-view": { name: "Opened their search tasks", kind: "cases" },
  "disclosure.task-finish": { name: "Finished a search for documents", kind: "cases" },
  "requester.confirm": { name: "The requester confirmed their email address and sent a request", kind: "cases" },
  "requester.sign-in": { name: "The requester opened their page with an emailed code", kind: "cases" },
  "requester.view": { name: "The requester viewed their page", kind: "cases" },
  "requester.message": { name: "The requester sent a message", kind: "cases" },
  "requester.upload": { name: "The requester sent a file", kind: "cases" },
  "requester.download": { name: "The requester downloaded the response", kind: "cases" },
  "message.send": { name: "Sent a message to the requester", kind: "cases" },
  "letter.send": { name: "Sent a letter to the requester", kind: "cases" },
  "letter.download": { name: "Downloaded a letter to post", kind: "cases" },
  "letter.template-change": { name: "Changed a letter template", kind: "settings" },
  "release.make": { name: "Released the response to the requester", kind: "cases" },
};

function actionsOfKind(kind: string): string[] {
  return Object.keys(ACTIONS).filter((action) => ACTIONS[action]!.kind === kind);
}

/** One page of the trail, for the page; the CSV takes every event the filter matches, up to this. */
export const AUDIT_PER_PAGE = 50;
export const MAX_EXPORTED_EVENTS = 100_000;

export interface AuditPage {
  events: AuditRow[];
  total: number;
  page: number;
  pages: number;
}

/**
 * The trail of every organisation the actor can reach, newest first, filtered, a page at a time
 * (or, for the CSV, all of it). Reading it is itself recorded.
 */
export async function listAuditEvents(
  ctx: Context,
  filters: AuditFilters,
  { purpose = "audit.read", page = 1, perPage = AUDIT_PER_PAGE }: { purpose?: "audit.read" | "audit.export"; page?: number; perPage?: number } = {},
): Promise<AuditPage> {
  authorise(ctx.actor, "audit:view");
  return inActorScope(ctx, async (trx) => {
    let query = trx
      .selectFrom("auditEvents as e")
      .innerJoin("organisations as o", "o.id", "e.orgId")
      .leftJoin("users as u", "u.id", "e.actorUserId")
      // The case or person an event is about, to name it as people know it (ids are text in the trail).
      .leftJoin("cases as c", (join) => join.onRef("c.orgId", "=", "e.orgId").on(sql<boolean>`e.record_type = 'case' and c.id::text = e.record_id`))
      .leftJoin("users as ru", (join) => join.on(sql<boolean>`e.record_type = 'user' and ru.id::text = e.record_id`))
      .leftJoin("organisations as ro", (join) => join.on(sql<boolean>`e.record_type = 'organisation' and ro.id::text = e.record_id`))
      .leftJoin("registerEntries as re", (join) => join.onRef("re.orgId", "=", "e.orgId").on(sql<boolean>`e.record_type = 'register' and re.id::text = e.record_id`))
      .where("e.orgId", "in", ctx.actor.organisationIds);
    if (filters.userId) query = query.where("e.actorUserId", "=", filters.userId);
    if (filters.recordId) {
      const record = filters.recordId;
      query = query.where((where) => where.or([where("e.recordId", "=", record), where("c.reference", "=", record.toUpperCase())]));
    }
    if (filters.kind) query = query.where("e.action", "in", actionsOfKind(filters.kind));
    if (filters.organisationId) query = query.where("e.orgId", "=", filters.organisationId);
    if (filters.from) query = query.where("e.occurredAt", ">=", filters.from);
    if (filters.to) query = query.where("e.occurredAt", "<", filters.to);
    const { count } = await query.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    const total = Number(count);
    const pages = Math.max(1, Math.ceil(total / perPage));
    const shown = Math.min(Math.max(1, page), pages);
    const sealedRows = await query
      .select([
        "e.seq",
        "e.occurredAt",
        "o.name as organisationName",
        "e.actorUserId",
        "u.fullName as actorName",
        "u.orgId as actorOrganisationId",
        "e.action",
        "e.recordType",
        "e.recordId",
        "c.reference as caseReference",
        "ru.orgId as recordUserOrganisationId",
        "ru.fullName as recordUserName",
        "ro.name as recordOrganisationName",
        "re.title as registerEntryTitle",
        "re.kind as registerEntryKind",
        "e.ip",
        "e.userAgent",
        "e.hash",
      ])
      .orderBy("e.occurredAt", "desc")
      .orderBy("e.appendOrder", "desc")
      .limit(perPage)
      .offset((shown - 1) * perPage)
      .execute();
    // Each person's sealed name opened once, however many of their events the page shows.
    const names = new Map<string, string>();
    const nameOf = async (organisationId: string, userId: string, sealed: string) => {
      const name = names.get(userId) ?? (await openPersonalFields(trx, ctx.services.keyring, organisationId, userId, { fullName: sealed })).fullName;
      names.set(userId, name);
      return name;
    };
    const events: AuditRow[] = [];
    for (const { actorOrganisationId, actorName, caseReference, recordUserOrganisationId, recordUserName, recordOrganisationName, registerEntryTitle, registerEntryKind, ...row } of sealedRows) {
      const actor = row.actorUserId && actorOrganisationId && actorName ? await nameOf(actorOrganisationId, row.actorUserId, actorName) : null;
      let recordName: string | null = null;
      let recordHref: string | null = null;
      if (caseReference) {
        [recordName, recordHref] = [`Case ${caseReference}`, `/cases/${row.recordId}`];
      } else if (recordUserName && recordUserOrganisationId && row.recordId) {
        [recordName, recordHref] = [await nameOf(recordUserOrganisationId, row.recordId, recordUserName), `/users/${row.recordId}`];
      } else if (registerEntryTitle && registerEntryKind) {
        [recordName, recordHref] = [registerEntryTitle, `/registers/${KIND_NAMES[registerEntryKind as RegisterKind]?.path ?? registerEntryKind}/${row.recordId}`];
      } else if (recordOrganisationName) {
        recordName = recordOrganisationName;
      }
      events.push({ ...row, actorName: actor, actionName: ACTIONS[row.action]?.name ?? row.action, recordName, recordHref });
    }
    await recordAudit(trx, {
      organisationId: ctx.actor.organisation.id,
      actorUserId: ctx.actor.userId,
      action: purpose,
      recordType: "audit",
      meta: ctx.request,
      at: ctx.services.clock.now(),
    });
    return { events, total, page: shown, pages };
  });
}

/** The people whose events the actor may filter by: ids and names only, for the filter list. */
export async function listAuditActors(ctx: Context): Promise<{ id: string; fullName: string }[]> {
  authorise(ctx.actor, "audit:view");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx.selectFrom("users").select(["orgId", "id", "fullName"]).execute();
    const people = [];
    for (const row of rows) {
      people.push({ id: row.id, fullName: (await openPersonalFields(trx, ctx.services.keyring, row.orgId, row.id, row)).fullName });
    }
    return people.sort((a, b) => a.fullName.localeCompare(b.fullName, "en-GB"));
  });
}

/** One record's own history, for its page: what happened to it and who looked at it. */
export async function recordHistory(ctx: Context, recordType: "user", recordId: string): Promise<AuditRow[]> {
  const { events } = await listAuditEvents(ctx, { recordId }, { perPage: 500 });
  return events.filter((row) => row.recordType === recordType);
}

export function auditCsv(rows: AuditRow[]): string {
  const header = ["time", "organisation", "user", "user id", "what happened", "action", "record", "record type", "record id", "ip", "user agent", "sequence", "hash"];
  const lines = rows.map((row) =>
    [row.occurredAt.toISOString(), row.organisationName, row.actorName, row.actorUserId, row.actionName, row.action, row.recordName, row.recordType, row.recordId, row.ip, row.userAgent, row.seq, row.hash]
      .map(csvCell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
