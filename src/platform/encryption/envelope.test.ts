import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { open, seal, UnreadableError } from "./envelope.ts";
import { blindIndex, createKeyring } from "./keyring.ts";
import { loadMasterKey, MASTER_KEY_FILE } from "./master-key.ts";

const key = randomBytes(32);

describe("sealing a value (AES-256-GCM)", () => {
  it("opens what it sealed, and the sealed text holds nothing of the value", () => {
    const sealed = seal(key, "Jo Bloggs, Year 6", "org-a");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("Bloggs");
    expect(open(key, sealed, "org-a").toString("utf8")).toBe("Jo Bloggs, Year 6");
  });

  it("seals the same value differently each time", () => {
    expect(seal(key, "same", "org-a")).not.toBe(seal(key, "same", "org-a"));
  });

  it("refuses a value moved to another organisation, altered, or opened with another key", () => {
    const sealed = seal(key, "Jo Bloggs", "org-a");
    expect(() => open(key, sealed, "org-b")).toThrow(UnreadableError);
    const body = Buffer.from(sealed.slice(3), "base64url");
    body[body.length - 1]! ^= 1;
    expect(() => open(key, `v1.${body.toString("base64url")}`, "org-a")).toThrow(UnreadableError);
    expect(() => open(randomBytes(32), sealed, "org-a")).toThrow(UnreadableError);
    expect(() => open(key, "Jo Bloggs", "org-a")).toThrow(UnreadableError);
  });
});

describe("blind indexes", () => {
  it("match equal values, differ by purpose and by master key, and do not contain the value", () => {
    const keyring = createKeyring(key);
    const index = blindIndex(keyring, "email", "jo@school.example");
    expect(blindIndex(keyring, "email", "jo@school.example")).toBe(index);
    expect(blindIndex(keyring, "username", "jo@school.example")).not.toBe(index);
    expect(blindIndex(createKeyring(randomBytes(32)), "email", "jo@school.example")).not.toBe(index);
    expect(index).not.toContain("jo");
  });
});

describe("the master key", () => {
  const quiet = () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    return { logger: createLogger("info", sink), lines };
  };

  it("is made once in the data folder, readable only by its owner, with a loud warning, then reused", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "steward-key-"));
    const first = quiet();
    const made = loadMasterKey(undefined, dataDir, first.logger);
    expect(made).toHaveLength(32);
    expect(first.lines.join()).toContain("NEW MASTER KEY CREATED");
    expect(statSync(path.join(dataDir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = quiet();
    expect(loadMasterKey(undefined, dataDir, second.logger)).toEqual(made);
    expect(second.lines).toEqual([]);
    expect(readFileSync(path.join(dataDir, MASTER_KEY_FILE), "utf8").trim()).toBe(made.toString("base64"));
  });

  it("comes from STEWARD_MASTER_KEY when set, and a key of the wrong size stops start-up", () => {
    const given = randomBytes(32);
    expect(loadMasterKey(given.toString("base64"), "/nonexistent", quiet().logger)).toEqual(given);
    expect(() => loadMasterKey(randomBytes(16).toString("base64"), "/nonexistent", quiet().logger)).toThrow(/must be 32 bytes/);
  });
});
