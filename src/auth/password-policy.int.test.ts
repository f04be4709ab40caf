import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, licenceForm } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`a password is not the person's own name (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("refuses the registrant's full name as their password, with or without its spaces", async () => {
    for (const password of ["Alexandra Whitfield-Jones", "AlexandraWhitfieldJones"]) {
      const response = await new TestAgent(steward.app, steward.clock).submit("/register", licenceForm({ fullName: "Alexandra Whitfield-Jones", password }));
      expect(response.statusCode, password).toBe(400);
      expect(response.body).toContain('href="#password"');
      expect(response.body).toContain("Password must not be built from your name");
    }
  });

  it("refuses a new user's full name on the set-password page", async () => {
    const licence = await buildLicence(steward.services);
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.get("/users/new");
    const created = await owner.post("/users/new", { fullName: "Priya Ramanathan-Cole", email: `priya-${licence.organisationId.slice(0, 8)}@school.example`, username: `priya-${licence.organisationId.slice(0, 8)}`, role: "staff", organisationId: licence.organisationId });
    const link = /id="set-password-link" href="http:\/\/steward\.test(\/set-password\/[^"]+)"/.exec(created.body)![1]!;
    const refused = await new TestAgent(steward.app, steward.clock).submit(link, { password: "Priya Ramanathan-Cole" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("Password must not be built from your name");
  });
});
