import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`staff users, schools and who sees what (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function ownerOf(kind: "trust" | "school") {
    const licence = await buildLicence(steward.services, { organisationKind: kind });
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    await agent.get("/dashboard");
    return { agent, licence };
  }

  /** Adds a user through the page, returning their username and the path of their set-password link. */
  async function addUser(admin: TestAgent, fields: Record<string, string> = {}) {
    const id = unique();
    const form = { fullName: `Sam Staff ${id}`, email: `sam-${id}@school.example`, username: `sam-${id}`, role: "staff", ...fields };
    await admin.get("/users/new");
    const organisationId = fields["organisationId"] ?? /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await admin.get("/users/new")).body)!.slice(1).find(Boolean)!;
    const response = await admin.post("/users/new", { ...form, organisationId });
    const link = /id="set-password-link" href="http:\/\/steward\.test(\/set-password\/[^"]+)"/.exec(response.body)?.[1];
    return { response, link, ...form, organisationId };
  }

  async function activate(link: string, username: string) {
    const agent = new TestAgent(steward.app, steward.clock);
    const set = await agent.submit(link, { password: TEST_PASSWORD });
    expect(set.headers.location).toBe("/login?passwordSet=1");
    await agent.signIn(username);
    await agent.get("/dashboard");
    return agent;
  }

  it("creates a user with a one-time link, shown once to the admin and emailed through the outbox, where the link is not shown", async () => {
    const { agent } = await ownerOf("school");
    const user = await addUser(agent);
    expect(user.response.statusCode).toBe(200);
    expect(user.link).toBeDefined();
    const outbox = await agent.get("/outbox");
    expect(outbox.body).toContain(user.email);
    expect(outbox.body).not.toContain(user.link);
    expect(outbox.body).toContain("Held");

    const staff = await activate(user.link!, user.username);
    const dashboard = await staff.get("/dashboard");
    expect(dashboard.body).toContain(user.fullName);
  });

  it("lets a link be used once only, and not after 7 days", async () => {
    const { agent } = await ownerOf("school");
    const used = await addUser(agent);
    await activate(used.link!, used.username);
    expect((await new TestAgent(steward.app, steward.clock).get(used.link!)).statusCode).toBe(404);

    const late = await addUser(agent);
    steward.clock.advance({ hours: 7 * 24 });
    const visitor = new TestAgent(steward.app, steward.clock);
    const expired = await visitor.get(late.link!);
    expect(expired.statusCode).toBe(404);
    expect(expired.body).toContain("This link cannot be used");
    await visitor.get("/login"); // a valid form token, so only the link's age can refuse the post
    expect((await visitor.post(late.link!, { password: TEST_PASSWORD })).statusCode).toBe(404);
  });

  it("refuses a weak password on the set-password page and keeps the link usable", async () => {
    const { agent } = await ownerOf("school");
    const user = await addUser(agent);
    const weak = await new TestAgent(steward.app, steward.clock).submit(user.link!, { password: "password1234" });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("too common");
    await activate(user.link!, user.username);
  });

  it("shows a form error and writes nothing when the new user's details are wrong or taken", async () => {
    const { agent, licence } = await ownerOf("school");
    const count = async () => (await sql<{ n: number }>`select count(*)::int as n from users`.execute(steward.services.database.db)).rows[0]!.n;
    const before = await count();
    const bad = await addUser(agent, { email: "nope", role: "owner" });
    expect(bad.response.statusCode).toBe(400);
    expect(bad.response.body).toContain('href="#email"');
    expect(bad.response.body).toContain('href="#role"');
    const taken = await addUser(agent, { username: licence.username.toUpperCase() });
    expect(taken.response.statusCode).toBe(400);
    expect(taken.response.body).toContain("That username is taken");
    expect(await count()).toBe(before);
  });

  it("keeps staff out of user management and the outbox", async () => {
    const { agent } = await ownerOf("school");
    const user = await addUser(agent);
    const staff = await activate(user.link!, user.username);
    expect((await staff.get("/users")).statusCode).toBe(403);
    expect((await staff.get("/outbox")).statusCode).toBe(403);
    expect((await staff.post("/users/new", { fullName: "x", email: "x@example.com", username: "xxx", role: "admin", organisationId: user.organisationId })).statusCode).toBe(403);
  });

  it("deactivating a user ends their sessions at once and stops them signing in", async () => {
    const { agent } = await ownerOf("school");
    const user = await addUser(agent);
    const first = await activate(user.link!, user.username);
    const second = new TestAgent(steward.app, steward.clock);
    await second.signIn(user.username);
    const users = await agent.get("/users");
    const userId = new RegExp(`/users/([0-9a-f-]{36})/deactivate"[^>]*>Deactivate<span class="govuk-visually-hidden"> ${user.fullName}`).exec(users.body)![1]!;
    await agent.get(`/users/${userId}/deactivate`);
    const done = await agent.post(`/users/${userId}/deactivate`);
    expect(done.headers.location).toBe(`/users?deactivated=${userId}`);
    expect((await agent.get(done.headers.location as string)).body).toContain("has been deactivated");
    expect((await first.get("/dashboard")).headers.location).toBe("/login");
    expect((await second.get("/dashboard")).headers.location).toBe("/login");
    expect((await new TestAgent(steward.app, steward.clock).signIn(user.username)).statusCode).toBe(401);
  });

  it("lets a trust add schools and users in them; a trust admin sees every school, a school user only theirs", async () => {
    const trust = await ownerOf("trust");
    const schoolName = `Riverside Academy ${unique()}`;
    const added = await trust.agent.submit("/schools/new", { name: schoolName, postalAddress: "2 River Road, York", telephone: "01904 496000" });
    expect(added.statusCode).toBe(303);
    const schools = await trust.agent.get(added.headers.location as string);
    expect(schools.body).toContain(`${schoolName} has been added`);
    const schoolId = new RegExp(`<option value="([0-9a-f-]{36})"[^>]*>\\s*${schoolName}`).exec((await trust.agent.get("/users/new")).body)![1]!;

    const schoolAdmin = await addUser(trust.agent, { role: "admin", trainingConfirmed: "yes", organisationId: schoolId });
    const trustStaff = await addUser(trust.agent, { organisationId: trust.licence.organisationId });
    const admin = await activate(schoolAdmin.link!, schoolAdmin.username);

    const trustView = (await trust.agent.get("/users")).body;
    expect(trustView).toContain(schoolAdmin.fullName);
    expect(trustView).toContain(trustStaff.fullName);
    expect(trustView).toContain(schoolName);

    const schoolView = (await admin.get("/users")).body;
    expect(schoolView).toContain(schoolAdmin.fullName);
    expect(schoolView).not.toContain(trustStaff.fullName);
    expect(schoolView).not.toContain(trust.licence.username);
    // A school admin cannot manage the trust's schools.
    expect((await admin.get("/schools")).statusCode).toBe(403);
    // Nor add a user to the trust itself.
    const intoTrust = await addUser(admin, { organisationId: trust.licence.organisationId });
    expect(intoTrust.response.statusCode).toBe(404);
  });

  it("answers 404, and changes nothing, when another organisation's user is named", async () => {
    const mine = await ownerOf("school");
    const theirs = await ownerOf("school");
    const victim = await addUser(theirs.agent);
    await activate(victim.link!, victim.username);
    const victimId = /\/users\/([0-9a-f-]{36})\/deactivate/.exec((await theirs.agent.get("/users")).body)![1]!;

    expect((await mine.agent.get(`/users/${victimId}/deactivate`)).statusCode).toBe(404);
    expect((await mine.agent.post(`/users/${victimId}/deactivate`)).statusCode).toBe(404);
    expect((await mine.agent.get("/users")).body).not.toContain(victim.fullName);
    expect((await mine.agent.get("/outbox")).body).not.toContain(victim.email);
    expect((await theirs.agent.get("/users")).body).not.toContain("Deactivated");
    expect((await mine.agent.get("/users/not-a-uuid/deactivate")).statusCode).toBe(404);
  });
});
