import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { createSteward } from "../../steward.ts";
import { TestClock } from "../clock.ts";
import { buildLicence } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { openPersistentTestDatabase, testEngine } from "../../testing/test-database.ts";
import { MASTER_KEY_FILE, MasterKeyRefusedError } from "./master-key.ts";

describe(`the master key over an existing database (${testEngine})`, () => {
  let place: Awaited<ReturnType<typeof openPersistentTestDatabase>>;
  let keyFile: string;
  let madeKey: string;
  let owner: string;
  const logs: string[] = [];
  const clock = new TestClock();
  const start = (env: Record<string, string> = {}) =>
    createSteward({
      clock,
      config: loadConfig({ PORT: "0", PUBLIC_URL: "http://steward.test", ...place.env, ...env }),
      logger: createLogger("info", new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString("utf8")), done()) })),
      mailIntervalMs: 0,
      housekeepingIntervalMs: 0,
      reminderIntervalMs: 0,
    });

  beforeAll(async () => {
    place = await openPersistentTestDatabase();
    keyFile = path.join(place.dataDir, MASTER_KEY_FILE);
    // The first start makes the key; a registered licence puts wrapped data keys in the database.
    const steward = await start();
    owner = (await buildLicence(steward.services)).username;
    await steward.close();
    madeKey = readFileSync(keyFile, "utf8");
  });
  afterAll(() => place.drop());

  it("refuses to start with another key file, saying it is not this database's key", async () => {
    writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
    const refused = start();
    await expect(refused).rejects.toThrow(MasterKeyRefusedError);
    await expect(refused).rejects.toThrow(/the master key in .*master\.key is not the one this database was made with \(it opens 0 of 1 organisations' data keys\)/);
    writeFileSync(keyFile, madeKey);
  });

  it("refuses a wrong STEWARD_MASTER_KEY the same way", async () => {
    await expect(start({ STEWARD_MASTER_KEY: randomBytes(32).toString("base64") })).rejects.toThrow(/STEWARD_MASTER_KEY is not the one this database was made with/);
  });

  it("refuses to start without a key, and makes no new one over the existing database", async () => {
    rmSync(keyFile);
    await expect(start()).rejects.toThrow(/holds personal data encrypted under a master key, and there is none here .* so none has been made/);
    expect(existsSync(keyFile)).toBe(false);
    writeFileSync(keyFile, madeKey, { mode: 0o600 });
  });

  it("starts again with the right key, and the owner signs in (found by blind index, name opened)", async () => {
    const steward = await start();
    try {
      const agent = new TestAgent(steward.app, clock);
      const signedIn = await agent.signIn(owner);
      expect(signedIn.statusCode).toBeLessThan(400);
      expect((await agent.get("/account")).body).toContain("Alex Owner");
    } finally {
      await steward.close();
    }
  });
});
