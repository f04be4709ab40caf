/**
 * `npm run bench`: issue 15's figures, at a trust's real size. For each engine (PGlite, and
 * PostgreSQL when it answers) it seeds one trust with 2 schools, 10,000 cases per school and 200
 * people (seed.ts), then loads Steward, started as `npm start` runs it, and a bare-limit server
 * that runs only the case list's one indexed query (bare-server.ts), each its own process on the
 * same database, one at a time and interleaved (bare, Steward, bare, Steward) so drift shows.
 * Each load is 100 kept-alive connections for 20 s (load.ts), signed in over HTTP as the trust's
 * DPO (sign-in.ts). Then start-up, computeDeadline, a few smaller figures, and redaction's
 * (redaction.ts: detection quality, and a 500-page bundle through extract, detect, apply, verify). The table says for
 * each row whether the issue's goal is met; the exit code says only whether the bench ran.
 *
 *   BENCH_SECONDS=20       seconds per load figure
 *   BENCH_CONNECTIONS=100  concurrent connections
 *   BENCH_ENGINES=pglite,postgres   (PostgreSQL is skipped, saying so, when it does not answer)
 *   BENCH_BARE_QUERY=per-organisation   how the bare server writes its query (or "any": see bare-server.ts)
 *   BENCH_POSTGRES_URL     the server to make a fresh database on (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_SMOKE=1          CI: 500 cases per school, 20 connections for 2 s per figure, each server started once,
 *                          PGlite only: it proves the bench runs (it fails when a phase does), not how fast
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import { hashPassword } from "../src/auth/passwords.ts";
import { HolidayCalendar } from "../src/calendar/bank-holidays.ts";
import { computeDeadline } from "../src/calendar/deadlines.ts";
import { durablePGliteOptions } from "../src/platform/database/durable-pglite.ts";
import { open, seal } from "../src/platform/encryption/envelope.ts";
import { TEST_PASSWORD } from "../src/testing/factories.ts";
import { runLoad, type LoadResult } from "./load.ts";
import type { FigureRow } from "./figures.ts";
import { redactionFigures } from "./redaction.ts";
import { postgresReachable, seedBenchDatabase, type BenchDatabase, type Engine } from "./seed.ts";
import { startServer, type RunningServer } from "./servers.ts";
import { checkSignedIn, signInOverHttp } from "./sign-in.ts";

const SMOKE = process.env["BENCH_SMOKE"] === "1";
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? (SMOKE ? 2 : 20));
const WARM_UP_SECONDS = SMOKE ? 0 : Math.min(3, SECONDS / 4);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? (SMOKE ? 20 : 100));
const MICRO_SECONDS = SMOKE ? 0.2 : 2;
const ENGINES_ASKED = process.env["BENCH_ENGINES"];
const ENGINES = (ENGINES_ASKED ?? (SMOKE ? "pglite" : "pglite,postgres")).split(",").map((engine) => engine.trim()) as Engine[];
const POSTGRES_URL = process.env["BENCH_POSTGRES_URL"] ?? process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SEED = SMOKE ? { casesPerSchool: 500, casesPerOtherLicence: 100 } : { casesPerSchool: 10_000, casesPerOtherLicence: 500 };
const MEMORY_LIMIT_MB = 600;

// ---------------------------------------------------------------------------------------------
// The figures and their goals.

const rows: FigureRow[] = [];
const notes: string[] = [];
const benchStarted = performance.now();
/** Progress lines carry the seconds since the bench began; the table does not. */
const progress = (line: string) => console.log(`[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s, load ${loadavg()[0]!.toFixed(1)}] ${line}`);
const log = (line: string) => console.log(line);
const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const ms = (value: number) => (value >= 1000 ? `${fmt(value / 1000, 1)} s` : `${fmt(value, value < 10 ? 1 : 0)} ms`);

interface LoadFigure {
  name: string;
  paths: (database: BenchDatabase) => string[];
  /** p99 goal in ms, and whether the ratio to the bare limit must be at least 0.5. */
  p99GoalMs: number;
  ratioGoal: boolean;
}
const LOAD_FIGURES: LoadFigure[] = [
  { name: "GET /cases", paths: () => ["/cases"], p99GoalMs: 50, ratioGoal: true },
  { name: "GET /cases?page=100", paths: () => ["/cases?page=100"], p99GoalMs: 50, ratioGoal: true },
  { name: "GET /dashboard", paths: () => ["/dashboard"], p99GoalMs: 100, ratioGoal: false },
  { name: "GET /cases/:id (a case page)", paths: (database) => database.seed.openCaseIds.map((id) => `/cases/${id}`), p99GoalMs: 50, ratioGoal: false },
];

const failuresText = (failures: Record<string, number>) =>
  Object.keys(failures).length === 0 ? "none" : Object.entries(failures).map(([status, count]) => `${count}×${status}`).join(", ");
/** A 503 asks the client to retry (allowed); a 500, any other error status, a dropped connection or no answer is a failure. */
const failed = (failures: Record<string, number>) => Object.entries(failures).some(([status, count]) => count > 0 && status !== "503");

// ---------------------------------------------------------------------------------------------
// Load, per engine.

async function stewardSession(server: RunningServer, database: BenchDatabase, cookie: string | undefined): Promise<string> {
  if (cookie) {
    try {
      await checkSignedIn(server.url, cookie);
      return cookie;
    } catch {
      // Ended (idle, or a change in the code under test): sign in again.
    }
  }
  return signInOverHttp(server.url, database.seed.dpo);
}

async function loadOnce(server: RunningServer, paths: string[], headers: Record<string, string>): Promise<LoadResult> {
  if (WARM_UP_SECONDS > 0) await runLoad(server.url, paths, { connections: CONNECTIONS, seconds: WARM_UP_SECONDS, headers });
  const result = await runLoad(server.url, paths, { connections: CONNECTIONS, seconds: SECONDS, headers });
  if (!server.alive()) {
    throw new Error(`the ${server.kind} server stopped under load:\n${server.output()}`);
  }
  return result;
}

interface Round {
  bare: LoadResult;
  steward: LoadResult;
  rssMb: number | undefined;
}

/**
 * Loads one server with each of `figures` in turn (a new process per call), returning each
 * figure's result and, for Steward, its peak memory after it.
 */
async function loadServer(kind: "bare" | "steward", database: BenchDatabase, figures: LoadFigure[], session: { cookie?: string | undefined; starts: number[] }) {
  const env = kind === "bare" ? { ...database.env, BENCH_ORG_IDS: [database.seed.trustId, ...database.seed.schoolIds].join(",") } : database.env;
  const server = await startServer(kind, env);
  const results: { result: LoadResult; rssMb: number | undefined }[] = [];
  try {
    if (kind === "steward") {
      session.starts.push(server.readyMs);
      session.cookie = await stewardSession(server, database, session.cookie);
    }
    for (const figure of figures) {
      const result = await loadOnce(server, figure.paths(database), kind === "steward" ? { cookie: session.cookie! } : {});
      results.push({ result, rssMb: kind === "steward" ? server.peakRssMb() : undefined });
    }
  } finally {
    await server.stop();
  }
  return results;
}

/**
 * The load figures on one engine. A full run loads each figure four times, bare / Steward / bare /
 * Steward, each on a freshly started process (so each Steward figure has its own peak memory); a
 * smoke run loads every figure once on one bare and one Steward process.
 */
async function benchEngine(database: BenchDatabase): Promise<void> {
  const engine = database.engine;
  const session: { cookie?: string | undefined; starts: number[] } = { starts: [] };
  const byFigure = new Map<LoadFigure, Round[]>(LOAD_FIGURES.map((figure) => [figure, []]));
  const groups = SMOKE ? [LOAD_FIGURES] : LOAD_FIGURES.map((figure) => [figure]);
  for (const figures of groups) {
    for (let round = 0; round < (SMOKE ? 1 : 2); round += 1) {
      const bare = await loadServer("bare", database, figures, session);
      const steward = await loadServer("steward", database, figures, session);
      for (const [index, figure] of figures.entries()) {
        const done = { bare: bare[index]!.result, steward: steward[index]!.result, rssMb: steward[index]!.rssMb };
        byFigure.get(figure)!.push(done);
        progress(
          `${engine} ${figure.name}, round ${round + 1}: bare ${fmt(done.bare.perSecond)} req/s (p99 ${ms(done.bare.p99Ms)}, failures ${failuresText(done.bare.failures)}); ` +
            `Steward ${fmt(done.steward.perSecond)} req/s, p50 ${ms(done.steward.p50Ms)}, p99 ${ms(done.steward.p99Ms)}, max ${ms(done.steward.maxMs)}, non-2xx ${failuresText(done.steward.failures)}, peak RSS ${fmt(done.rssMb ?? Number.NaN)} MB`,
        );
      }
    }
  }
  for (const [figure, rounds] of byFigure) {
    for (const [index, { bare, steward, rssMb }] of rounds.entries()) {
      const ratio = steward.perSecond / bare.perSecond;
      const goals = [figure.ratioGoal ? "≥ 0.5" : "", `p99 < ${figure.p99GoalMs} ms`, "no 500s", `< ${MEMORY_LIMIT_MB} MB`].filter((goal) => goal !== "");
      const met = (!figure.ratioGoal || ratio >= 0.5) && steward.p99Ms < figure.p99GoalMs && !failed(steward.failures) && (rssMb ?? 0) < MEMORY_LIMIT_MB;
      rows.push({
        what: `${figure.name}, ${engine}${rounds.length > 1 ? `, round ${index + 1}` : ""}`,
        steward: `${fmt(steward.perSecond)} req/s, p50 ${ms(steward.p50Ms)}, p99 ${ms(steward.p99Ms)}, non-2xx ${failuresText(steward.failures)}, RSS ${fmt(rssMb ?? Number.NaN)} MB`,
        bare: `${fmt(bare.perSecond)} req/s, p99 ${ms(bare.p99Ms)}`,
        ratio: fmt(ratio, 2),
        goal: goals.join(", "),
        met,
      });
    }
  }
  const stewardStarts = session.starts;
  const sorted = [...stewardStarts].sort((a, b) => a - b);
  rows.push({
    what: `Steward (node dist/main.js) spawn → ready on the seeded ${engine} database, median of ${sorted.length}`,
    steward: ms(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
    bare: "",
    ratio: "",
    goal: "",
    met: undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// Start-up and the smaller figures.

/** Calls per second of a synchronous function, timed in runs of 1,000 calls. */
function callsPerSecond(work: () => unknown, seconds = MICRO_SECONDS): number {
  for (let i = 0; i < 2_000; i += 1) work(); // warm up
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 1_000; i += 1) work();
    calls += 1_000;
  }
  return calls / ((performance.now() - started) / 1000);
}

/** Operations per second of an asynchronous one, one at a time. */
async function opsPerSecond(work: () => Promise<unknown>, seconds = MICRO_SECONDS): Promise<number> {
  await work();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await work();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

function deadlineFigures(): void {
  const holidays = new HolidayCalendar();
  const terms = [
    { kind: "term" as const, firstDay: "2026-09-03", lastDay: "2026-12-18" },
    { kind: "term" as const, firstDay: "2027-01-05", lastDay: "2027-03-26" },
  ];
  const figures: [string, () => unknown][] = [
    ["SAR (a month, rolled to a working day)", () => computeDeadline({ type: "sar", received: "2026-11-25", nation: "england" }, holidays)],
    ["FOI (20 working days)", () => computeDeadline({ type: "foi", received: "2026-11-25", nation: "england" }, holidays)],
    ["school-day FOI (20 school days, 60-day cap)", () => computeDeadline({ type: "foi-school", received: "2026-12-07", nation: "england", schoolTerms: terms }, holidays)],
  ];
  for (const [name, work] of figures) {
    const perSecond = callsPerSecond(work);
    rows.push({ what: `computeDeadline: ${name}`, steward: `${fmt(perSecond)} per s`, bare: "", ratio: fmt(perSecond / 1_000_000, 3), goal: "1,000,000 per s", met: perSecond >= 1_000_000 });
  }
}

function timeToExit(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)))),
  );
}

/** `npm start` as an operator types it (bundle rebuilt, then Steward), from spawn to its ready line; then stopped. */
function npmStartToReady(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  // Its own process group, so that npm, its shell and Steward are stopped together.
  const child = spawn("npm", ["start", "--silent"], { env: { ...process.env, ...env, PORT: "0", LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 120_000);
    const watch = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
      if (output.includes("Steward is ready")) {
        const readyMs = performance.now() - started;
        child.stdout!.off("data", watch);
        child.on("exit", () => {
          clearTimeout(timer);
          resolve(readyMs);
        });
        process.kill(-child.pid!, "SIGTERM");
      }
    };
    child.stdout!.on("data", watch);
    child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-20_000)));
    child.on("exit", (code) => {
      if (!output.includes("Steward is ready")) {
        clearTimeout(timer);
        reject(new Error(`npm start did not get ready (exit ${code}):\n${output}`));
      }
    });
  });
}

async function startUpFigures(database: BenchDatabase | undefined): Promise<void> {
  const node = await timeToExit(process.execPath, ["-e", ""]);
  if (database) {
    const npmStart = await npmStartToReady(database.env);
    rows.push({ what: `npm start on an existing (seeded) ${database.engine} data folder, spawn → ready`, steward: ms(npmStart), bare: `node -e '' ${ms(node)}`, ratio: "", goal: "< 3 s", met: npmStart < 3_000 });
  }
  const deadline = await timeToExit(process.execPath, ["dist/cli.js", "deadline", "sar", "2027-01-30"]);
  rows.push({ what: "steward deadline sar (one date, spawn → exit)", steward: ms(deadline), bare: `node -e '' ${ms(node)}`, ratio: "", goal: "", met: undefined });
}

async function smallFigures(): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), "steward-bench-commits-"));
  try {
    for (const durable of [true, false]) {
      const pglite = await PGlite.create(durablePGliteOptions(path.join(folder, `commits-${durable}`), { durable }));
      await pglite.exec("create table commits (id serial primary key, note text not null)");
      const perSecond = await opsPerSecond(() => pglite.query("insert into commits (note) values ($1)", ["a note"]));
      await pglite.close();
      rows.push({ what: `commit one row, PGlite data folder, fsync ${durable ? "on (as Steward runs)" : "off (PGlite's default)"}`, steward: `${fmt(perSecond)} per s`, bare: "", ratio: "", goal: "", met: undefined });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const key = randomBytes(32);
  const sealOpen = callsPerSecond(() => open(key, seal(key, "Jo Bloggs", "org"), "org"));
  rows.push({ what: "seal + open one field (AES-256-GCM)", steward: `${fmt(sealOpen)} per s`, bare: "", ratio: "", goal: "", met: undefined });
  const argon = await opsPerSecond(() => hashPassword(TEST_PASSWORD), SMOKE ? 0.2 : 1);
  rows.push({ what: "argon2id password hash (19 MiB, t=2)", steward: `${fmt(argon, 1)} per s`, bare: "", ratio: "", goal: "", met: undefined });
}

// ---------------------------------------------------------------------------------------------
// The run.

function printTable(): void {
  const headers = ["what", "Steward", "bare limit", "ratio", "goal", "met"];
  const cells = rows.map((row) => [row.what, row.steward, row.bare, row.ratio, row.goal, row.met === undefined ? "" : row.met ? "met" : "not met"]);
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(" | ")} |`;
  log(line(headers));
  log(line(widths.map((width) => "-".repeat(width))));
  for (const values of cells) log(line(values));
}

const build = spawnSync(process.execPath, ["scripts/build-server.mjs"], { stdio: "inherit" });
if (build.status !== 0 || build.error) {
  throw new Error("Building the server bundle (scripts/build-server.mjs) failed");
}
log(`Steward bench: node ${process.version}, ${cpus().length} CPUs (load average ${loadavg()[0]!.toFixed(1)} at the start: other work on the machine skews every figure), ${CONNECTIONS} connections, ${SECONDS} s per figure (after ${WARM_UP_SECONDS} s warm-up)${SMOKE ? "" : ", interleaved bare / Steward / bare / Steward"}, bare query ${process.env["BENCH_BARE_QUERY"] ?? "per-organisation"}`);
if (SMOKE) log(`smoke run (${SEED.casesPerSchool} cases per school): it shows the bench runs; its figures are not comparable`);

const ran: Engine[] = [];
let pgliteDatabase: BenchDatabase | undefined;
try {
  for (const engine of ENGINES) {
    if (engine !== "pglite" && engine !== "postgres") throw new Error(`BENCH_ENGINES: unknown engine ${engine}`);
    if (engine === "postgres" && !(await postgresReachable(POSTGRES_URL))) {
      if (ENGINES_ASKED) throw new Error(`PostgreSQL does not answer at ${POSTGRES_URL.replace(/\/\/[^@]*@/, "//")}`);
      notes.push(`PostgreSQL did not answer at ${POSTGRES_URL.replace(/\/\/[^@]*@/, "//")}: skipped`);
      continue;
    }
    progress(`${engine}: seeding…`);
    const database = await seedBenchDatabase(engine, SEED, POSTGRES_URL);
    const { counts } = database.seed;
    progress(
      `${engine}: seeded ${fmt(counts.cases)} cases in ${database.seed.schoolIds.length} schools, ${counts.users} people, and ${fmt(counts.otherCases)} cases of other licences in ${fmt(database.seedSeconds, 1)} s` +
        (database.sealSeconds > 0.05 ? ` (then ${fmt(database.sealSeconds, 1)} s sealing their audit events into the chain and vacuuming)` : ""),
    );
    rows.push({
      what: `seed ${fmt(counts.cases)} cases (+${fmt(counts.otherCases)} other licences'), ${counts.users} people, ${engine}`,
      steward: `${fmt(database.seedSeconds, 1)} s`,
      bare: "",
      ratio: "",
      goal: "< 60 s",
      met: SMOKE ? undefined : database.seedSeconds < 60,
    });
    try {
      await benchEngine(database);
      ran.push(engine);
    } finally {
      if (engine === "pglite") pgliteDatabase = database;
      else await database.drop();
    }
  }
  progress("start-up figures…");
  await startUpFigures(pgliteDatabase);
} finally {
  await pgliteDatabase?.drop();
}
progress("computeDeadline and the smaller figures…");
deadlineFigures();
await smallFigures();
rows.push(...(await redactionFigures(SMOKE, progress)));

log("");
log(`Steward bench, engines run: ${ran.join(", ") || "none"}${SMOKE ? " (smoke run: not comparable)" : ""}; load average at the end ${loadavg().map((load) => load.toFixed(1)).join(" / ")} (1 / 5 / 15 min)`);
printTable();
for (const note of notes) log(`note: ${note}`);
