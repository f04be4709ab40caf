import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, licenceForm, TEST_PASSWORD } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";

const SOME_UUID = "3f1b7a52-7a3c-4c1e-9c55-1d2f0e6b9a10";
const concrete = (url: string) => url.replace(/:[a-zA-Z]+/g, SOME_UUID);

describe(`every route, swept (${testEngine})`, () => {
  let steward: TestSteward;
  let owner: TestAgent;
  /** The owner again, past the password but not yet the second factor. */
  let halfway: TestAgent;

  beforeAll(async () => {
    steward = await startTestSteward();
    // A route that fails, as any bug would; it carries personal data in its message.
    steward.app.get("/test/explode", { config: { access: "public" } }, async () => {
      throw new Error("could not write record for jo.bloggs@example.com");
    });
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.get("/dashboard");
    halfway = new TestAgent(steward.app, steward.clock);
    await halfway.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    await halfway.get("/login/two-factor");
  });
  afterAll(() => steward.close());

  const appRoutes = () => steward.app.routeTable.filter((route) => !route.url.startsWith("/assets/") && route.url !== "/test/explode");

  it("declares who may use every route", () => {
    expect(appRoutes().length).toBeGreaterThan(10);
    for (const route of steward.app.routeTable) {
      expect(route.access, `${route.method} ${route.url}`).toBeDefined();
    }
  });

  it("sends a visitor with no session to sign in, from every page that needs one", async () => {
    for (const route of appRoutes().filter((r) => r.access !== "public" && r.method === "GET")) {
      const response = await new TestAgent(steward.app, steward.clock).get(concrete(route.url));
      expect(response.statusCode, route.url).toBe(303);
      // …and comes back to the page asked for once signed in.
      const asked = concrete(route.url);
      // The operator's console has its own sign-in (src/operator/).
      const signIn = route.access === "operator" ? "/operator/login" : asked === "/dashboard" ? "/login" : `/login?next=${encodeURIComponent(asked)}`;
      expect(response.headers.location, route.url).toBe(signIn);
    }
  });

  it("refuses every state change without the form's token, or from another site, and changes nothing", async () => {
    const count = async () => (await sql<{ n: number }>`select (select count(*) from users) + (select count(*) from organisations) + (select count(*) from sessions) as n`.execute(steward.services.database.db)).rows[0]!.n;
    const before = await count();
    for (const route of appRoutes().filter((r) => r.method === "POST")) {
      const url = concrete(route.url);
      const agent = route.access === "second-factor" ? halfway : owner;
      const noToken = await agent.post(url, { ...licenceForm(), _csrf: "" });
      expect(noToken.statusCode, `${url} without token`).toBe(403);
      const crossSite = await agent.post(url, licenceForm(), { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
      expect(crossSite.statusCode, `${url} from another site`).toBe(403);
    }
    expect(await count()).toEqual(before);
  });

  it("sends the security headers on pages, errors and assets alike, with a fresh nonce each time", async () => {
    const nonces = new Set<string>();
    for (const url of ["/login", "/dashboard", "/no-such-page", "/healthz", "/assets/steward.css", "/test/explode"]) {
      const response = await owner.get(url);
      const csp = String(response.headers["content-security-policy"]);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).toContain("base-uri 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain("unsafe-inline");
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["referrer-policy"], url).toBe("same-origin");
      expect(response.headers["x-powered-by"], url).toBeUndefined();
      expect(response.headers["strict-transport-security"], `${url} over plain HTTP`).toBeUndefined();
      nonces.add(/'nonce-([^']+)'/.exec(csp)![1]!);
    }
    expect(nonces.size).toBe(6);
  });

  it("answers an unknown address with a styled 404 page", async () => {
    const response = await new TestAgent(steward.app, steward.clock).get("/no/such/page");
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain("Page not found");
    expect(response.body).toContain('href="/assets/steward.css"');
  });

  it("answers a failure with a styled 500 and a reference, logged under the same id with no personal data", async () => {
    const response = await new TestAgent(steward.app, steward.clock).get("/test/explode");
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain("Sorry, there is a problem with Steward");
    expect(response.body).not.toContain("jo.bloggs");
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    const reference = /id="error-reference">([^<]+)</.exec(response.body)![1]!;
    const logged = steward.logs.filter((line) => line.includes(reference));
    expect(logged.some((line) => line.includes('"request failed"') && line.includes("could not write record for [email]"))).toBe(true);
    expect(steward.logs.join("\n")).not.toContain("jo.bloggs");
  });

  it("keeps names, emails, passwords and tokens out of the logs", async () => {
    const form = licenceForm({ fullName: "Canary Person", email: "canary.person@example.com", username: "canary-person" });
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.submit("/register", form);
    await agent.setUpTwoFactor(form["username"]!);
    const newUserPage = await agent.get("/users/new");
    const organisationId = /name="organisationId" value="([^"]+)"/.exec(newUserPage.body)![1]!;
    const created = await agent.post("/users/new", { fullName: "Second Canary", email: "second.canary@example.com", username: "second-canary", role: "staff", organisationId });
    const token = /set-password\/([A-Za-z0-9_-]{43})/.exec(created.body)![1]!;
    await new TestAgent(steward.app, steward.clock).submit(`/set-password/${token}`, { password: TEST_PASSWORD });
    const logs = steward.logs.join("\n");
    expect(logs).toContain('"route":"/register"');
    expect(logs).toContain('"route":"/set-password/:token"');
    for (const secret of ["Canary Person", "canary.person@example.com", "canary-person", TEST_PASSWORD, "Second Canary", "second.canary", token, agent.cookie!.split("=")[1]!]) {
      expect(logs, secret).not.toContain(secret);
    }
  });

  it("reports healthy when the database is up and migrated, and 503 when it is not", async () => {
    const healthy = await steward.app.inject({ url: "/healthz" });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toEqual({ status: "ok" });

    const broken = await startTestSteward();
    await sql`drop table kysely_migration`.execute(broken.services.database.db);
    const notMigrated = await broken.app.inject({ url: "/healthz" });
    expect(notMigrated.statusCode).toBe(503);
    expect(notMigrated.json()).toEqual({ status: "unavailable" });
    await broken.close();
  });

  it("refuses a body over the size limit without writing anything", async () => {
    const response = await owner.post("/schools/new", { name: "x".repeat(100_000), postalAddress: "a", telephone: "01632960001" });
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain("That was too large");
  });
});
