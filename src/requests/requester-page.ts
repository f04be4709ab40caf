import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit.ts";
import { formatDate, londonDateOf } from "../calendar/dates.ts";
import type { CaseType, ClockStop } from "../calendar/deadlines.ts";
import { deadlineOf, storeDeadline } from "../cases/case-deadlines.ts";
import { checkUpload, storeAttachment, withStoredFile } from "../cases/attachments.ts";
import { CaseFormError, recordCaseEvent } from "../cases/cases.ts";
import { caseRecipients } from "../cases/recipients.ts";
import { WORKFLOWS } from "../cases/workflows.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFileFor, openFor, sealFor } from "../platform/encryption/keyring.ts";
import { notFound } from "../platform/errors.ts";
import type { Services } from "../platform/services.ts";
import type { PublicContext } from "./public-forms.ts";
import { inPublicScope } from "./public-scope.ts";

/*
 * The requester's own page: one case, opened by a requester session (requester-access.ts). It
 * shows what they asked, when it is due and why, the letters sent, the messages both ways, the
 * files they sent, and the response to download while it is available. Everything it opens is
 * that one case's: the session names the case, and every query is bound to it.
 */

/** The requester's session, as requester-access.ts resolved it. */
export interface RequesterSession {
  sessionId: string;
  caseId: string;
}

/** Why the clock waits, as the requester reads it. */
const WAITING_FOR: Record<ClockStop["reason"], string> = {
  identity: "your proof of identity",
  clarification: "more information from you about what you are asking for",
  fee: "the fee",
};

export interface RequesterView {
  reference: string;
  typeName: string;
  organisationName: string;
  receivedOn: string;
  /** What they asked, in their own words, when they made the request on the public page; null for a request logged by staff (the staff's summary is internal). */
  asked: string | null;
  closed: boolean;
  /** What the requester sent, in their words: a request, a complaint, or a report (of a breach). */
  noun: "request" | "complaint" | "report";
  /** The day the school's response went (a complaint's: its acknowledgement). */
  respondedOn: string | null;
  /** The law lets the school ask this kind of request for proof of identity (a subject access request, say; never FOI). */
  identityMayBeAsked: boolean;
  /** The due date, or null while the clock waits (and then `waiting` says why). */
  dueOn: string | null;
  dueRule: string;
  waiting: { since: string; forWhat: string; reason: ClockStop["reason"] } | null;
  letters: { id: string; sentOn: string; subject: string; body: string; method: "email" | "post" }[];
  messages: { id: string; fromRequester: boolean; sentAt: Date; body: string; files: string[] }[];
  identityFiles: { filename: string; uploadedAt: Date }[];
  releases: { id: string; releasedAt: Date; expiresAt: Date; expired: boolean; sizeBytes: number }[];
}

export const messagePlace = (organisationId: string, id: string) => ({ organisationId, table: "caseMessages" as const, column: "body", rowId: id });
export const letterPlace = (organisationId: string, id: string, column: "subject" | "body" | "postalAddress") => ({ organisationId, table: "caseLetters" as const, column, rowId: id });
const attachmentFilename = (organisationId: string, id: string) => ({ organisationId, table: "caseAttachments" as const, column: "filename", rowId: id });
export const releasePlace = (organisationId: string, id: string) => ({ organisationId, table: "caseReleases" as const, column: "content", rowId: id });

async function sessionCase(trx: Tx, ctx: PublicContext, session: RequesterSession) {
  const row = await trx.selectFrom("cases").selectAll().where("orgId", "=", ctx.organisation.id).where("id", "=", session.caseId).executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return row;
}

/** The requester's page of their case. Each view is audited (the requester is reading personal data). */
export async function requesterView(ctx: PublicContext, session: RequesterSession): Promise<RequesterView> {
  return inPublicScope(ctx, async (trx) => {
    const row = await sessionCase(trx, ctx, session);
    const orgId = row.orgId;
    const { deadline, stops } = await deadlineOf(trx, row);
    const open = stops.find((stop) => stop.to === null);
    const letterRows = await trx.selectFrom("caseLetters").select(["id", "sentOn", "subject", "body", "method"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").execute();
    const letters = [];
    for (const letter of letterRows) {
      letters.push({
        id: letter.id,
        sentOn: letter.sentOn,
        method: letter.method,
        subject: await openFor(trx, ctx.services.keyring, letterPlace(orgId, letter.id, "subject"), letter.subject),
        body: await openFor(trx, ctx.services.keyring, letterPlace(orgId, letter.id, "body"), letter.body),
      });
    }
    const messageRows = await trx.selectFrom("caseMessages").select(["id", "fromRequester", "sentAt", "body"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").execute();
    const files = await trx
      .selectFrom("caseAttachments")
      .select(["id", "filename", "purpose", "messageId", "uploadedAt"])
      .where("orgId", "=", orgId)
      .where("caseId", "=", row.id)
      .where("fromRequester", "=", true)
      .where("removedAt", "is", null)
      .orderBy("uploadedAt")
      .execute();
    const openedFiles = [];
    for (const file of files) {
      openedFiles.push({ ...file, filename: await openFor(trx, ctx.services.keyring, attachmentFilename(orgId, file.id), file.filename) });
    }
    const messages = [];
    for (const message of messageRows) {
      messages.push({
        id: message.id,
        fromRequester: message.fromRequester,
        sentAt: message.sentAt,
        body: await openFor(trx, ctx.services.keyring, messagePlace(orgId, message.id), message.body),
        files: openedFiles.filter((file) => file.messageId === message.id).map((file) => file.filename),
      });
    }
    const now = ctx.services.clock.now();
    const releaseRows = await trx.selectFrom("caseReleases").select(["id", "releasedAt", "expiresAt", "sizeBytes"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("releasedAt", "desc").execute();
    await recordAudit(trx, { organisationId: orgId, actorUserId: null, action: "requester.view", recordType: "case", recordId: row.id, meta: ctx.request, at: now });
    return {
      reference: row.reference,
      typeName: WORKFLOWS[row.type as CaseType].name,
      organisationName: ctx.organisation.name,
      receivedOn: row.receivedOn,
      asked: await askedOf(trx, ctx.services, orgId, row.id),
      closed: row.closedAt !== null,
      noun: nounOf(row.type),
      respondedOn: row.responseSentOn,
      identityMayBeAsked: WORKFLOWS[row.type as CaseType].stopReasons.includes("identity"),
      // A breach's 72 hours are the school's own deadline, not a promise to whoever reported it.
      dueOn: row.type === "breach" ? null : deadline.due,
      dueRule: deadline.rule,
      waiting: open ? { since: open.from, forWhat: WAITING_FOR[open.reason], reason: open.reason } : null,
      letters,
      messages,
      identityFiles: openedFiles.filter((file) => file.purpose === "identity").map((file) => ({ filename: file.filename, uploadedAt: file.uploadedAt })),
      releases: releaseRows.map((release) => ({ ...release, sizeBytes: Number(release.sizeBytes), expired: release.expiresAt.getTime() <= now.getTime() })),
    };
  });
}

/** What the requester sent, in the page's words. */
export function nounOf(type: string): "request" | "complaint" | "report" {
  return type === "breach" ? "report" : type === "complaint" ? "complaint" : "request";
}

/** What the requester asked in their own words, if they made the request on the public page. */
export async function askedOf(trx: Tx, services: Pick<Services, "keyring">, organisationId: string, caseId: string): Promise<string | null> {
  const row = await trx.selectFrom("caseRequesters").select(["asked"]).where("orgId", "=", organisationId).where("caseId", "=", caseId).executeTakeFirst();
  return row?.asked ? openFor(trx, services.keyring, { organisationId, table: "caseRequesters", column: "asked", rowId: caseId }, row.asked) : null;
}

/** What one requester may send on one case in a day, and in all: a public page must not be a way to fill a school's storage or inbox. */
export const REQUESTER_MESSAGES_A_DAY = 20;
export const REQUESTER_FILES_A_DAY = 10;
export const REQUESTER_BYTES_A_CASE = 50 * 1024 * 1024;

async function checkRequesterLimits(trx: Tx, services: Services, row: { orgId: string; id: string }, adding: { message?: boolean; fileBytes?: number }): Promise<void> {
  const since = new Date(services.clock.now().getTime() - 86_400_000);
  if (adding.message) {
    const sent = await trx.selectFrom("caseMessages").select((eb) => eb.fn.countAll<string>().as("n")).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("fromRequester", "=", true).where("sentAt", ">", since).executeTakeFirstOrThrow();
    if (Number(sent.n) >= REQUESTER_MESSAGES_A_DAY) {
      throw new CaseFormError({ body: `You have sent ${REQUESTER_MESSAGES_A_DAY} messages today, which is as many as this page takes in a day. The school has them all; send more tomorrow.` });
    }
  }
  if (adding.fileBytes !== undefined) {
    const files = await trx
      .selectFrom("caseAttachments")
      .select((eb) => [eb.fn.countAll<string>().as("n"), eb.fn.sum<string>("sizeBytes").as("bytes")])
      .where("orgId", "=", row.orgId)
      .where("caseId", "=", row.id)
      .where("fromRequester", "=", true)
      .executeTakeFirstOrThrow();
    const today = await trx.selectFrom("caseAttachments").select((eb) => eb.fn.countAll<string>().as("n")).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("fromRequester", "=", true).where("uploadedAt", ">", since).executeTakeFirstOrThrow();
    if (Number(today.n) >= REQUESTER_FILES_A_DAY) {
      throw new CaseFormError({ file: `You have sent ${REQUESTER_FILES_A_DAY} files today, which is as many as this page takes in a day. Send more tomorrow.` });
    }
    if (Number(files.bytes ?? 0) + adding.fileBytes > REQUESTER_BYTES_A_CASE) {
      throw new CaseFormError({ file: "This request has as many files from you as it can hold. If you need to send more, ask the school how in a message." });
    }
  }
}

/** A file refused for want of room, said to the requester (the staff's wording tells them to remove files). */
async function forRequester<T>(storing: Promise<T>): Promise<T> {
  try {
    return await storing;
  } catch (error) {
    if (error instanceof CaseFormError && error.errors["file"]) {
      throw new CaseFormError({ file: "The school cannot take files through this page just now. Send your message without the file, or contact the school to ask how to send it." });
    }
    throw error;
  }
}

/**
 * Tells the school's usual people that the requester did something, by reference only; at most
 * once in each hour of the clock, a case (a requester sending ten messages sends the school one email).
 */
async function tellSchool(trx: Tx, services: Services, row: { orgId: string; id: string; reference: string; assigneeId: string | null }, what: string): Promise<void> {
  // Kept as a reminder is, once per case per hour: a second process or request in the hour finds the key taken.
  const hour = services.clock.now().toISOString().slice(0, 13);
  const first = await trx
    .insertInto("caseReminders")
    .values({ orgId: row.orgId, caseId: row.id, kind: "requester-news", dueKey: hour, sentAt: services.clock.now() })
    .onConflict((oc) => oc.doNothing())
    .returning("caseId")
    .executeTakeFirst();
  if (!first) {
    return;
  }
  const recipients = await caseRecipients(trx, services.keyring, row.orgId, row.assigneeId, [row.orgId]);
  for (const recipient of recipients) {
    await queueEmail(trx, services, row.orgId, {
      to: recipient.email,
      subject: `${row.reference}: ${what}`,
      text: `${what} on ${row.reference}.\n\nOpen it in Steward: ${services.config.publicUrl}/cases/${row.id}/correspondence\n`,
    });
  }
}

export const MESSAGE_MAX = 5000;

/**
 * A message from the requester, with a file if they add one (checked as every attachment is).
 * While the clock waits for clarification, their message is taken as the answer: the clock runs
 * again from today, and the timeline says so (the DPO can stop it again if it did not clarify).
 */
export async function sendRequesterMessage(ctx: PublicContext, session: RequesterSession, input: { body: string; file?: { filename: string; bytes: Buffer; tooLarge?: true } | undefined }): Promise<{ clockRestarted: boolean }> {
  const body = input.body.trim();
  if (!body) {
    throw new CaseFormError({ body: "Enter your message" });
  }
  if (body.length > MESSAGE_MAX) {
    throw new CaseFormError({ body: `Your message must be ${MESSAGE_MAX} characters or fewer` });
  }
  const checked = input.file ? await checkUpload(input.file) : undefined;
  return withStoredFile(ctx.services, async (trx, keep) => {
    const row = await sessionCase(trx, ctx, session);
    await checkRequesterLimits(trx, ctx.services, row, { message: true, ...(checked ? { fileBytes: checked.bytes.length } : {}) });
    const now = ctx.services.clock.now();
    const id = randomUUID();
    await trx
      .insertInto("caseMessages")
      .values({ orgId: row.orgId, id, caseId: row.id, fromRequester: true, authorUserId: null, body: await sealFor(trx, ctx.services.keyring, messagePlace(row.orgId, id), body), sentAt: now, answeredAt: null })
      .execute();
    if (checked) {
      await forRequester(storeAttachment(trx, ctx.services, { organisationId: row.orgId, caseId: row.id, uploadedBy: null, purpose: "message", messageId: id }, checked, keep));
    }
    await recordCaseEvent(trx, ctx.services, { organisationId: row.orgId, caseId: row.id, actorUserId: null, kind: "requester-message", detail: checked ? "Sent a message, with a file" : "Sent a message" });
    const restarted = row.closedAt ? false : await restartWaitingClock(trx, ctx.services, row, "clarification", "The requester replied while the school waited for clarification: the clock runs again from today. If the reply does not give what was asked for, put the pause back from Letters and messages.");
    await recordAudit(trx, { organisationId: row.orgId, actorUserId: null, action: "requester.message", recordType: "case", recordId: row.id, meta: ctx.request, at: now });
    await tellSchool(trx, ctx.services, row, "The requester sent a message");
    return { clockRestarted: restarted };
  }, [ctx.organisation.id]);
}

/** Ends the clock's wait for `reason`, today, if it is waiting for that; says so on the timeline. */
async function restartWaitingClock(trx: Tx, services: Services, row: { orgId: string; id: string; type: string; receivedAt: Date; receivedOn: string; extended: boolean; extendedTo: string | null }, reason: ClockStop["reason"], detail: string): Promise<boolean> {
  const open = await trx.selectFrom("caseStops").select(["id", "fromOn"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("toOn", "is", null).where("reason", "=", reason).executeTakeFirst();
  if (!open) {
    return false;
  }
  const today = londonDateOf(services.clock.now());
  await trx.updateTable("caseStops").set({ toOn: today < open.fromOn ? open.fromOn : today, endedByRequester: true }).where("orgId", "=", row.orgId).where("id", "=", open.id).execute();
  const { deadline } = await deadlineOf(trx, row);
  await storeDeadline(trx, row.orgId, row.id, deadline, services.clock.now());
  await recordCaseEvent(trx, services, { organisationId: row.orgId, caseId: row.id, actorUserId: null, kind: "clock-restarted", detail: `${detail} Now due ${deadline.due ? formatDate(deadline.due.slice(0, 10)) : "when the clock runs again"}.` });
  return true;
}

/**
 * The requester's proof of identity (checked and sealed as every attachment is). While the clock
 * waits for identity, it runs again from today: the month runs from when the proof arrives.
 */
export async function uploadIdentity(ctx: PublicContext, session: RequesterSession, file: { filename: string; bytes: Buffer; tooLarge?: true } | undefined): Promise<{ clockRestarted: boolean }> {
  if (!file || file.bytes.length === 0) {
    throw new CaseFormError({ file: "Select a file: a photo or scan of your proof of identity" });
  }
  const checked = await checkUpload(file);
  return withStoredFile(ctx.services, async (trx, keep) => {
    const row = await sessionCase(trx, ctx, session);
    if (row.closedAt) {
      throw new CaseFormError({ file: "This request is closed, so it takes no more files. Send the school a message instead." });
    }
    if (!WORKFLOWS[row.type as CaseType].stopReasons.includes("identity")) {
      throw new CaseFormError({ file: "This kind of request does not need proof of identity." });
    }
    await checkRequesterLimits(trx, ctx.services, row, { fileBytes: checked.bytes.length });
    await forRequester(storeAttachment(trx, ctx.services, { organisationId: row.orgId, caseId: row.id, uploadedBy: null, purpose: "identity" }, checked, keep));
    await recordCaseEvent(trx, ctx.services, { organisationId: row.orgId, caseId: row.id, actorUserId: null, kind: "requester-identity", detail: "Sent proof of identity: check it before going on" });
    const restarted = await restartWaitingClock(trx, ctx.services, row, "identity", "Proof of identity arrived from the requester: the clock runs again from today. If it is not enough, stop the clock again and say what is needed.");
    await recordAudit(trx, { organisationId: row.orgId, actorUserId: null, action: "requester.upload", recordType: "case", recordId: row.id, meta: ctx.request, at: ctx.services.clock.now() });
    await tellSchool(trx, ctx.services, row, "The requester sent proof of identity");
    return { clockRestarted: restarted };
  }, [ctx.organisation.id]);
}

export class ReleaseExpired extends Error {}

/** The released response, while it is available; every download audited. */
export async function downloadRelease(ctx: PublicContext, session: RequesterSession, releaseId: string): Promise<{ filename: string; bytes: Buffer }> {
  if (!/^[0-9a-f-]{36}$/i.test(releaseId)) {
    throw notFound();
  }
  return inPublicScope(ctx, async (trx) => {
    const row = await sessionCase(trx, ctx, session);
    const release = await trx.selectFrom("caseReleases").selectAll().where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("id", "=", releaseId).executeTakeFirst();
    if (!release) {
      throw notFound();
    }
    const now = ctx.services.clock.now();
    if (release.expiresAt.getTime() <= now.getTime()) {
      throw new ReleaseExpired(`The download closed on ${formatDate(londonDateOf(release.expiresAt))}.`);
    }
    const sealed = await ctx.services.files.get({ organisationId: row.orgId, id: release.id });
    if (!sealed) {
      throw new Error(`Release ${release.id} is missing from the file store`);
    }
    const bytes = await openFileFor(trx, ctx.services.keyring, releasePlace(row.orgId, release.id), sealed);
    await recordAudit(trx, { organisationId: row.orgId, actorUserId: null, action: "requester.download", recordType: "case", recordId: row.id, meta: ctx.request, at: now });
    await recordCaseEvent(trx, ctx.services, { organisationId: row.orgId, caseId: row.id, actorUserId: null, kind: "requester-download", detail: "Downloaded the response" });
    return { filename: `${row.reference} response.pdf`, bytes };
  });
}
