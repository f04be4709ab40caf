import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`guessing passwords, and resetting one (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;

  /** Each guess from a new address, so only the account's own protection is in play. */
  const guess = (login: string, password = "a wrong password guess") =>
    new TestAgent(steward.app, steward.clock).submit("/login", { login, password });

  const outboxFor = (email: string) => emailsTo(steward.services, email);

  it("slows an account after 5 wrong passwords, locks it after 10, emails its holder and records it", async () => {
    const licence = await buildLicence(steward.services);
    for (let i = 0; i < 5; i += 1) {
      expect((await guess(licence.username)).statusCode).toBe(401);
    }
    const tooSoon = await guess(licence.username, TEST_PASSWORD);
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.body).toContain("Wait a minute");

    for (const wait of [2, 4, 8, 16]) {
      steward.clock.advance({ seconds: wait });
      expect((await guess(licence.username)).statusCode).toBe(401);
    }
    steward.clock.advance({ seconds: 32 });
    expect((await guess(licence.username)).statusCode).toBe(401); // the tenth: now locked

    const locked = await guess(licence.username, TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain("locked after too many failed sign-ins");
    const emails = await outboxFor(licence.email);
    expect(emails.map((email) => email.subject)).toEqual(["Your Steward account is locked for 15 minutes"]);
    const { rows } = await sql<{ action: string }>`select action from audit_events where org_id = ${licence.organisationId} and action like 'sign-in.%'`.execute(db());
    expect(rows.filter((row) => row.action === "sign-in.refused")).toHaveLength(10);
    expect(rows.filter((row) => row.action === "sign-in.locked")).toHaveLength(1);

    steward.clock.advance({ minutes: 15 });
    expect((await guess(licence.username, TEST_PASSWORD)).statusCode).toBe(303);
  });

  it("limits sign-in attempts per address, while the same account still signs in from elsewhere", async () => {
    const licence = await buildLicence(steward.services);
    const attacker = new TestAgent(steward.app, steward.clock);
    await attacker.get("/login");
    let last = await attacker.post("/login", { login: `nobody-${0}`, password: "guess guess guess" });
    for (let i = 1; i < 21; i += 1) {
      last = await attacker.post("/login", { login: `nobody-${i}`, password: "guess guess guess" });
    }
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    expect(last.body).toContain("Too many attempts");
    expect((await guess(licence.username, TEST_PASSWORD)).statusCode).toBe(303);
  });

  it("resets a password by a 30-minute, single-use emailed link that ends every other session and lifts a lock", async () => {
    const licence = await buildLicence(steward.services);
    const elsewhere = new TestAgent(steward.app, steward.clock);
    await elsewhere.signIn(licence.username);
    expect((await elsewhere.get("/dashboard")).statusCode).toBe(200);
    await sql`update users set locked_until = ${new Date(steward.clock.now().getTime() + 600_000)} where id = ${licence.userId}`.execute(db());

    const sent = await new TestAgent(steward.app, steward.clock).submit("/password-reset", { login: licence.email.toUpperCase() });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain("Check your email");
    const email = (await outboxFor(licence.email)).find((sent) => sent.subject === "Reset your Steward password");
    expect(email).toBeDefined();
    const path = /\/set-password\/[A-Za-z0-9_-]{43}/.exec(email!.body)![0];

    const person = new TestAgent(steward.app, steward.clock);
    expect((await person.get(path)).body).toContain("Choose a new password");
    const newPassword = "a brand new password for steward use";
    expect((await person.post(path, { password: newPassword })).headers.location).toBe("/login?passwordSet=1");
    expect((await elsewhere.get("/dashboard")).headers.location).toBe("/login");
    expect((await guess(licence.username, TEST_PASSWORD)).statusCode).toBe(401);
    expect((await guess(licence.username, newPassword)).statusCode).toBe(303);
    expect((await new TestAgent(steward.app, steward.clock).get(path)).statusCode).toBe(404);
  });

  it("lets a reset link lapse after 30 minutes", async () => {
    const licence = await buildLicence(steward.services);
    await new TestAgent(steward.app, steward.clock).submit("/password-reset", { login: licence.username });
    const reset = (await outboxFor(licence.email)).find((sent) => sent.subject === "Reset your Steward password")!;
    const path = /\/set-password\/[A-Za-z0-9_-]{43}/.exec(reset.body)![0];
    steward.clock.advance({ minutes: 29 });
    expect((await new TestAgent(steward.app, steward.clock).get(path)).statusCode).toBe(200);
    steward.clock.advance({ minutes: 1 });
    expect((await new TestAgent(steward.app, steward.clock).get(path)).statusCode).toBe(404);
  });

  it("answers a reset request for an unknown account exactly as for a known one, and sends nothing", async () => {
    const licence = await buildLicence(steward.services);
    const before = (await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db())).rows[0]!.n;
    const unknown = await new TestAgent(steward.app, steward.clock).submit("/password-reset", { login: "no-such-person@example.com" });
    expect((await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db())).rows[0]!.n).toBe(before);
    const known = await new TestAgent(steward.app, steward.clock).submit("/password-reset", { login: licence.username });
    expect(unknown.statusCode).toBe(known.statusCode);
    const main = (body: string) => /<main[\s\S]*<\/main>/.exec(body)![0].replace(/name="_csrf" value="[^"]+"/, "");
    expect(main(unknown.body)).toBe(main(known.body));
  });

  it("limits password reset requests per address", async () => {
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.get("/password-reset");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await agent.post("/password-reset", { login: `someone-${i}` })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
