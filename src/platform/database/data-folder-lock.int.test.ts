import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFolderLockedError, LOCK_FILE, lockDataFolder, processStartOf } from "./data-folder-lock.ts";

/** Every process a test started, killed at the end even if the test failed half way. */
const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill("SIGKILL")));

/** A Steward process of its own (server or CLI) on a data folder, on the embedded database whatever the suite uses. */
function start(dataDir: string, script: "src/main.ts" | "src/cli.ts", args: string[] = []) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, STEWARD_DATA_DIR: dataDir, DATABASE_URL: "", PORT: "0", LOG_LEVEL: "info", STEWARD_MASTER_KEY: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (output.includes("Steward is ready") ? resolve() : undefined);
    child.stdout!.on("data", check);
    void exited.then(() => reject(new Error(`exited before ready:\n${output}`)));
  });
  ready.catch(() => {}); // only awaited for the processes meant to start

  return { child, exited, ready, output: () => output };
}

const killed = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

describe("one process per embedded data folder", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "steward-lock-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("refuses a second server and a CLI command on a folder in use, naming the process; after kill -9 a restart starts", async () => {
    const first = start(dataDir, "src/main.ts");
    await first.ready;

    const second = start(dataDir, "src/main.ts");
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`is in use by another Steward process (pid ${first.child.pid}, server, since`);
    expect(second.output()).not.toContain("Steward is ready");

    const command = start(dataDir, "src/cli.ts", ["audit", "verify"]);
    expect(await command.exited).toBe(1);
    expect(command.output()).toContain(`in use by another Steward process (pid ${first.child.pid}, server`);

    // A crash leaves the lock behind; its process is gone, so the next start takes the folder.
    first.child.kill("SIGKILL");
    await killed(first.child);
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
    const restarted = start(dataDir, "src/main.ts");
    await restarted.ready;
    expect(JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), "utf8")).pid).toBe(restarted.child.pid);
    restarted.child.kill("SIGTERM");
    expect(await restarted.exited).toBe(0);
    // A clean stop gives the folder up.
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  }, 240_000); // four processes, the first making the database

  it("takes over a lock whose pid now belongs to another process (pid reuse), and one cut short by a crash", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "steward-lock-"));
    try {
      // This very pid, alive, but a process that started at another time: not the holder.
      const reused = { pid: process.pid, hostname: hostname(), processStart: "1", lockedAt: "2026-01-01T00:00:00.000Z", purpose: "server" };
      writeFileSync(path.join(folder, LOCK_FILE), JSON.stringify(reused));
      lockDataFolder(folder, "test").release();

      writeFileSync(path.join(folder, LOCK_FILE), '{"pid":');
      const lock = lockDataFolder(folder, "test");
      expect(JSON.parse(readFileSync(lock.file, "utf8")).processStart).toBe(processStartOf(process.pid));
      // The same process asking twice is refused too: two PGlites on one folder are as bad as two processes.
      expect(() => lockDataFolder(folder, "second")).toThrow(DataFolderLockedError);
      lock.release();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("never takes over a lock held from another host (its process cannot be checked)", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "steward-lock-"));
    try {
      writeFileSync(path.join(folder, LOCK_FILE), JSON.stringify({ pid: 1, hostname: "other-host", processStart: null, lockedAt: "2026-01-01T00:00:00.000Z", purpose: "server" }));
      expect(() => lockDataFolder(folder, "test")).toThrow(/pid 1 on other-host.*If that process is certainly gone, remove/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
