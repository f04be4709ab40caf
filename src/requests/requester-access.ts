import { randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { queueEmail } from "../notify/outbox.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { blindIndex, openFor, sealFor } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";
import type { PublicContext } from "./public-forms.ts";
import { inPublicScope } from "./public-scope.ts";

/*
 * How a requester reaches their own page. Every email Steward sends them carries a link; the link
 * alone opens nothing: it offers to email a one-time code to the address the school has for the
 * case, and only the code opens the page, in a session with the same 20-minute rule as staff.
 * Links expire; a requester whose link has expired asks for a new one with their reference and
 * address, and is told the same thing whether or not they match (nobody learns who has a case).
 */

export const REQUESTER_IDLE_MS = 20 * 60_000;
export const REQUESTER_ABSOLUTE_MS = 12 * 3_600_000;
export const LINK_DAYS = 30;
const CODE_MINUTES = 10;
const CODE_TRIES = 5;
/** A code may be sent again after this long (a requester who lost the first). */
const CODE_RESEND_SECONDS = 60;
/**
 * Over a link's whole life: the codes it may send and the wrong codes it may be given. Without
 * these, asking for a new code (which gives five fresh tries) would let someone holding a
 * forwarded link guess for ever; with them a link gives at most LINK_FAILURES guesses at a
 * million codes, then the requester asks for a new link, which only their own address receives.
 */
export const LINK_CODES = 10;
export const LINK_FAILURES = 10;

const requesterPlace = (organisationId: string, caseId: string) => ({ organisationId, table: "caseRequesters" as const, column: "email", rowId: caseId });
export const requesterAddressIndex = (services: Pick<Services, "keyring">, email: string) => blindIndex(services.keyring, "requester email", email.trim().toLowerCase());
const codeHash = (linkId: string, code: string) => hashToken(`requester code ${linkId} ${code}`);

/** Records (or changes) the address a case's requester is written to; `confirmed` once they have shown it is theirs. */
export async function setRequesterAddress(trx: Tx, services: Pick<Services, "keyring" | "clock">, organisationId: string, caseId: string, email: string, { confirmed }: { confirmed: boolean }): Promise<void> {
  const now = services.clock.now();
  const sealed = await sealFor(trx, services.keyring, requesterPlace(organisationId, caseId), email.trim());
  const index = requesterAddressIndex(services, email);
  await trx
    .insertInto("caseRequesters")
    .values({ orgId: organisationId, caseId, email: sealed, emailIndex: index, confirmedAt: confirmed ? now : null, createdAt: now })
    .onConflict((oc) => oc.columns(["orgId", "caseId"]).doUpdateSet({ email: sealed, emailIndex: index, confirmedAt: confirmed ? now : null }))
    .execute();
}

/**
 * A new address for the case: whoever held the old one loses the page at once (their sessions
 * end and their links stop working), so a corrected typo cannot leave a stranger holding it.
 */
export async function replaceRequesterAddress(trx: Tx, services: Pick<Services, "keyring" | "clock">, organisationId: string, caseId: string, email: string): Promise<void> {
  await setRequesterAddress(trx, services, organisationId, caseId, email, { confirmed: false });
  await trx.deleteFrom("requesterSessions").where("orgId", "=", organisationId).where("caseId", "=", caseId).execute();
  await trx.updateTable("requesterLinks").set({ expiresAt: services.clock.now(), codeHash: null }).where("orgId", "=", organisationId).where("caseId", "=", caseId).execute();
}

/** The address the case's requester is written to, if the school has one. */
export async function requesterAddress(trx: Tx, services: Pick<Services, "keyring">, organisationId: string, caseId: string): Promise<string | undefined> {
  const row = await trx.selectFrom("caseRequesters").select(["email"]).where("orgId", "=", organisationId).where("caseId", "=", caseId).executeTakeFirst();
  return row ? openFor(trx, services.keyring, requesterPlace(organisationId, caseId), row.email) : undefined;
}

/** A new link to the requester's page for an email (valid LINK_DAYS days). */
export async function requesterLink(trx: Tx, services: Pick<Services, "clock" | "config">, organisation: { id: string; publicName: string }, caseId: string): Promise<string> {
  const token = newToken();
  const now = services.clock.now();
  await trx
    .insertInto("requesterLinks")
    .values({ orgId: organisation.id, id: randomUUID(), caseId, tokenHash: hashToken(token), createdAt: now, expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000), codeHash: null, codeSentAt: null })
    .execute();
  return `${services.config.publicUrl}/r/${organisation.publicName}/your-request/${token}`;
}

/** The organisation's public name (a school may not have one yet if it was made before the page existed: it does, by the migration). */
export async function publicNameOf(trx: Tx, organisationId: string): Promise<string> {
  const row = await trx.selectFrom("organisations").select(["publicName"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
  return row.publicName ?? "";
}

/**
 * After a public request is confirmed: the address is the case's, confirmed, and the requester is
 * emailed the reference and a link to follow it (the school's formal acknowledgement is a letter
 * the DPO sends).
 */
export async function confirmRequesterAddress(
  trx: Tx,
  services: Services,
  organisation: { id: string; name: string; publicName: string },
  caseId: string,
  reference: string,
  email: string,
  name: string,
  asked: string,
  noun: "request" | "complaint" | "report",
): Promise<void> {
  await setRequesterAddress(trx, services, organisation.id, caseId, email, { confirmed: true });
  await trx
    .updateTable("caseRequesters")
    .set({ asked: await sealFor(trx, services.keyring, { organisationId: organisation.id, table: "caseRequesters", column: "asked", rowId: caseId }, asked) })
    .where("orgId", "=", organisation.id)
    .where("caseId", "=", caseId)
    .execute();
  const link = await requesterLink(trx, services, organisation, caseId);
  await queueEmail(trx, services, organisation.id, {
    to: email,
    subject: `${organisation.name} has your ${noun}: ${reference}`,
    text: `Dear ${name},\n\n${organisation.name} has received your ${noun}. Its reference is ${reference}.\n\nYou can see its progress and send the school a message${noun === "request" ? " and, when it is ready, download the response" : ""} here:\n\n${link}\n\nFor your security the page asks for a code, which it emails to this address. The link works for ${LINK_DAYS} days; after that the page lets you ask for a new one.\n`,
  });
}

/** "jordan@home.example" → "j••••••@home.example": enough to recognise, not enough to learn it. */
export const maskAddress = (email: string) => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}${"•".repeat(Math.max(2, Math.min(local.length - 1, 6)))}@${domain}`;
};

/** What a link opens: which case, and whether it still works. */
async function linkRow(trx: Tx, ctx: PublicContext, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) {
    return undefined;
  }
  return trx.selectFrom("requesterLinks").selectAll().where("orgId", "=", ctx.organisation.id).where("tokenHash", "=", hashToken(token)).executeTakeFirst();
}

export type LinkState = { kind: "unusable" } | { kind: "ready"; maskedAddress: string; codeSent: boolean };

/** The page a link opens: offers to email a code (to an address shown half hidden), or says the link no longer works. */
export async function openRequesterLink(ctx: PublicContext, token: string): Promise<LinkState> {
  return inPublicScope(ctx, async (trx) => {
    const link = await linkRow(trx, ctx, token);
    if (!link || link.expiresAt.getTime() <= ctx.services.clock.now().getTime() || link.failedAttempts >= LINK_FAILURES || (link.codesSent >= LINK_CODES && !link.codeHash)) {
      return { kind: "unusable" as const };
    }
    const address = await requesterAddress(trx, ctx.services, ctx.organisation.id, link.caseId);
    if (!address) {
      return { kind: "unusable" as const };
    }
    const codeLive = !!link.codeHash && !!link.codeSentAt && link.codeSentAt.getTime() + CODE_MINUTES * 60_000 > ctx.services.clock.now().getTime();
    return { kind: "ready" as const, maskedAddress: maskAddress(address), codeSent: codeLive };
  });
}

export class RequesterAccessRefused extends Error {}

/** Emails a one-time code to the case's address (a new one replaces the last, once a minute at most). */
export async function sendRequesterCode(ctx: PublicContext, token: string): Promise<void> {
  const now = ctx.services.clock.now();
  await inPublicScope(ctx, async (trx) => {
    const found = await linkRow(trx, ctx, token);
    if (!found || found.expiresAt.getTime() <= now.getTime()) {
      throw new RequesterAccessRefused("This link no longer works. Ask for a new one below.");
    }
    // One at a time per link, so that two presses at once send one code.
    await sql`select 1 from requester_links where org_id = ${found.orgId} and id = ${found.id} for update`.execute(trx);
    const link = (await linkRow(trx, ctx, token))!;
    if (link.failedAttempts >= LINK_FAILURES || link.codesSent >= LINK_CODES) {
      throw new RequesterAccessRefused("This link has sent as many codes as it can. For your security, ask for a new link below: it goes to the email address the school has for you.");
    }
    if (link.codeSentAt && now.getTime() - link.codeSentAt.getTime() < CODE_RESEND_SECONDS * 1000) {
      throw new RequesterAccessRefused("A code was sent less than a minute ago. Check your email (and its junk folder), or wait a minute and ask again.");
    }
    const address = await requesterAddress(trx, ctx.services, ctx.organisation.id, link.caseId);
    if (!address) {
      throw new RequesterAccessRefused("This link no longer works. Ask for a new one below.");
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    await trx.updateTable("requesterLinks").set({ codeHash: codeHash(link.id, code), codeSentAt: now, codeAttempts: 0, codesSent: link.codesSent + 1 }).where("orgId", "=", link.orgId).where("id", "=", link.id).execute();
    await queueEmail(trx, ctx.services, ctx.organisation.id, {
      to: address,
      subject: `Your code for your request to ${ctx.organisation.name}`,
      text: `Enter this code to open the page about your request to ${ctx.organisation.name}:\n\n${code}\n\nIt works for ${CODE_MINUTES} minutes. If you did not ask for it, ignore this email: nobody can open the page without the code.\n`,
      authentication: true,
    });
  });
}

/** The code typed in: right, and this browser has the requester's page for 20 minutes idle. Returns the session's token. */
export async function enterRequesterCode(ctx: PublicContext, token: string, code: string): Promise<string> {
  const now = ctx.services.clock.now();
  const result = await inPublicScope(ctx, async (trx) => {
    const link = await linkRow(trx, ctx, token);
    if (!link || link.expiresAt.getTime() <= now.getTime()) {
      return { refused: "This link no longer works. Ask for a new one below." };
    }
    await sql`select 1 from requester_links where org_id = ${link.orgId} and id = ${link.id} for update`.execute(trx);
    const fresh = (await linkRow(trx, ctx, token))!;
    if (fresh.failedAttempts >= LINK_FAILURES) {
      return { refused: "Too many wrong codes have been tried with this link, so it no longer works. Ask for a new link below." };
    }
    const live = fresh.codeHash && fresh.codeSentAt && fresh.codeSentAt.getTime() + CODE_MINUTES * 60_000 > now.getTime() && fresh.codeAttempts < CODE_TRIES;
    if (!live) {
      return { refused: "The code has expired. Ask for a new code." };
    }
    if (!/^\d{6}$/.test(code.trim()) || codeHash(fresh.id, code.trim()) !== fresh.codeHash) {
      await trx
        .updateTable("requesterLinks")
        .set({ codeAttempts: fresh.codeAttempts + 1, failedAttempts: fresh.failedAttempts + 1 })
        .where("orgId", "=", fresh.orgId)
        .where("id", "=", fresh.id)
        .execute();
      if (fresh.failedAttempts + 1 >= LINK_FAILURES) {
        return { refused: "The code is not right. Too many wrong codes have been tried with this link, so it no longer works. Ask for a new link below." };
      }
      const left = CODE_TRIES - fresh.codeAttempts - 1;
      return { refused: left > 0 ? `The code is not right. Check the email and try again (${left} ${left === 1 ? "try" : "tries"} left).` : "The code is not right, and that was the last try. Ask for a new code." };
    }
    // A code opens the page once; and it shows the address is the requester's.
    await trx.updateTable("requesterLinks").set({ codeHash: null }).where("orgId", "=", fresh.orgId).where("id", "=", fresh.id).execute();
    await trx.updateTable("caseRequesters").set({ confirmedAt: now }).where("orgId", "=", fresh.orgId).where("caseId", "=", fresh.caseId).where("confirmedAt", "is", null).execute();
    await recordAudit(trx, { organisationId: fresh.orgId, actorUserId: null, action: "requester.sign-in", recordType: "case", recordId: fresh.caseId, meta: ctx.request, at: now });
    return { token: await startRequesterSession(trx, ctx.services, fresh.orgId, fresh.caseId) };
  });
  if ("refused" in result) {
    throw new RequesterAccessRefused(result.refused);
  }
  return result.token;
}

/** A session on the requester's page of one case. */
export async function startRequesterSession(trx: Tx, services: Pick<Services, "clock">, organisationId: string, caseId: string): Promise<string> {
  const token = newToken();
  const now = services.clock.now();
  await trx.insertInto("requesterSessions").values({ orgId: organisationId, id: randomUUID(), caseId, tokenHash: hashToken(token), createdAt: now, lastSeenAt: now }).execute();
  return token;
}

/** The case a requester's session opens, if it is live (and it is kept alive by being used). */
export async function resolveRequesterSession(ctx: PublicContext, token: string | undefined): Promise<{ sessionId: string; caseId: string; idleEndsAt: Date } | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    return undefined;
  }
  const now = ctx.services.clock.now();
  return inPublicScope(ctx, async (trx) => {
    const row = await trx.selectFrom("requesterSessions").selectAll().where("orgId", "=", ctx.organisation.id).where("tokenHash", "=", hashToken(token)).executeTakeFirst();
    if (!row || row.lastSeenAt.getTime() + REQUESTER_IDLE_MS <= now.getTime() || row.createdAt.getTime() + REQUESTER_ABSOLUTE_MS <= now.getTime()) {
      if (row) {
        await trx.deleteFrom("requesterSessions").where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
      }
      return undefined;
    }
    await trx.updateTable("requesterSessions").set({ lastSeenAt: now }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    return { sessionId: row.id, caseId: row.caseId, idleEndsAt: new Date(now.getTime() + REQUESTER_IDLE_MS) };
  });
}

export async function endRequesterSession(ctx: PublicContext, token: string | undefined): Promise<void> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    return;
  }
  await inPublicScope(ctx, (trx) =>
    trx.deleteFrom("requesterSessions").where("orgId", "=", ctx.organisation.id).where("tokenHash", "=", hashToken(token)).execute(),
  );
}

/**
 * A requester whose link has expired asks for a new one with their reference and address. If
 * both match a case, a new link goes to that address; the page says the same either way.
 */
export async function askForNewLink(ctx: PublicContext, reference: string, email: string): Promise<void> {
  const wanted = reference.trim().toUpperCase();
  if (!/^[A-Z0-9-]{6,40}$/.test(wanted)) {
    return;
  }
  await inPublicScope(ctx, async (trx) => {
    const row = await trx
      .selectFrom("cases")
      .innerJoin("caseRequesters", (join) => join.onRef("caseRequesters.orgId", "=", "cases.orgId").onRef("caseRequesters.caseId", "=", "cases.id"))
      .select(["cases.id", "cases.reference"])
      .where("cases.orgId", "=", ctx.organisation.id)
      .where("cases.reference", "=", wanted)
      .where("caseRequesters.emailIndex", "=", requesterAddressIndex(ctx.services, email))
      .executeTakeFirst();
    if (!row) {
      return;
    }
    // At most one new link an hour per case, so the form cannot be used to flood someone's inbox.
    const recent = await trx
      .selectFrom("requesterLinks")
      .select(["id"])
      .where("orgId", "=", ctx.organisation.id)
      .where("caseId", "=", row.id)
      .where("createdAt", ">", new Date(ctx.services.clock.now().getTime() - 3_600_000))
      .executeTakeFirst();
    if (recent) {
      return;
    }
    const link = await requesterLink(trx, ctx.services, ctx.organisation, row.id);
    await queueEmail(trx, ctx.services, ctx.organisation.id, {
      to: email.trim(),
      subject: `A new link to your request ${row.reference} at ${ctx.organisation.name}`,
      text: `You asked for a new link to the page about your request ${row.reference} at ${ctx.organisation.name}:\n\n${link}\n\nThe page asks for a code, which it emails to this address. If you did not ask, ignore this email.\n`,
    });
  });
}

/**
 * A form whose code has expired is emptied (its words gone); a day on, its row goes too (it was
 * kept that long for the per-address limit); requester sessions past their timeouts are deleted.
 * Returns how many rows changed.
 */
export async function purgeRequesterLeftovers(services: Pick<Services, "database" | "clock">): Promise<number> {
  const now = services.clock.now().getTime();
  const { rows } = await inScope(services.database.db, {}, (trx) =>
    sql<{ purged: number }>`select steward_purge_requester_leftovers(${new Date(now)}, ${new Date(now - 86_400_000)}, ${new Date(now - REQUESTER_IDLE_MS)}, ${new Date(now - REQUESTER_ABSOLUTE_MS)}) as purged`.execute(trx),
  );
  return rows[0]?.purged ?? 0;
}
