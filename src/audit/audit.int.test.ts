import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../platform/clock.ts";
import { loadConfig } from "../platform/config.ts";
import { openDatabase } from "../platform/database/database.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { createLogger } from "../platform/logger.ts";
import { createSteward } from "../steward.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { recordAudit, recordAudits, sealAuditTrail, verifyAuditChains } from "./audit.ts";

describe(`the audit trail (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;

  /** The organisation's trail in chain order, once every committed event has been sealed into it. */
  async function trailOf(organisationId: string) {
    await sealAuditTrail(db());
    const { rows } = await sql<{ seq: number; action: string; recordType: string | null; recordId: string | null; actorUserId: string | null; ip: string | null; userAgent: string | null }>`
      select seq, action, record_type, record_id, actor_user_id, ip, user_agent from audit_events where org_id = ${organisationId} order by seq`.execute(db());
    return rows;
  }

  async function signedInOwner() {
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    await agent.get("/dashboard");
    return { agent, licence };
  }

  async function addUser(agent: TestAgent, organisationId: string) {
    const id = unique();
    await agent.get("/users/new");
    const response = await agent.post("/users/new", { fullName: `Ula User ${id}`, email: `ula-${id}@school.example`, username: `ula-${id}`, role: "staff", organisationId });
    const link = /set-password\/([A-Za-z0-9_-]{43})/.exec(response.body)![1]!;
    const userId = /href="\/users\/([0-9a-f-]{36})"/.exec((await agent.get("/users")).body.split(`Ula User ${id}`)[0]!.slice(-200))![1]!;
    return { userId, link, username: `ula-${id}`, fullName: `Ula User ${id}`, email: `ula-${id}@school.example` };
  }

  /** Logs a subject access request for the organisation as the signed-in agent; returns the case's id. */
  async function logCase(agent: TestAgent, organisationId: string) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", {
      organisationId, type: "sar", receivedOn: steward.clock.now().toISOString().slice(0, 10), receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.",
    });
    expect(response.statusCode, response.body.slice(0, 1500)).toBe(303);
    return /\/cases\/([0-9a-f-]{36})/.exec(response.headers.location!)![1]!;
  }

  it("records every change, sign-in and sign-out, with who, what record, when and from where", async () => {
    const { agent, licence } = await signedInOwner();
    const user = await addUser(agent, licence.organisationId);
    await new TestAgent(steward.app, steward.clock).submit(`/set-password/${user.link}`, { password: TEST_PASSWORD });
    await new TestAgent(steward.app, steward.clock).submit("/login", { login: user.username, password: "wrong wrong wrong" });
    await agent.get(`/users/${user.userId}/deactivate`);
    await agent.post(`/users/${user.userId}/deactivate`);
    await agent.post("/logout");

    const trail = await trailOf(licence.organisationId);
    const actions = trail.map((event) => event.action);
    expect(actions.slice(0, 3)).toEqual(["licence.register", "session.start", "session.start"]);
    for (const expected of ["user.create", "password.set", "sign-in.refused", "user.deactivate", "session.end"]) {
      expect(actions, expected).toContain(expected);
    }
    const created = trail.find((event) => event.action === "user.create")!;
    expect(created).toMatchObject({ recordType: "user", recordId: user.userId, actorUserId: licence.userId });
    expect(created.ip).toBe(agent.address);
    expect(created.userAgent).toContain("lightMyRequest");
    expect(trail.map((event) => event.seq)).toEqual(trail.map((_, index) => index + 1));
    // No personal data values: names, emails and usernames never appear in an event.
    const everything = JSON.stringify(trail);
    for (const value of [user.fullName, user.email, user.username, licence.email, licence.username]) {
      expect(everything).not.toContain(value);
    }
  });

  it("records every read of personal data: user lists, a user's page, the outbox, the trail itself", async () => {
    const { agent, licence } = await signedInOwner();
    const user = await addUser(agent, licence.organisationId);
    const before = (await trailOf(licence.organisationId)).length;
    await agent.get("/users");
    await agent.get(`/users/${user.userId}`);
    await agent.get("/outbox");
    await agent.get("/audit");
    await agent.get("/audit.csv");
    const reads = (await trailOf(licence.organisationId)).slice(before).map((event) => [event.action, event.recordId]);
    expect(reads).toEqual([
      ["user.list", null],
      ["user.view", user.userId],
      ["audit.read", null],
      ["outbox.read", null],
      ["audit.read", null],
      ["audit.export", null],
    ]);
  });

  it("cannot be changed or deleted by the application, even within its own organisation", async () => {
    const { licence } = await signedInOwner();
    for (const statement of [
      sql`update audit_events set action = 'user.view' where org_id = ${licence.organisationId}`,
      sql`delete from audit_events where org_id = ${licence.organisationId}`,
      sql`truncate audit_events`,
    ]) {
      await expect(inScope(db(), { organisationIds: [licence.organisationId] }, (trx) => statement.execute(trx))).rejects.toThrow(/permission denied/);
    }
  });

  it("never forks when many events are added at once, with several sealers sealing as they arrive", async () => {
    const { licence } = await signedInOwner();
    const at = steward.clock.now();
    const appends = Array.from({ length: 25 }, () =>
      inScope(db(), { organisationIds: [licence.organisationId] }, (trx) =>
        recordAudit(trx, { organisationId: licence.organisationId, actorUserId: licence.userId, action: "user.list", at }),
      ),
    );
    // As several app processes would: each sealer takes what has committed, one at a time.
    const sealers = Array.from({ length: 4 }, () => sealAuditTrail(db()));
    await Promise.all([...appends, ...sealers]);
    const seqs = (await trailOf(licence.organisationId)).map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const report = await verifyAuditChains(db());
    expect(report.breaks).toEqual([]);
    expect(report.awaitingSeal).toBe(0);
  });

  it("shows an event on the trail the moment it commits, and seals it into the chain a moment later", async () => {
    const { agent, licence } = await signedInOwner();
    await sealAuditTrail(db());
    await agent.get("/users");
    const waiting = await sql<{ seq: number | null; hash: string | null }>`
      select seq, hash from audit_events where org_id = ${licence.organisationId} and action = 'user.list'`.execute(db());
    expect(waiting.rows).toEqual([{ seq: null, hash: null }]);
    expect((await verifyAuditChains(db())).awaitingSeal).toBeGreaterThan(0);
    expect((await agent.get("/audit")).body).toContain("Looked at the list of users");

    expect(await sealAuditTrail(db())).toBeGreaterThan(0);
    const trail = await trailOf(licence.organisationId);
    expect(trail.map((event) => event.action).slice(-2)).toEqual(["user.list", "audit.read"]);
    expect(trail.map((event) => event.seq)).toEqual(trail.map((_, index) => index + 1));
    expect(await sealAuditTrail(db())).toBe(0);
  });

  it("seals a backlog bigger than one batch in the order it was appended", async () => {
    const { licence } = await signedInOwner();
    const at = steward.clock.now();
    await inScope(db(), { organisationIds: [licence.organisationId] }, (trx) =>
      recordAudits(trx, Array.from({ length: 2_100 }, (_, index) => ({ organisationId: licence.organisationId, actorUserId: licence.userId, action: "case.view" as const, recordType: "case" as const, recordId: `record-${index}`, at }))),
    );
    expect(await sealAuditTrail(db())).toBeGreaterThanOrEqual(2_100);
    const trail = (await trailOf(licence.organisationId)).filter((event) => event.action === "case.view");
    expect(trail.map((event) => event.recordId)).toEqual(Array.from({ length: 2_100 }, (_, index) => `record-${index}`));
    expect((await verifyAuditChains(db())).breaks).toEqual([]);
  });

  it("does not let the application choose an event's place in the chain", async () => {
    const { licence } = await signedInOwner();
    await sealAuditTrail(db());
    const forged = "f".repeat(64);
    await inScope(db(), { organisationIds: [licence.organisationId] }, (trx) =>
      sql`insert into audit_events (org_id, seq, id, occurred_at, action, previous_hash, hash)
          values (${licence.organisationId}, 1, gen_random_uuid(), now(), 'user.list', ${forged}, ${forged})`.execute(trx),
    );
    const trail = await trailOf(licence.organisationId);
    expect(trail.map((event) => event.seq)).toEqual(trail.map((_, index) => index + 1));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_events where hash = ${forged}`.execute(db());
    expect(rows[0]!.n).toBe(0);
    expect((await verifyAuditChains(db())).breaks).toEqual([]);
  });

  it("verifies, then names the first broken link when a row is changed or removed by hand", async () => {
    const { licence } = await signedInOwner();
    await sealAuditTrail(db());
    const clean = await verifyAuditChains(db());
    expect(clean.breaks).toEqual([]);
    expect(clean.events).toBeGreaterThan(0);

    // The owner role (or a superuser) can do what the application cannot.
    await sql`update audit_events set action = 'user.view' where org_id = ${licence.organisationId} and seq = 2`.execute(db());
    expect((await verifyAuditChains(db())).breaks).toEqual([{ organisationId: licence.organisationId, seq: 2, reason: "its contents do not match its hash" }]);

    const other = await signedInOwner();
    await sealAuditTrail(db());
    await sql`delete from audit_events where org_id = ${other.licence.organisationId} and seq = 1`.execute(db());
    const report = await verifyAuditChains(db());
    expect(report.breaks).toContainEqual({ organisationId: other.licence.organisationId, seq: 2, reason: "event 1 is missing" });
    expect(report.breaks).toHaveLength(2);
  });

  it("filters by user, record and date, and exports just what was filtered as CSV", async () => {
    const { agent, licence } = await signedInOwner();
    const user = await addUser(agent, licence.organisationId);
    await agent.get(`/users/${user.userId}`);

    const byRecord = await agent.get(`/audit?record=${user.userId}`);
    expect(byRecord.statusCode).toBe(200);
    expect(byRecord.body).toContain("Added a user");
    expect(byRecord.body).toContain("Looked at a user");
    expect(byRecord.body).not.toContain("Registered the licence");

    const byUser = await agent.get(`/audit?user=${licence.userId}`);
    expect(byUser.body).toContain("Registered the licence");

    const today = steward.clock.now().toISOString().slice(0, 10);
    expect((await agent.get(`/audit?from=${today}&to=${today}`)).body).toContain("Registered the licence");
    expect((await agent.get("/audit?from=2020-01-01&to=2020-01-31")).body).toContain("No events match");

    const bad = await agent.get("/audit?from=yesterday&user=nobody");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#from"');
    expect(bad.body).toContain('href="#user"');

    const csv = await agent.get(`/audit.csv?record=${user.userId}`);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toMatch(/^attachment; filename="steward-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe("time,organisation,user,user id,what happened,action,record,record type,record id,ip,user agent,sequence,hash");
    expect(lines.slice(1).every((line) => line.includes(user.userId))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it("says what happened in words and names a case by its reference, not an action code and a UUID", async () => {
    const { agent, licence } = await signedInOwner();
    const caseId = await logCase(agent, licence.organisationId);
    const reference = /id="reference">([^<]+)</.exec((await agent.get(`/cases/${caseId}`)).body)?.[1];
    const page = (await agent.get("/audit?kind=cases")).body;
    expect(page).toContain("Logged a case");
    expect(page).toContain(`href="/cases/${caseId}"`);
    expect(page).toContain(`Case ${reference}`);
    expect(page).not.toContain("<code>case.log</code>");
    expect(page).not.toContain("Signed in");
    // A case can be found by its reference.
    expect((await agent.get(`/audit?record=${reference!.toLowerCase()}`)).body).toContain("Logged a case");
  });

  it("logs no view on the page a person's own change sends them back to, and every other view", async () => {
    const { agent, licence } = await signedInOwner();
    const caseId = await logCase(agent, licence.organisationId);
    await agent.get(`/cases/${caseId}`);
    const views = async () => (await trailOf(licence.organisationId)).filter((event) => event.action === "case.view" && event.recordId === caseId).length;
    const before = await views();
    expect(before).toBe(1);
    const noted = await agent.post(`/cases/${caseId}/notes`, { note: "Rang the parent back." });
    expect(noted.statusCode).toBe(303);
    await agent.get(noted.headers.location!);
    expect(await views()).toBe(before);
    // A later visit is a view; so is one that only claims to follow a change.
    steward.clock.advance({ minutes: 2 });
    await agent.get(noted.headers.location!);
    await agent.get(`/cases/${caseId}`);
    expect(await views()).toBe(before + 2);
  });

  it("filters by kind of action, school and GOV.UK date boxes, and pages long results", async () => {
    const { agent, licence } = await signedInOwner();
    const user = await addUser(agent, licence.organisationId);
    for (let i = 0; i < 55; i += 1) await agent.get(`/users/${user.userId}`);
    const first = (await agent.get("/audit?kind=people")).body;
    expect(first).toMatch(/Showing 1 to 50, page 1 of 2/);
    expect(first).toContain("Pages of the audit trail");
    expect(first).toMatch(/href="\/audit\?kind=people&amp;page=2"/);
    const second = (await agent.get("/audit?kind=people&page=2")).body;
    expect(second).toMatch(/Showing 51 to \d+, page 2 of 2/);
    expect(first).not.toContain("Signed in");

    const [year, month, day] = steward.clock.now().toISOString().slice(0, 10).split("-");
    const boxes = `from-day=${Number(day)}&from-month=${Number(month)}&from-year=${year}&to-day=${Number(day)}&to-month=${Number(month)}&to-year=${year}`;
    expect((await agent.get(`/audit?kind=settings&${boxes}`)).body).toContain("Registered the licence");
    expect((await agent.get("/audit?from-day=1&from-month=1&from-year=2020&to-day=31&to-month=1&to-year=2020")).body).toContain("No events match");
    const wrong = await agent.get("/audit?from-day=31&from-month=2&from-year=2026");
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("From date must be a real date");
    expect(wrong.body).toContain('value="31"');
    const backwards = await agent.get("/audit?from=2026-02-02&to=2026-02-01");
    expect(backwards.body).toContain("To date must be the same as or after the from date");

    expect((await agent.get(`/audit?kind=settings&organisationId=${licence.organisationId}`)).body).toContain("Registered the licence");
    expect((await agent.get("/audit?organisationId=3f1b7a52-7a3c-4c1e-9c55-1d2f0e6b9a10")).body).toContain("No events match");
  });

  it("shows a record's own history on its page", async () => {
    const { agent, licence } = await signedInOwner();
    const user = await addUser(agent, licence.organisationId);
    const page = await agent.get(`/users/${user.userId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("History");
    expect(page.body).toContain("Added a user");
    expect(page.body).not.toContain("Registered the licence");
  });

  it("never shows one organisation another's events, and keeps staff out", async () => {
    const mine = await signedInOwner();
    const theirs = await signedInOwner();
    const theirUser = await addUser(theirs.agent, theirs.licence.organisationId);
    const csv = (await mine.agent.get("/audit.csv")).body;
    expect(csv).not.toContain(theirs.licence.organisationId);
    expect(csv).not.toContain(theirUser.userId);
    expect((await mine.agent.get(`/audit?record=${theirUser.userId}`)).body).toContain("No events match");
    expect((await mine.agent.get(`/users/${theirUser.userId}`)).statusCode).toBe(404);

    const staff = await addUser(mine.agent, mine.licence.organisationId);
    const staffAgent = new TestAgent(steward.app, steward.clock);
    await staffAgent.submit(`/set-password/${staff.link}`, { password: TEST_PASSWORD });
    await staffAgent.signIn(staff.username);
    expect((await staffAgent.get("/audit")).statusCode).toBe(403);
    expect((await staffAgent.get("/audit.csv")).statusCode).toBe(403);
  });
});

describe("npm run steward -- audit verify", () => {
  const run = promisify(execFile);
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "steward-cli-"));
    const config = loadConfig({ STEWARD_DATA_DIR: dataDir });
    const steward = await createSteward({ config, logger: createLogger("silent"), clock: new TestClock(), mailIntervalMs: 0, housekeepingIntervalMs: 0 });
    await buildLicence(steward.services);
    await steward.close();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const cli = () =>
    run(process.execPath, ["--import", "tsx", "src/cli.ts", "audit", "verify"], { env: { ...process.env, STEWARD_DATA_DIR: dataDir, DATABASE_URL: "" } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it("says OK for an intact trail, then exits 1 naming the first broken link", async () => {
    const ok = await cli();
    expect(ok.stdout).toMatch(/^OK: 2 events in 1 organisations checked, 0 broken chain\(s\)/m);
    expect(ok.code).toBe(0);

    const database = await openDatabase({ engine: "pglite", dataDir });
    const { rows } = await sql<{ orgId: string }>`update audit_events set ip = '10.0.0.1' where seq = 1 returning org_id`.execute(database.db);
    await database.close();

    const broken = await cli();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN organisation ${rows[0]!.orgId}: event 1 its contents do not match its hash`);
  }, 60_000);
});

describe(`the audit sealer in a running Steward (${testEngine})`, () => {
  it("seals what requests append within moments, with no one asking", async () => {
    const steward = await startTestSteward({}, { auditSealIntervalMs: 20 });
    try {
      const licence = await buildLicence(steward.services);
      const agent = new TestAgent(steward.app, steward.clock);
      await agent.signIn(licence.username);
      await agent.get("/users");
      let report = await verifyAuditChains(steward.services.database.db);
      for (let waited = 0; report.awaitingSeal > 0 && waited < 5_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        report = await verifyAuditChains(steward.services.database.db);
      }
      expect(report.awaitingSeal).toBe(0);
      expect(report.breaks).toEqual([]);
      expect(report.events).toBeGreaterThanOrEqual(3);
    } finally {
      await steward.close();
    }
  });
});
