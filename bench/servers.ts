/**
 * The servers the bench loads, each its own process on the seeded database: Steward as `npm start`
 * runs it (the bundle in dist/), and the bare-limit server. On PGlite only one process may hold a
 * data folder, so the bench starts one, loads it, and stops it before the next.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";

export type ServerKind = "steward" | "bare";

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  url: string;
  /** Milliseconds from spawn to its ready line. */
  readyMs: number;
  /** The process's peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number | undefined;
  /** Whether it is still running (a crash under load shows here). */
  alive(): boolean;
  /** The last of what it printed, for a report when it fails. */
  output(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function peakRssMbOf(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const READY_LINE: Record<ServerKind, string> = { steward: "Steward is ready", bare: "bare server ready" };
const START_TIMEOUT_MS = 120_000;

/** Starts one server on the database `env` names, and waits for it to say it is ready. */
export async function startServer(kind: ServerKind, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const args = kind === "steward" ? ["--enable-source-maps", "dist/main.js"] : ["--import", "tsx", "bench/bare-server.ts"];
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: "info", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // Everything is read (a full pipe would stall the server), the last 20 KB kept.
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${kind} server did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    const watch = () => {
      if (output.includes(READY_LINE[kind])) {
        clearTimeout(timer);
        child.stdout!.off("data", watch);
        resolve();
      }
    };
    child.stdout!.on("data", watch);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  const readyMs = performance.now() - started;
  const pid = child.pid!;
  return {
    kind,
    pid,
    url: `http://127.0.0.1:${port}`,
    readyMs,
    peakRssMb: () => peakRssMbOf(pid),
    alive: () => exited === undefined,
    output: () => output,
    async stop() {
      if (exited) return exited;
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const result = await exit;
      clearTimeout(force);
      return result;
    },
  };
}
