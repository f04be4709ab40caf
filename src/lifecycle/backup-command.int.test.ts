import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../platform/config.ts";
import { createLogger } from "../platform/logger.ts";
import { createSteward } from "../steward.ts";
import { buildLicence } from "../testing/factories.ts";

/** Every process a test started, killed at the end even if the test failed half way. */
const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill("SIGKILL")));

/** A Steward process on a data folder (the embedded database, its key in the folder's master.key). */
function run(dataDir: string, script: "src/main.ts" | "src/cli.ts", args: string[] = []) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, STEWARD_DATA_DIR: dataDir, DATABASE_URL: "", PORT: "0", LOG_LEVEL: "info", STEWARD_MASTER_KEY: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const listening = new Promise<string>((resolve) => {
    const watch = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const address = /Server listening at (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (address && output.includes("Steward is ready")) resolve(address);
    };
    child.stdout!.on("data", watch);
    child.stderr!.on("data", watch);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, listening, exited, output: () => output };
}

describe("steward backup and steward restore, with the server running on the embedded database", () => {
  const folders = Array.from({ length: 3 }, () => mkdtempSync(path.join(tmpdir(), "steward-backup-cli-")));
  const [serving, restoring, keyless] = folders as [string, string, string];
  const file = path.join(restoring, "..", `${path.basename(restoring)}.backup`);
  let server: ReturnType<typeof run>;

  beforeAll(async () => {
    // Something to back up: a licence, made by a Steward that then stops.
    const steward = await createSteward({ config: loadConfig({ PORT: "0", STEWARD_DATA_DIR: serving, DATABASE_URL: "", STEWARD_MASTER_KEY: "" }), logger: createLogger("silent") });
    await buildLicence(steward.services);
    await steward.close();
    server = run(serving, "src/main.ts");
    await server.listening;
  }, 180_000);
  afterAll(async () => {
    server.child.kill("SIGKILL");
    await server.exited;
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    rmSync(file, { force: true });
  });

  it("backs up through the running server, which keeps serving, and restores into an empty folder with the master key", async () => {
    const backup = run(serving, "src/cli.ts", ["backup", file]);
    expect(await backup.exited).toBe(0);
    expect(backup.output()).toMatch(/OK: backup written to .*\.backup: \d+ rows from \d+ tables/);
    expect(server.output()).toContain("backup written");
    expect((await fetch(`${await server.listening}/healthz`)).status).toBe(200);

    // The operator puts the master key (kept apart from the backups) in the new folder, then restores.
    copyFileSync(path.join(serving, "master.key"), path.join(restoring, "master.key"));
    const restore = run(restoring, "src/cli.ts", ["restore", file]);
    expect(await restore.exited).toBe(0);
    expect(restore.output()).toMatch(/OK: restored \d+ rows into \d+ tables/);
    expect(restore.output()).toMatch(/Audit trail: [1-9]\d* events in 1 organisations checked, 0 broken chain\(s\)/);

    const again = run(restoring, "src/cli.ts", ["restore", file]);
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain("The target database is not empty (it holds 1 organisation(s))");
  }, 240_000);

  it("will not restore without the master key, and makes none", async () => {
    const restore = run(keyless, "src/cli.ts", ["restore", file]);
    expect(await restore.exited).toBe(1);
    expect(restore.output()).toContain("A restore needs the master key the backup was made under");
    expect(existsSync(path.join(keyless, "master.key"))).toBe(false);
  });
});
