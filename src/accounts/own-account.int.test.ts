import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`a user's own account (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  const agent = () => new TestAgent(steward.app, steward.clock);

  async function signedInOwner() {
    const licence = await buildLicence(steward.services);
    const owner = agent();
    await owner.signIn(licence.username);
    return { licence, owner };
  }

  async function actions(organisationId: string, prefix: string): Promise<string[]> {
    const { rows } = await sql<{ action: string }>`select action from audit_events where org_id = ${organisationId} and action like ${`${prefix}%`} order by append_order`.execute(db());
    return rows.map((row) => row.action);
  }

  /** The link in the newest email to `address`. */
  async function linkSentTo(address: string): Promise<string> {
    const emails = await emailsTo(steward.services, address);
    return new URL(/http:\/\/steward\.test\S+/.exec(emails.at(-1)!.body)![0]).pathname;
  }

  it("shows the person what Steward holds about them, and corrects their name", async () => {
    const { licence, owner } = await signedInOwner();
    const page = await owner.get("/account");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(licence.email);
    expect(page.body).toContain(licence.username);

    const empty = await owner.submit("/account/name", { fullName: "   " });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Enter your full name");

    const renamed = await owner.submit("/account/name", { fullName: "Alexandra Owner-Smith" });
    expect(renamed.headers.location).toBe("/account?done=name");
    const after = await owner.get("/account?done=name");
    expect(after.body).toContain("Your name is changed.");
    expect(after.body).toContain("Alexandra Owner-Smith");
    expect((await owner.get("/dashboard")).body).toContain("Alexandra Owner-Smith");
    const { rows } = await sql<{ fullName: string }>`select full_name from users where id = ${licence.userId}`.execute(db());
    expect(rows[0]!.fullName).toMatch(/^v1\./);
    expect(await actions(licence.organisationId, "account.name")).toEqual(["account.name-change"]);
  });

  it("changes the email address only once the link sent to the new address is used", async () => {
    const { licence, owner } = await signedInOwner();
    const newEmail = `new-address-${unique()}@school.example`;
    const sent = await owner.submit("/account/email", { email: newEmail });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain("Check your new inbox");
    expect((await owner.get("/account")).body).toContain(`waiting for you to confirm ${newEmail}`);
    const warning = await emailsTo(steward.services, licence.email);
    expect(warning.map((email) => email.subject)).toContain("Someone asked to change your Steward email address");

    // Nothing has changed yet: the old address still signs in, the new one does not.
    expect((await agent().submit("/login", { login: newEmail, password: TEST_PASSWORD })).statusCode).toBe(401);

    const link = await linkSentTo(newEmail);
    const visitor = agent(); // the link works from any browser: it proves the new address is theirs
    const confirmPage = await visitor.get(link);
    expect(confirmPage.body).toContain(newEmail);
    const confirmed = await visitor.post(link);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain("Your email address is changed");
    expect((await visitor.post(link)).statusCode).toBe(404); // used once only

    expect((await agent().submit("/login", { login: licence.email, password: TEST_PASSWORD })).statusCode).toBe(401);
    const withNew = await agent().submit("/login", { login: newEmail.toUpperCase(), password: TEST_PASSWORD });
    expect(withNew.headers.location).toBe("/login/two-factor");
    expect(await actions(licence.organisationId, "account.email")).toEqual(["account.email-change-request", "account.email-change"]);
  });

  it("refuses a link after 24 hours, an address a colleague uses, and a malformed address", async () => {
    const { licence, owner } = await signedInOwner();
    const other = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);

    expect((await owner.submit("/account/email", { email: "not an address" })).statusCode).toBe(400);
    expect((await owner.submit("/account/email", { email: licence.email.toUpperCase() })).body).toContain("That is already your email address");

    const late = `late-${unique()}@school.example`;
    await owner.submit("/account/email", { email: late });
    const lateLink = await linkSentTo(late);
    steward.clock.advance({ hours: 25 });
    expect((await agent().get(lateLink)).statusCode).toBe(404);
    expect((await agent().post(lateLink)).statusCode).toBe(403); // no form token without the page

    await owner.signIn(licence.username);
    await owner.submit("/account/email", { email: other.email });
    const takenLink = await linkSentTo(other.email);
    const visitor = agent();
    await visitor.get(takenLink);
    const taken = await visitor.post(takenLink);
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain("already in use");
    expect((await owner.get("/account")).body).toContain(licence.email);
  });

  it("asks the person to prove who they are again before changing their email or downloading their data, after 15 minutes", async () => {
    const { licence, owner } = await signedInOwner();
    steward.clock.advance({ minutes: 10 });
    await owner.get("/account"); // still active, so still signed in
    steward.clock.advance({ minutes: 6 });
    for (const url of ["/account/email", "/account/export.json"]) {
      expect((await owner.get(url)).headers.location, url).toBe(`/account/confirm?next=${encodeURIComponent(url)}`);
    }
    const page = await owner.get("/account/confirm?next=%2Faccount%2Femail");
    expect(page.body).toContain("Code from your authenticator app");
    const confirm = (fields: Record<string, string>) => owner.post("/account/confirm?next=%2Faccount%2Femail", fields);
    expect((await confirm({ password: "not my password at all", code: owner.authenticatorCode(licence.username) })).statusCode).toBe(401);
    expect((await confirm({ password: TEST_PASSWORD, code: "" })).statusCode).toBe(401);
    const confirmed = await confirm({ password: TEST_PASSWORD, code: owner.authenticatorCode(licence.username) });
    expect(confirmed.headers.location).toBe("/account/email");
    expect((await owner.get("/account/email")).statusCode).toBe(200);
    expect(await actions(licence.organisationId, "session.confirm")).toEqual(["session.confirm"]);
    expect(await actions(licence.organisationId, "sign-in.refused")).toHaveLength(2); // counted towards the lock

    // A return address on another site is ignored.
    steward.clock.advance({ minutes: 16 });
    await owner.get("/account/confirm?next=%2F%2Fevil.example%2F");
    const elsewhere = await owner.post("/account/confirm?next=%2F%2Fevil.example%2F", { password: TEST_PASSWORD, code: owner.authenticatorCode(licence.username) });
    expect(elsewhere.headers.location).toBe("/account");
  });

  it("downloads everything held about the person as JSON, and nothing of anyone else's or any secret", async () => {
    const { licence, owner } = await signedInOwner();
    const staffName = `Someone Else ${unique()}`;
    const page = await owner.get("/users/new");
    const organisationId = /name="organisationId" value="([^"]+)"/.exec(page.body)![1]!;
    await owner.post("/users/new", { fullName: staffName, email: `else-${unique()}@school.example`, username: `else-${unique()}`, role: "staff", organisationId });

    const download = await owner.get("/account/export.json");
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toContain("application/json");
    expect(download.headers["content-disposition"]).toContain("attachment");
    const data = download.json();
    expect(data.account).toMatchObject({ email: licence.email, username: licence.username, role: "owner" });
    expect(data.account.twoFactor.recoveryCodesLeft).toBe(10);
    expect(data.sessions.length).toBeGreaterThan(0);
    expect(data.auditEvents.map((event: { action: string }) => event.action)).toEqual(expect.arrayContaining(["licence.register", "two-factor.enable", "user.create"]));

    const { rows } = await sql<{ passwordHash: string; totpSecret: string }>`select password_hash, totp_secret from users where id = ${licence.userId}`.execute(db());
    for (const secret of [rows[0]!.passwordHash, rows[0]!.totpSecret, staffName, "$argon2id"]) {
      expect(download.body).not.toContain(secret);
    }
    expect(await actions(licence.organisationId, "account.export")).toEqual(["account.export"]);
  });

  it("lists where the person is signed in and signs them out everywhere else", async () => {
    const { licence, owner } = await signedInOwner();
    const laptop = agent();
    await laptop.signIn(licence.username);
    const sessionRows = (body: string) => body.match(/<tr class="govuk-table__row">\s*<td/g)?.length ?? 0;
    const page = await owner.get("/account");
    // Registering signed them in too: that session, this browser and the laptop.
    expect(sessionRows(page.body)).toBe(3);
    expect(page.body.match(/This browser/g)).toHaveLength(1);
    expect(page.body).toContain(`action="/account/sessions/end-others"`);

    const ended = await owner.post("/account/sessions/end-others");
    expect(ended.headers.location).toBe("/account?done=sessions");
    expect((await laptop.get("/dashboard")).headers.location).toBe("/login");
    const after = await owner.get("/account?done=sessions");
    expect(after.body).toContain("You are signed out everywhere else.");
    expect(sessionRows(after.body)).toBe(1);
    expect(after.body).not.toContain(`action="/account/sessions/end-others"`);
    expect(await actions(licence.organisationId, "session.end-others")).toEqual(["session.end-others"]);
  });

  it("lets an admin sign a user out everywhere, but not another organisation's", async () => {
    const { licence, owner } = await signedInOwner();
    const other = await signedInOwner();
    const page = await owner.get("/users/new");
    const organisationId = /name="organisationId" value="([^"]+)"/.exec(page.body)![1]!;
    const username = `lee-${unique()}`;
    const created = await owner.post("/users/new", { fullName: "Lee Lostphone", email: `${username}@school.example`, username, role: "staff", organisationId });
    await agent().submit(`/set-password/${/set-password\/([A-Za-z0-9_-]{43})/.exec(created.body)![1]!}`, { password: TEST_PASSWORD });
    const staff = agent();
    await staff.signIn(username);
    const staffId = /href="\/users\/([0-9a-f-]{36})">Lee Lostphone</.exec((await owner.get("/users")).body)![1]!;

    await other.owner.get("/dashboard");
    expect((await other.owner.post(`/users/${staffId}/sign-out`)).statusCode).toBe(404);
    expect((await staff.get("/dashboard")).statusCode).toBe(200);

    await owner.get(`/users/${staffId}`);
    expect((await owner.post(`/users/${staffId}/sign-out`)).headers.location).toBe(`/users/${staffId}?signedOut=1`);
    expect((await staff.get("/dashboard")).headers.location).toBe("/login");
    expect((await agent().signIn(username)).headers.location).toBe("/dashboard"); // still active
    expect(await actions(licence.organisationId, "session.end-all")).toEqual(["session.end-all"]);
  });

  it("records a request for erasure and tells the organisation's admins, who see it", async () => {
    const { licence, owner } = await signedInOwner();
    const page = await owner.get("/users/new");
    const organisationId = /name="organisationId" value="([^"]+)"/.exec(page.body)![1]!;
    const username = `eri-${unique()}`;
    const created = await owner.post("/users/new", { fullName: "Eri Erasure", email: `${username}@school.example`, username, role: "staff", organisationId });
    const token = /set-password\/([A-Za-z0-9_-]{43})/.exec(created.body)![1]!;
    await agent().submit(`/set-password/${token}`, { password: TEST_PASSWORD });
    const staff = agent();
    await staff.signIn(username);

    const tooLong = await staff.submit("/account/erasure", { reason: "x".repeat(2001) });
    expect(tooLong.statusCode).toBe(400);
    const { rows: none } = await sql`select 1 from erasure_requests where org_id = ${licence.organisationId}`.execute(db());
    expect(none).toHaveLength(0);

    const asked = await staff.submit("/account/erasure", { reason: "I am leaving the school at Christmas." });
    expect(asked.headers.location).toBe("/account?done=erasure");
    expect((await staff.get("/account")).body).toContain("You asked for your data to be erased on");

    const told = await emailsTo(steward.services, licence.email);
    expect(told.map((email) => email.subject)).toContain("A Steward user has asked for their data to be erased");
    const users = await owner.get("/users");
    expect(users.body).toContain("1 person has asked for their data to be erased");
    const staffId = /href="\/users\/([0-9a-f-]{36})">Eri Erasure</.exec(users.body)![1]!;
    expect((await owner.get(`/users/${staffId}`)).body).toContain("I am leaving the school at Christmas.");
    const { rows } = await sql<{ reason: string }>`select reason from erasure_requests where org_id = ${licence.organisationId}`.execute(db());
    expect(rows[0]!.reason).toMatch(/^v1\./);
    expect(await actions(licence.organisationId, "account.erasure")).toEqual(["account.erasure-request"]);

    // Case work carries it: an erasure request on the one-month clock, which the owner can open.
    const erasureCase = told.find((email) => email.subject.includes("erased"))!.body.match(/case (RR-\d{4}-\d{4})/)![1]!;
    const cases = await owner.get("/cases?type=rights");
    expect(cases.body).toContain(erasureCase);
    expect(cases.body).toContain("Eri Erasure");
    const casePath = /href="(\/cases\/[0-9a-f-]{36})">RR-/.exec(cases.body)![1]!;
    const casePage = await owner.get(casePath);
    expect(casePage.body).toContain("Erasure (delete the data)");
    expect(casePage.body).toContain("I am leaving the school at Christmas.");
    expect(casePage.body).toContain("One calendar month from");

    // Asking again while the request is open says so, and records, emails and logs nothing new.
    const emailsBefore = (await emailsTo(steward.services, licence.email)).length;
    expect((await staff.get("/account/erasure")).body).toContain("You do not need to ask again");
    const again = await staff.post("/account/erasure", { reason: "Again, in case you missed it." });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain("You asked for your data to be erased on");
    const { rows: requests } = await sql`select 1 from erasure_requests where org_id = ${licence.organisationId}`.execute(db());
    expect(requests).toHaveLength(1);
    expect(await actions(licence.organisationId, "account.erasure")).toEqual(["account.erasure-request"]);
    expect((await emailsTo(steward.services, licence.email)).length).toBe(emailsBefore);
    expect((await owner.get("/cases?type=rights")).body.match(/href="\/cases\/[0-9a-f-]{36}">RR-/g)).toHaveLength(1);
  });
});
