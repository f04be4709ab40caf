import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../platform/errors.ts";
import { TestAuthenticator } from "../testing/authenticator.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { operatorCommand } from "./operator-command.ts";
import { asOperator } from "./operator-scope.ts";
import { createOperator } from "./operators.ts";
import { issueOperatorSetupToken } from "./setup-token.ts";

/** The tables steward_operator is granted (migration 158): nothing else may open to it. */
const OPERATOR_TABLES = new Set(["operators", "operator_sessions", "operator_events", "backup_runs", "licences"]);

describe(`the platform operator (${testEngine})`, () => {
  let steward: TestSteward;
  /** The first operator, made through the setup address (the first test). */
  const first = { email: `first-${unique()}@operator.example`, authenticator: undefined as TestAuthenticator | undefined };

  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db())).rows[0]!.n);
  const setupSecret = async () => (await sql<{ value: string }>`select value from platform_secrets where name = 'operator-setup-token'`.execute(db())).rows[0]?.value;
  const eventsOf = async (operatorId: string | null) =>
    (await sql<{ action: string }>`select action from operator_events where operator_id is not distinct from ${operatorId} order by occurred_at, action`.execute(db())).rows.map((row) => row.action);
  const operatorIdOf = async (email: string) => (await sql<{ id: string }>`select id from operators where email = ${email}`.execute(db())).rows[0]!.id;
  const tokenFromLogs = () => {
    const matches = [...steward.logs.join("\n").matchAll(/"path":"\/operator\/setup\?token=([A-Za-z0-9_-]{43})"/g)];
    return matches.at(-1)?.[1];
  };

  /** Signs an operator in the whole way: password, then setting up an authenticator (the first time) or a code from it. */
  async function signIn(agent: TestAgent, email: string, authenticator?: TestAuthenticator): Promise<TestAuthenticator> {
    const password = await agent.submit("/operator/login", { email, password: TEST_PASSWORD });
    expect(password.statusCode, password.body.slice(0, 500)).toBe(303);
    if (password.headers.location === "/operator/two-factor/setup") {
      const setup = await agent.get("/operator/two-factor/setup");
      const key = /data-totp-secret>([^<]+)</.exec(setup.body)![1]!;
      const app = new TestAuthenticator(key, steward.clock);
      const confirmed = await agent.post("/operator/two-factor/setup", { code: app.code() });
      expect(confirmed.statusCode, confirmed.body.slice(0, 500)).toBe(303);
      expect(confirmed.headers.location).toBe("/operator");
      return app;
    }
    expect(password.headers.location).toBe("/operator/login/two-factor");
    await agent.get("/operator/login/two-factor");
    const code = await agent.post("/operator/login/two-factor", { code: authenticator!.code() });
    expect(code.statusCode, code.body.slice(0, 500)).toBe(303);
    expect(code.headers.location).toBe("/operator");
    return authenticator!;
  }

  async function newOperator(): Promise<{ email: string; id: string }> {
    const email = `ops-${unique()}@operator.example`;
    const created = await createOperator(steward.services, { email, password: TEST_PASSWORD });
    expect(created.ok).toBe(true);
    return { email, id: created.ok ? created.operatorId : "" };
  }

  async function signedInOperator() {
    const operator = await newOperator();
    const agent = new TestAgent(steward.app, steward.clock);
    const authenticator = await signIn(agent, operator.email);
    return { ...operator, agent, authenticator };
  }

  it("makes the first operator through the setup address printed at start, once and only once; a wrong token changes nothing", async () => {
    expect(await count("operators")).toBe(0);
    const logged = tokenFromLogs();
    expect(logged).toBeDefined();
    expect(steward.logs.join("\n")).toContain("No operator account exists yet");
    // Only its hash is kept.
    expect(await setupSecret()).not.toContain(logged);

    // A wrong token, on the page and in the form: refused, nothing written.
    const stranger = new TestAgent(steward.app, steward.clock);
    await stranger.get("/operator/login"); // a visitor's cookie, so the form's token is good and the token is what is judged
    const secretBefore = await setupSecret();
    const eventsBefore = await count("operator_events");
    expect((await stranger.get(`/operator/setup?token=${randomBytes(32).toString("base64url")}`)).statusCode).toBe(404);
    expect((await stranger.get("/operator/setup")).statusCode).toBe(404);
    const wrong = await stranger.post("/operator/setup", { token: randomBytes(32).toString("base64url"), email: first.email, password: TEST_PASSWORD });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain("This setup address cannot be used");
    expect(await count("operators")).toBe(0);
    expect(await count("operator_events")).toBe(eventsBefore);
    expect(await setupSecret()).toBe(secretBefore);

    // A restart makes a new address: the earlier one stops working.
    const replaced = await issueOperatorSetupToken(steward.services);
    expect(replaced).toBeDefined();
    expect(tokenFromLogs()).toBe(replaced);
    expect((await stranger.get(`/operator/setup?token=${logged}`)).statusCode).toBe(404);
    // An address more than 24 hours old does not work either.
    steward.clock.advance({ hours: 25 });
    expect((await stranger.get(`/operator/setup?token=${replaced}`)).statusCode).toBe(404);
    const token = (await issueOperatorSetupToken(steward.services))!;

    // The form with a mistake keeps the address usable.
    const agent = new TestAgent(steward.app, steward.clock);
    const page = await agent.get(`/operator/setup?token=${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Create the first operator account");
    const weak = await agent.post("/operator/setup", { token, email: first.email, password: "short" });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("Password must be 12 characters or more");
    const common = await agent.post("/operator/setup", { token, email: "not an address", password: "password1234" });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain("Enter an email address in the correct format");
    expect(common.body).toContain("Password is too common");
    expect(await count("operators")).toBe(0);
    expect((await agent.get(`/operator/setup?token=${token}`)).statusCode).toBe(200);

    const made = await agent.post("/operator/setup", { token, email: first.email.toUpperCase(), password: TEST_PASSWORD });
    expect(made.statusCode, made.body.slice(0, 800)).toBe(303);
    expect(made.headers.location).toBe("/operator/login?created=1");
    expect(await count("operators")).toBe(1);
    const id = await operatorIdOf(first.email);
    expect(await eventsOf(id)).toEqual(["operator.create", "operator.setup"]);
    expect(await setupSecret()).toBeUndefined();

    // Used up: neither the page nor the form works again, and no second operator is made.
    expect((await agent.get(`/operator/setup?token=${token}`)).statusCode).toBe(404);
    const again = await new TestAgent(steward.app, steward.clock).post("/operator/setup", { token, email: `other-${unique()}@operator.example`, password: TEST_PASSWORD });
    expect(again.statusCode).toBe(403); // a new visitor has no cookie to bind a form token to
    const againWithPage = await agent.post("/operator/setup", { token, email: `other-${unique()}@operator.example`, password: TEST_PASSWORD });
    expect(againWithPage.statusCode).toBe(404);
    expect(await count("operators")).toBe(1);
    // Once an operator exists, a start makes no setup address.
    expect(await issueOperatorSetupToken(steward.services)).toBeUndefined();
    expect(await setupSecret()).toBeUndefined();

    // The first operator signs in: two-factor is set up before anything else.
    first.authenticator = await signIn(new TestAgent(steward.app, steward.clock), first.email);
  });

  it("makes operators as the command does: the password policy holds, addresses are unique, and the setup address stops working", async () => {
    const email = `cli-${unique()}@operator.example`;
    const weak = await createOperator(steward.services, { email, password: "short" });
    expect(weak).toEqual({ ok: false, errors: { password: "Password must be 12 characters or more" } });
    const built = await createOperator(steward.services, { email, password: `${email.split("@")[0]}1` });
    expect(built.ok).toBe(false);
    expect(await count("operators")).toBe(1);

    const printed: string[] = [];
    const errors: string[] = [];
    const database = { ...steward.services.database, close: async () => {} }; // the test's database stays open
    const io = { openDatabase: async () => database, readPassword: async () => TEST_PASSWORD, print: (line: string) => printed.push(line), printError: (line: string) => errors.push(line) };
    // A setup address still waiting (as if the server had started before anyone existed) stops working.
    await sql`insert into platform_secrets (name, value) values ('operator-setup-token', '{"hash":"x","issuedAt":"2027-01-01T00:00:00Z"}')`.execute(db());
    expect(await operatorCommand(["create", "--email", email], io)).toBe(0);
    expect(printed.join("\n")).toContain(`OK: operator ${email} created`);
    expect(await setupSecret()).toBeUndefined();
    const id = await operatorIdOf(email);
    expect(await eventsOf(id)).toEqual(["operator.create"]);
    const stored = (await sql<{ passwordHash: string; totpSecret: string | null }>`select password_hash, totp_secret from operators where id = ${id}`.execute(db())).rows[0]!;
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored.totpSecret).toBeNull();

    // The same address again (in any case) is refused; so is a weak password, before anything is written.
    expect(await operatorCommand(["create", "--email", email.toUpperCase()], io)).toBe(1);
    expect(errors.join("\n")).toContain("There is already an operator with this email address");
    expect(await operatorCommand(["create", "--email", `x-${email}`], { ...io, readPassword: async () => "steward steward" })).toBe(1);
    await expect(operatorCommand(["delete", "--email", email], io)).rejects.toThrow(UsageError);
    await expect(operatorCommand(["create"], io)).rejects.toThrow(UsageError);
    expect(await count("operators")).toBe(2);
  });

  it("signs in with two factors always: a wrong password, a forced set-up, a wrong code and a reused code", async () => {
    const operator = await newOperator();
    const agent = new TestAgent(steward.app, steward.clock);

    // A wrong password, and an address nobody has, get the same answer.
    const wrong = await agent.submit("/operator/login", { email: operator.email, password: "not the password at all" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("The email address and password do not match an operator account");
    const nobody = await agent.submit("/operator/login", { email: `nobody-${unique()}@operator.example`, password: TEST_PASSWORD });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.body).toContain("The email address and password do not match an operator account");
    expect(await eventsOf(operator.id)).toEqual(["operator.create", "operator.sign-in.refused"]);

    // The password alone reaches nothing: without an authenticator, setting one up is all there is.
    const password = await agent.submit("/operator/login", { email: operator.email, password: TEST_PASSWORD });
    expect(password.statusCode).toBe(303);
    expect(password.headers.location).toBe("/operator/two-factor/setup");
    for (const url of ["/operator", "/operator/health"]) {
      const response = await agent.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toBe("/operator/two-factor/setup");
    }
    expect((await agent.get("/operator/login/two-factor")).headers.location).toBe("/operator/two-factor/setup");
    const setup = await agent.get("/operator/two-factor/setup");
    expect(setup.statusCode).toBe(200);
    expect(setup.body).toContain("data:image/svg+xml;base64,");
    const key = /data-totp-secret>([^<]+)</.exec(setup.body)![1]!;
    // The key is kept sealed under the master key, never as text.
    const sealed = (await sql<{ totpSecret: string }>`select totp_secret from operators where id = ${operator.id}`.execute(db())).rows[0]!.totpSecret;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(key.replace(/\s/g, ""));
    // The same key on a second look (until it is confirmed).
    expect(/data-totp-secret>([^<]+)</.exec((await agent.get("/operator/two-factor/setup")).body)![1]).toBe(key);
    const app = new TestAuthenticator(key, steward.clock);
    const wrongSetup = await agent.post("/operator/two-factor/setup", { code: "000000" === app.code() ? "111111" : "000000" });
    expect(wrongSetup.statusCode).toBe(400);
    expect(wrongSetup.body).toContain("That code is not right");
    const halfCookie = agent.cookie;
    const setUpCode = app.code();
    const confirmed = await agent.post("/operator/two-factor/setup", { code: setUpCode });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe("/operator");
    // A new session id at the second factor: the half-signed cookie is dead.
    expect(agent.cookie).not.toBe(halfCookie);
    const stale = new TestAgent(steward.app, steward.clock);
    stale.cookie = halfCookie;
    expect((await stale.get("/operator")).headers.location).toBe("/operator/login");
    expect((await agent.get("/operator")).statusCode).toBe(200);

    // Sign out, and in again: now the code is asked for, and the set-up page is not offered.
    await agent.post("/operator/logout");
    expect((await agent.get("/operator")).headers.location).toBe("/operator/login");
    expect((await agent.submit("/operator/login", { email: operator.email, password: TEST_PASSWORD })).headers.location).toBe("/operator/login/two-factor");
    expect((await agent.get("/operator/two-factor/setup")).headers.location).toBe("/operator/login/two-factor");
    expect((await agent.get("/operator")).headers.location).toBe("/operator/login/two-factor");
    await agent.get("/operator/login/two-factor");
    const wrongCode = await agent.post("/operator/login/two-factor", { code: setUpCode === "123456" ? "654321" : "123456" });
    expect(wrongCode.statusCode).toBe(401);
    // The code that set the app up was spent: it does not work again, even within its 30 seconds.
    const reused = await agent.post("/operator/login/two-factor", { code: setUpCode });
    expect(reused.statusCode).toBe(401);
    expect(reused.body).toContain("That code is not right, or has been used already");
    const fresh = await agent.post("/operator/login/two-factor", { code: app.code() });
    expect(fresh.statusCode).toBe(303);
    expect((await agent.get("/operator")).statusCode).toBe(200);
    expect(await eventsOf(operator.id)).toEqual(
      expect.arrayContaining(["operator.create", "operator.sign-in.refused", "operator.two-factor.enable", "operator.sign-in", "operator.sign-out", "operator.two-factor.refused"]),
    );
    // Failures cleared by the full sign-in.
    expect((await sql<{ failedSignIns: number }>`select failed_sign_ins from operators where id = ${operator.id}`.execute(db())).rows[0]!.failedSignIns).toBe(0);
  });

  it("slows down and then locks an account after repeated wrong passwords, even against the right one", async () => {
    const operator = await newOperator();
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.get("/operator/login");
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await agent.post("/operator/login", { email: operator.email, password: `wrong password number ${attempt}` });
      expect(response.statusCode, `attempt ${attempt}`).toBe(401);
      if (attempt === 6) {
        // Past five failures, the next try must wait.
        const hurried = await agent.post("/operator/login", { email: operator.email, password: TEST_PASSWORD });
        expect(hurried.statusCode).toBe(429);
        expect(hurried.body).toContain("Wait a minute");
      }
      steward.clock.advance({ minutes: 1 });
    }
    const locked = await agent.post("/operator/login", { email: operator.email, password: TEST_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain("This account is locked after too many failed attempts");
    expect(await eventsOf(operator.id)).toContain("operator.locked");
    steward.clock.advance({ minutes: 16 });
    expect((await agent.post("/operator/login", { email: operator.email, password: TEST_PASSWORD })).headers.location).toBe("/operator/two-factor/setup");
  });

  it("ends a session after 20 idle minutes, and after 12 hours however busy", async () => {
    const { agent } = await signedInOperator();
    steward.clock.advance({ minutes: 19 });
    expect((await agent.get("/operator")).statusCode).toBe(200);
    steward.clock.advance({ minutes: 19 });
    expect((await agent.get("/operator/health")).statusCode).toBe(200);
    steward.clock.advance({ minutes: 21 });
    const idle = await agent.get("/operator");
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe("/operator/login?expired=1");
    expect((await agent.get("/operator/login?expired=1")).body).toContain("You have been signed out because you had not used the console for 20 minutes");
    // Gone for good: the same cookie again is no session at all.
    expect((await agent.get("/operator")).headers.location).toBe("/operator/login");

    const busy = await signedInOperator();
    for (let minutes = 0; minutes < 12 * 60 - 15; minutes += 15) {
      steward.clock.advance({ minutes: 15 });
      expect((await busy.agent.get("/operator")).statusCode).toBe(200);
    }
    steward.clock.advance({ minutes: 16 });
    expect((await busy.agent.get("/operator")).headers.location).toBe("/operator/login?expired=1");
  });

  it("sets its own cookie: HttpOnly, SameSite=Strict, apart from the staff session's", async () => {
    const operator = await newOperator();
    const agent = new TestAgent(steward.app, steward.clock);
    const page = await agent.get("/operator/login");
    const visitor = page.cookies.find((cookie) => cookie.name === "steward_operator")!;
    expect(visitor).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(page.cookies.some((cookie) => cookie.name === "steward_session")).toBe(false);
    const signedIn = await agent.post("/operator/login", { email: operator.email, password: TEST_PASSWORD });
    const session = signedIn.cookies.find((cookie) => cookie.name === "steward_operator")!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(session.value).not.toBe(visitor.value);
    expect(session.maxAge).toBeUndefined();
  });

  it("refuses every operator form without its token, or from another site, and changes nothing", async () => {
    const { agent, id } = await signedInOperator();
    const events = await count("operator_events");
    for (const url of ["/operator/logout", "/operator/login", "/operator/setup", "/operator/login/two-factor", "/operator/two-factor/setup"]) {
      const noToken = await agent.post(url, { _csrf: "" });
      expect(noToken.statusCode, `${url} without token`).toBe(403);
      const crossSite = await agent.post(url, {}, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
      expect(crossSite.statusCode, `${url} from another site`).toBe(403);
    }
    // A staff page's token (bound to the staff cookie) is no good for the console either.
    const staffPage = await new TestAgent(steward.app, steward.clock).get("/login");
    const staffToken = /name="_csrf" value="([^"]+)"/.exec(staffPage.body)![1]!;
    expect((await agent.post("/operator/logout", { _csrf: staffToken })).statusCode).toBe(403);
    expect(await count("operator_events")).toBe(events);
    expect((await agent.get("/operator")).statusCode).toBe(200);
    // A form from the console's own page works.
    const out = await agent.post("/operator/logout");
    expect(out.headers.location).toBe("/operator/login?signedOut=1");
    expect(await eventsOf(id)).toContain("operator.sign-out");
  });

  it("keeps staff out of the console: no operator session, no page", async () => {
    const licence = await buildLicence(steward.services);
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const operatorRoutes = steward.app.routeTable.filter((route) => route.access === "operator" && (route.method === "GET" || route.method === "POST"));
    expect(operatorRoutes.length).toBeGreaterThanOrEqual(2);
    for (const route of operatorRoutes) {
      const url = route.url.replace(/:[a-zA-Z]+/g, licence.organisationId);
      const response = route.method === "GET" ? await owner.get(url) : await owner.post(url, {});
      if (route.method === "GET") {
        expect(response.statusCode, url).toBe(303);
        expect(response.headers.location, url).toBe("/operator/login");
      } else {
        expect(response.statusCode, `POST ${url}`).toBe(403);
      }
      // And a visitor with no cookie at all is sent to the operator's sign-in.
      if (route.method === "GET") {
        expect((await new TestAgent(steward.app, steward.clock).get(url)).headers.location, url).toBe("/operator/login");
      }
    }
  });

  describe("can see no school's personal data", () => {
    let seeded: { organisationId: string; userId: string; caseId: string; attachmentId: string; publicName: string; secrets: string[]; name: string };
    let operator: Awaited<ReturnType<typeof signedInOperator>>;

    beforeAll(async () => {
      const licence = await buildLicence(steward.services);
      const owner = new TestAgent(steward.app, steward.clock);
      await owner.signIn(licence.username);
      const requesterName = `Jordan Requester ${unique()}`;
      const fullName = /Alex Owner [0-9a-f]{8}/.exec((await owner.get("/account")).body)![0];
      await owner.get("/cases/new");
      const logged = await owner.post("/cases", {
        organisationId: licence.organisationId, type: "sar", receivedOn: "2027-01-29", receivedTime: "", channel: "email", requesterName,
        requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.",
      });
      expect(logged.statusCode, logged.body.slice(0, 800)).toBe(303);
      const casePath = logged.headers.location!.replace(/\?.*$/, "");
      await owner.get(casePath);
      const uploaded = await owner.upload(`${casePath}/attachments`, "note.txt", Buffer.from("A note about the request.\n"));
      expect(uploaded.statusCode, uploaded.body.slice(0, 800)).toBeLessThan(400);
      const attachment = (await sql<{ id: string }>`select id from case_attachments where org_id = ${licence.organisationId}`.execute(db())).rows[0]!;
      const organisation = (await sql<{ publicName: string | null }>`select public_name from organisations where id = ${licence.organisationId}`.execute(db())).rows[0]!;
      seeded = {
        organisationId: licence.organisationId,
        userId: licence.userId,
        caseId: casePath.split("/").at(-1)!,
        attachmentId: attachment.id,
        publicName: organisation.publicName ?? "no-such-school",
        name: licence.name,
        secrets: [fullName, licence.email, licence.username, requesterName],
      };
      operator = await signedInOperator();
    });

    /** A route's address with its parameters filled from the seeded licence's own records where there is one. */
    const concrete = (url: string) =>
      url.replace(/:([a-zA-Z]+)/g, (_match, name: string) => {
        if (name === "id" && url.startsWith("/users/")) return seeded.userId;
        if (name === "id" && url.startsWith("/cases/")) return seeded.caseId;
        if (name === "id" && url.startsWith("/settings/calendar/")) return seeded.organisationId;
        if (name === "attachmentId") return seeded.attachmentId;
        if (name === "publicName") return seeded.publicName;
        if (name === "register") return "processing";
        if (name === "format") return "csv";
        if (name === "form") return "sar";
        if (name === "page" || name === "step" || name === "version" || name === "area") return "1";
        if (name === "token") return randomBytes(32).toString("base64url");
        return randomUUID();
      });

    const appRoutes = () =>
      steward.app.routeTable.filter((route) => (route.method === "GET" || route.method === "POST") && !route.url.startsWith("/assets/"));

    it("every route that is neither public nor the operator's own answers 403 or 404 to a signed-in operator, GET and POST alike", async () => {
      const { agent } = operator;
      const guarded = appRoutes().filter((route) => route.access !== "public" && route.access !== "operator");
      expect(guarded.length).toBeGreaterThan(100);
      const tokenBefore = agent.csrf;
      const rowsBefore = await everyOrganisationRowCount();
      for (const route of guarded) {
        const url = concrete(route.url);
        const response: LightMyRequestResponse = route.method === "GET" ? await agent.get(url) : await agent.post(url, { _csrf: tokenBefore ?? "" });
        expect([403, 404], `${route.method} ${route.url} (${url}) answered ${response.statusCode}`).toContain(response.statusCode);
        for (const secret of seeded.secrets) {
          expect(response.body, `${route.method} ${url}`).not.toContain(secret);
        }
      }
      expect(await everyOrganisationRowCount()).toEqual(rowsBefore);
      // …while the operator's own pages still work: nothing above signed them out.
      expect((await agent.get("/operator")).statusCode).toBe(200);
    });

    it("every public route shows a signed-in operator none of the seeded personal data", async () => {
      const { agent } = operator;
      const open = appRoutes().filter((route) => route.access === "public");
      expect(open.length).toBeGreaterThan(20);
      for (const route of open) {
        const url = concrete(route.url);
        // The operator's own sign-out is a public page too: left for last, below.
        if (route.method === "POST" && url === "/operator/logout") continue;
        const response = route.method === "GET" ? await agent.get(url) : await agent.post(url, {});
        expect(response.statusCode, `${route.method} ${url}`).toBeLessThan(500);
        for (const secret of seeded.secrets) {
          expect(response.body, `${route.method} ${url}`).not.toContain(secret);
          expect(JSON.stringify(response.headers), `${route.method} ${url}`).not.toContain(secret);
        }
      }
    });

    it("the licences page lists the licence by organisation name and figures, linking to its page, and no person", async () => {
      const agent = (await signedInOperator()).agent;
      const page = await agent.get("/operator");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`href="/operator/licences/${seeded.organisationId}"`);
      expect(page.body).toContain(seeded.name);
      expect(page.body).toMatch(/<th scope="row"[^>]*><a [^>]*>[^<]+<\/a><\/th>\s*<td class="govuk-table__cell">\s*School/);
      expect(page.body).toContain("Active");
      expect(page.body).toMatch(/\d+ MB of 200 MB/);
      expect(page.body).toMatch(/(\d{1,2} \w{3} \d{4})/);
      expect(page.body).toContain('aria-label="Operator"');
      // Each state in words, with its date.
      const dormant = await buildLicence(steward.services);
      await sql`update licences set state = 'dormant', dormant_since = '2027-01-02T12:00:00Z' where org_id = ${dormant.organisationId}`.execute(db());
      const later = await agent.get("/operator");
      expect(later.body).toMatch(/Dormant: term ended\s*<\/strong>\s*<br><span class="govuk-body-s">since 2 January 2027 at midday/);
      for (const secret of seeded.secrets) {
        expect(page.body).not.toContain(secret);
      }
    });

    it("the health page shows the platform's figures and the backups, newest first", async () => {
      const agent = (await signedInOperator()).agent;
      await sql`insert into backup_runs (id, taken_at, file_name, bytes, pruned_at) values
        (${randomUUID()}, '2027-01-20T02:00:00Z', 'steward-2027-01-20.backup', 5242880, '2027-01-28T02:00:00Z'),
        (${randomUUID()}, '2027-01-29T02:00:00Z', 'steward-2027-01-29.backup', 3221225472, null)`.execute(db());
      const page = await agent.get("/operator/health");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("Database size");
      expect(page.body).toContain("Jobs waiting");
      expect(page.body).toContain("Email that could not be sent");
      const newer = page.body.indexOf("steward-2027-01-29.backup");
      const older = page.body.indexOf("steward-2027-01-20.backup");
      expect(newer).toBeGreaterThan(0);
      expect(older).toBeGreaterThan(newer);
      expect(page.body).toContain("3 GB");
      expect(page.body).toContain("5 MB");
      expect(page.body).toMatch(/Pruned 28 January 2027 at/);
      expect(page.body).toContain("Kept");
    });
  });

  it("as steward_operator, the database refuses every table but the operator's own: each with an org_id, and the platform's secrets", async () => {
    const { rows } = await sql<{ tableName: string; hasOrgId: boolean }>`
      select t.table_name, exists (select 1 from information_schema.columns c where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'org_id') as has_org_id
        from information_schema.tables t
       where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
       order by t.table_name`.execute(db());
    const withOrgId = rows.filter((row) => row.hasOrgId).map((row) => row.tableName);
    expect(withOrgId).toEqual(expect.arrayContaining(["cases", "users", "case_attachments", "audit_events", "organisation_keys", "ownership_requests", "outbox"]));
    // licences carries its organisation's id and is the operator's (no person in it): every other one is refused.
    const refused = rows.map((row) => row.tableName).filter((table) => !OPERATOR_TABLES.has(table) && !table.startsWith("kysely_"));
    expect(refused).toEqual(expect.arrayContaining([...withOrgId.filter((table) => table !== "licences"), "organisations", "platform_secrets"]));
    for (const table of refused) {
      await expect(asOperator(db(), (trx) => sql`select * from ${sql.table(table)} limit 1`.execute(trx)), table).rejects.toThrow(/permission denied/);
    }
    // Nor can it change what it may not read.
    await expect(asOperator(db(), (trx) => sql`update organisations set name = 'x'`.execute(trx))).rejects.toThrow(/permission denied/);
    await expect(asOperator(db(), (trx) => sql`delete from users`.execute(trx))).rejects.toThrow(/permission denied/);
    // Its own tables and figures it has.
    for (const table of OPERATOR_TABLES) {
      await asOperator(db(), (trx) => sql`select * from ${sql.table(table)} limit 1`.execute(trx));
    }
    await asOperator(db(), (trx) => sql`select * from steward_licence_overview()`.execute(trx));
  });

  /** Rows in every table with an org_id, so a sweep can show it changed nothing. */
  async function everyOrganisationRowCount(): Promise<Record<string, number>> {
    const { rows } = await sql<{ tableName: string }>`
      select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id' order by table_name`.execute(db());
    const counts: Record<string, number> = {};
    for (const { tableName } of rows) {
      // audit_events grows with every refused request only if something was read; kept_forms only for staff.
      counts[tableName] = await count(tableName);
    }
    return counts;
  }
});
