import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { HASHING_LIMITS } from "./passwords.ts";

describe(`a burst of sign-ins cannot stall everything else (${testEngine})`, () => {
  let steward: TestSteward;
  const usual = { ...HASHING_LIMITS };
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterEach(() => Object.assign(HASHING_LIMITS, usual));
  afterAll(() => steward.close());

  it("answers 503 with Retry-After past the cap, while /healthz still answers, and signs in again once there is room", async () => {
    const licence = await buildLicence(steward.services);
    const visitor = new TestAgent(steward.app, steward.clock);
    await visitor.get("/login");
    Object.assign(HASHING_LIMITS, { running: 0, waiting: 0 }); // every slot taken
    const refused = await visitor.post("/login", { login: licence.username, password: "correct horse battery staple" });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(refused.body).toContain("Steward is busy");
    expect((await steward.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);

    Object.assign(HASHING_LIMITS, usual);
    await visitor.get("/login");
    const signedIn = await visitor.post("/login", { login: licence.username, password: "correct horse battery staple" });
    expect(signedIn.statusCode).toBe(303);
  });

  it("in a burst, hashes at most the cap at once and turns the rest away, each one promptly", async () => {
    const licence = await buildLicence(steward.services);
    Object.assign(HASHING_LIMITS, { running: 1, waiting: 1 });
    const agents = Array.from({ length: 12 }, () => new TestAgent(steward.app, steward.clock));
    await Promise.all(agents.map((agent) => agent.get("/login")));
    const started = Date.now();
    const [health, ...answers] = await Promise.all([
      new Promise((resolve) => setTimeout(resolve, 20)).then(() => steward.app.inject({ method: "GET", url: "/healthz" })),
      ...agents.map((agent) => agent.post("/login", { login: licence.username, password: "not the password at all" })),
    ]);
    expect(health.statusCode).toBe(200);
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 503 || status === 401 || status === 429)).toBe(true);
    expect(answers.filter((answer) => answer.statusCode === 503).every((answer) => answer.headers["retry-after"] === "5")).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
