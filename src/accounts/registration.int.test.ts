import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { licenceForm, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { signInIndex } from "./personal-fields.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`registering a licence (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function countRows(): Promise<{ organisations: number; users: number }> {
    const { rows } = await sql<{ organisations: number; users: number }>`
      select (select count(*)::int from organisations) as organisations, (select count(*)::int from users) as users`.execute(steward.services.database.db);
    return rows[0]!;
  }

  it("creates the organisation and its owner, signs them in, has them set up two-factor and names them on the dashboard", async () => {
    const agent = new TestAgent(steward.app, steward.clock);
    const form = licenceForm({ organisationKind: "trust", organisationName: `Northern Lights Trust ${unique()}` });
    const response = await agent.submit("/register", form);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/dashboard");
    // The owner can reach every record: two-factor comes before anything else.
    expect((await agent.get("/dashboard")).headers.location).toBe("/account/two-factor");
    expect((await agent.setUpTwoFactor(form["username"]!)).statusCode).toBe(200);
    const dashboard = await agent.get("/dashboard");
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain(form["fullName"]);
    expect(dashboard.body).toContain(form["organisationName"]);
  });

  it("stores the password only as an argon2id hash at or above the ASVS minimum", async () => {
    const form = licenceForm();
    await new TestAgent(steward.app, steward.clock).submit("/register", form);
    const { rows } = await sql<{ passwordHash: string }>`select password_hash from users where username_index = ${signInIndex(steward.services.keyring, "username", form["username"]!)}`.execute(steward.services.database.db);
    const stored = rows[0]!.passwordHash;
    expect(stored).not.toContain(TEST_PASSWORD);
    const params = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
    expect(params).not.toBeNull();
    expect(Number(params![1])).toBeGreaterThanOrEqual(19_456);
    expect(Number(params![2])).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ["a short password", { password: "short pass" }, "password", "12 characters or more"],
    ["a common password", { password: "qwerty123456789" }, "password", "too common"],
    ["a password built from the username", { username: "jsmith-office", password: "jsmith-office1" }, "password", "must not be built"],
    ["a missing name", { fullName: "  " }, "fullName", "Enter your full name"],
    ["a bad email", { email: "not-an-email" }, "email", "correct format"],
    ["a bad telephone number", { telephone: "12345" }, "telephone", "UK telephone number"],
    ["a bad username", { username: "a b" }, "username", "3 to 40"],
    ["no organisation kind", { organisationKind: "council" }, "organisationKind", "trust or a school"],
    ["no nation", { nation: "" }, "nation", "Select the nation the trust or school is in"],
    ["a school with no kind of school", { organisationKind: "school", schoolType: "" }, "schoolType", "Select what kind of school it is"],
  ])("refuses %s with a message next to the field, and writes nothing", async (_what, overrides, field, message) => {
    const before = await countRows();
    const response = await new TestAgent(steward.app, steward.clock).submit("/register", licenceForm(overrides));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("There is a problem");
    expect(response.body).toContain(`href="#${field}"`);
    expect(response.body).toContain(message);
    expect(response.body).toMatch(/<title>Error: /);
    expect(await countRows()).toEqual(before);
  });

  it("sets the nation and kind of school asked for, so an academy gets the academy rules from its first case", async () => {
    const kindOf = async (form: Record<string, string>) => {
      const agent = new TestAgent(steward.app, steward.clock);
      expect((await agent.submit("/register", form)).statusCode).toBe(303);
      const { rows } = await sql<{ nation: string; schoolType: string }>`
        select nation, school_type from organisations where name = ${form["organisationName"]}`.execute(steward.services.database.db);
      return rows[0];
    };
    expect(await kindOf(licenceForm({ schoolType: "academy", nation: "wales" }))).toEqual({ nation: "wales", schoolType: "academy" });
    expect(await kindOf(licenceForm({ schoolType: "independent", nation: "scotland" }))).toEqual({ nation: "scotland", schoolType: "independent" });
    // A trust is asked no kind of school: its own cases follow the academy rules, whatever was posted.
    expect(await kindOf(licenceForm({ organisationKind: "trust", organisationName: `Dales Trust ${unique()}`, schoolType: "maintained", nation: "england" }))).toEqual({ nation: "england", schoolType: "academy" });
    const page = (await new TestAgent(steward.app, steward.clock).get("/register")).body;
    expect(page).toContain("Which nation is it in?");
    expect(page).toContain("If it is a school, what kind of school is it?");
  });

  it("never sends the password back after an error", async () => {
    const response = await new TestAgent(steward.app, steward.clock).submit("/register", licenceForm({ email: "bad", password: "a-secret-password-to-keep" }));
    expect(response.body).not.toContain("a-secret-password-to-keep");
  });

  it("treats usernames as unique whatever their case, writing nothing on a clash, and says nothing of another licence's email address", async () => {
    const first = licenceForm();
    await new TestAgent(steward.app, steward.clock).submit("/register", first);
    const before = await countRows();

    const sameUsername = await new TestAgent(steward.app, steward.clock).submit("/register", licenceForm({ username: first["username"]!.toUpperCase() }));
    expect(sameUsername.statusCode).toBe(400);
    expect(sameUsername.body).toContain("That username is taken");

    expect(await countRows()).toEqual(before);

    // An address is unique only within an organisation: one used by another licence is not "taken".
    const sameEmail = await new TestAgent(steward.app, steward.clock).submit("/register", licenceForm({ email: first["email"]!.toUpperCase() }));
    expect(sameEmail.statusCode).toBe(303);
  });

  it("refuses a form carrying fields it does not expect (no mass assignment)", async () => {
    const before = await countRows();
    const response = await new TestAgent(steward.app, steward.clock).submit("/register", { ...licenceForm(), role: "admin" });
    expect(response.statusCode).toBe(400);
    expect(await countRows()).toEqual(before);
  });
});
