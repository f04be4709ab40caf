import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { RequestMeta } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import { loadOrganisationCalendar } from "../calendar/calendar-store.ts";
import { formatLondonDateTime, londonDateOf } from "../calendar/dates.ts";
import type { CaseType } from "../calendar/deadlines.ts";
import { recordCase } from "../cases/logging.ts";
import { RIGHTS, typesOfferedTo } from "../cases/workflows.ts";
import { queueEmail } from "../notify/outbox.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { openFor, sealFor } from "../platform/encryption/keyring.ts";
import { notFound } from "../platform/errors.ts";
import { requiredText, type FieldErrors } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import type { Nation } from "../calendar/bank-holidays.ts";
import { hashToken } from "../auth/tokens.ts";
import { nounOf } from "./requester-page.ts";
import { inPublicScope } from "./public-scope.ts";
import { confirmRequesterAddress, maskAddress, requesterAddressIndex, startRequesterSession } from "./requester-access.ts";
import { licenceIsActive } from "../licences/licences.ts";

/*
 * The public request page of a school or trust (/r/<public name>): forms a parent, pupil,
 * member of staff or journalist fills in without an account. Nothing is logged until the address
 * given has been confirmed with the code emailed to it; until then the form waits, sealed, for
 * the code's 30 minutes (then it is emptied; the row itself, for the per-address limit, a day). Abuse is kept out without anything leaving the school's server: a field only
 * robots fill in, a minimum time to fill the form in, limits per address and per form (and per
 * network address, at the route), and the size limits every form has.
 */

/** A school or trust as its public page knows it: no personal data. */
export interface PublicOrganisation {
  id: string;
  name: string;
  kind: "trust" | "school";
  publicName: string;
  /** For a trust: its schools' own pages. */
  schools: { name: string; publicName: string }[];
  /** The forms this organisation's page offers (no FOI form where the Act does not reach, an independent school's). */
  forms: (typeof PUBLIC_FORMS)[number][];
  /** A parent here has the right to their child's educational record (a maintained school in England; Scotland's schools). */
  offersEducationalRecord: boolean;
  nation: Nation;
  /** The licence has lapsed: the page takes no requests, and says to contact the organisation directly. */
  closed: boolean;
}

/** Who acts on a public page: a visitor, at one organisation. */
export interface PublicContext {
  services: Services;
  request?: RequestMeta | undefined;
  organisation: PublicOrganisation;
}

/** The organisation whose public page this is, or 404. */
export async function findPublicOrganisation(services: Services, publicName: string): Promise<PublicOrganisation> {
  if (!/^[a-z0-9-]{3,40}$/.test(publicName)) {
    throw notFound();
  }
  // The organisation and whether its licence is in its term, in one transaction: a lapsed licence takes no new requests through Steward, since nobody there could answer them.
  const { rows, own, closed } = await inScope(services.database.db, {}, async (trx) => {
    const { rows } = await sql<{ id: string; name: string; kind: "trust" | "school"; parentId: string | null; publicName: string | null; nation: Nation; schoolType: "maintained" | "academy" | "independent" }>`select * from steward_public_organisation(${publicName})`.execute(trx);
    const own = rows.find((row) => row.publicName === publicName);
    return { rows, own, closed: own ? !(await licenceIsActive(trx, own.id)) : false };
  });
  if (!own) {
    throw notFound();
  }
  const schools = rows
    .filter((row) => row.parentId === own.id && row.publicName)
    .map((row) => ({ name: row.name, publicName: row.publicName! }))
    .sort((a, b) => a.name.localeCompare(b.name));
  // A trust's central team is treated as an academy, as when its cases are logged.
  const offered = typesOfferedTo(own.nation, own.kind === "trust" ? "academy" : own.schoolType);
  const forms = closed ? [] : PUBLIC_FORMS.filter((form) => form.id !== "information" || offered.includes("foi") || offered.includes("foi-scotland"));
  return { id: own.id, name: own.name, kind: own.kind, publicName, schools, forms, offersEducationalRecord: offered.includes("educational-record"), nation: own.nation, closed };
}

/** The forms on every public page, in the order they are offered. */
export const PUBLIC_FORMS = [
  {
    id: "access",
    title: "Ask for a copy of personal data",
    hint: "The information the school holds about you, or about your child if you have parental responsibility. This is called a subject access request.",
    asksWhose: true,
  },
  {
    id: "rights",
    title: "Ask the school to correct, delete or stop using personal data",
    hint: "Your other data protection rights: to have information corrected or deleted, or to object to how it is used.",
    asksWhose: true,
  },
  {
    id: "information",
    title: "Ask for information the school holds",
    hint: "Information about the school itself, such as its policies, spending or decisions, under the Freedom of Information Act or the Environmental Information Regulations.",
    asksWhose: false,
  },
  {
    id: "complaint",
    title: "Complain about how the school uses personal data",
    hint: "If you are unhappy with how the school has handled your information or a request you made.",
    asksWhose: true,
  },
  {
    id: "breach",
    title: "Tell the school about a possible data breach",
    hint: "For example, an email sent to the wrong person, or a list of pupils left somewhere it should not be.",
    asksWhose: false,
  },
] as const;

export type PublicFormId = (typeof PUBLIC_FORMS)[number]["id"];

/** One of the forms this organisation's page offers, or 404. */
export function publicForm(organisation: Pick<PublicOrganisation, "forms">, id: string) {
  const form = organisation.forms.find((item) => item.id === id);
  if (!form) {
    throw notFound();
  }
  return form;
}

/** Whose data a request is about, as the form asks it. */
export const ABOUT = [
  { id: "me", text: "Me" },
  { id: "child", text: "My child" },
  { id: "someone-else", text: "Someone else" },
] as const;

const ids = <T extends readonly { id: string }[]>(items: T) => items.map((item) => item.id) as [T[number]["id"], ...T[number]["id"][]];

export const publicRequestSchema = z.object({
  name: requiredText("your full name", { max: 200 }),
  email: z
    .string({ error: "Enter your email address" })
    .trim()
    .min(1, { error: "Enter your email address" })
    .max(254, { error: "Your email address must be 254 characters or fewer" })
    .regex(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/, { error: "Enter an email address in the correct format, like name@example.com" }),
  about: z.union([z.literal(""), z.enum(ids(ABOUT))]).optional(),
  subjectName: z.string().trim().max(200, { error: "Their name must be 200 characters or fewer" }).optional(),
  parentalResponsibility: z.union([z.literal(""), z.enum(["yes"])]).optional(),
  /** A parent asks for their child's educational record (its own right and clock), where the school has one. */
  educationalRecord: z.union([z.literal(""), z.enum(["yes"])]).optional(),
  right: z.union([z.literal(""), z.enum(ids(RIGHTS))]).optional(),
  details: requiredText("the details", { max: 5000 }),
  /** Left empty by people: a robot filling in every box fills this one in too. */
  website: z.string().max(500).optional(),
  /** When the form was shown, signed (see formStamp). */
  stamp: z.string().max(200).optional(),
});
export type PublicRequest = z.output<typeof publicRequestSchema>;

/** A refusal of the whole form (too soon, too often): shown above it, nothing stored. */
export class PublicFormRefused extends Error {}

/** A problem with one field, shown next to it. */
export class PublicFormError extends Error {
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

/** A person fills a form in in more than this; a robot posts it at once. */
export const MINIMUM_FILL_SECONDS = 3;
/** How long a form stays open to be sent, from when it was shown. */
const FORM_OPEN_HOURS = 24;
/** Requests one address may start at one organisation in a day (confirmed or not). */
export const PER_ADDRESS_PER_DAY = 5;
/**
 * Confirmed requests one form may take at one organisation in an hour: a flood stops there, and
 * the school can still be emailed. Posts never confirmed count apart, against a higher ceiling,
 * so that junk posts from throwaway addresses cannot close the form to real parents.
 */
export const PER_FORM_PER_HOUR = 30;
export const UNCONFIRMED_PER_HOUR = 300;
/** The emailed code: six digits, for 30 minutes, five tries. */
const CODE_MINUTES = 30;
export const CODE_TRIES = 5;

/** The hidden stamp a form carries: when it was shown, signed so it cannot be back-dated. */
export function formStamp(services: Pick<Services, "csrfKey" | "clock">): string {
  const at = String(services.clock.now().getTime());
  return `${at}.${createHmac("sha256", services.csrfKey).update(`public form ${at}`).digest("base64url")}`;
}

function stampTime(services: Pick<Services, "csrfKey">, stamp: string | undefined): number | undefined {
  const [at, signature] = (stamp ?? "").split(".");
  if (!at || !signature || !/^\d{10,15}$/.test(at)) {
    return undefined;
  }
  const expected = createHmac("sha256", services.csrfKey).update(`public form ${at}`).digest();
  const given = Buffer.from(signature, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? Number(at) : undefined;
}

/** The case type a public form makes at this organisation (FOI or its Scottish law, for instance). */
function caseTypeOf(form: PublicFormId, offered: readonly CaseType[]): CaseType {
  switch (form) {
    case "access":
      return "sar";
    case "rights":
      return "rights";
    case "information":
      return offered.includes("foi-scotland") ? "foi-scotland" : "foi";
    case "complaint":
      return "complaint";
    case "breach":
      return "breach";
  }
}

/** The checks the schema cannot make alone: whose data, and what a parent must confirm. */
function checkPublicRequest(form: (typeof PUBLIC_FORMS)[number], input: PublicRequest): void {
  const errors = publicRequestProblems(form, input);
  if (Object.keys(errors).length > 0) {
    throw new PublicFormError(errors);
  }
}

/** Those checks' problems, also for a form the schema sent back, so that every problem shows at once. */
export function publicRequestProblems(form: (typeof PUBLIC_FORMS)[number], input: Partial<Record<keyof PublicRequest, string | undefined>>): FieldErrors {
  const errors: FieldErrors = {};
  if (form.asksWhose && !input.about) {
    errors["about"] = "Select who the information is about";
  }
  if (form.asksWhose && input.about && input.about !== "me" && !input.subjectName) {
    errors["subjectName"] = input.about === "child" ? "Enter your child’s full name" : "Enter the full name of the person it is about";
  }
  if (form.id === "access" && input.about === "child" && !input.parentalResponsibility) {
    errors["parentalResponsibility"] = "Confirm that you have parental responsibility for the child";
  }
  if (form.id === "rights" && !input.right) {
    errors["right"] = "Select what you want the school to do";
  }
  return errors;
}

const confirmationPlace = (organisationId: string, id: string) => ({ organisationId, table: "requestConfirmations" as const, column: "form", rowId: id });
const codeHash = (id: string, code: string) => hashToken(`request confirmation ${id} ${code}`);

/**
 * A public form posted: checked, refused if a robot's or too frequent, otherwise kept (sealed)
 * while the code emailed to its address waits to be typed in. Returns the confirmation's id, for
 * the page that asks for the code. A refusal stores nothing.
 */
export async function startPublicRequest(ctx: PublicContext, formId: string, input: PublicRequest): Promise<string> {
  const form = publicForm(ctx.organisation, formId);
  const now = ctx.services.clock.now();
  const shownAt = stampTime(ctx.services, input.stamp);
  if (input.website) {
    // Said plainly, as a person who somehow filled it would need to know; a robot learns nothing it can use.
    throw new PublicFormRefused("The form could not be sent. Leave the box marked “Leave this empty” empty, then send it again.");
  }
  if (shownAt === undefined || now.getTime() - shownAt > FORM_OPEN_HOURS * 3_600_000) {
    throw new PublicFormRefused("This form was open too long to be sent. Nothing was saved: your answers are filled in again below, so send them again.");
  }
  if (now.getTime() - shownAt < MINIMUM_FILL_SECONDS * 1000) {
    throw new PublicFormRefused("The form was sent too quickly after it opened. Check your answers, then send it again.");
  }
  checkPublicRequest(form, input);
  const organisation = ctx.organisation;
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const emailIndex = requesterAddressIndex(ctx.services, input.email);
  await inPublicScope(ctx, async (trx) => {
    // One at a time per organisation, so that two posts at once cannot both slip under a limit.
    await sql`select pg_advisory_xact_lock(hashtext(${`public form ${organisation.id}`}))`.execute(trx);
    const fromAddress = await trx
      .selectFrom("requestConfirmations")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("orgId", "=", organisation.id)
      .where("emailIndex", "=", emailIndex)
      .where("createdAt", ">", new Date(now.getTime() - 24 * 3_600_000))
      .executeTakeFirstOrThrow();
    if (Number(fromAddress.count) >= PER_ADDRESS_PER_DAY) {
      throw new PublicFormRefused(`This email address has sent ${PER_ADDRESS_PER_DAY} requests to ${organisation.name} today, which is as many as this page takes in a day. Nothing was saved. Try again tomorrow, or contact the school directly.`);
    }
    const recent = await trx
      .selectFrom("requestConfirmations")
      .select((eb) => [
        eb.fn.count<string>("caseId").filterWhere("formKind", "=", form.id).as("confirmed"),
        eb.fn.countAll<string>().filterWhere("caseId", "is", null).as("unconfirmed"),
      ])
      .where("orgId", "=", organisation.id)
      .where("createdAt", ">", new Date(now.getTime() - 3_600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.confirmed) >= PER_FORM_PER_HOUR || Number(recent.unconfirmed) >= UNCONFIRMED_PER_HOUR) {
      throw new PublicFormRefused(`${organisation.name}’s request page is taking a great many requests just now. Nothing was saved. Try again in an hour, or contact the school directly.`);
    }
    const kept = JSON.stringify({ form: form.id, ...input, website: undefined, stamp: undefined });
    await trx
      .insertInto("requestConfirmations")
      .values({
        orgId: organisation.id,
        id,
        emailIndex,
        formKind: form.id,
        form: await sealFor(trx, ctx.services.keyring, confirmationPlace(organisation.id, id), kept),
        codeHash: codeHash(id, code),
        createdAt: now,
        expiresAt: new Date(now.getTime() + CODE_MINUTES * 60_000),
        caseId: null,
      })
      .execute();
    // The code is for the address's owner alone: in the body only (the outbox page shows an
    // authentication email's subject, never its body), and marked so.
    await queueEmail(trx, ctx.services, organisation.id, {
      to: input.email,
      subject: `Your code to confirm your request to ${organisation.name}`,
      text: `This email address was given on ${organisation.name}’s request page.\n\nTo confirm it is yours and send what you wrote to the school, enter this code on the page:\n\n${code}\n\nThe code works for ${CODE_MINUTES} minutes. If this was not you, ignore this email: nothing is sent to the school without the code.\n`,
      authentication: true,
    });
  });
  return id;
}

/** What the page asking for the code shows: whether it is still wanted, and the address it went to, half hidden. */
export async function pendingConfirmation(ctx: PublicContext, confirmationId: string): Promise<{ expired: boolean; caseId: string | null; maskedAddress: string | null }> {
  return inPublicScope(ctx, async (trx) => {
    const row = await confirmationRow(ctx, confirmationId, trx);
    const expired = row.expiresAt.getTime() <= ctx.services.clock.now().getTime() && !row.caseId;
    const kept = row.form && !expired ? (JSON.parse(await openFor(trx, ctx.services.keyring, confirmationPlace(ctx.organisation.id, row.id), row.form)) as { email: string }) : undefined;
    return { expired, caseId: row.caseId, maskedAddress: kept ? maskAddress(kept.email) : null };
  });
}

async function confirmationRow(ctx: PublicContext, confirmationId: string, trx?: Tx) {
  if (!/^[0-9a-f-]{36}$/i.test(confirmationId)) {
    throw notFound();
  }
  const read = (t: Tx) =>
    t.selectFrom("requestConfirmations").selectAll().where("orgId", "=", ctx.organisation.id).where("id", "=", confirmationId).executeTakeFirst();
  const row = trx ? await read(trx) : await inPublicScope(ctx, read);
  if (!row) {
    throw notFound();
  }
  return row;
}

export class WrongCode extends Error {}

/**
 * The code typed in: right, and the request is logged as a case (received now, by the website
 * form), the requester's address recorded as confirmed, the school's usual people told, and the
 * requester's own page opened for this browser. Typed again after that, it opens the same case.
 * Returns the requester session's token for the cookie.
 */
export async function confirmPublicRequest(ctx: PublicContext, confirmationId: string, code: string): Promise<{ caseId: string; reference: string; sessionToken: string }> {
  const organisation = ctx.organisation;
  const now = ctx.services.clock.now();
  if (organisation.closed) {
    // Begun before the licence lapsed: nobody there could answer it through Steward now.
    throw new WrongCode(`${organisation.name} does not take requests through this page at the moment. Nothing was sent: contact ${organisation.name} directly.`);
  }
  const outcome = await inPublicScope(ctx, async (trx) => {
    const row = await confirmationRow(ctx, confirmationId, trx);
    await sql`select 1 from request_confirmations where org_id = ${organisation.id} and id = ${row.id} for update`.execute(trx);
    const fresh = await confirmationRow(ctx, confirmationId, trx);
    if (fresh.caseId || !fresh.form) {
      throw new WrongCode("This request has already been sent. Check your email for the link to follow it.");
    }
    if (fresh.expiresAt.getTime() <= now.getTime() || fresh.attempts >= CODE_TRIES) {
      throw new WrongCode("The code has expired. Nothing was sent to the school: fill in the form again to get a new code.");
    }
    const given = /^\d{6}$/.test(code.trim()) ? codeHash(fresh.id, code.trim()) : "";
    if (given !== fresh.codeHash) {
      await trx.updateTable("requestConfirmations").set({ attempts: fresh.attempts + 1 }).where("orgId", "=", organisation.id).where("id", "=", fresh.id).execute();
      const left = CODE_TRIES - fresh.attempts - 1;
      return { wrong: left > 0 ? `The code is not right. Check the email and try again (${left} ${left === 1 ? "try" : "tries"} left).` : "The code is not right, and that was the last try. Fill in the form again to get a new code." };
    }
    const kept = JSON.parse(await openFor(trx, ctx.services.keyring, confirmationPlace(organisation.id, fresh.id), fresh.form)) as PublicRequest & { form: PublicFormId };
    const calendar = await loadOrganisationCalendar(trx, organisation.id);
    const offeredTypes = typesOfferedTo(calendar.nation, calendar.schoolType);
    const wantsRecord = kept.form === "access" && kept.about === "child" && kept.educationalRecord === "yes" && offeredTypes.includes("educational-record");
    const type = wantsRecord ? "educational-record" : caseTypeOf(kept.form, offeredTypes);
    const receivedOn = londonDateOf(now);
    // A breach is about whoever's data it was, which the reporter may not know: "someone else".
    const about = kept.about === "me" ? "requester" : kept.about === "child" ? "pupil" : kept.about || type === "breach" ? "other" : undefined;
    // Only the access form asks about parental responsibility: the record says so only where it was confirmed.
    const whose =
      kept.about === "child"
        ? `\n\nAbout their child, ${kept.subjectName}${kept.form === "access" && kept.parentalResponsibility === "yes" ? "; they confirmed they have parental responsibility" : ""}.`
        : kept.about === "someone-else"
          ? `\n\nAbout ${kept.subjectName}.`
          : "";
    const { id: caseId, reference } = await recordCase(
      trx,
      { services: ctx.services, request: ctx.request, userId: null },
      {
        organisationId: organisation.id,
        type,
        rightAsked: type === "rights" ? (kept.right || undefined) : undefined,
        receivedOn,
        // A breach's 72 hours run from when the school knew: this moment.
        receivedTime: formatLondonDateTime(now).slice(11, 16),
        channel: "web-form",
        requesterName: kept.name,
        requesterContact: kept.email,
        subjectKind: about,
        subjectName: about && about !== "requester" ? kept.subjectName : undefined,
        submissionKey: undefined,
        summary: `${kept.details}${whose}`,
      },
      [organisation.id],
    );
    await trx.updateTable("requestConfirmations").set({ caseId, form: null }).where("orgId", "=", organisation.id).where("id", "=", fresh.id).execute();
    await confirmRequesterAddress(trx, ctx.services, organisation, caseId, reference, kept.email, kept.name, kept.details, nounOf(type));
    await recordAudit(trx, { organisationId: organisation.id, actorUserId: null, action: "requester.confirm", recordType: "case", recordId: caseId, meta: ctx.request, at: now });
    const sessionToken = await startRequesterSession(trx, ctx.services, organisation.id, caseId);
    return { caseId, reference, sessionToken };
  });
  if ("wrong" in outcome) {
    throw new WrongCode(outcome.wrong);
  }
  return outcome;
}

