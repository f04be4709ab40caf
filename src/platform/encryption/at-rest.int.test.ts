import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../clock.ts";
import { loadConfig } from "../config.ts";
import { inScope } from "../database/tenant-scope.ts";
import { createLogger } from "../logger.ts";
import { createSteward, type Steward } from "../../steward.ts";
import { licenceForm, TEST_PASSWORD, unique } from "../../testing/factories.ts";
import { emailsTo } from "../../testing/mail.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";
import { sealPlaintextRows } from "../../accounts/seal-plaintext-rows.ts";

/** Known personal data, entered through the pages, then looked for in raw storage. */
function canaries() {
  const id = unique();
  return {
    ownerName: `Philippa Canaryowner ${id}`,
    ownerEmail: `philippa.canary.${id}@school.example`,
    ownerUsername: `pcanary${id}`,
    staffName: `Barnaby Canarystaff ${id}`,
    staffEmail: `barnaby.canary.${id}@school.example`,
    staffUsername: `bcanary${id}`,
    attachmentName: `canary-letter-${id}.txt`,
    attachmentText: `Canary attachment about Riley ${id}`,
  };
}

/** The owner logs a case and attaches a file: personal data in the file store, outside the database. */
async function attachFile(steward: Pick<Steward, "app">, clock: TestClock, known: ReturnType<typeof canaries>): Promise<void> {
  const owner = new TestAgent(steward.app, clock);
  await owner.signIn(known.ownerUsername);
  const organisationId = /name="organisationId" value="([^"]+)"/.exec((await owner.get("/users/new")).body)![1]!;
  await owner.get("/cases/new");
  const logged = await owner.post("/cases", {
    organisationId, type: "sar", receivedOn: "2026-11-23", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
    requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.",
  });
  expect(logged.statusCode, logged.body.slice(0, 1000)).toBe(303);
  const casePath = logged.headers.location!.replace(/\?.*$/, "");
  await owner.get(casePath);
  expect((await owner.upload(`${casePath}/attachments`, known.attachmentName, Buffer.from(known.attachmentText))).statusCode).toBe(303);
  const download = await owner.get(/href="(\/cases\/[^"]+\/attachments\/[^"/]+)"/.exec((await owner.get(casePath)).body)![1]!);
  expect(download.body).toBe(known.attachmentText);
}

/**
 * Registers a licence as the canary owner, adds the canary member of staff (an invitation email),
 * asks for a password reset (another email) and sets up two-factor: personal data in users, the
 * outbox, and the TOTP key.
 */
async function enterPersonalData(steward: Pick<Steward, "app">, clock: TestClock, known: ReturnType<typeof canaries>): Promise<void> {
  const owner = new TestAgent(steward.app, clock);
  await owner.submit("/register", licenceForm({ fullName: known.ownerName, email: known.ownerEmail, username: known.ownerUsername }));
  await owner.setUpTwoFactor(known.ownerUsername);
  const page = await owner.get("/users/new");
  const organisationId = /name="organisationId" value="([^"]+)"/.exec(page.body)![1]!;
  const created = await owner.post("/users/new", { fullName: known.staffName, email: known.staffEmail, username: known.staffUsername, role: "staff", organisationId });
  expect(created.statusCode).toBe(200);
  await new TestAgent(steward.app, clock).submit("/password-reset", { login: known.ownerEmail });
}

/** Every value of every text column of every table, as the database holds it. */
async function everyStoredText(steward: Pick<Steward, "services">): Promise<string> {
  const db = steward.services.database.db;
  const { rows: columns } = await sql<{ tableName: string; columnName: string }>`
    select table_name, column_name from information_schema.columns
     where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json')`.execute(db);
  expect(columns.length).toBeGreaterThan(20);
  const values: string[] = [];
  for (const { tableName, columnName } of columns) {
    const { rows } = await sql<{ value: string | null }>`select ${sql.ref(columnName)}::text as value from ${sql.table(tableName)}`.execute(db);
    values.push(...rows.map((row) => row.value ?? ""));
  }
  return values.join("\n").toLowerCase();
}

function expectNoneOf(known: Record<string, string>, haystack: string, where: string): void {
  for (const [label, value] of Object.entries(known)) {
    expect(haystack.includes(value.toLowerCase()), `${label} in ${where}`).toBe(false);
  }
}

describe(`personal data at rest (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("stores names, email addresses, usernames and emails only sealed, while the pages show them", async () => {
    const known = canaries();
    await enterPersonalData(steward, steward.clock, known);
    expectNoneOf(known, await everyStoredText(steward), "the database");

    // ...and yet everything still works from the sealed values.
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(known.ownerEmail.toUpperCase(), TEST_PASSWORD, { authenticatorOf: known.ownerUsername });
    const users = await owner.get("/users");
    expect(users.body).toContain(known.staffName);
    expect(users.body).toContain(known.staffEmail);
    const invitation = await emailsTo(steward.services, known.staffEmail);
    expect(invitation[0]!.body).toContain(known.staffUsername);
  });

  it("seals rows written before encryption at rest, at the next start", async () => {
    const known = canaries();
    await enterPersonalData(steward, steward.clock, known);
    const db = steward.services.database.db;
    const { rows } = await sql<{ orgId: string; id: string }>`select org_id, id from users where username_index is not null limit 1`.execute(db);
    const { orgId, id } = rows[0]!;
    // As an older Steward left it: plaintext and no blind indexes.
    await sql`update users set full_name = 'Old Plaintext Name', email = 'old.plain@school.example', username = 'oldplain', username_index = null, email_index = null where org_id = ${orgId} and id = ${id}`.execute(db);
    expect(await sealPlaintextRows(steward.services)).toBe(1);
    expect(await sealPlaintextRows(steward.services)).toBe(0);
    const stored = await everyStoredText(steward);
    expect(stored).not.toContain("old plaintext name");
    expect(stored).not.toContain("old.plain@school.example");
    const found = await inScope(db, { organisationIds: [orgId] }, (trx) => trx.selectFrom("users").select("fullName").where("id", "=", id).executeTakeFirstOrThrow());
    expect(found.fullName).toMatch(/^v1\./);
  });
});

describe("personal data in the embedded database's files", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "steward-at-rest-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("never reaches the files on disk in plaintext", async () => {
    const known = canaries();
    const clock = new TestClock();
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const steward = await createSteward({
      config: loadConfig({ PORT: "0", STEWARD_DATA_DIR: dataDir, PUBLIC_URL: "http://steward.test" }),
      logger: createLogger("info", quiet),
      clock,
      mailIntervalMs: 0,
      housekeepingIntervalMs: 0,
    });
    await enterPersonalData(steward, clock, known);
    await attachFile(steward, clock, known);
    await steward.close(); // everything on disk: data files, write-ahead log and the file store

    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((file) => path.relative(dataDir, file.parentPath).startsWith("files"))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(path.join(file.parentPath, file.name)).toString("latin1").toLowerCase();
      expectNoneOf(known, bytes, path.relative(dataDir, path.join(file.parentPath, file.name)));
    }
  });
});
