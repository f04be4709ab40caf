import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { fieldsWorthKeeping, formPageOf } from "./kept-forms.ts";

describe(`a form posted after the session ran out is not lost (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function ownerAtForm(path: string) {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    await agent.get(path);
    steward.clock.advance({ minutes: 21 }); // gone for lunch, the form half typed
    return { licence, agent };
  }

  const keptRows = async () => (await sql<{ n: number }>`select count(*)::int as n from kept_forms`.execute(steward.services.database.db)).rows[0]!.n;

  it("keeps what was typed, does nothing with it, and shows it again (once) after signing in and the two-factor code", async () => {
    const { licence, agent } = await ownerAtForm("/account/name");
    const posted = await agent.post("/account/name", { fullName: "Alexandra Whitfield-Jones" }, { referer: "http://steward.test/account/name" });
    expect(posted.statusCode).toBe(303);
    const signIn = posted.headers.location as string;
    expect(signIn).toBe(`/login?expired=1&kept=1&next=${encodeURIComponent("/account/name?kept=1")}`);
    const login = await agent.get(signIn);
    expect(login.body).toContain("Steward has kept it");

    await agent.post(signIn.replace(/^\/login\?expired=1&kept=1&/, "/login?"), { login: licence.username, password: TEST_PASSWORD });
    await agent.get(`/login/two-factor?next=${encodeURIComponent("/account/name?kept=1")}`);
    const code = await agent.post(`/login/two-factor?next=${encodeURIComponent("/account/name?kept=1")}`, { code: agent.authenticatorCode(licence.username) });
    expect(code.headers.location).toBe("/account/name?kept=1");
    const form = await agent.get("/account/name?kept=1");
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain("You were signed out before this form was sent, so nothing was saved");
    expect(form.body).toContain('value="Alexandra Whitfield-Jones"');
    // Nothing was changed, nothing is left behind, and it is given back only once.
    expect((await agent.get("/account")).body).not.toContain("Alexandra Whitfield-Jones");
    expect((await agent.get("/account/name?kept=1")).body).not.toContain("Alexandra Whitfield-Jones");
    expect(await keptRows()).toBe(0);
    const { rows } = await sql<{ fields: string }>`select fields from kept_forms`.execute(steward.services.database.db);
    expect(rows).toHaveLength(0);
  });

  it("keeps the fields sealed, never a password, and not a form without its token or from another site", async () => {
    const before = await keptRows();
    const forged = await ownerAtForm("/account/erasure");
    expect((await forged.agent.post("/account/erasure", { reason: "planted", _csrf: "not-the-token" })).headers.location).toBe("/login?expired=1");
    expect(await keptRows()).toBe(before);
    const crossSite = await ownerAtForm("/account/erasure");
    const planted = await crossSite.agent.post("/account/erasure", { reason: "planted" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(planted.headers.location).toBe("/login?expired=1");
    expect(await keptRows()).toBe(before);

    const { agent } = await ownerAtForm("/account/erasure");
    const kept = await agent.post("/account/erasure", { reason: "I am leaving in July.", password: "never keep this one" });
    expect(kept.headers.location).toContain("kept=1");
    const { rows } = await sql<{ fields: string }>`select fields from kept_forms`.execute(steward.services.database.db);
    expect(rows.some((row) => row.fields.startsWith("v1."))).toBe(true);
    expect(rows.every((row) => !row.fields.includes("leaving") && !row.fields.includes("never keep"))).toBe(true);
  });

  it("warns of the sign-out on every signed-in page: a dialog for the script, and a notice without it", async () => {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    const page = (await agent.get("/account")).body;
    expect(page).toContain('<script type="module" src="/assets/session-timeout.js"></script>');
    expect(page).toContain('data-timeout-seconds="1200"');
    expect(page).toContain("Stay signed in");
    expect(page).toMatch(/<noscript><p[^>]*>For your security, Steward signs you out after 20 minutes without activity/);
    expect((await agent.get("/session/keep-alive")).statusCode).toBe(204);
    const signedOut = (await new TestAgent(steward.app, steward.clock).get("/login")).body;
    expect(signedOut).not.toContain("session-timeout");
  });

  it("never keeps a password, a code or the form's token, and goes back only to a page of ours", () => {
    expect(fieldsWorthKeeping({ _csrf: "t", password: "p", newPassword: "q", code: "123456", reason: "r", names: ["a", "b"] })).toEqual({ reason: "r" });
    expect(formPageOf("http://steward.test/cases/new?type=sar&kept=1", "steward.test", "/cases")).toBe("/cases/new?type=sar");
    expect(formPageOf("https://evil.example/phish", "steward.test", "/cases")).toBe("/cases");
    expect(formPageOf(undefined, "steward.test", "//evil.example")).toBe("/dashboard");
  });

  it("gives a kept form only to the person who typed it", async () => {
    const { agent } = await ownerAtForm("/account/name");
    await agent.post("/account/name", { fullName: "Someone Typed This" });
    const other = await buildLicence(steward.services);
    const stranger = new TestAgent(steward.app, steward.clock);
    await stranger.signIn(other.username);
    const page = await stranger.get("/account/name?kept=1");
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain("Someone Typed This");
    expect(page.body).not.toContain("You were signed out before this form was sent");
  });
});
