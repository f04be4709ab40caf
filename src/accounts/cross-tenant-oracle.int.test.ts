import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailsTo } from "../testing/mail.ts";
import { buildLicence, licenceForm, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`no organisation can find out about another's users (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function signedInOwner() {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    return { agent, licence };
  }

  /** Adds a user through the page; returns the response and the path of their set-password link. */
  async function addUser(admin: TestAgent, organisationId: string, fields: Record<string, string>) {
    await admin.get("/users/new");
    const response = await admin.post("/users/new", { role: "staff", organisationId, ...fields });
    return { response, link: /id="set-password-link" href="http:\/\/steward\.test(\/set-password\/[^"]+)"/.exec(response.body)?.[1] };
  }

  it("takes an email address another organisation's user has, saying nothing about them, and refuses one of its own organisation's", async () => {
    const theirs = await signedInOwner();
    const mine = await signedInOwner();
    const id = unique();
    const probed = await addUser(mine.agent, mine.licence.organisationId, { fullName: `Pat Probe ${id}`, email: theirs.licence.email.toUpperCase(), username: `pat-${id}` });
    expect(probed.response.statusCode).toBe(200);
    expect(probed.response.body).not.toContain("in use");

    const again = await addUser(mine.agent, mine.licence.organisationId, { fullName: `Pat Again ${id}`, email: theirs.licence.email, username: `pat2-${id}` });
    expect(again.response.statusCode).toBe(400);
    expect(again.response.body).toContain("Someone in your organisation already has that email address");

    // Registering a licence with an address in use elsewhere says nothing either.
    const visitor = new TestAgent(steward.app, steward.clock);
    const registered = await visitor.submit("/register", licenceForm({ email: theirs.licence.email }));
    expect(registered.statusCode).toBe(303);
    // …nor does changing one's own address to it.
    const third = await signedInOwner();
    await third.agent.submit("/account/email", { email: theirs.licence.email });
    const confirm = /\/account\/email\/confirm\/[\w-]+/.exec((await emailsTo(steward.services, theirs.licence.email)).at(-1)!.body)![0];
    await third.agent.get(confirm);
    const changed = await third.agent.post(confirm);
    expect(changed.statusCode).toBe(200);
  });

  it("signs in by a shared email address to the account whose password it is, and never mixes them up", async () => {
    const theirs = await signedInOwner();
    const mine = await signedInOwner();
    const id = unique();
    const shared = theirs.licence.email;
    const added = await addUser(mine.agent, mine.licence.organisationId, { fullName: `Sam Shared ${id}`, email: shared, username: `sam-${id}` });
    const samPassword = "a different horse battery";
    expect((await new TestAgent(steward.app, steward.clock).submit(added.link!, { password: samPassword })).headers.location).toBe("/login?passwordSet=1");

    const asSam = new TestAgent(steward.app, steward.clock);
    expect((await asSam.signIn(shared, samPassword, { authenticatorOf: `sam-${id}` })).statusCode).toBe(303);
    expect((await asSam.get("/account")).body).toContain(`Sam Shared ${id}`);

    const asOwner = new TestAgent(steward.app, steward.clock);
    const ownerPassword = await asOwner.submit("/login", { login: shared, password: TEST_PASSWORD });
    expect(ownerPassword.headers.location).toBe("/login/two-factor"); // the other organisation's owner, with their code
    const code = await asOwner.submit("/login/two-factor", { code: asOwner.authenticatorCode(theirs.licence.username) });
    expect(code.headers.location).toBe("/dashboard");
    expect((await asOwner.get("/account")).body).toContain(theirs.licence.name);

    const wrong = await new TestAgent(steward.app, steward.clock).submit("/login", { login: shared, password: "not either password" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("do not match an account");

    // A reset by that address goes to each account's holder (the same mailbox), each with its own link.
    const before = (await emailsTo(steward.services, shared)).filter((email) => email.subject === "Reset your Steward password").length;
    const reset = await new TestAgent(steward.app, steward.clock).submit("/password-reset", { login: shared });
    expect(reset.statusCode).toBe(200);
    expect((await emailsTo(steward.services, shared)).filter((email) => email.subject === "Reset your Steward password").length).toBe(before + 2);
  });

  it("asks for the username when one password opens two accounts of the same address", async () => {
    const theirs = await signedInOwner();
    const mine = await signedInOwner();
    const id = unique();
    const added = await addUser(mine.agent, mine.licence.organisationId, { fullName: `Twin ${id}`, email: theirs.licence.email, username: `twin-${id}` });
    await new TestAgent(steward.app, steward.clock).submit(added.link!, { password: TEST_PASSWORD });
    const both = await new TestAgent(steward.app, steward.clock).submit("/login", { login: theirs.licence.email, password: TEST_PASSWORD });
    expect(both.statusCode).toBe(401);
    expect(both.body).toContain("Sign in with your username instead");
    expect((await new TestAgent(steward.app, steward.clock).submit("/login", { login: `twin-${id}`, password: TEST_PASSWORD })).statusCode).toBe(303);
  });

  it("limits how many users one admin can add in an hour", async () => {
    const { agent, licence } = await signedInOwner();
    await agent.get("/users/new");
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) {
      // Usernames that are taken or refused cost the same as real additions: probing is what is limited.
      statuses.push((await agent.post("/users/new", { fullName: "Probe", email: "not-an-address", username: `probe-${i}`, role: "staff", organisationId: licence.organisationId })).statusCode);
    }
    expect(statuses.slice(0, 60).every((status) => status === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users where org_id = ${licence.organisationId}`.execute(steward.services.database.db);
    expect(rows[0]!.n).toBe(1);
  });
});
