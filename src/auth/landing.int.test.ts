import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`signing in lands on the page that was asked for (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("after the password and the two-factor code, opens the page a link from an email asked for", async () => {
    const licence = await buildLicence(steward.services);
    await new TestAgent(steward.app, steward.clock).signIn(licence.username); // two-factor set up
    const fromEmail = new TestAgent(steward.app, steward.clock);
    const asked = "/cases?type=sar&state=open";
    const sent = await fromEmail.get(asked);
    expect(sent.headers.location).toBe(`/login?next=${encodeURIComponent(asked)}`);
    const loginPage = await fromEmail.get(sent.headers.location as string);
    expect(loginPage.body).toContain(`action="/login?next=${encodeURIComponent(asked).replaceAll("&", "&amp;")}"`);
    const password = await fromEmail.post(`/login?next=${encodeURIComponent(asked)}`, { login: licence.username, password: TEST_PASSWORD });
    expect(password.headers.location).toBe(`/login/two-factor?next=${encodeURIComponent(asked)}`);
    await fromEmail.get(password.headers.location as string);
    const code = await fromEmail.post(password.headers.location as string, { code: fromEmail.authenticatorCode(licence.username) });
    expect(code.headers.location).toBe(asked);
    expect((await fromEmail.get(asked)).statusCode).toBe(200);
  });

  it.each([
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "/%5Cevil",
    "/%2F%2Fevil.example",
    "/%09/evil.example",
    "\t//evil.example",
    "javascript:alert(1)",
    "/logout",
  ])("sends a next of %j to the dashboard instead", async (next) => {
    const licence = await buildLicence(steward.services); // no two-factor yet: the password alone signs in
    const visitor = new TestAgent(steward.app, steward.clock);
    await visitor.get(`/login?next=${encodeURIComponent(next)}`);
    const response = await visitor.post(`/login?next=${encodeURIComponent(next)}`, { login: licence.username, password: TEST_PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/dashboard");
  });
});
