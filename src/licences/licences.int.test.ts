import { strFromU8, unzipSync } from "fflate";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendDueReminders } from "../cases/reminders.ts";
import { createOperator } from "../operator/operators.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { openFor } from "../platform/encryption/keyring.ts";
import { addPerson, buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { cancelDeletionByOperator, decideOwnershipByOperator, licenceForOperator, setTermByOperator } from "./licence-operator.ts";
import { advanceLicences } from "./licences.ts";

/**
 * A licence's whole life with a moved clock: warnings once each, expiry to dormant (only the
 * owner signs in; reminders stop; nothing deleted), renewal and reinstatement, twelve months
 * dormant and the shred, deletion on request with a second admin and the cooling-off the
 * operator can undo, and taking over a licence whose owner has gone.
 */
describe(`a licence's life (${testEngine})`, () => {
  let steward: TestSteward;
  let operatorId: string;
  const START = "2027-01-04T10:00:00Z";
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set(START);
    const made = await createOperator(steward.services, { email: `operator-${Date.now()}@steward.example`, password: "a long operator passphrase 42" });
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    operatorId = made.operatorId;
  });
  afterAll(() => steward.close());
  beforeEach(() => steward.clock.set(START));

  const db = () => steward.services.database.db;
  const operator = () => ({ operatorId });
  const licenceRow = (id: string) => db().selectFrom("licences").selectAll().where("orgId", "=", id).executeTakeFirstOrThrow();
  const subjects = async (email: string) => (await emailsTo(steward.services, email)).map((sent) => sent.subject);

  async function school(kind: "school" | "trust" = "school") {
    const licence = await buildLicence(steward.services, { organisationKind: kind });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const dpo = await addPerson(steward.app, steward.clock, owner, kind === "trust" ? "admin" : "dpo", licence.organisationId);
    return { licence, owner, dpo };
  }

  async function logCase(agent: TestAgent, organisationId: string) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", {
      organisationId, type: "sar", receivedOn: "2027-01-04", receivedTime: "", channel: "email", requesterName: "Jordan Parent", requesterContact: "jordan@example.com",
      subjectKind: "pupil", subjectName: "Riley Pupil", summary: "Please send me all the data you hold about my son Riley.",
    });
    expect(response.statusCode, response.body.slice(0, 800)).toBe(303);
    return response.headers.location!.replace(/\?.*$/, "");
  }

  /** Signs in again (sessions end after 20 minutes idle, and the clock jumps months). */
  const signInAgain = async (username: string) => {
    const agent = new TestAgent(steward.app, steward.clock);
    const response = await agent.signIn(username);
    return { agent, response };
  };

  it("starts a new licence with a 12-month term", async () => {
    const { licence, owner } = await school();
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "active", termStartsOn: "2027-01-04", termEndsOn: "2028-01-03" });
    // Not renewable yet (a click on day one cannot add a year to invoice); from 60 days before the end, once.
    await owner.get("/licence");
    const early = await owner.post("/licence/renew");
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain("it can be renewed from 4 Nov 2027");
    steward.clock.set("2027-11-10T09:00:00Z");
    const { agent } = await signInAgain(licence.username);
    await agent.get("/licence");
    expect((await agent.post("/licence/renew")).statusCode).toBe(303);
    expect((await agent.post("/licence/renew")).statusCode).toBe(400);
    expect(await licenceRow(licence.organisationId)).toMatchObject({ termStartsOn: "2027-01-04", termEndsOn: "2029-01-03" });
  });

  it("warns the owner 60, 30 and 7 days before the term ends, once each, however often the job runs", async () => {
    const { licence } = await school();
    const warnings = async () => (await subjects(licence.email)).filter((subject) => subject.includes("licence for") && subject.includes("ends on")).length;
    steward.clock.set("2027-11-03T09:00:00Z"); // 61 days before 3 Jan 2028
    await advanceLicences(steward.services);
    expect(await warnings()).toBe(0);
    steward.clock.set("2027-11-04T09:00:00Z");
    await Promise.all([advanceLicences(steward.services), advanceLicences(steward.services)]);
    await advanceLicences(steward.services);
    expect(await warnings()).toBe(1);
    steward.clock.set("2027-12-04T09:00:00Z");
    await advanceLicences(steward.services);
    await advanceLicences(steward.services);
    expect(await warnings()).toBe(2);
    steward.clock.set("2027-12-28T09:00:00Z");
    await advanceLicences(steward.services);
    expect(await warnings()).toBe(3);
    await advanceLicences(steward.services);
    expect(await warnings()).toBe(3);
    expect((await licenceRow(licence.organisationId)).state).toBe("active");
  });

  it("sends one warning, not three, when the job first runs a few days before the end", async () => {
    const { licence } = await school();
    steward.clock.set("2027-12-30T09:00:00Z");
    await advanceLicences(steward.services);
    await advanceLicences(steward.services);
    const sent = (await subjects(licence.email)).filter((subject) => subject.includes("ends on"));
    expect(sent).toHaveLength(1);
  });

  it("expires into dormancy: only the owner signs in, to renew or export; nobody else; no reminders; nothing deleted", async () => {
    const { licence, dpo } = await school();
    const casePath = await logCase(dpo.agent, licence.organisationId);
    steward.clock.set("2028-01-03T20:00:00Z"); // the term's last day: still active
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("active");
    steward.clock.set("2028-01-04T08:00:00Z");
    const dpoBefore = (await signInAgain(dpo.username)).agent;
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    expect((await subjects(licence.email)).some((subject) => subject.includes("has expired"))).toBe(true);

    // The DPO's session has ended; signing in again says why.
    const kicked = await dpoBefore.get("/dashboard");
    expect(kicked.statusCode).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/login/);
    const again = new TestAgent(steward.app, steward.clock);
    await again.get("/login");
    const password = await again.post("/login", { login: dpo.username, password: TEST_PASSWORD });
    expect(password.headers.location).toBe("/login/two-factor");
    const closed = await again.get("/login/two-factor");
    expect(closed.headers.location).toBe("/login?licence=closed");
    expect((await again.get("/login?licence=closed")).body).toContain("only its owner can sign in");
    expect((await again.get(casePath)).headers.location).toMatch(/^\/login/);

    // The owner can: every page leads to the licence page, which says what to do.
    const { agent: owner } = await signInAgain(licence.username);
    expect((await owner.get("/dashboard")).headers.location).toBe("/licence");
    expect((await owner.get(casePath)).headers.location).toBe("/licence");
    const page = await owner.get("/licence");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("The licence expired on");
    expect(page.body).toContain("Renew for 12 months");
    expect(page.body).toContain("4 Jan 2029"); // when the data is destroyed
    // Export everything still works, and holds the case.
    const exported = await owner.get("/licence/export");
    expect(exported.statusCode, exported.body.slice(0, 300)).toBe(200);
    const zip = unzipSync(new Uint8Array(exported.rawPayload));
    const csv = Object.entries(zip).find(([name]) => name.endsWith("cases.csv"))!;
    expect(strFromU8(csv[1])).toContain("Jordan Parent");

    // Its public request page takes no new requests.
    const { publicName } = await db().selectFrom("organisations").select("publicName").where("id", "=", licence.organisationId).executeTakeFirstOrThrow();
    const visitor = new TestAgent(steward.app, steward.clock);
    expect((await visitor.get(`/r/${publicName}`)).body).toContain("does not take requests through this page");
    expect((await visitor.get(`/r/${publicName}/access`)).statusCode).toBe(404);
    // No reminders for a dormant licence, though its case is overdue.
    steward.clock.set("2028-02-10T08:00:00Z");
    const before = (await emailsTo(steward.services, dpo.email)).length;
    await sendDueReminders(steward.services);
    expect((await emailsTo(steward.services, dpo.email)).length).toBe(before);
    // Nothing deleted.
    const cases = await sql<{ n: number }>`select count(*)::int as n from cases where org_id = ${licence.organisationId}`.execute(db());
    expect(cases.rows[0]!.n).toBe(1);
  });

  it("renewing from the dormant page brings everything back, and tells the owner what was not kept", async () => {
    const { licence, dpo } = await school();
    const casePath = await logCase(dpo.agent, licence.organisationId);
    steward.clock.set("2028-03-01T09:00:00Z");
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    const { agent: owner } = await signInAgain(licence.username);
    await owner.get("/licence");
    const renewed = await owner.post("/licence/renew");
    expect(renewed.statusCode).toBe(303);
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "active", termStartsOn: "2028-03-01", termEndsOn: "2029-02-28", dormantSince: null });
    const reinstated = (await emailsTo(steward.services, licence.email)).find((email) => email.subject.includes("active again"))!;
    expect(reinstated.body).toContain("redacted copies");
    // The DPO signs in and finds the case as it was.
    const { agent } = await signInAgain(dpo.username);
    const page = await agent.get(casePath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Riley Pupil");
  });

  it("after twelve months dormant destroys the key and every row, leaves other licences alone, and shows the licence as ended", async () => {
    const { licence, dpo } = await school();
    const other = await school();
    await logCase(dpo.agent, licence.organisationId);
    const otherCase = await logCase(other.dpo.agent, other.licence.organisationId);
    await setTermByOperator(steward.services, operator(), other.licence.organisationId, { startsOn: "2027-01-04", endsOn: "2031-01-03" });
    // A sealed value as it was stored, to try to open afterwards (as a copy in a backup would be).
    const sealedName = await db().selectFrom("users").select(["id", "fullName"]).where("orgId", "=", licence.organisationId).where("role", "=", "owner").executeTakeFirstOrThrow();
    steward.clock.set("2028-01-10T09:00:00Z");
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    steward.clock.set("2028-12-11T09:00:00Z"); // 30 days before: one last warning
    await advanceLicences(steward.services);
    await advanceLicences(steward.services);
    expect((await subjects(licence.email)).filter((subject) => subject.includes("will be destroyed on 10 Jan 2029"))).toHaveLength(1);
    steward.clock.set("2029-01-09T09:00:00Z"); // a day short of 12 months
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    steward.clock.set("2029-01-10T09:00:00Z");
    await advanceLicences(steward.services);
    const ended = await licenceRow(licence.organisationId);
    expect(ended).toMatchObject({ state: "ended", endedReason: "dormant-12-months", organisationName: licence.name });

    // No row of the organisation is left, in any table that has one.
    const { rows: tables } = await sql<{ tableName: string }>`
      select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id' and table_name <> 'licences'`.execute(db());
    for (const { tableName } of tables) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(tableName)} where org_id = ${licence.organisationId}`.execute(db());
      expect(rows[0]!.n, tableName).toBe(0);
    }
    expect(await db().selectFrom("organisations").select("id").where("id", "=", licence.organisationId).execute()).toEqual([]);
    // The copy of a sealed value no longer opens: its key is gone.
    await expect(
      inScope(db(), { organisationIds: [licence.organisationId] }, (trx) =>
        openFor(trx, steward.services.keyring, { organisationId: licence.organisationId, table: "users", column: "fullName", rowId: sealedName.id }, sealedName.fullName),
      ),
    ).rejects.toThrow();
    // The operator's list shows it ended; the other licence carries on.
    expect(await licenceForOperator(steward.services, licence.organisationId)).toMatchObject({ state: "ended", organisationName: licence.name, storageLimitBytes: null });
    const { agent } = await signInAgain(other.dpo.username);
    expect((await agent.get(otherCase)).body).toContain("Riley Pupil");
    // Signing in as anyone of it finds nothing.
    const gone = await new TestAgent(steward.app, steward.clock).signIn(licence.username, TEST_PASSWORD);
    expect(gone.statusCode).toBe(401);
  });

  it("a trust's deletion asks for the name, needs a second admin, waits 7 days, and the operator can undo it", async () => {
    const { licence, owner, dpo: admin } = await school("trust");
    await owner.get("/licence/delete");
    const wrong = await owner.post("/licence/delete", { confirmName: "Some Other Trust" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("Type the organisation");
    expect((await licenceRow(licence.organisationId)).deletionAskedAt).toBeNull();
    const asked = await owner.post("/licence/delete", { confirmName: licence.name.toUpperCase() });
    expect(asked.statusCode).toBe(303);
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "active", deletionApprovedAt: null });
    expect((await subjects(admin.email)).some((subject) => subject.includes("a second admin must approve"))).toBe(true);
    // The owner cannot approve their own.
    expect((await owner.post("/licence/delete/approve")).statusCode).toBe(400);
    // Nor through an admin account added after asking (it could be their own second account).
    steward.clock.advance({ minutes: 1 });
    const late = await addPerson(steward.app, steward.clock, owner, "admin", licence.organisationId);
    expect((await late.agent.post("/licence/delete/approve")).statusCode).toBe(400);
    expect((await admin.agent.post("/licence/delete/approve")).statusCode).toBe(303);
    const pending = await licenceRow(licence.organisationId);
    expect(pending.state).toBe("deletion-pending");
    expect(pending.deletionDueAt!.toISOString()).toBe("2027-01-11T10:01:00.000Z");
    // Meanwhile everyone still works.
    expect((await admin.agent.get("/dashboard")).statusCode).toBe(200);

    // The school rang: it was a mistake. The operator stops it; the owner is told.
    await cancelDeletionByOperator(steward.services, operator(), licence.organisationId);
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "active", deletionAskedAt: null, deletionDueAt: null, noticesDue: [] });
    expect((await subjects(licence.email)).some((subject) => subject.includes("has been stopped"))).toBe(true);

    // Asked again and approved, it is carried out once the 7 days are over, not before.
    await owner.post("/licence/delete", { confirmName: licence.name });
    await admin.agent.post("/licence/delete/approve");
    const due = (await licenceRow(licence.organisationId)).deletionDueAt!;
    steward.clock.set(new Date(due.getTime() - 60_000).toISOString());
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("deletion-pending");
    steward.clock.set(new Date(due.getTime() + 60_000).toISOString());
    await advanceLicences(steward.services);
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "ended", endedReason: "deleted-on-request", deletionAskedBy: null });
    await expect(cancelDeletionByOperator(steward.services, operator(), licence.organisationId)).rejects.toThrow(/Too late/);
  });

  it("a standalone school's deletion goes straight to its cooling-off; the owner can stop it", async () => {
    const { licence, owner, dpo } = await school();
    await owner.get("/licence/delete");
    expect((await owner.post("/licence/delete", { confirmName: licence.name })).statusCode).toBe(303);
    expect((await licenceRow(licence.organisationId)).state).toBe("deletion-pending");
    // A DPO has no say in the licence.
    expect((await dpo.agent.get("/licence")).statusCode).toBe(403);
    expect((await owner.post("/licence/delete/cancel")).statusCode).toBe(303);
    expect((await licenceRow(licence.organisationId)).state).toBe("active");
  });

  it("an admin asks to take over a licence whose owner has gone; the operator approves; roles change and both are told", async () => {
    const { licence, dpo: admin } = await school("trust");
    await admin.agent.get("/licence/ownership");
    expect((await admin.agent.post("/licence/ownership", { reason: "short" })).statusCode).toBe(400);
    expect((await admin.agent.post("/licence/ownership", { reason: "Our business manager left in July and did not hand over." })).statusCode).toBe(303);
    expect((await admin.agent.post("/licence/ownership", { reason: "Our business manager left in July and did not hand over." })).statusCode).toBe(400);
    expect((await subjects(licence.email)).some((subject) => subject.includes("asked to take over"))).toBe(true);
    const seen = await licenceForOperator(steward.services, licence.organisationId);
    expect(seen.ownershipRequest).toMatchObject({ role: "admin" });
    // The operator sees the organisation's telephone, never the reason or anyone's name.
    expect(JSON.stringify(seen)).not.toContain("business manager");
    expect(JSON.stringify(seen)).not.toContain(admin.fullName);
    await decideOwnershipByOperator(steward.services, operator(), licence.organisationId, true);
    const roles = await db().selectFrom("users").select(["id", "role"]).where("orgId", "=", licence.organisationId).execute();
    expect(roles.find((user) => user.id === licence.userId)!.role).toBe("admin");
    expect(roles.filter((user) => user.role === "owner")).toHaveLength(1);
    expect((await subjects(admin.email)).some((subject) => subject.includes("You are now the owner"))).toBe(true);
    await expect(decideOwnershipByOperator(steward.services, operator(), licence.organisationId, true)).rejects.toThrow(/no request waiting/);
  });

  it("the operator's new term reinstates a dormant licence; a bad term is refused and changes nothing", async () => {
    const { licence } = await school();
    steward.clock.set("2028-02-01T09:00:00Z");
    await advanceLicences(steward.services);
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    await expect(setTermByOperator(steward.services, operator(), licence.organisationId, { startsOn: "2028-02-01", endsOn: "2028-01-31" })).rejects.toThrow();
    expect((await licenceRow(licence.organisationId)).state).toBe("dormant");
    await setTermByOperator(steward.services, operator(), licence.organisationId, { startsOn: "2028-02-01", endsOn: "2029-01-31" });
    expect(await licenceRow(licence.organisationId)).toMatchObject({ state: "active", termEndsOn: "2029-01-31" });
    expect((await subjects(licence.email)).some((subject) => subject.includes("active again"))).toBe(true);
  });
});
