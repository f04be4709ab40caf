import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../platform/project-root.ts";
import { sourceArchive } from "./source-code.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/** AGPL §13: anyone using the service can download the source it runs, and nothing but the source. */
describe(`the source code offer (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("offers the running source to anyone, signed in or not, from every page's footer", async () => {
    const visitor = new TestAgent(steward.app, steward.clock);
    const login = await visitor.get("/login");
    expect(login.body).toContain('href="/source">Source code</a>');
    const page = await visitor.get("/source");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("GNU Affero General Public License, version 3 or (at your option) any later version");

    const download = await steward.app.inject({ method: "GET", url: "/source/steward-source.zip" });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toBe("application/zip");
    expect(download.headers["content-disposition"]).toContain("attachment");
    const files = unzipSync(new Uint8Array(download.rawPayload));
    expect(strFromU8(files["steward/LICENSE"]!)).toContain("GNU AFFERO GENERAL PUBLIC LICENSE");
    expect(JSON.parse(strFromU8(files["steward/package.json"]!)).license).toBe("AGPL-3.0-or-later");
    expect(strFromU8(files["steward/src/about/source-code.ts"]!)).toContain("export function sourceArchive");
  });

  it("holds every file git tracks, so a new top-level file cannot be left out unnoticed", async (context) => {
    let tracked: string[];
    try {
      tracked = execFileSync("git", ["ls-files"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    } catch {
      context.skip();
      return;
    }
    const files = Object.keys(unzipSync(await sourceArchive()));
    const missing = tracked.filter((file) => !files.includes(`steward/${file}`));
    expect(missing).toEqual([]);
  });

  it("never holds the data folder, installed packages, secrets or anything outside the project, even when they sit inside it", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "steward-source-"));
    try {
      await mkdir(path.join(root, "src", "node_modules", "x"), { recursive: true });
      await mkdir(path.join(root, "data", "files"), { recursive: true });
      await mkdir(path.join(root, "node_modules", "x"), { recursive: true });
      await writeFile(path.join(root, "package.json"), "{}");
      await writeFile(path.join(root, "src", "app.ts"), "export {};");
      await writeFile(path.join(root, "src", ".env"), "SECRET=1");
      await writeFile(path.join(root, "src", "debug.log"), "a log");
      await writeFile(path.join(root, "src", "node_modules", "x", "index.js"), "");
      await writeFile(path.join(root, "data", "master.key"), "key");
      await writeFile(path.join(root, ".env"), "SECRET=1");
      await writeFile(path.join(tmpdir(), "steward-outside.txt"), "outside");
      execFileSync("ln", ["-s", path.join(tmpdir(), "steward-outside.txt"), path.join(root, "src", "link.txt")]);
      // What editors, checkouts and operators leave beside the code.
      for (const name of [".env.local", "deploy-key.pem", ".npmrc", "app.ts.swp", "config.ts~", "notes.bak"]) {
        await writeFile(path.join(root, "src", name), "secret");
      }
      await mkdir(path.join(root, "src", "store"), { recursive: true });
      await writeFile(path.join(root, "src", "store", "master.key"), "key");
      await writeFile(path.join(root, "src", "store", "index.ts"), "export {};");
      const files = Object.keys(unzipSync(await sourceArchive(path.join(root, "src", "store"), root))).sort();
      expect(files).toEqual(["steward/package.json", "steward/src/app.ts"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
