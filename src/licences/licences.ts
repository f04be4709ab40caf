import { randomUUID } from "node:crypto";
import { sql, type Updateable } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { openPersonalFields } from "../accounts/personal-fields.ts";
import { recordAudit, type AuditAction } from "../audit/audit.ts";
import { addDays, daysBetween, formatDate, londonDateOf, type IsoDate } from "../calendar/dates.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { Database, LicenceState, Role } from "../platform/database/schema.ts";
import { changeScope, inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { sealFor } from "../platform/encryption/keyring.ts";
import { badRequest, notFound } from "../platform/errors.ts";
import type { FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { COOLING_OFF_DAYS, destroyedOn, expiryWarningDue, expiryWarningText, hasExpired, isDormantLongEnough, isRenewable, RENEWAL_WINDOW_DAYS, renewedTerm, termFrom } from "./licence-life.ts";
import { removeFilesOfEndedLicence, shredLicence } from "./shred.ts";
import { recordOperatorEvent } from "../operator/operator-context.ts";

/**
 * A licence's life: its term, the warnings before it ends, the dormant year after, reinstatement,
 * destruction, deletion on request, and taking over a licence whose owner has gone. The people of
 * the organisation act through the functions taking a Context; the operator's decisions only
 * change the licence row (licence-operator.ts); the licence job (advanceLicence) carries every
 * change out, in the organisation's own scope, audited and emailed to the owner. The job can run
 * in several processes at once and again after a crash: each licence is taken under a row lock
 * (skipping one another process holds), and each step is one transaction that leaves the row
 * saying what is still to do.
 */

type LicenceServices = Pick<Services, "database" | "clock" | "keyring" | "mailer" | "config" | "files" | "logger">;

export class LicenceFormError extends Error {
  constructor(readonly errors: FieldErrors) {
    super("The licence form has errors");
  }
}

/** Starts a new licence's term (registration): 12 months from today. Inside the registration's transaction. */
export async function startLicence(trx: Tx, input: { organisationId: string; name: string; kind: "trust" | "school"; at: Date }): Promise<void> {
  const term = termFrom(londonDateOf(input.at));
  await trx
    .insertInto("licences")
    .values({
      orgId: input.organisationId,
      organisationName: input.name,
      organisationKind: input.kind,
      termStartsOn: term.startsOn,
      termEndsOn: term.endsOn,
      dormantSince: null,
      ...NO_DELETION,
      reinstatedAt: null,
      endedAt: null,
      endedReason: null,
      createdAt: input.at,
      changedAt: input.at,
    })
    .execute();
}

/** What the owner and admins see of their licence. */
export interface LicenceView {
  organisationName: string;
  kind: "trust" | "school";
  state: LicenceState;
  termStartsOn: IsoDate;
  termEndsOn: IsoDate;
  /** Days until the term ends (negative once it has). */
  daysLeft: number;
  dormantSince: Date | null;
  /** When a dormant licence's data is destroyed. */
  destroyedOn: IsoDate | null;
  reinstatedAt: Date | null;
  /** The term ends within the renewal window, or has ended: the owner can renew. */
  renewable: boolean;
  /** For a trust: there is another admin who could approve a deletion. */
  hasSecondAdmin: boolean;
  deletion:
    | { askedAt: Date; askedByYou: boolean; approvedAt: Date | null; dueAt: Date | null; needsApproval: boolean }
    | undefined;
  ownershipRequest: { askedAt: Date; askedByYou: boolean; state: string } | undefined;
}

/** The licence of the actor's own organisation: only the licence holder's people (a school in a trust: the trust holds it). */
async function ownLicenceRow(trx: Tx, ctx: Context, { lock = false }: { lock?: boolean } = {}) {
  const organisation = await trx.selectFrom("organisations").select(["parentId"]).where("id", "=", ctx.actor.organisation.id).executeTakeFirst();
  if (!organisation || organisation.parentId !== null) {
    throw notFound();
  }
  const read = trx.selectFrom("licences").selectAll().where("orgId", "=", ctx.actor.organisation.id);
  const licence = await (lock ? read.forUpdate() : read).executeTakeFirst();
  if (!licence) {
    throw notFound();
  }
  return licence;
}

export async function licenceOf(ctx: Context): Promise<LicenceView> {
  authorise(ctx.actor, "licence:view");
  const now = ctx.services.clock.now();
  return inActorScope(ctx, async (trx) => {
    const licence = await ownLicenceRow(trx, ctx);
    const request = await trx
      .selectFrom("ownershipRequests")
      .select(["askedAt", "askedBy", "state"])
      .where("orgId", "=", licence.orgId)
      .orderBy("askedAt", "desc")
      .executeTakeFirst();
    await recordAudit(trx, { organisationId: licence.orgId, actorUserId: ctx.actor.userId, action: "licence.view", recordType: "organisation", recordId: licence.orgId, meta: ctx.request, at: now });
    const deletionAsked = licence.deletionAskedAt !== null;
    return {
      organisationName: ctx.actor.organisation.name,
      kind: licence.organisationKind,
      state: licence.state,
      termStartsOn: licence.termStartsOn,
      termEndsOn: licence.termEndsOn,
      daysLeft: daysBetween(londonDateOf(now), licence.termEndsOn),
      dormantSince: licence.dormantSince,
      destroyedOn: licence.dormantSince ? destroyedOn(licence.dormantSince) : null,
      reinstatedAt: licence.reinstatedAt,
      renewable: isRenewable(licence, londonDateOf(now)),
      hasSecondAdmin: (await possibleApprovers(trx, licence.orgId, ctx.actor.userId, now)).length > 0,
      deletion: deletionAsked
        ? {
            askedAt: licence.deletionAskedAt!,
            askedByYou: licence.deletionAskedBy === ctx.actor.userId,
            approvedAt: licence.deletionApprovedAt,
            dueAt: licence.deletionDueAt,
            needsApproval: licence.deletionApprovedAt === null,
          }
        : undefined,
      // A decided request is shown for a week, then forgotten by the page.
      ownershipRequest:
        request && (request.state === "waiting" || now.getTime() - request.askedAt.getTime() < 7 * 86_400_000)
          ? { askedAt: request.askedAt, askedByYou: request.askedBy === ctx.actor.userId, state: request.state }
          : undefined,
    };
  });
}

/** Locks the actor's licence row for a change by its people. */
const lockOwnLicence = (trx: Tx, ctx: Context) => ownLicenceRow(trx, ctx, { lock: true });

const licenceAudit = (ctx: Context, licenceId: string, action: AuditAction) => ({
  organisationId: licenceId,
  actorUserId: ctx.actor.userId,
  action,
  recordType: "organisation" as const,
  recordId: licenceId,
  meta: ctx.request,
  at: ctx.services.clock.now(),
});

/**
 * The owner renews the licence for another 12 months: from its end while it runs, from today
 * once it has lapsed (then the licence job reinstates it at once). Steward does not take
 * payment: the operator sees the renewal and invoices, and can change the term.
 */
export async function renewLicence(ctx: Context): Promise<{ termEndsOn: IsoDate }> {
  authorise(ctx.actor, "licence:manage");
  const today = londonDateOf(ctx.services.clock.now());
  const term = await inActorScope(ctx, async (trx) => {
    const licence = await lockOwnLicence(trx, ctx);
    if (licence.state !== "active" && licence.state !== "dormant") {
      throw badRequest("This licence cannot be renewed now: its deletion has been asked for. Stop the deletion first.");
    }
    // A renewal is for a term about to end (or ended): a second click cannot add another year.
    if (!isRenewable(licence, today)) {
      throw badRequest(`This licence runs to ${formatDate(licence.termEndsOn)}: it can be renewed from ${formatDate(addDays(licence.termEndsOn, -RENEWAL_WINDOW_DAYS))}.`);
    }
    const term = renewedTerm(licence, today);
    await trx
      .updateTable("licences")
      .set({ termStartsOn: term.startsOn, termEndsOn: term.endsOn, warningsSent: [], changedAt: ctx.services.clock.now() })
      .where("orgId", "=", licence.orgId)
      .execute();
    await recordAudit(trx, licenceAudit(ctx, licence.orgId, "licence.renew"));
    await recordOperatorEvent(trx, { operatorId: null, action: "licence.renewed-by-owner", licenceId: licence.orgId, detail: { termStartsOn: term.startsOn, termEndsOn: term.endsOn }, at: ctx.services.clock.now() });
    return term;
  });
  await advanceLicence(ctx.services, ctx.actor.organisation.id);
  return { termEndsOn: term.endsOn };
}

/**
 * The owner asks for the organisation and all its data to be deleted. They type its name to
 * confirm. A trust's deletion waits for a second person (another admin) to approve it; a school's
 * goes straight to the cooling-off. Either way nothing is destroyed for 7 days, during which the
 * owner, an admin or Steward's operator can stop it.
 */
export async function askForDeletion(ctx: Context, input: { confirmName: string }): Promise<{ needsApproval: boolean }> {
  authorise(ctx.actor, "licence:manage");
  if (input.confirmName.trim().toLowerCase() !== ctx.actor.organisation.name.trim().toLowerCase()) {
    throw new LicenceFormError({ confirmName: `Type the organisation's name, ${ctx.actor.organisation.name}, to confirm` });
  }
  const now = ctx.services.clock.now();
  const needsApproval = await inActorScope(ctx, async (trx) => {
    const licence = await lockOwnLicence(trx, ctx);
    if (licence.deletionAskedAt !== null || (licence.state !== "active" && licence.state !== "dormant")) {
      throw badRequest("The deletion of this organisation has already been asked for.");
    }
    const needsApproval = licence.organisationKind === "trust";
    if (needsApproval && licence.state === "dormant") {
      throw badRequest("A trust's deletion needs a second admin to approve it, and nobody but the owner can sign in while the licence is dormant. Renew it first, or ask Steward's support.");
    }
    if (needsApproval && (await possibleApprovers(trx, licence.orgId, ctx.actor.userId, now)).length === 0) {
      throw new LicenceFormError({ confirmName: "A trust's deletion needs a second admin to approve it, and the trust has no other admin. Add one from Users first" });
    }
    await trx
      .updateTable("licences")
      .set({
        deletionAskedAt: now,
        deletionAskedBy: ctx.actor.userId,
        ...(needsApproval ? {} : startCoolingOff(licence.state, now, ctx.actor.userId)),
        changedAt: now,
      })
      .where("orgId", "=", licence.orgId)
      .execute();
    await recordAudit(trx, licenceAudit(ctx, licence.orgId, "licence.deletion-request"));
    await recordOperatorEvent(trx, { operatorId: null, action: needsApproval ? "licence.deletion-asked" : "licence.deletion-approved", licenceId: licence.orgId, at: now });
    const people = await licencePeople(trx, ctx.services, licence.orgId, ["owner", "admin"]);
    const url = `${ctx.services.config.publicUrl}/licence`;
    for (const person of people) {
      await queueEmail(trx, ctx.services, licence.orgId, needsApproval
        ? {
            to: person.email,
            subject: `Deletion of ${ctx.actor.organisation.name} from Steward asked for: a second admin must approve it`,
            text: `The owner of ${ctx.actor.organisation.name}'s Steward licence has asked for the trust, all its schools and all their records to be deleted.\n\nA trust's deletion needs a second admin to approve it. If you agree, approve it at ${url} (then, after 7 days' cooling-off, everything is destroyed). If not, stop it there.\n`,
          }
        : deletionPendingEmail(person.email, ctx.actor.organisation.name, now, url));
    }
    return needsApproval;
  });
  return { needsApproval };
}

const startCoolingOff = (state: LicenceState, now: Date, approvedBy: string) => ({
  state: "deletion-pending" as const,
  stateBeforeDeletion: state,
  deletionApprovedAt: now,
  deletionApprovedBy: approvedBy,
  deletionDueAt: new Date(now.getTime() + COOLING_OFF_DAYS * 86_400_000),
});

function deletionPendingEmail(to: string, organisationName: string, now: Date, url: string) {
  const due = new Date(now.getTime() + COOLING_OFF_DAYS * 86_400_000);
  return {
    to,
    subject: `${organisationName} and all its data will be deleted from Steward on ${formatDate(londonDateOf(due))}`,
    text: `The deletion of ${organisationName} from Steward has been asked for and approved. Everything it keeps in Steward (cases, files, registers, the audit trail, everyone's accounts) will be destroyed on ${formatDate(londonDateOf(due))}, and cannot be brought back.\n\nUntil then it can be stopped: by the owner or an admin at ${url}, or by Steward's support. Download what you want to keep first, from the same page.\n`,
  };
}

/** A trust's second admin approves the deletion the owner asked for: the 7-day cooling-off starts. */
export async function approveDeletion(ctx: Context): Promise<void> {
  authorise(ctx.actor, "licence:view");
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const licence = await lockOwnLicence(trx, ctx);
    if (licence.deletionAskedAt === null || licence.deletionApprovedAt !== null) {
      throw badRequest("There is no deletion waiting for approval.");
    }
    if (licence.deletionAskedBy === ctx.actor.userId) {
      throw badRequest("A second person must approve the deletion: someone other than the person who asked for it.");
    }
    // An admin added after the deletion was asked for could be the asker's own second account.
    const approvers = await possibleApprovers(trx, licence.orgId, licence.deletionAskedBy ?? "", licence.deletionAskedAt);
    if (!approvers.includes(ctx.actor.userId)) {
      throw badRequest("Only an admin who was already an admin when the deletion was asked for can approve it.");
    }
    await trx.updateTable("licences").set({ ...startCoolingOff(licence.state, now, ctx.actor.userId), changedAt: now }).where("orgId", "=", licence.orgId).execute();
    await recordAudit(trx, licenceAudit(ctx, licence.orgId, "licence.deletion-approve"));
    await recordOperatorEvent(trx, { operatorId: null, action: "licence.deletion-approved", licenceId: licence.orgId, at: now });
    for (const person of await licencePeople(trx, ctx.services, licence.orgId, ["owner", "admin"])) {
      await queueEmail(trx, ctx.services, licence.orgId, deletionPendingEmail(person.email, ctx.actor.organisation.name, now, `${ctx.services.config.publicUrl}/licence`));
    }
  });
}

/** The owner or an admin stops a deletion, before its cooling-off ends. */
export async function cancelDeletion(ctx: Context): Promise<void> {
  authorise(ctx.actor, "licence:view");
  await inActorScope(ctx, async (trx) => {
    const licence = await lockOwnLicence(trx, ctx);
    if (licence.deletionAskedAt === null || (licence.state !== "deletion-pending" && licence.deletionApprovedAt !== null)) {
      throw badRequest("There is no deletion to stop.");
    }
    await trx.updateTable("licences").set({ ...deletionStopped(licence), changedAt: ctx.services.clock.now() }).where("orgId", "=", licence.orgId).execute();
    await recordAudit(trx, licenceAudit(ctx, licence.orgId, "licence.deletion-cancel"));
    await recordOperatorEvent(trx, { operatorId: null, action: "licence.deletion-stopped", licenceId: licence.orgId, at: ctx.services.clock.now() });
    for (const person of await licencePeople(trx, ctx.services, licence.orgId, ["owner", "admin"])) {
      await queueEmail(trx, ctx.services, licence.orgId, {
        to: person.email,
        subject: `The deletion of ${ctx.actor.organisation.name} from Steward has been stopped`,
        text: `The deletion of ${ctx.actor.organisation.name} and its data from Steward has been stopped. Nothing was deleted, and everything carries on as before.\n`,
      });
    }
  });
}

/** A licence with no deletion asked for. */
const NO_DELETION = { stateBeforeDeletion: null, deletionAskedAt: null, deletionAskedBy: null, deletionApprovedAt: null, deletionApprovedBy: null, deletionDueAt: null } as const;

/** The licence as it was before its deletion was asked for. */
export function deletionStopped(licence: { state: LicenceState; stateBeforeDeletion: LicenceState | null }) {
  return { state: licence.state === "deletion-pending" ? (licence.stateBeforeDeletion ?? "active") : licence.state, ...NO_DELETION };
}

/**
 * An admin asks to take over a licence whose owner has gone (left without handing it over). The
 * operator checks with the organisation (by telephone, at its own number) and decides; the owner,
 * if still there, is told at once and can object.
 */
export async function askForOwnership(ctx: Context, input: { reason: string }): Promise<void> {
  authorise(ctx.actor, "licence:view");
  const reason = input.reason.trim();
  if (ctx.actor.role !== "admin") {
    throw badRequest("Only an admin can ask to take over the licence; an owner hands it on from the users page.");
  }
  if (reason.length < 10 || reason.length > 2000) {
    throw new LicenceFormError({ reason: reason.length < 10 ? "Say what happened to the owner, so Steward's support can check" : "Keep it under 2,000 characters" });
  }
  const now = ctx.services.clock.now();
  await inActorScope(ctx, async (trx) => {
    const licence = await lockOwnLicence(trx, ctx);
    const waiting = await trx.selectFrom("ownershipRequests").select("id").where("orgId", "=", licence.orgId).where("state", "=", "waiting").executeTakeFirst();
    if (waiting) {
      throw badRequest("A request to take over this licence is already waiting for Steward's support.");
    }
    const id = randomUUID();
    await trx
      .insertInto("ownershipRequests")
      .values({
        orgId: licence.orgId,
        id,
        askedBy: ctx.actor.userId,
        askedAt: now,
        reason: await sealFor(trx, ctx.services.keyring, { organisationId: licence.orgId, table: "ownershipRequests", column: "reason", rowId: id }, reason),
        decidedAt: null,
      })
      .execute();
    await recordAudit(trx, { ...licenceAudit(ctx, licence.orgId, "ownership.request"), recordType: "user", recordId: ctx.actor.userId });
    for (const owner of await licencePeople(trx, ctx.services, licence.orgId, ["owner"])) {
      await queueEmail(trx, ctx.services, licence.orgId, {
        to: owner.email,
        subject: `Someone has asked to take over ${ctx.actor.organisation.name}'s Steward licence`,
        text: `${ctx.actor.fullName}, an admin of ${ctx.actor.organisation.name}, has asked Steward's support to make them the licence's owner, saying its owner has gone.\n\nIf you are still the owner and did not agree to this, contact Steward's support now. If you are leaving, you can hand the licence over yourself from ${ctx.services.config.publicUrl}/users.\n`,
      });
    }
  });
}

/** The admins (and owner) of the licence's own organisation, other than `asker`, whose accounts existed before `before`. */
async function possibleApprovers(trx: Tx, licenceId: string, asker: string, before: Date): Promise<string[]> {
  const rows = await trx
    .selectFrom("users")
    .select("id")
    .where("orgId", "=", licenceId)
    .where("role", "in", ["owner", "admin"])
    .where("deactivatedAt", "is", null)
    .where("id", "!=", asker)
    .where("createdAt", "<=", before)
    .execute();
  return rows.map((row) => row.id);
}

/** The active people of the licence's own organisation with these roles, with their email addresses (opened). */
async function licencePeople(trx: Tx, services: Pick<Services, "keyring">, licenceId: string, roles: Role[]): Promise<{ userId: string; email: string; role: Role }[]> {
  const rows = await trx
    .selectFrom("users")
    .select(["id", "email", "role"])
    .where("orgId", "=", licenceId)
    .where("role", "in", roles)
    .where("deactivatedAt", "is", null)
    .orderBy("id")
    .execute();
  return Promise.all(rows.map(async (row) => ({ userId: row.id, role: row.role, email: (await openPersonalFields(trx, services.keyring, licenceId, row.id, { email: row.email })).email })));
}

/** Whether the organisation's licence is in its term (a school in a trust: the trust's). Reminders stop once it is not. */
export async function licenceIsActive(trx: Tx, organisationId: string): Promise<boolean> {
  const { rows } = await sql<{ active: boolean }>`select steward_licence_is_active(${organisationId}) as active`.execute(trx);
  return rows[0]?.active !== false;
}

// ----- The licence job -----

/** Runs every licence with something due. Returns how many steps it took. */
export async function advanceLicences(services: LicenceServices): Promise<number> {
  const now = services.clock.now();
  const { rows } = await inScope(services.database.db, {}, (trx) => sql<{ orgId: string }>`select org_id from steward_licences_due(${londonDateOf(now)}, ${now})`.execute(trx));
  let steps = 0;
  for (const { orgId } of rows) {
    try {
      steps += (await advanceLicence(services, orgId)).length;
    } catch (error) {
      // One licence's trouble must not hold up the others; it is tried again next time.
      services.logger.error({ err: error, licenceId: orgId }, "a licence step failed");
    }
  }
  return steps;
}

/**
 * Takes one licence as far as it goes today: decisions to carry out, notices to send, a warning,
 * an expiry, a reinstatement, the start of its destruction, and the destruction itself. Returns
 * what it did (for tests and the operator).
 */
export async function advanceLicence(services: LicenceServices, licenceId: string): Promise<string[]> {
  const done: string[] = [];
  for (let step = 0; step < 6; step += 1) {
    const did = await inScope(services.database.db, { organisationIds: [licenceId] }, (trx) => nextStep(trx, services, licenceId));
    if (!did) break;
    done.push(did);
  }
  if (await readyToShred(services, licenceId)) {
    const shred = await shredLicence(services, licenceId);
    if (shred) done.push("ended");
  } else if (await removeFilesOfEndedLicence(services, licenceId)) {
    // A destruction whose files were not all removed (a crash after its rows went): finished now.
    done.push("files-removed");
  }
  return done;
}

/** One step of the licence, in one transaction in its own scope; undefined when nothing is due. */
async function nextStep(trx: Tx, services: LicenceServices, licenceId: string): Promise<string | undefined> {
  const licence = await trx.selectFrom("licences").selectAll().where("orgId", "=", licenceId).forUpdate().skipLocked().executeTakeFirst();
  if (!licence || licence.state === "ending" || licence.state === "ended") {
    return undefined;
  }
  const schools = await trx.selectFrom("organisations").select(["id"]).where("parentId", "=", licenceId).execute();
  await changeScope(trx, { organisationIds: [licenceId, ...schools.map((school) => school.id)] });
  const now = services.clock.now();
  const today = londonDateOf(now);
  const name = licence.organisationName;
  const url = `${services.config.publicUrl}/licence`;
  const tell = async (subject: string, text: string, roles: Role[] = ["owner"]) => {
    for (const person of await licencePeople(trx, services, licenceId, roles)) {
      await queueEmail(trx, services, licenceId, { to: person.email, subject, text });
    }
  };
  const audit = (action: AuditAction) => recordAudit(trx, { organisationId: licenceId, actorUserId: null, action, recordType: "organisation", recordId: licenceId, at: now });
  const operatorEvent = (action: string, detail: Record<string, unknown> = {}) =>
    recordOperatorEvent(trx, { operatorId: null, action, licenceId, detail, at: now });
  const update = (changes: Updateable<Database["licences"]>) => trx.updateTable("licences").set({ ...changes, changedAt: now }).where("orgId", "=", licenceId).execute();

  // The operator's decision on a request to take the licence over.
  const decided = await trx
    .selectFrom("ownershipRequests")
    .select(["id", "askedBy", "state", "reason"])
    .where("orgId", "=", licenceId)
    .where("state", "in", ["approved", "refused"])
    .where("appliedAt", "is", null)
    .executeTakeFirst();
  if (decided) {
    const asker = await trx.selectFrom("users").select(["id", "email", "role", "deactivatedAt"]).where("orgId", "=", licenceId).where("id", "=", decided.askedBy).executeTakeFirst();
    const approved = decided.state === "approved" && asker !== undefined && asker.deactivatedAt === null && asker.role === "admin";
    if (approved) {
      // One owner per organisation (a unique index): the old owner steps down to admin first.
      await trx.updateTable("users").set({ role: "admin", updatedAt: now }).where("orgId", "=", licenceId).where("role", "=", "owner").execute();
      await trx.updateTable("users").set({ role: "owner", updatedAt: now }).where("orgId", "=", licenceId).where("id", "=", decided.askedBy).execute();
      await recordAudit(trx, { organisationId: licenceId, actorUserId: null, action: "ownership.transfer", recordType: "user", recordId: decided.askedBy, at: now });
    }
    await recordAudit(trx, { organisationId: licenceId, actorUserId: null, action: "ownership.request-decided", recordType: "user", recordId: decided.askedBy, at: now });
    await trx.updateTable("ownershipRequests").set({ appliedAt: now, ...(approved || decided.state === "refused" ? {} : { state: "refused" as const }) }).where("orgId", "=", licenceId).where("id", "=", decided.id).execute();
    if (asker && asker.deactivatedAt === null) {
      const email = (await openPersonalFields(trx, services.keyring, licenceId, asker.id, { email: asker.email })).email;
      await queueEmail(trx, services, licenceId, approved
        ? { to: email, subject: `You are now the owner of ${name}'s Steward licence`, text: `Steward's support has checked your request: you are now the owner of ${name}'s Steward licence. The previous owner, if their account is still open, is now an admin; deactivate it from ${services.config.publicUrl}/users if they have left.\n` }
        : { to: email, subject: `Your request to take over ${name}'s Steward licence`, text: `Steward's support could not approve your request to become the owner of ${name}'s Steward licence. Contact support if you think this is wrong.\n` });
    }
    return approved ? "ownership-transferred" : "ownership-refused";
  }

  // What an operator changed, still to be told.
  if (licence.noticesDue.length > 0) {
    for (const notice of new Set(licence.noticesDue)) {
      if (notice === "term-changed" && !hasExpired(licence.termEndsOn, today)) {
        await tell(`Your Steward licence for ${name} now runs to ${formatDate(licence.termEndsOn)}`, `Steward's support has set the term of ${name}'s licence: from ${formatDate(licence.termStartsOn)} to ${formatDate(licence.termEndsOn)}.\n\nSee it at ${url}\n`);
        await audit("licence.term-change");
      } else if (notice === "deletion-cancelled") {
        await tell(`The deletion of ${name} from Steward has been stopped`, `Steward's support has stopped the deletion of ${name} and its data. Nothing was deleted, and everything carries on as before.\n`, ["owner", "admin"]);
        await audit("licence.deletion-cancel");
      }
    }
    await update({ noticesDue: [] });
    return "notices-sent";
  }

  if (licence.state === "active") {
    if (hasExpired(licence.termEndsOn, today)) {
      // Nobody but the owner signs in now: everyone else's sessions end at their next request, which is told why (sessions.ts).
      await update({ state: "dormant", dormantSince: now });
      await audit("licence.expired");
      await operatorEvent("licence.expired", { termEndsOn: licence.termEndsOn });
      await tell(
        `Your Steward licence for ${name} has expired`,
        [
          `The Steward licence for ${name} ended on ${formatDate(licence.termEndsOn)}.`,
          "",
          "From today only the owner can sign in: to renew the licence, or to download everything your organisation keeps in Steward. Nobody else can sign in, and Steward sends no reminders. Nothing has been deleted.",
          "Requests still open keep their legal deadlines: renew to carry on answering them in Steward, or answer them another way.",
          "",
          `Renew at ${url} and everything comes back as it was (except redacted copies of cases closed more than 30 days ago, which are always deleted then).`,
          `If it is not renewed by ${formatDate(destroyedOn(now))}, everything is destroyed for good, as our privacy notice says.`,
          "If the owner has left, contact Steward's support.",
        ].join("\n"),
        ["owner", "admin"],
      );
      return "expired";
    }
    const warning = expiryWarningDue(licence.termEndsOn, today, licence.warningsSent);
    if (warning) {
      await update({ warningsSent: [...new Set([...licence.warningsSent, ...warning.covers])] });
      const words = expiryWarningText({ organisationName: name, termEndsOn: licence.termEndsOn, days: warning.days, licenceUrl: url });
      // The admins too: if the owner has gone, one of them can ask to take the licence over before it lapses.
      await tell(words.subject, words.text, ["owner", "admin"]);
      await audit("licence.expiry-warning");
      return `warned-${warning.days}`;
    }
    return undefined;
  }

  if (licence.state === "dormant") {
    if (!hasExpired(licence.termEndsOn, today)) {
      await update({ state: "active", dormantSince: null, reinstatedAt: now, warningsSent: [] });
      await audit("licence.reinstated");
      await operatorEvent("licence.reinstated", { termEndsOn: licence.termEndsOn });
      await tell(
        `Your Steward licence for ${name} is active again`,
        [
          `The Steward licence for ${name} is active again, to ${formatDate(licence.termEndsOn)}. Everyone can sign in again, and reminders start again.`,
          "",
          "Everything is as it was, except what Steward always deletes: the redacted copies and working files of disclosures for cases closed more than 30 days ago (the case records themselves are all there).",
        ].join("\n"),
        ["owner", "admin"],
      );
      return "reinstated";
    }
    if (licence.dormantSince && isDormantLongEnough(licence.dormantSince, now)) {
      await beginEnding(trx, licence.orgId, now, tell, audit, operatorEvent, "dormant-12-months");
      return "ending";
    }
    // A last warning a month before the data goes (kept among the sent warnings as -30, apart from the expiry's).
    const destroyDay = licence.dormantSince ? destroyedOn(licence.dormantSince) : undefined;
    if (destroyDay && daysBetween(today, destroyDay) <= LAST_WARNING_DAYS && !licence.warningsSent.includes(-LAST_WARNING_DAYS)) {
      await update({ warningsSent: [...licence.warningsSent, -LAST_WARNING_DAYS] });
      await tell(
        `${name}'s data in Steward will be destroyed on ${formatDate(destroyDay)}`,
        `The Steward licence for ${name} expired on ${formatDate(licence.termEndsOn)} and has not been renewed. On ${formatDate(destroyDay)}, twelve months on, everything ${name} keeps in Steward will be destroyed for good, as our privacy notice says.\n\nTo keep it, the owner can renew at ${url}, or download everything from the same page first. If the owner has left, contact Steward's support.\n`,
        ["owner", "admin"],
      );
      await audit("licence.expiry-warning");
      return "warned-destruction";
    }
    return undefined;
  }

  if (licence.state === "deletion-pending" && licence.deletionDueAt && licence.deletionDueAt <= now) {
    await beginEnding(trx, licence.orgId, now, tell, audit, operatorEvent, "deleted-on-request");
    return "ending";
  }
  return undefined;
}

async function beginEnding(
  trx: Tx,
  licenceId: string,
  now: Date,
  tell: (subject: string, text: string, roles?: Role[]) => Promise<void>,
  audit: (action: AuditAction) => Promise<void>,
  operatorEvent: (action: string, detail?: Record<string, unknown>) => Promise<unknown>,
  why: "dormant-12-months" | "deleted-on-request",
): Promise<void> {
  await trx.updateTable("licences").set({ state: "ending", changedAt: now }).where("orgId", "=", licenceId).execute();
  // Nobody signs in from now: the data is about to go.
  await trx.deleteFrom("sessions").where("orgId", "in", trx.selectFrom("organisations").select("id").where((eb) => eb.or([eb("id", "=", licenceId), eb("parentId", "=", licenceId)]))).execute();
  await audit("licence.ending");
  await operatorEvent("licence.ending", { why });
  await tell(
    "Your organisation's data is being destroyed in Steward",
    why === "deleted-on-request"
      ? "As was asked for, and after the 7 days' cooling-off, everything your organisation kept in Steward is now being destroyed: its encryption key first, then every record and file. Backups Steward made can no longer be read, and are gone within 30 days.\n"
      : "Your Steward licence has been dormant for 12 months, so, as our privacy notice says, everything your organisation kept in Steward is now being destroyed: its encryption key first, then every record and file. Backups Steward made can no longer be read, and are gone within 30 days. A new licence would start empty.\n",
    ["owner", "admin"],
  );
}

/** Days before a dormant licence's data is destroyed that its owner is told once more. */
const LAST_WARNING_DAYS = 30;

/** The last email is given an hour to go out before the data (the outbox with it) is destroyed. */
const LAST_EMAIL_WAIT_MS = 60 * 60_000;

async function readyToShred(services: LicenceServices, licenceId: string): Promise<boolean> {
  const now = services.clock.now();
  return inScope(services.database.db, { organisationIds: [licenceId] }, async (trx) => {
    const licence = await trx.selectFrom("licences").select(["state", "changedAt"]).where("orgId", "=", licenceId).executeTakeFirst();
    if (licence?.state !== "ending") return false;
    if (now.getTime() - licence.changedAt.getTime() >= LAST_EMAIL_WAIT_MS) return true;
    const pending = await trx.selectFrom("outbox").select("id").where("orgId", "=", licenceId).where("status", "=", "pending").executeTakeFirst();
    return pending === undefined;
  });
}
