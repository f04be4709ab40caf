/**
 * `npm run bench`: throughput of Steward's hot paths, in-process (app.inject, no sockets), on the
 * embedded database (or DATABASE_URL's server). Each figure is also given as a ratio to /healthz
 * measured in the same run, so numbers from different machines and commits can be compared.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import { writeBackup } from "../src/lifecycle/backup.ts";
import { restoreBackup } from "../src/lifecycle/restore.ts";
import { loadConfig } from "../src/platform/config.ts";
import { durablePGliteOptions } from "../src/platform/database/durable-pglite.ts";
import { createLogger } from "../src/platform/logger.ts";
import { createSteward } from "../src/steward.ts";
import { sealPersonalFields } from "../src/accounts/personal-fields.ts";
import { inScope } from "../src/platform/database/tenant-scope.ts";
import { open, seal } from "../src/platform/encryption/envelope.ts";
import { hashPassword } from "../src/auth/passwords.ts";
import { HolidayCalendar } from "../src/calendar/bank-holidays.ts";
import { computeDeadline } from "../src/calendar/deadlines.ts";
import { buildLicence, TEST_PASSWORD } from "../src/testing/factories.ts";
import { TestAgent } from "../src/testing/test-agent.ts";
import { startTestSteward } from "../src/testing/test-steward.ts";
import { openTestDatabase, testEngine } from "../src/testing/test-database.ts";

// BENCH_SMOKE=1 (CI): a tenth of the data and a short look at each figure, to show the bench still runs.
const SMOKE = process.env["BENCH_SMOKE"] === "1";
const DURATION_MS = Number(process.env["BENCH_MS"] ?? (SMOKE ? 100 : 3_000));
const [CASES, STAFF, OTHER_ORGANISATIONS, WARM_UP] = SMOKE ? ([30, 20, 5, 2] as const) : ([300, 200, 50, 20] as const);

async function measure(name: string, work: () => Promise<unknown>): Promise<{ name: string; perSecond: number; meanMs: number }> {
  for (let i = 0; i < WARM_UP; i += 1) await work(); // warm up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < DURATION_MS) {
    await work();
    count += 1;
  }
  const elapsed = performance.now() - started;
  return { name, perSecond: (count / elapsed) * 1000, meanMs: elapsed / count };
}

const steward = await startTestSteward({ LOG_LEVEL: "silent" });
const licence = await buildLicence(steward.services, { organisationKind: "trust" });
const agent = new TestAgent(steward.app, steward.clock);
await agent.signIn(licence.username); // password, then setting up two-factor, as an owner must
await agent.get("/dashboard");
// Other organisations' rows in the same tables, so row-level security has something to filter.
for (let i = 0; i < OTHER_ORGANISATIONS; i += 1) await buildLicence(steward.services);
// A big school's staff: 200 people whose sealed names /users opens and sorts on every visit.
await inScope(steward.services.database.db, { organisationIds: [licence.organisationId] }, async (trx) => {
  for (let i = 0; i < STAFF; i += 1) {
    const id = randomUUID();
    const person = { fullName: `Teacher ${i}`, email: `teacher-${i}-${licence.organisationId}@school.example`, username: `t${i}-${licence.organisationId.slice(0, 8)}` };
    await trx
      .insertInto("users")
      .values({ orgId: licence.organisationId, id, ...(await sealPersonalFields(trx, steward.services.keyring, licence.organisationId, id, person)), role: "staff", passwordHash: null, deactivatedAt: null, updatedAt: new Date() })
      .execute();
  }
});
const dataKey = randomBytes(32);
// A busy year of case work: 300 cases, logged through the page as staff would.
const organisationId = /<option value="([^"]+)"[^>]*selected/.exec((await agent.get("/users/new")).body)?.[1] ?? licence.organisationId;
const types = ["sar", "foi", "complaint", "rights", "advice"];
let casePath = "";
for (let i = 0; i < CASES; i += 1) {
  await agent.get("/cases/new");
  const day = String(1 + (i % 24)).padStart(2, "0");
  const logged = await agent.post("/cases", {
    organisationId, type: types[i % types.length]!, receivedOn: `2026-11-${day}`, receivedTime: "", channel: "email",
    requesterName: `Requester ${i}`, requesterContact: "", subjectKind: "requester", subjectName: "", summary: `Request ${i}`,
    ...(types[i % types.length] === "rights" ? { rightAsked: "rectification" } : {}),
  });
  if (logged.statusCode !== 303) throw new Error(`Logging case ${i} failed: ${logged.statusCode} ${logged.body.match(/govuk-error-summary__list[\s\S]{0,600}/)?.[0] ?? logged.body.slice(0, 300)}`);
  casePath = logged.headers.location!.replace(/\?.*$/, "");
}
const holidays = new HolidayCalendar();
const terms = [{ kind: "term" as const, firstDay: "2026-09-03", lastDay: "2026-12-18" }, { kind: "term" as const, firstDay: "2027-01-05", lastDay: "2027-03-26" }];

const results = [
  await measure("GET /healthz (baseline: one query)", () => steward.app.inject({ url: "/healthz" })),
  await measure("GET /login (page render, no session)", () => steward.app.inject({ url: "/login" })),
  await measure("GET /dashboard (with 300 cases' figures)", () => agent.get("/dashboard")),
  await measure("GET /cases (300 open: page 1 of 6, 50 names)", () => agent.get("/cases")),
  await measure("GET /cases?page=6 (the last page of 300)", () => agent.get("/cases?page=6")),
  await measure("GET /cases/export.csv (all 300: 300 names)", () => agent.get("/cases/export.csv")),
  await measure("GET /cases/:id (case, deadline, timeline)", () => agent.get(casePath)),
  await measure("computeDeadline: SAR (month, roll forward)", async () => computeDeadline({ type: "sar", received: "2026-11-25", nation: "england" }, holidays)),
  await measure("computeDeadline: FOI school days (60-day cap)", async () => computeDeadline({ type: "foi-school", received: "2026-12-07", nation: "england", schoolTerms: terms }, holidays)),
  await measure("GET /users (201 people: open 603 sealed fields)", () => agent.get("/users")),
  await measure("seal + open one field (AES-256-GCM)", async () => open(dataKey, seal(dataKey, "Jo Bloggs", "org"), "org")),
  await measure("argon2id hash (19 MiB, t=2)", () => hashPassword(TEST_PASSWORD)),
  ...(await durabilityFigures()),
];
await steward.close();

/**
 * What durability costs and what the operator waits for: a one-row commit on an embedded data
 * folder with fsync on (as Steward runs) and off (PGlite's default); backing up and restoring
 * this bench's data set; and `npm start` on an existing data folder, from spawn to ready.
 */
async function durabilityFigures() {
  const folder = mkdtempSync(path.join(tmpdir(), "steward-bench-"));
  try {
    const figures = [];
    for (const durable of [true, false]) {
      const pglite = await PGlite.create(durablePGliteOptions(path.join(folder, `commits-${durable}`), { durable }));
      await pglite.exec("create table commits (id serial primary key, note text not null)");
      figures.push(await measure(`commit one row, data folder, fsync ${durable ? "on (Steward)" : "off (PGlite default)"}`, () => pglite.query("insert into commits (note) values ($1)", ["a note"])));
      await pglite.close();
    }
    const once = async (name: string, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      const ms = performance.now() - started;
      return { name, perSecond: 1000 / ms, meanMs: ms };
    };
    const file = path.join(folder, "bench.backup");
    figures.push(await once("steward backup (this bench's data, once)", () => writeBackup(steward.services.database, steward.services.keyring.masterKey, file)));
    const target = await openTestDatabase();
    figures.push(await once("steward restore (into an empty database, once)", () => restoreBackup(target, steward.services.keyring.masterKey, file)));
    await target.close();
    if (testEngine === "pglite") {
      // An existing data folder: made (and its database created) first, then started as an operator would.
      const dataDir = path.join(folder, "existing");
      const made = await createSteward({ config: loadConfig({ PORT: "0", STEWARD_DATA_DIR: dataDir, DATABASE_URL: "", STEWARD_MASTER_KEY: "" }), logger: createLogger("silent") });
      await made.close();
      // npm start runs the bundle in dist/ (built at install and before each start): make it current, then time it
      // against a bare `node -e ""` spawned the same way, and the one-date deadline command.
      spawnSync(process.execPath, ["scripts/build-server.mjs"], { stdio: "inherit" });
      figures.push(await once("node -e '' (start-up baseline, spawn → exit)", () => runToExit(["-e", ""])));
      figures.push(await once("npm start on an existing data folder (spawn → ready)", () => startAndStop(dataDir)));
      figures.push(await once("steward deadline sar (one date, spawn → exit)", () => runToExit(["dist/cli.js", "deadline", "sar", "2027-01-30"])));
    }
    return figures;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs node with these arguments to its end. */
function runToExit(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(" ")} exited ${code}`)))));
}

/** Starts Steward as `npm start` does (the bundle in dist/), waits for "Steward is ready", and stops it. */
function startAndStop(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
    env: { ...process.env, STEWARD_DATA_DIR: dataDir, DATABASE_URL: "", PORT: "0", STEWARD_MASTER_KEY: "", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Steward is ready")) {
        child.kill("SIGTERM");
        resolve();
      }
    });
    child.on("exit", (code) => (output.includes("Steward is ready") ? undefined : reject(new Error(`Steward did not start (exit ${code}):\n${output}`))));
  });
}

const baseline = results[0]!.perSecond;
console.log(`Steward bench — engine ${testEngine}, node ${process.version}, ${DURATION_MS} ms per figure`);
if (SMOKE) console.log(`smoke run (${CASES} cases, ${STAFF} staff, ${OTHER_ORGANISATIONS} other organisations): it checks the bench runs; the figures below are not comparable`);
console.log("operation".padEnd(52), "ops/s".padStart(9), "mean ms".padStart(9), "vs baseline".padStart(12));
for (const result of results) {
  console.log(
    result.name.padEnd(52),
    result.perSecond.toFixed(0).padStart(9),
    result.meanMs.toFixed(2).padStart(9),
    (result.perSecond / baseline).toFixed(3).padStart(12),
  );
}
