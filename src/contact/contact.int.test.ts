import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerLicence } from "../accounts/registration.ts";
import { quoteIdentifier, tablesInDependencyOrder } from "../lifecycle/tables.ts";
import { deliverDueEmail } from "../notify/outbox.ts";
import { loadConfig } from "../platform/config.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { UsageError } from "../platform/errors.ts";
import { addPerson, licenceForm, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { emailsTo, startSmtpServer } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { openPersistentTestDatabase, testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { recordAnswer } from "./consents.ts";
import { readSendUpdateArguments, sendUpdateCommand } from "./send-command.ts";
import { NonServiceEmailRefused, sendNonServiceEmail } from "./sending.ts";
import { addressIndexOf, readUnsubscribeToken, UNSUBSCRIBE_TOKEN_LENGTH, unsubscribeToken } from "./unsubscribe-links.ts";
import { CONSENT_WORDING, UNSUBSCRIBE_WORDING } from "./wording.ts";

describe(`email beyond the service's own: consent, sending, unsubscribing (${testEngine})`, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let steward: TestSteward;
  /** Every address a test made, to check the logs never hold one. */
  const addresses: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    steward = await startTestSteward({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  afterAll(async () => {
    await steward?.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  const db = () => steward.services.database.db;
  const anonymous = () => new TestAgent(steward.app, steward.clock);

  /** A licence registered with this address, its owner signed in (two-factor set up, as owners must). */
  async function registered(email = `person-${unique()}@school.example`) {
    addresses.push(email);
    const form = licenceForm({ email });
    const result = await registerLicence(steward.services, {
      organisationKind: "school",
      nation: "england",
      schoolType: "maintained",
      organisationName: form["organisationName"]!,
      postalAddress: form["postalAddress"]!,
      telephone: form["telephone"]!,
      fullName: form["fullName"]!,
      email,
      username: form["username"]!,
      password: TEST_PASSWORD,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(form["username"]!);
    return { ...result, email, username: form["username"]!, agent };
  }

  /** Ticks exactly these boxes on the page and saves, as a person without JavaScript would. */
  async function choose(agent: TestAgent, kinds: ("product-updates" | "surveys")[]) {
    const page = await agent.get("/account/emails");
    const shown = /name="shown" value="([^"]+)"/.exec(page.body)![1]!;
    return agent.post("/account/emails", { shown, ...Object.fromEntries(kinds.map((kind) => [kind, "yes"])) });
  }

  async function answers(organisationId: string, userId: string) {
    return db().selectFrom("contactConsents").selectAll().where("orgId", "=", organisationId).where("userId", "=", userId).orderBy("recordedAt").execute();
  }

  async function suppressedKinds(address: string): Promise<string[]> {
    const rows = await db().selectFrom("emailSuppressions").select("kind").where("addressIndex", "=", addressIndexOf(steward.services.keyring, address)).orderBy("kind").execute();
    return rows.map((row) => row.kind);
  }

  async function auditActions(organisationId: string, prefix: string) {
    const { rows } = await sql<{ action: string; actorUserId: string | null; recordId: string | null }>`
      select action, actor_user_id, record_id from audit_events where org_id = ${organisationId} and action like ${`${prefix}%`} order by append_order`.execute(db());
    return rows;
  }

  /** Each table's row count: a request that writes nothing leaves every one as it was. */
  async function everyTableCount(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of await tablesInDependencyOrder(db())) {
      const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.raw(quoteIdentifier(table.name))}`.execute(db());
      counts[table.name] = rows[0]!.count;
    }
    return counts;
  }

  /** The sends so far are forgotten, so each test may send without waiting the weeks the wording promises. */
  async function forgetEarlierSends() {
    await db().deleteFrom("operatorEvents").where("action", "=", "contact.send").execute();
  }

  async function send(kind: "product-updates" | "surveys", subject = `News ${unique()}`) {
    await forgetEarlierSends();
    return sendNonServiceEmail(steward.services, { kind, subject, body: "Steward now reads privacy notices.\nThank you." });
  }

  const linkIn = (body: string) => /http:\/\/steward\.test(\/unsubscribe\/[A-Za-z0-9_-]+)/.exec(body)?.[1];

  async function unsubscribeLinkSentTo(address: string): Promise<string> {
    const email = (await emailsTo(steward.services, address)).filter((each) => linkIn(each.body)).at(-1);
    if (!email) throw new Error("no unsubscribe link was sent to that address");
    return linkIn(email.body)!;
  }

  /** Removes an organisation and everything of it, as a licence's end does (run as the schema owner). */
  async function removeOrganisation(organisationId: string) {
    await db().transaction().execute(async (trx) => {
      const tables = (await tablesInDependencyOrder(trx)).filter((table) => table.columns.includes("org_id")).reverse();
      for (const table of tables) {
        await sql`delete from ${sql.raw(quoteIdentifier(table.name))} where org_id = ${organisationId}`.execute(trx);
      }
      await trx.deleteFrom("organisations").where("id", "=", organisationId).execute();
    });
  }

  it("assumes nothing: with no answer the boxes are empty, nothing is recorded, and nothing is sent", async () => {
    const person = await registered();
    const page = await person.agent.get("/account/emails");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CONSENT_WORDING["product-updates"]);
    expect(page.body).toContain(CONSENT_WORDING.surveys);
    expect(page.body).not.toMatch(/<input[^>]*checked/);
    expect(page.body).toContain("You have not answered yet");
    const account = await person.agent.get("/account");
    expect(account.body).toContain("Only emails about your account and your work in Steward");
    expect(account.body).toContain('href="/account/emails"');
    expect(await answers(person.organisationId, person.userId)).toEqual([]);

    await send("product-updates");
    await send("surveys");
    expect((await emailsTo(steward.services, person.email)).filter((email) => linkIn(email.body))).toEqual([]);
  });

  it("saves each kind separately, with its time and the words shown, audited, and shows the history", async () => {
    const person = await registered();
    steward.clock.advance({ minutes: 1 });
    const firstAt = steward.clock.now();
    const saved = await choose(person.agent, ["product-updates"]);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe("/account/emails?done=saved");
    const first = await answers(person.organisationId, person.userId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: "product-updates", given: true, how: "account-page", wording: CONSENT_WORDING["product-updates"] });
    expect(first[0]!.recordedAt.toISOString()).toBe(firstAt.toISOString());

    steward.clock.advance({ minutes: 2 });
    await choose(person.agent, ["surveys"]);
    const all = await answers(person.organisationId, person.userId);
    expect(all.map((row) => [row.kind, row.given])).toEqual(
      expect.arrayContaining([
        ["product-updates", true],
        ["product-updates", false],
        ["surveys", true],
      ]),
    );
    expect(all).toHaveLength(3);
    expect(all.filter((row) => row.recordedAt.getTime() === steward.clock.now().getTime())).toHaveLength(2);

    // The same boxes again change nothing, and record nothing.
    await choose(person.agent, ["surveys"]);
    expect(await answers(person.organisationId, person.userId)).toHaveLength(3);
    expect((await auditActions(person.organisationId, "contact.")).map((event) => event.action)).toEqual(["contact.choices-change", "contact.choices-change"]);

    const page = await person.agent.get("/account/emails?done=saved");
    expect(page.body).toContain("Your choices are saved.");
    expect(page.body.match(/<tr class="govuk-table__row">/g)).toHaveLength(4); // the header and three answers
    expect(page.body).toContain("No, withdrawn");
    expect(page.body).toMatch(/id="surveys"[^>]*checked/);
    expect(page.body).not.toMatch(/id="product-updates"[^>]*checked/);
    expect((await person.agent.get("/account")).body).toContain("Surveys about Steward, as well as emails about your account");
  });

  it("refuses a save made from a page that showed other words, recording nothing", async () => {
    const person = await registered();
    await person.agent.get("/account/emails");
    const stale = await person.agent.post("/account/emails", { shown: "an-older-fingerprint", "product-updates": "yes" });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain("changed while this page was open");
    const none = await person.agent.post("/account/emails", { "product-updates": "yes" });
    expect(none.statusCode).toBe(409);
    const odd = await person.agent.post("/account/emails", { shown: "x", "product-updates": "of course" });
    expect(odd.statusCode).toBe(400);
    const extra = await person.agent.post("/account/emails", { shown: "x", given: "yes" });
    expect(extra.statusCode).toBe(400);
    expect(await answers(person.organisationId, person.userId)).toEqual([]);
  });

  it("sends only to those whose newest answer is yes and whose address is not suppressed, once an address, and counts without addresses", async () => {
    const yes = await registered();
    const silent = await registered();
    const withdrew = await registered();
    const suppressed = await registered();
    await choose(yes.agent, ["product-updates"]);
    await choose(withdrew.agent, ["product-updates", "surveys"]);
    await choose(withdrew.agent, ["surveys"]);
    await choose(suppressed.agent, ["product-updates"]);
    await db().insertInto("emailSuppressions").values({ addressIndex: addressIndexOf(steward.services.keyring, ` ${suppressed.email.toUpperCase()} `), kind: "product-updates", suppressedAt: steward.clock.now() }).execute();
    // Deactivated: no longer an account holder, whatever they said.
    const deactivated = await registered();
    await choose(deactivated.agent, ["product-updates"]);
    await db().updateTable("users").set({ deactivatedAt: steward.clock.now() }).where("id", "=", deactivated.userId).execute();
    // The same address in a second organisation, saying yes there too: emailed once.
    const twice = await registered(yes.email);
    await choose(twice.agent, ["product-updates"]);

    const { rows: active } = await sql<{ count: number }>`select count(*)::int as count from users where deactivated_at is null`.execute(db());
    const counts = await send("product-updates", "What is new in Steward");
    expect(counts.sent + counts.skipped).toBe(active[0]!.count);
    expect(Object.keys(counts).sort()).toEqual(["sent", "skipped"]);

    const updates = async (address: string) => (await emailsTo(steward.services, address)).filter((email) => email.subject === "What is new in Steward");
    const toYes = await updates(yes.email);
    expect(toYes).toHaveLength(1);
    expect(toYes[0]!.body).toContain("Steward now reads privacy notices.");
    expect(toYes[0]!.body).toContain("Emails about your account and your work in Steward");
    expect(linkIn(toYes[0]!.body)).toMatch(new RegExp(`^/unsubscribe/[A-Za-z0-9_-]{${UNSUBSCRIBE_TOKEN_LENGTH}}$`));
    expect(await updates(silent.email)).toEqual([]);
    expect(await updates(withdrew.email)).toEqual([]);
    expect(await updates(suppressed.email)).toEqual([]);
    expect(await updates(deactivated.email)).toEqual([]);

    // Surveys go only to those who said yes to surveys.
    const surveyed = await send("surveys", "A two-minute survey");
    expect(surveyed.sent).toBeGreaterThanOrEqual(1);
    expect((await emailsTo(steward.services, withdrew.email)).filter((email) => email.subject === "A two-minute survey")).toHaveLength(1);
    expect((await emailsTo(steward.services, yes.email)).filter((email) => email.subject === "A two-minute survey")).toEqual([]);

    // The outbox shows an admin the email's subject, never the recipient's own unsubscribe link.
    // (In whichever of the address's two organisations it was queued.)
    const outbox = (await yes.agent.get("/outbox")).body + (await twice.agent.get("/outbox")).body;
    expect(outbox).toContain("What is new in Steward");
    expect(outbox).not.toContain("/unsubscribe/");
  });

  it("leaves service email alone: a suppressed address with no consent still gets its password reset and notices", async () => {
    const person = await registered();
    await db().insertInto("emailSuppressions").values([
      { addressIndex: addressIndexOf(steward.services.keyring, person.email), kind: "product-updates", suppressedAt: steward.clock.now() },
      { addressIndex: addressIndexOf(steward.services.keyring, person.email), kind: "surveys", suppressedAt: steward.clock.now() },
    ]).execute();
    const before = (await emailsTo(steward.services, person.email)).length;
    expect(before).toBeGreaterThanOrEqual(1); // "two-factor is on", sent when the owner set it up
    const reset = await anonymous().submit("/password-reset", { login: person.username });
    expect(reset.statusCode).toBe(200);
    const after = await emailsTo(steward.services, person.email);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.subject).toMatch(/password/i);
  });

  it("unsubscribes by the link without signing in: GET changes nothing, POST withdraws and suppresses; a changed link is refused and writes nothing", async () => {
    const person = await registered();
    await choose(person.agent, ["product-updates", "surveys"]);
    await send("product-updates");
    const link = await unsubscribeLinkSentTo(person.email);
    const stranger = anonymous();

    const before = await everyTableCount();
    const page = await stranger.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(UNSUBSCRIBE_WORDING["product-updates"]);
    expect(page.body).toContain(">\n  Unsubscribe\n</button>");
    expect(page.body).not.toContain(person.email);
    await stranger.get(link);
    expect(await everyTableCount()).toEqual(before);

    // Without the page's token (a link-follower posting blind), refused.
    const blind = await anonymous().post(link, {});
    expect(blind.statusCode).toBe(403);
    const crossSite = await stranger.post(link, {}, { origin: "https://evil.example" });
    expect(crossSite.statusCode).toBe(403);
    expect(await everyTableCount()).toEqual(before);

    // Changed links: one character, another kind with the old signature, cut short, nonsense.
    const token = link.slice("/unsubscribe/".length);
    const flipped = `${token.slice(0, 20)}${token[20] === "A" ? "B" : "A"}${token.slice(21)}`;
    const bytes = Buffer.from(token, "base64url");
    bytes[1] = bytes[1] === 1 ? 2 : 1;
    const otherKind = bytes.toString("base64url");
    for (const bad of [flipped, otherKind, token.slice(0, -4), "not-a-token", `${token}A`]) {
      const shown = await stranger.get(`/unsubscribe/${bad}`);
      expect(shown.statusCode).toBe(404);
      expect(shown.body).toContain("This unsubscribe link does not work");
      expect(shown.body).toContain("Nothing has been changed");
      const posted = await stranger.post(`/unsubscribe/${bad}`, {});
      expect(posted.statusCode).toBe(404);
    }
    expect(await everyTableCount()).toEqual(before);

    const done = await stranger.post(link, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are unsubscribed");
    expect(await suppressedKinds(person.email)).toEqual(["product-updates"]);
    const newest = (await answers(person.organisationId, person.userId)).filter((row) => row.kind === "product-updates").at(-1)!;
    expect(newest).toMatchObject({ given: false, how: "unsubscribe-link", wording: UNSUBSCRIBE_WORDING["product-updates"] });
    expect(await auditActions(person.organisationId, "contact.unsubscribe")).toEqual([{ action: "contact.unsubscribe", actorUserId: null, recordId: person.userId }]);

    // Pressing it again (or opening it again) writes nothing more.
    const afterFirst = await everyTableCount();
    expect((await stranger.post(link, {})).statusCode).toBe(200);
    expect((await stranger.get(link)).body).toContain("You are already unsubscribed");
    expect(await everyTableCount()).toEqual(afterFirst);

    // Surveys are another kind: still on. The account page says what happened.
    const choices = await person.agent.get("/account/emails");
    expect(choices.body).not.toMatch(/id="product-updates"[^>]*checked/);
    expect(choices.body).toMatch(/id="surveys"[^>]*checked/);
    expect(choices.body).toContain("You stopped these with the link in an email");
    expect(choices.body).toContain("With the unsubscribe link in an email");
    expect((await send("product-updates")).sent).toBeGreaterThanOrEqual(0);
    expect((await emailsTo(steward.services, person.email)).filter((email) => linkIn(email.body))).toHaveLength(1);
  });

  it("lifts a kind's suppression only when the person, signed in, ticks that box again", async () => {
    const person = await registered();
    await choose(person.agent, ["product-updates"]);
    await send("product-updates");
    const link = await unsubscribeLinkSentTo(person.email);
    const stranger = anonymous();
    await stranger.get(link);
    await stranger.post(link, {});
    expect(await suppressedKinds(person.email)).toEqual(["product-updates"]);

    // Saving other boxes, registering the address again elsewhere, consent recorded some other way: still suppressed.
    await choose(person.agent, ["surveys"]);
    await choose(person.agent, []);
    const elsewhere = await registered(person.email);
    await inScope(db(), { organisationIds: [elsewhere.organisationId] }, (trx) =>
      recordAnswer(trx, { organisationId: elsewhere.organisationId, userId: elsewhere.userId, kind: "product-updates", given: true, wording: CONSENT_WORDING["product-updates"], how: "registration", at: steward.clock.now() }),
    );
    expect(await suppressedKinds(person.email)).toEqual(["product-updates"]);
    const skipped = await send("product-updates", "Still suppressed");
    expect(skipped.skipped).toBeGreaterThanOrEqual(2);
    expect((await emailsTo(steward.services, person.email)).filter((email) => email.subject === "Still suppressed")).toEqual([]);

    const lifted = await choose(person.agent, ["product-updates"]);
    expect(lifted.statusCode).toBe(303);
    expect(await suppressedKinds(person.email)).toEqual([]);
    expect((await answers(person.organisationId, person.userId)).at(-1)).toMatchObject({ kind: "product-updates", given: true, how: "account-page" });
    await send("product-updates", "Welcome back");
    expect((await emailsTo(steward.services, person.email)).filter((email) => email.subject === "Welcome back")).toHaveLength(1);
  });

  it("keeps an address suppressed after its account and organisation are gone, and when it registers again", async () => {
    const address = `leaver-${unique()}@school.example`;
    const first = await registered(address);
    await choose(first.agent, ["surveys"]);
    await send("surveys");
    const link = await unsubscribeLinkSentTo(address);
    await anonymous().get(link);
    await removeOrganisation(first.organisationId);

    // The link still works with nobody left to record a withdrawal for: the address alone is suppressed.
    const stranger = anonymous();
    const page = await stranger.get(link);
    expect(page.statusCode).toBe(200);
    const done = await stranger.post(link, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are unsubscribed");
    expect(await suppressedKinds(address)).toEqual(["surveys"]);
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from contact_consents where org_id = ${first.organisationId}`.execute(db());
    expect(rows[0]!.count).toBe(0);

    // Registered again in a new organisation, with nothing given (the default), or even a yes from somewhere other than the box: skipped.
    const again = await registered(address.toUpperCase());
    await send("surveys", "Survey after re-registering");
    await inScope(db(), { organisationIds: [again.organisationId] }, (trx) =>
      recordAnswer(trx, { organisationId: again.organisationId, userId: again.userId, kind: "surveys", given: true, wording: CONSENT_WORDING.surveys, how: "registration", at: steward.clock.now() }),
    );
    await send("surveys", "Survey after a yes at registration");
    const received = [...(await emailsTo(steward.services, address)), ...(await emailsTo(steward.services, address.toUpperCase()))];
    expect(received.filter((email) => email.subject.startsWith("Survey after"))).toEqual([]);
  });

  it("never lets one organisation see another's answers (row-level security)", async () => {
    const a = await registered();
    const b = await registered();
    await choose(a.agent, ["product-updates", "surveys"]);
    const inB = await inScope(db(), { organisationIds: [b.organisationId] }, (trx) => trx.selectFrom("contactConsents").selectAll().execute());
    expect(inB.filter((row) => row.orgId === a.organisationId)).toEqual([]);
    const inNone = await inScope(db(), {}, (trx) => trx.selectFrom("contactConsents").selectAll().execute());
    expect(inNone).toEqual([]);
    await expect(
      inScope(db(), { organisationIds: [b.organisationId] }, (trx) =>
        recordAnswer(trx, { organisationId: a.organisationId, userId: a.userId, kind: "surveys", given: false, wording: "forged", how: "account-page", at: steward.clock.now() }),
      ),
    ).rejects.toThrow();
    // An admin of B, however they look, sees only B's own page.
    const bPage = await b.agent.get("/account/emails");
    expect(bPage.body).toContain("You have not answered yet");
    // A colleague in A sees their own answers only, not the owner's.
    const colleague = await addPerson(steward.app, steward.clock, a.agent, "staff", a.organisationId);
    expect((await colleague.agent.get("/account/emails")).body).toContain("You have not answered yet");
  });

  it("works without JavaScript: a plain form that posts and comes back", async () => {
    const person = await registered();
    const page = await person.agent.get("/account/emails");
    expect(page.body).toMatch(/<form method="post" action="\/account\/emails" novalidate>/);
    expect(page.body).toMatch(/<button type="submit"[^>]*>\s*Save my choices/);
    expect(page.body).toMatch(/<input class="govuk-checkboxes__input" id="product-updates" name="product-updates" type="checkbox" value="yes"/);
    const saved = await choose(person.agent, ["surveys"]);
    expect(saved.statusCode).toBe(303);
    expect((await person.agent.get(saved.headers.location as string)).body).toMatch(/id="surveys"[^>]*checked/);
  });

  it("delivers the email through a real SMTP server with a link that works", async () => {
    const person = await registered();
    await choose(person.agent, ["product-updates"]);
    await deliverDueEmail(steward.services); // what was waiting, out of the way
    const before = smtp.received.length;
    await send("product-updates", "Steward in December");
    await deliverDueEmail(steward.services);
    const mine = smtp.received.slice(before).filter((message) => message.to.includes(person.email));
    expect(mine).toHaveLength(1);
    const raw = mine[0]!.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    expect(raw).toContain("Subject: Steward in December");
    const link = linkIn(raw);
    expect(link).toBeDefined();
    expect(link).toBe(await unsubscribeLinkSentTo(person.email));
    const stranger = anonymous();
    expect((await stranger.get(link!)).statusCode).toBe(200);
    expect((await stranger.post(link!, {})).body).toContain("You are unsubscribed");
    expect(await suppressedKinds(person.email)).toEqual(["product-updates"]);
  });

  it("signs each link to its recipient, kind and address", () => {
    const keyring = steward.services.keyring;
    const link = { kind: "surveys" as const, organisationId: randomUUID(), userId: randomUUID(), addressIndex: addressIndexOf(keyring, "a@b.example") };
    const token = unsubscribeToken(keyring, link);
    expect(token).toHaveLength(UNSUBSCRIBE_TOKEN_LENGTH);
    expect(readUnsubscribeToken(keyring, token)).toEqual(link);
    expect(unsubscribeToken(keyring, link)).toBe(token); // the same link every time: nothing stored
    const otherKeyring = { ...keyring, masterKey: randomBytes(32) };
    expect(readUnsubscribeToken(otherKeyring, token)).toBeUndefined();
    expect(addressIndexOf(keyring, "  A@B.example ")).toBe(link.addressIndex);
  });

  it("refuses a bad send, and a second send of a kind sooner than its wording allows", async () => {
    await expect(sendNonServiceEmail(steward.services, { kind: "surveys", subject: "Line one\nBcc: someone", body: "x" })).rejects.toThrow(NonServiceEmailRefused);
    await expect(sendNonServiceEmail(steward.services, { kind: "surveys", subject: "Fine", body: "  " })).rejects.toThrow(NonServiceEmailRefused);
    await expect(sendNonServiceEmail(steward.services, { kind: "spam" as "surveys", subject: "Fine", body: "x" })).rejects.toThrow(NonServiceEmailRefused);
    await expect(sendNonServiceEmail({ ...steward.services, mailer: undefined }, { kind: "surveys", subject: "Fine", body: "x" })).rejects.toThrow(/mail server/);

    const started = steward.clock.now();
    await send("product-updates", "First this month");
    await expect(sendNonServiceEmail(steward.services, { kind: "product-updates", subject: "Again", body: "x" })).rejects.toThrow(/at least 31 days/);
    steward.clock.advance({ hours: 31 * 24 });
    await expect(sendNonServiceEmail(steward.services, { kind: "product-updates", subject: "Next month", body: "x" })).resolves.toMatchObject({ sent: expect.any(Number) });
    steward.clock.set(started);
  });

  it("reads the command's arguments strictly, and sends from the command line", async () => {
    expect(readSendUpdateArguments(["--kind", "surveys", "--subject", "Hello", "--body-file", "b.txt"])).toEqual({ kind: "surveys", subject: "Hello", bodyFile: "b.txt" });
    for (const wrong of [[], ["--kind", "spam", "--subject", "x", "--body-file", "b"], ["--kind", "surveys", "--subject"], ["--kind", "surveys", "--kind", "surveys", "--subject", "x", "--body-file", "b"], ["--to", "x"]]) {
      expect(() => readSendUpdateArguments(wrong)).toThrow(UsageError);
    }

    const folder = mkdtempSync(path.join(tmpdir(), "steward-send-update-"));
    const database = await openPersistentTestDatabase();
    try {
      const bodyFile = path.join(folder, "body.txt");
      writeFileSync(bodyFile, "Hello from the operator.\n");
      const args = ["--kind", "product-updates", "--subject", "From the command line", "--body-file", bodyFile];
      const printed: string[] = [];
      const config = loadConfig({ PORT: "0", STEWARD_MASTER_KEY: randomBytes(32).toString("base64"), ...database.env });
      expect(await sendUpdateCommand(config, args, (line) => printed.push(line))).toBe(1); // no SMTP_URL
      const code = await sendUpdateCommand(loadConfig({ PORT: "0", STEWARD_MASTER_KEY: config.masterKey!, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...database.env }), args, (line) => printed.push(line));
      expect(code).toBe(0);
      expect(printed[0]).toMatch(/^OK: 0 email\(s\) of product-updates queued, 0 account\(s\) skipped/);
    } finally {
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("writes no address into the logs", () => {
    expect(addresses.length).toBeGreaterThan(5);
    const logs = steward.logs.join("\n").toLowerCase();
    for (const address of addresses) {
      expect(logs).not.toContain(address.toLowerCase());
    }
    expect(logs).toContain("email beyond the service's own queued");
    // Nor any unsubscribe link: the request log names the route, never the address asked for.
    expect(logs).toContain('"route":"/unsubscribe/*"');
    expect(logs).not.toMatch(/unsubscribe\/[a-z0-9_-]{20}/);
  });
});
