import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, licenceForm, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

const NUL = "\u0000";

describe(`text no column can store, and text that disguises itself (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function trustOwner() {
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    return { agent, licence };
  }

  it("answers U+0000 in any form or filter with a field error and a 400, never a 500, and writes nothing", async () => {
    const visitor = new TestAgent(steward.app, steward.clock);
    const register = await visitor.submit("/register", licenceForm({ organisationName: `Oak${NUL}field` }));
    expect(register.statusCode).toBe(400);
    expect(register.body).toContain('href="#organisationName"');
    expect(register.body).toContain("Remove the hidden character");

    const login = await visitor.submit("/login", { login: `someone${NUL}`, password: "whatever it is" });
    expect(login.statusCode).toBe(400);
    expect(login.body).toContain('href="#login"');
    const reset = await visitor.submit("/password-reset", { login: `x${NUL}` });
    expect(reset.statusCode).toBe(400);

    const { agent, licence } = await trustOwner();
    const cases = [
      ["/users/new", { fullName: `Sam${NUL}`, email: `sam-${unique()}@school.example`, username: `sam-${unique()}`, role: "staff", organisationId: licence.organisationId }, "fullName"],
      ["/account/name", { fullName: `Alex${NUL} Owner` }, "fullName"],
      ["/schools/new", { name: `Riverside${NUL}`, postalAddress: "2 River Road, York", telephone: "01904 496000" }, "name"],
      ["/account/erasure", { reason: `because${NUL}` }, "reason"],
    ] as const;
    for (const [path, fields, field] of cases) {
      const response = await agent.submit(path, fields);
      expect(response.statusCode, path).toBe(400);
      expect(response.body, path).toContain(`href="#${field}"`);
    }
    const audit = await agent.get(`/audit?record=${encodeURIComponent(`abc${NUL}`)}`);
    expect(audit.statusCode).toBe(400);
    expect(audit.body).toContain('href="#record"');
    const dated = await agent.get(`/audit?from-day=1${encodeURIComponent(NUL)}&from-month=2&from-year=2026`);
    expect(dated.statusCode).toBe(400);
    expect((await agent.get("/users")).body).not.toContain("Sam");
    expect((await agent.get("/schools")).body).not.toContain("Riverside");
  });

  it("drops bidirectional override characters from people's and organisations' names", async () => {
    const visitor = new TestAgent(steward.app, steward.clock);
    const form = licenceForm({ organisationName: `Oakfield \u202Eloohcs\u202C ${unique()}`, fullName: `Alex \u2066Owner\u2069 ${unique()}` });
    const registered = await visitor.submit("/register", form);
    expect(registered.statusCode).toBe(303);
    await visitor.setUpTwoFactor(form["username"]!);
    const account = await visitor.get("/account");
    expect(account.body).toContain(form["fullName"]!.replace(/[\u2066\u2069]/g, ""));
    expect(account.body).toContain(form["organisationName"]!.replace(/[\u202E\u202C]/g, ""));
    expect(account.body).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
});
