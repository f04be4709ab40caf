import { dpoContactText, organisationFactsOf } from "../registers/organisation-facts.ts";
import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";
import { emailAddress } from "../accounts/accounts.schema.ts";
import { recordAudit, recordView } from "../audit/audit.ts";
import { formatDate, londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { deadlineOf } from "../cases/case-deadlines.ts";
import { auditOfCase, casePlace, CaseFormError, changeCase, findVisibleCase, peopleNames, type CaseRow } from "../cases/cases.ts";
import { STOP_REASON_NAMES, WORKFLOWS } from "../cases/workflows.ts";
import { checkTemplate, infoRegulatorFor, letterTemplate, lettersFor, renderTemplate, unfilledParts, type LetterKind, type LetterTemplate, type MergeField } from "../letters/templates.ts";
import { queueEmail } from "../notify/outbox.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFileFor, sealFor } from "../platform/encryption/keyring.ts";
import { notFound } from "../platform/errors.ts";
import { disclosureBundle } from "../redaction/disclosure/disclosure-bundle.ts";
import { textPdf, type PdfLine } from "../reports/pdf.ts";
import { sha256 } from "../cases/attachments.ts";
import { ensureRoomFor } from "../cases/storage.ts";
import { publicNameOf, replaceRequesterAddress, requesterAddress, requesterLink } from "./requester-access.ts";
import { askedOf, letterPlace, MESSAGE_MAX, messagePlace, releasePlace } from "./requester-page.ts";

/*
 * The school's side of the correspondence on a case: messages with the requester, the address
 * they are written to, letters (from the organisation's wording or Steward's, edited for the
 * case, sent by email through the outbox or downloaded to post) and the responses released to
 * the requester's page. For those who manage cases; every case found through the one visibility rule.
 */


/** Where a letter's link to the requester's page goes: put in when it is sent, so each email carries its own. */
export const LINK_PLACEHOLDER = "{{requesterPageLink}}";
const LINK_PLACEHOLDER_PATTERN = /\{\{ *requesterPageLink *\}\}/g;

/** Letters that can carry the released response. */
const RELEASING: readonly LetterKind[] = ["sar-response", "foi-response"];

export interface Correspondence {
  caseId: string;
  organisationId: string;
  reference: string;
  type: CaseType;
  typeName: string;
  requesterName: string;
  closed: boolean;
  address: string | null;
  addressConfirmed: boolean;
  messages: { id: string; fromRequester: boolean; authorName: string; sentAt: Date; body: string; files: { id: string; filename: string }[] }[];
  /** Requester messages not yet answered, and since when the oldest has waited. */
  waitingSince: Date | null;
  letters: { id: string; kind: string; kindName: string; subject: string; sentOn: string; method: "email" | "post"; senderName: string; released: boolean }[];
  releases: { id: string; releasedAt: Date; expiresAt: Date; expired: boolean; sizeBytes: number }[];
  letterKinds: { kind: LetterKind; name: string; purpose: string }[];
  publicName: string;
  /** The day the requester's reply ended a clarification pause, while the DPO may still put it back. */
  pauseEndedOn: string | null;
}

async function visibleCase(trx: Tx, ctx: Context, caseId: string): Promise<CaseRow> {
  const found = await findVisibleCase(trx, ctx, caseId);
  return trx.selectFrom("cases").selectAll().where("orgId", "=", found.orgId).where("id", "=", found.id).executeTakeFirstOrThrow();
}

/** The case's correspondence for its page. Audited as a view of the case. */
export async function correspondenceOf(ctx: Context, caseId: string): Promise<Correspondence> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const row = await visibleCase(trx, ctx, caseId);
    const orgId = row.orgId;
    const keyring = ctx.services.keyring;
    const addressRow = await trx.selectFrom("caseRequesters").select(["email", "confirmedAt"]).where("orgId", "=", orgId).where("caseId", "=", row.id).executeTakeFirst();
    const messageRows = await trx.selectFrom("caseMessages").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").execute();
    const letterRows = await trx.selectFrom("caseLetters").selectAll().where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("sentAt").execute();
    const fileRows = await trx.selectFrom("caseAttachments").select(["id", "filename", "messageId"]).where("orgId", "=", orgId).where("caseId", "=", row.id).where("messageId", "is not", null).where("removedAt", "is", null).execute();
    const names = await peopleNames(trx, ctx, [...messageRows.map((message) => message.authorUserId), ...letterRows.map((letter) => letter.sentBy)]);
    const files = [];
    for (const file of fileRows) {
      files.push({ id: file.id, messageId: file.messageId, filename: await openFor(trx, keyring, { organisationId: orgId, table: "caseAttachments", column: "filename", rowId: file.id }, file.filename) });
    }
    const messages = [];
    for (const message of messageRows) {
      messages.push({
        id: message.id,
        fromRequester: message.fromRequester,
        authorName: message.authorUserId ? (names.get(message.authorUserId) ?? "Someone at the trust") : "The requester",
        sentAt: message.sentAt,
        body: await openFor(trx, keyring, messagePlace(orgId, message.id), message.body),
        files: files.filter((file) => file.messageId === message.id).map((file) => ({ id: file.id, filename: file.filename })),
      });
    }
    const letters = [];
    for (const letter of letterRows) {
      letters.push({
        id: letter.id,
        kind: letter.kind,
        kindName: kindName(letter.kind),
        subject: await openFor(trx, keyring, letterPlace(orgId, letter.id, "subject"), letter.subject),
        sentOn: letter.sentOn,
        method: letter.method,
        senderName: names.get(letter.sentBy) ?? "Someone at the trust",
        released: letter.releaseId !== null,
      });
    }
    const now = ctx.services.clock.now();
    const releases = await trx.selectFrom("caseReleases").select(["id", "releasedAt", "expiresAt", "sizeBytes"]).where("orgId", "=", orgId).where("caseId", "=", row.id).orderBy("releasedAt", "desc").execute();
    const waiting = messageRows.filter((message) => message.fromRequester && !message.answeredAt);
    await recordView(trx, { ...auditOfCase(ctx, orgId, "case.view", row.id), recordId: row.id });
    return {
      caseId: row.id,
      organisationId: orgId,
      reference: row.reference,
      type: row.type as CaseType,
      typeName: WORKFLOWS[row.type as CaseType].name,
      requesterName: await openFor(trx, keyring, casePlace(orgId, row.id, "requesterName"), row.requesterName),
      closed: row.closedAt !== null,
      address: addressRow ? await openFor(trx, keyring, { organisationId: orgId, table: "caseRequesters", column: "email", rowId: row.id }, addressRow.email) : null,
      addressConfirmed: !!addressRow?.confirmedAt,
      messages,
      waitingSince: waiting[0]?.sentAt ?? null,
      letters,
      releases: releases.map((release) => ({ ...release, sizeBytes: Number(release.sizeBytes), expired: release.expiresAt.getTime() <= now.getTime() })),
      letterKinds: lettersFor(row.type as CaseType).map((template) => ({ kind: template.kind, name: template.name, purpose: template.purpose })),
      publicName: await publicNameOf(trx, orgId),
      pauseEndedOn: row.closedAt ? null : ((await pauseEndedByReply(trx, row))?.toOn ?? null),
    };
  });
}

function kindName(kind: string): string {
  try {
    return letterTemplate(kind as LetterKind).name;
  } catch {
    return kind;
  }
}

/** The address the requester is written to, for a case logged by staff (or corrected). */
export async function changeRequesterAddress(ctx: Context, caseId: string, email: string): Promise<void> {
  const checked = emailAddress.safeParse(email);
  if (!checked.success) {
    throw new CaseFormError({ email: checked.error.issues[0]?.message ?? "Enter an email address in the correct format, like name@example.com" });
  }
  const address = checked.data;
  await changeCase(ctx, caseId, "case.correct", async (trx, row) => {
    const current = await requesterAddress(trx, ctx.services, row.orgId, row.id);
    if (current?.toLowerCase() === address.toLowerCase()) {
      return undefined;
    }
    await replaceRequesterAddress(trx, ctx.services, row.orgId, row.id, address);
    return { event: "requester-address", detail: current ? "The requester’s email address for letters and their page was changed: whoever had the old one can no longer open the page" : "The requester’s email address for letters and their page was set" };
  }, { allowClosed: true });
}

/** The clarification pause the requester's last reply ended, if it is the case's latest and nothing has paused the clock since. */
async function pauseEndedByReply(trx: Tx, row: Pick<CaseRow, "orgId" | "id">) {
  const latest = await trx.selectFrom("caseStops").select(["id", "reason", "fromOn", "toOn", "endedByRequester"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).orderBy("fromOn", "desc").orderBy("toOn", "desc").executeTakeFirst();
  return latest && latest.toOn !== null && latest.endedByRequester && latest.reason === "clarification" ? latest : undefined;
}

/**
 * The requester's reply did not give what was asked for: the pause goes back as it was, from the
 * day the school asked, as if the reply had not ended it (no days are lost to the school).
 */
export async function putPauseBack(ctx: Context, caseId: string): Promise<void> {
  await changeCase(ctx, caseId, "case.clock-stop", async (trx, row) => {
    const pause = await pauseEndedByReply(trx, row);
    if (!pause) {
      throw new CaseFormError({ pause: "There is no pause ended by the requester’s reply to put back." });
    }
    await trx.updateTable("caseStops").set({ toOn: null, endedByRequester: false }).where("orgId", "=", row.orgId).where("id", "=", pause.id).execute();
    return { event: "clock-stopped", detail: `The requester’s reply did not give what was asked for: the pause is back, from ${formatDate(pause.fromOn)}` };
  });
}

/** A message to the requester. They are emailed that there is one (never its words) with a link to their page. */
export async function replyToRequester(ctx: Context, caseId: string, text: string): Promise<void> {
  const body = text.trim();
  if (!body) {
    throw new CaseFormError({ body: "Enter your message" });
  }
  if (body.length > MESSAGE_MAX) {
    throw new CaseFormError({ body: `The message must be ${MESSAGE_MAX} characters or fewer` });
  }
  await changeCase(ctx, caseId, "message.send", async (trx, row) => {
    const address = await requesterAddress(trx, ctx.services, row.orgId, row.id);
    if (!address) {
      throw new CaseFormError({ body: "Add the requester’s email address first: they are emailed when there is a message for them" });
    }
    const now = ctx.services.clock.now();
    const id = randomUUID();
    await trx
      .insertInto("caseMessages")
      .values({ orgId: row.orgId, id, caseId: row.id, fromRequester: false, authorUserId: ctx.actor.userId, body: await sealFor(trx, ctx.services.keyring, messagePlace(row.orgId, id), body), sentAt: now, answeredAt: null })
      .execute();
    await trx.updateTable("caseMessages").set({ answeredAt: now }).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("fromRequester", "=", true).where("answeredAt", "is", null).execute();
    const organisation = await trx.selectFrom("organisations").select(["id", "name", "publicName"]).where("id", "=", row.orgId).executeTakeFirstOrThrow();
    const link = await requesterLink(trx, ctx.services, { id: organisation.id, publicName: organisation.publicName ?? "" }, row.id);
    await queueEmail(trx, ctx.services, row.orgId, {
      to: address,
      subject: `A message from ${organisation.name} about your request ${row.reference}`,
      text: `${organisation.name} has sent you a message about your request ${row.reference}.\n\nRead it, and reply, on your request’s page:\n\n${link}\n\nThe page asks for a code, which it emails to this address.\n`,
    });
    return { event: "message", detail: "Sent the requester a message" };
  }, { allowClosed: true });
}

/** The organisation's wording of a letter: its own where it has changed it, Steward's otherwise. */
export async function wordingOf(trx: Tx, organisationId: string, kind: LetterKind): Promise<{ subject: string; body: string; own: boolean }> {
  const own = await trx.selectFrom("letterTemplates").select(["subject", "body"]).where("orgId", "=", organisationId).where("kind", "=", kind).executeTakeFirst();
  const standard = letterTemplate(kind);
  return own ? { ...own, own: true } : { subject: standard.subject, body: standard.body, own: false };
}

function letterKindOf(kind: string): LetterTemplate {
  try {
    return letterTemplate(kind as LetterKind);
  } catch {
    throw notFound();
  }
}

/** How a letter is signed off: the part the sender plays for the requester, not their role in Steward. */
const SENDER_ROLES: Record<Context["actor"]["role"], string> = {
  dpo: "Data Protection Officer",
  adviser: "Data protection adviser",
  owner: "Data protection lead",
  admin: "Data protection lead",
  staff: "Data protection lead",
  auditor: "Data protection lead",
};

/** The merge fields' values for a case, now. The link goes in when the letter is sent. */
async function mergeValues(trx: Tx, ctx: Context, row: CaseRow): Promise<Record<MergeField, string>> {
  const organisation = await trx.selectFrom("organisations").select(["name", "postalAddress", "releaseDays", "telephone"]).where("id", "=", row.orgId).executeTakeFirstOrThrow();
  const { deadline } = await deadlineOf(trx, row);
  const open = (column: "requesterName" | "summary", value: string) => openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, column), value);
  const due = deadline.due ? formatDate(deadline.due.slice(0, 10)) : "a date we will confirm once we have what we asked for";
  return {
    requesterName: await open("requesterName", row.requesterName),
    reference: row.reference,
    receivedOn: formatDate(row.receivedOn),
    dueOn: due,
    extendedTo: row.extendedTo ? formatDate(row.extendedTo) : due,
    today: formatDate(londonDateOf(ctx.services.clock.now())),
    organisationName: organisation.name,
    organisationAddress: organisation.postalAddress,
    senderName: ctx.actor.fullName,
    senderRole: SENDER_ROLES[ctx.actor.role],
    requesterPageLink: LINK_PLACEHOLDER,
    releaseDays: String(organisation.releaseDays),
    // The requester's own words where they made the request on the public page; else the case's summary (the DPO sees it in the draft).
    requestSummary: (await askedOf(trx, ctx.services, row.orgId, row.id)) ?? (await open("summary", row.summary)),
    infoRegulator: infoRegulatorFor(row.type as CaseType),
    dpoContact: dpoContactText(await organisationFactsOf(trx, row.orgId, ctx.actor.organisationIds), `through ${organisation.name}'s office on ${organisation.telephone}`),
  };
}

export interface LetterDraft {
  caseId: string;
  reference: string;
  kind: LetterKind;
  name: string;
  purpose: string;
  subject: string;
  body: string;
  unverified: readonly string[];
  stopsClock: string | null;
  isResponse: boolean;
  canRelease: boolean;
  address: string | null;
  /** A reason the letter cannot go yet (an extension letter before the deadline is extended). */
  blocked: string | null;
  /** A reason the response cannot be released with it yet. */
  releaseBlocked: string | null;
}

/** A letter of `kind` for the case, filled in from the organisation's wording, for the DPO to edit. */
export async function draftLetter(ctx: Context, caseId: string, kind: string): Promise<LetterDraft> {
  authorise(ctx.actor, "cases:manage");
  const template = letterKindOf(kind);
  return inActorScope(ctx, async (trx) => {
    const row = await visibleCase(trx, ctx, caseId);
    if (!template.caseTypes.includes(row.type as CaseType)) {
      throw notFound();
    }
    const wording = await wordingOf(trx, row.orgId, template.kind);
    const values = await mergeValues(trx, ctx, row);
    const safely = (text: string) => (checkTemplate(text).length === 0 ? renderTemplate(text, values) : text);
    return {
      caseId: row.id,
      reference: row.reference,
      kind: template.kind,
      name: template.name,
      purpose: template.purpose,
      subject: safely(wording.subject),
      body: safely(wording.body),
      unverified: template.unverified,
      stopsClock: template.stopsClock ? STOP_REASON_NAMES[template.stopsClock] : null,
      isResponse: template.isResponse === true,
      canRelease: RELEASING.includes(template.kind),
      address: (await requesterAddress(trx, ctx.services, row.orgId, row.id)) ?? null,
      blocked: blockedBecause(template, row),
      releaseBlocked: RELEASING.includes(template.kind) ? await releaseBlockedBecause(trx, row) : null,
    };
  });
}

/**
 * Why the response cannot be released to the requester's page yet: it goes only to an address the
 * requester has shown is theirs (a mistyped one would hand a child's data to a stranger), and not
 * while the school still waits for proof of identity or a fee.
 */
async function releaseBlockedBecause(trx: Tx, row: CaseRow): Promise<string | null> {
  const address = await trx.selectFrom("caseRequesters").select(["confirmedAt"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).executeTakeFirst();
  if (!address) {
    return "Add the requester’s email address first: the response is downloaded from their page, which emails them a code to open.";
  }
  if (!address.confirmedAt) {
    return "The requester has not yet shown that the email address is theirs. It is confirmed when they open their page with an emailed code: send them a message first, and release the response once they have.";
  }
  const waiting = await trx.selectFrom("caseStops").select(["reason"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("toOn", "is", null).executeTakeFirst();
  if (waiting && waiting.reason !== "clarification") {
    return `The clock is stopped (${STOP_REASON_NAMES[waiting.reason].toLowerCase()}): restart it once that has arrived, then release the response.`;
  }
  return null;
}

function blockedBecause(template: LetterTemplate, row: CaseRow): string | null {
  if (template.kind === "extension" && !row.extended && !row.extendedTo) {
    return "Extend the deadline on the case first (with its reasons): this letter tells the requester the new date.";
  }
  if (row.closedAt && !template.isResponse) {
    return "This case is closed.";
  }
  return null;
}

export interface LetterToSend {
  kind: string;
  subject: string;
  body: string;
  method: "email" | "post";
  release: boolean;
  /** For a posted letter: where it goes, printed above the letter. */
  postalAddress?: string | undefined;
}

/**
 * Sends a letter: by email through the outbox (with a link to the requester's page, never the
 * response itself), or recorded to be printed and posted (the PDF is downloaded next). Either way
 * it goes on the timeline with its date and how it went. A letter asking for identity, clarification
 * or a fee stops the clock from today; the response records the day it went, which decides
 * whether the case was answered on time, and may release the disclosure bundle to the
 * requester's page for the organisation's download period.
 */
export async function sendLetter(ctx: Context, caseId: string, letter: LetterToSend): Promise<string> {
  authorise(ctx.actor, "cases:manage");
  const template = letterKindOf(letter.kind);
  const subject = letter.subject.trim();
  const body = letter.body.replace(/\r\n/g, "\n").trim();
  const errors: Record<string, string> = {};
  if (!subject || subject.length > 300) {
    errors["subject"] = subject ? "The subject must be 300 characters or fewer" : "Enter the letter’s subject";
  }
  if (!body || body.length > 20_000) {
    errors["body"] = body ? "The letter must be 20,000 characters or fewer" : "Enter the letter";
  }
  const unfilled = unfilledParts(`${subject}\n${body}`);
  if (!errors["body"] && unfilled.length > 0) {
    errors["body"] = `Replace the parts in square brackets before sending: ${unfilled.slice(0, 3).join(", ")}${unfilled.length > 3 ? ` and ${unfilled.length - 3} more` : ""}`;
  }
  if (Object.keys(errors).length > 0) {
    throw new CaseFormError(errors);
  }
  if (letter.method === "post" && !letter.postalAddress?.trim()) {
    throw new CaseFormError({ postalAddress: "Enter their postal address: it is printed above the letter, for a window envelope" });
  }
  const releasing = letter.release && RELEASING.includes(template.kind);
  if (releasing) {
    // Refused before the bundle is made (and its making audited); checked again as it is released.
    const blocked = await inActorScope(ctx, async (trx) => releaseBlockedBecause(trx, await visibleCase(trx, ctx, caseId)));
    if (blocked) {
      throw new CaseFormError({ release: blocked });
    }
  }
  // The bundle is made (redacted, verified, approved) before anything is written.
  const bundle = releasing ? await disclosureBundle(ctx, caseId) : undefined;
  const letterId = randomUUID();
  const releaseId = randomUUID();
  let written: { organisationId: string; id: string } | undefined;
  try {
    await changeCase(ctx, caseId, "letter.send", async (trx, row) => {
      if (!template.caseTypes.includes(row.type as CaseType)) {
        throw notFound();
      }
      const blocked = blockedBecause(template, row);
      if (blocked) {
        throw new CaseFormError({ body: blocked });
      }
      const now = ctx.services.clock.now();
      const today = londonDateOf(now);
      const address = await requesterAddress(trx, ctx.services, row.orgId, row.id);
      if (letter.method === "email" && !address) {
        throw new CaseFormError({ method: "Add the requester’s email address first, or send the letter by post" });
      }
      const organisation = await trx.selectFrom("organisations").select(["id", "name", "publicName", "releaseDays"]).where("id", "=", row.orgId).executeTakeFirstOrThrow();
      // An email carries a link of its own; a printed letter the page's address, which anyone can
      // type (a 43-character token cannot be, and on paper it would outlive its 30 days).
      const link =
        letter.method === "email"
          ? await requesterLink(trx, ctx.services, { id: organisation.id, publicName: organisation.publicName ?? "" }, row.id)
          : `${ctx.services.config.publicUrl}/r/${organisation.publicName ?? ""}/new-link (give your reference, ${row.reference}, and your email address)`;
      // Only the link is put in: whatever else the DPO typed between braces stays as typed. A
      // letter that does not mention the page ends with it: it is how the requester replies.
      const withLink = /\{\{ *requesterPageLink *\}\}/.test(body) ? body : `${body}\n\nFollow your request, send us a message or send a file on your request’s page (it emails you a code to open it): ${LINK_PLACEHOLDER}`;
      const finalBody = withLink.replace(LINK_PLACEHOLDER_PATTERN, link);
      const finalSubject = subject.replace(LINK_PLACEHOLDER_PATTERN, "");
      if (bundle) {
        const releaseBlocked = await releaseBlockedBecause(trx, row);
        if (releaseBlocked) {
          throw new CaseFormError({ release: releaseBlocked });
        }
        await ensureRoomFor(trx, ctx.services, row.orgId, bundle.bytes.length);
        const sealed = await sealFileFor(trx, ctx.services.keyring, releasePlace(row.orgId, releaseId), bundle.bytes);
        await trx
          .insertInto("caseReleases")
          .values({ orgId: row.orgId, id: releaseId, caseId: row.id, contentSha256: sha256(bundle.bytes), sizeBytes: bundle.bytes.length, releasedBy: ctx.actor.userId, releasedAt: now, expiresAt: new Date(now.getTime() + organisation.releaseDays * 86_400_000) })
          .execute();
        await recordAudit(trx, auditOfCase(ctx, row.orgId, "release.make", row.id));
        written = { organisationId: row.orgId, id: releaseId };
        await ctx.services.files.put(written, sealed);
      }
      await trx
        .insertInto("caseLetters")
        .values({
          orgId: row.orgId,
          id: letterId,
          caseId: row.id,
          kind: template.kind,
          subject: await sealFor(trx, ctx.services.keyring, letterPlace(row.orgId, letterId, "subject"), finalSubject),
          body: await sealFor(trx, ctx.services.keyring, letterPlace(row.orgId, letterId, "body"), finalBody),
          method: letter.method,
          postalAddress: letter.method === "post" && letter.postalAddress?.trim() ? await sealFor(trx, ctx.services.keyring, letterPlace(row.orgId, letterId, "postalAddress"), letter.postalAddress.trim()) : null,
          sentOn: today,
          sentBy: ctx.actor.userId,
          sentAt: now,
          releaseId: bundle ? releaseId : null,
        })
        .execute();
      if (letter.method === "email") {
        await queueEmail(trx, ctx.services, row.orgId, { to: address!, subject: finalSubject, text: `${finalBody}\n` });
      }
      const effects: string[] = [];
      if (template.stopsClock && !row.closedAt) {
        effects.push(await stopClockForLetter(trx, row, template.stopsClock, today));
      }
      if (template.isResponse) {
        const channel = bundle ? "portal" : letter.method === "email" ? "email" : "post";
        // A complaint's acknowledgement meets its 30 days but answers nothing yet: its stage stays.
        const responded = template.kind !== "complaint-acknowledgement" && WORKFLOWS[row.type as CaseType].statuses.some((status) => status.id === "responded") && !row.closedAt ? "responded" : row.status;
        if (row.responseSentOn) {
          // The first response decides on-time: a second (a copy sent again, a further answer) does not move it.
          effects.push(`The response date stays ${formatDate(row.responseSentOn)}, when the first response went.`);
        } else {
          await trx.updateTable("cases").set({ responseSentOn: today, responseChannel: channel, status: responded }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
          effects.push(`The response went on ${formatDate(today)}: that date decides whether it was on time.`);
        }
      }
      if (bundle) {
        effects.push(`The response (${Math.ceil(bundle.bytes.length / 1024)} KB) is on the requester’s page to download for ${organisation.releaseDays} days.`);
      }
      const how = letter.method === "email" ? "by email" : "to print and post";
      return { event: "letter", detail: `${template.name} letter sent ${how} on ${formatDate(today)}.${effects.length ? ` ${effects.join(" ")}` : ""}` };
    }, { allowClosed: template.isResponse === true });
  } catch (error) {
    if (written) {
      await ctx.services.files.remove(written);
    }
    throw error;
  }
  return letterId;
}

/** A letter asking for something stops the clock from its date, if the case's law lets it wait for that and it is not already waiting. */
async function stopClockForLetter(trx: Tx, row: CaseRow, reason: NonNullable<LetterTemplate["stopsClock"]>, today: string): Promise<string> {
  if (!WORKFLOWS[row.type as CaseType].stopReasons.includes(reason)) {
    return "";
  }
  const open = await trx.selectFrom("caseStops").select(["reason"]).where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("toOn", "is", null).executeTakeFirst();
  if (open) {
    return `The clock was already stopped (${STOP_REASON_NAMES[open.reason].toLowerCase()}), so it stays stopped.`;
  }
  await trx.insertInto("caseStops").values({ orgId: row.orgId, id: randomUUID(), caseId: row.id, reason, fromOn: today, toOn: null }).execute();
  return `The clock is stopped from ${formatDate(today)}: ${STOP_REASON_NAMES[reason].toLowerCase()}.`;
}

/** A sent letter as a PDF to print and post (audited). */
export async function letterPdf(ctx: Context, caseId: string, letterId: string): Promise<{ filename: string; bytes: Uint8Array }> {
  authorise(ctx.actor, "cases:manage");
  if (!/^[0-9a-f-]{36}$/i.test(letterId)) {
    throw notFound();
  }
  return inActorScope(ctx, async (trx) => {
    const row = await visibleCase(trx, ctx, caseId);
    const letter = await trx.selectFrom("caseLetters").selectAll().where("orgId", "=", row.orgId).where("caseId", "=", row.id).where("id", "=", letterId).executeTakeFirst();
    if (!letter) {
      throw notFound();
    }
    const organisation = await trx.selectFrom("organisations").select(["name", "postalAddress", "telephone"]).where("id", "=", row.orgId).executeTakeFirstOrThrow();
    const subject = await openFor(trx, ctx.services.keyring, letterPlace(row.orgId, letter.id, "subject"), letter.subject);
    const body = await openFor(trx, ctx.services.keyring, letterPlace(row.orgId, letter.id, "body"), letter.body);
    const requesterName = await openFor(trx, ctx.services.keyring, casePlace(row.orgId, row.id, "requesterName"), row.requesterName);
    const postal = letter.postalAddress ? await openFor(trx, ctx.services.keyring, letterPlace(row.orgId, letter.id, "postalAddress"), letter.postalAddress) : "";
    const lines: PdfLine[] = [
      { text: organisation.name, bold: true, size: 12 },
      ...organisation.postalAddress.split(/\r?\n/).map((text) => ({ text })),
      { text: organisation.telephone },
      { text: requesterName, gapBefore: 18 },
      ...postal.split(/\r?\n/).filter(Boolean).map((text) => ({ text })),
      { text: formatDate(letter.sentOn), gapBefore: 12 },
      { text: `Our reference: ${row.reference}` },
      { text: subject, bold: true, gapBefore: 12 },
      ...body.split("\n").map((text) => ({ text })),
    ];
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "letter.download", row.id));
    return { filename: `${row.reference} ${kindName(letter.kind)}.pdf`, bytes: textPdf(subject, lines) };
  });
}
