import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { purgeEndedSessions } from "./sessions.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`signing in and sessions (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function signedIn(login?: string) {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    const response = await agent.signIn(login ?? licence.username);
    expect(response.statusCode).toBe(303);
    await agent.get("/dashboard"); // as a browser follows the redirect, picking up the new form token
    return { agent, licence };
  }

  async function sessionCount(): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from sessions`.execute(steward.services.database.db);
    return rows[0]!.n;
  }

  it("signs in with username or email, in any case, and lands on the dashboard", async () => {
    const licence = await buildLicence(steward.services);
    for (const login of [licence.username, licence.email.toUpperCase()]) {
      const agent = new TestAgent(steward.app, steward.clock);
      const response = await agent.signIn(login, TEST_PASSWORD, { authenticatorOf: licence.username });
      expect(response.headers.location).toBe("/dashboard");
      expect((await agent.get("/dashboard")).body).toContain(licence.name);
    }
  });

  it("gives a wrong password and an unknown user the same answer", async () => {
    const licence = await buildLicence(steward.services);
    const wrongPassword = await new TestAgent(steward.app, steward.clock).submit("/login", { login: licence.username, password: "not the password at all" });
    const unknownUser = await new TestAgent(steward.app, steward.clock).submit("/login", { login: "nobody-here", password: "not the password at all" });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    const message = (body: string) => /govuk-error-message">([\s\S]*?)<\/p>/.exec(body)?.[1]?.trim();
    expect(message(wrongPassword.body)).toBeDefined();
    expect(message(wrongPassword.body)).toBe(message(unknownUser.body));
  });

  it("sets one cookie only, HttpOnly and SameSite=Lax with no lifetime, and a new one at sign-in", async () => {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    const page = await agent.get("/login");
    expect(page.cookies).toHaveLength(1);
    const visitorCookie = agent.cookie;
    const response = await agent.post("/login", { login: licence.username, password: TEST_PASSWORD });
    expect(response.cookies).toHaveLength(1);
    const cookie = response.cookies[0]!;
    expect(cookie).toMatchObject({ name: "steward_session", httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.expires).toBeUndefined();
    expect(agent.cookie).not.toBe(visitorCookie);
  });

  it("marks the cookie Secure, with the __Host- prefix, when served over HTTPS", async () => {
    const https = await startTestSteward({ TRUST_PROXY_HOPS: "1" });
    try {
      const page = await https.app.inject({ url: "/login", headers: { "x-forwarded-proto": "https" } });
      expect(page.cookies[0]).toMatchObject({ name: "__Host-steward_session", secure: true, httpOnly: true });
      expect(page.headers["strict-transport-security"]).toMatch(/max-age=31536000/);
    } finally {
      await https.close();
    }
  });

  it("keeps a session alive while used, and ends it after 20 minutes without a request", async () => {
    const { agent } = await signedIn();
    steward.clock.advance({ minutes: 19 });
    expect((await agent.get("/dashboard")).statusCode).toBe(200);
    steward.clock.advance({ minutes: 19 });
    expect((await agent.get("/dashboard")).statusCode).toBe(200);
    steward.clock.advance({ minutes: 20 });
    const expired = await agent.get("/dashboard");
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe("/login?expired=1");
    const login = await agent.get("/login?expired=1");
    expect(login.body).toContain("signed out because you had not used Steward for 20 minutes");
    // The session is gone, not merely refused: the same cookie now counts as no session at all.
    expect((await agent.get("/dashboard")).headers.location).toBe("/login");
  });

  it("writes a session's last use at most every 15 seconds, and tells each page exactly when its session ends", async () => {
    const { agent, licence } = await signedIn();
    const lastUse = async () => {
      const { rows } = await sql<{ at: Date }>`select last_seen_at as at from sessions where user_id = ${licence.userId} order by last_seen_at desc limit 1`.execute(steward.services.database.db);
      return new Date(rows[0]!.at).toISOString();
    };
    const timeoutShown = (body: string) => Number(/data-timeout-seconds="(\d+)"/.exec(body)?.[1]);
    steward.clock.advance({ minutes: 1 });
    expect(timeoutShown((await agent.get("/dashboard")).body)).toBe(1200);
    const written = await lastUse();
    expect(written).toBe(steward.clock.now().toISOString());

    steward.clock.advance({ seconds: 10 });
    // Within 15 s of the last write, a page view only reads: the session ends when it would have, and the page says so.
    expect(timeoutShown((await agent.get("/dashboard")).body)).toBe(1190);
    expect(await lastUse()).toBe(written);

    steward.clock.advance({ seconds: 10 });
    expect(timeoutShown((await agent.get("/dashboard")).body)).toBe(1200);
    expect(await lastUse()).toBe(steward.clock.now().toISOString());
  });

  it("ends a session after 12 hours however active it is", async () => {
    const { agent } = await signedIn();
    for (let i = 0; i < 47; i += 1) {
      steward.clock.advance({ minutes: 15 });
      expect((await agent.get("/dashboard")).statusCode).toBe(200);
    }
    steward.clock.advance({ minutes: 15 });
    expect((await agent.get("/dashboard")).headers.location).toBe("/login?expired=1");
  });

  it("signs out with a POST that ends the session on the server and clears the browser", async () => {
    const { agent } = await signedIn();
    const cookieBefore = agent.cookie;
    const before = await sessionCount();
    const response = await agent.post("/logout");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login?signedOut=1");
    expect(response.headers["clear-site-data"]).toContain('"cookies"');
    expect(await sessionCount()).toBe(before - 1);
    agent.cookie = cookieBefore; // a stolen copy of the old cookie is worth nothing
    expect((await agent.get("/dashboard")).headers.location).toBe("/login");
  });

  it("refuses sign-out with the token from before sign-in: the token moves with the session", async () => {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.get("/login");
    const tokenBefore = agent.csrf ?? "";
    await agent.signIn(licence.username);
    expect((await agent.post("/logout", { _csrf: tokenBefore })).statusCode).toBe(403);
    expect((await agent.get("/dashboard")).statusCode).toBe(200);
  });

  it("refuses sign-out without the form's token, and the session lives on", async () => {
    const { agent } = await signedIn();
    const response = await agent.post("/logout", { _csrf: "forged" });
    expect(response.statusCode).toBe(403);
    expect((await agent.get("/dashboard")).statusCode).toBe(200);
  });

  it("purges sessions whose owner never came back, and keeps live ones", async () => {
    const abandoned = await signedIn();
    steward.clock.advance({ minutes: 15 });
    const live = await signedIn();
    steward.clock.advance({ minutes: 6 });
    const before = await sessionCount();
    expect(await purgeEndedSessions(steward.services)).toBeGreaterThanOrEqual(1);
    expect(await sessionCount()).toBeLessThan(before);
    expect((await live.agent.get("/dashboard")).statusCode).toBe(200);
    expect((await abandoned.agent.get("/dashboard")).headers.location).toBe("/login");
  });

  it("marks every page no-store so Back after sign-out shows nothing", async () => {
    const { agent } = await signedIn();
    expect((await agent.get("/dashboard")).headers["cache-control"]).toBe("no-store");
  });
});
