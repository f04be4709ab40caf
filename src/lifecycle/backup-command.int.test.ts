import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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
  const folders = Array.from({ length: 5 }, () => mkdtempSync(path.join(tmpdir(), "steward-backup-cli-")));
  const [serving, restoring, keyless, backups, restoringRolled] = folders as [string, string, string, string, string];
  // Its own folder: the data keys file is written beside it.
  const file = path.join(backups, "steward.backup");
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
  });

  it("backs up through the running server, which keeps serving, and restores into an empty folder with the master key", async () => {
    const backup = run(serving, "src/cli.ts", ["backup", file]);
    expect(await backup.exited).toBe(0);
    expect(backup.output()).toMatch(/OK: backup written to .*\.backup: \d+ rows from \d+ tables/);
    expect(backup.output()).toContain(`Data keys: 1 organisations' keys in ${path.join(backups, "steward-data-keys")}`);
    expect(readdirSync(backups).sort()).toEqual(["steward-data-keys", "steward.backup"]);
    expect(server.output()).toContain("backup written");
    expect((await fetch(`${await server.listening}/healthz`)).status).toBe(200);

    // The operator puts the master key (kept apart from the backups) in the new folder, then restores.
    copyFileSync(path.join(serving, "master.key"), path.join(restoring, "master.key"));
    const restore = run(restoring, "src/cli.ts", ["restore", file]);
    expect(await restore.exited).toBe(0);
    expect(restore.output()).toMatch(/OK: restored \d+ rows into \d+ tables/);
    expect(restore.output()).toContain("Data keys: 1 organisations' keys restored from");
    expect(restore.output()).toContain("0 organisation(s)' data could not be restored because their keys are gone");
    expect(restore.output()).toMatch(/Audit trail: [1-9]\d* events in 1 organisations checked, 0 broken chain\(s\)/);

    const again = run(restoring, "src/cli.ts", ["restore", file]);
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain("The target database is not empty (it holds 1 organisation(s))");
  }, 240_000);

  it("takes a rolling backup through the running server, and restores it with --keys naming the data keys file", async () => {
    const rolled = path.join(backups, "rolling");
    const backup = run(serving, "src/cli.ts", ["backup", "--rolling", rolled]);
    expect(await backup.exited).toBe(0);
    expect(backup.output()).toMatch(/OK: backup written to .*steward-\d{8}T\d{6}Z\.backup/);
    expect(backup.output()).toContain("Kept: no backup in");
    const written = readdirSync(rolled).sort();
    expect(written).toHaveLength(2);
    expect(written[1]).toBe("steward-data-keys");

    // Without the data keys file a restore refuses at once; --keys names it wherever it is kept.
    copyFileSync(path.join(serving, "master.key"), path.join(restoringRolled, "master.key"));
    const refused = run(restoringRolled, "src/cli.ts", ["restore", path.join(rolled, written[0]!), "--keys", path.join(backups, "nowhere")]);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain("There is no data keys file at");
    const restore = run(restoringRolled, "src/cli.ts", ["restore", path.join(rolled, written[0]!), "--keys", path.join(rolled, "steward-data-keys")]);
    expect(await restore.exited).toBe(0);
    expect(restore.output()).toContain("Data keys: 1 organisations' keys restored from");
  }, 240_000);

  it("will not restore without the master key, and makes none", async () => {
    const restore = run(keyless, "src/cli.ts", ["restore", file]);
    expect(await restore.exited).toBe(1);
    expect(restore.output()).toContain("A restore needs the master key the backup was made under");
    expect(existsSync(path.join(keyless, "master.key"))).toBe(false);
  });
});
