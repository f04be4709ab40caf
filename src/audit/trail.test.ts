import { describe, expect, it } from "vitest";
import { eventHash, GENESIS_HASH } from "./audit.ts";
import { csvCell } from "../platform/spreadsheet.ts";

describe("audit CSV cells", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\""],
    ["+44 1632", "'+44 1632"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tindent", "'\tindent"],
    ["plain", "plain"],
    ["a,b", "\"a,b\""],
    ["line\nbreak", "\"line\nbreak\""],
    [null, ""],
    [42, "42"],
  ])("writes %j as %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe("audit event hashes", () => {
  const event = {
    orgId: "3f1b7a52-7a3c-4c1e-9c55-1d2f0e6b9a10",
    seq: 1,
    id: "6d0f3a5e-2b9c-4f7a-8e1d-0c2b4a6e8f10",
    occurredAt: new Date("2026-11-24T09:00:00Z"),
    actorUserId: null,
    action: "user.list",
    recordType: null,
    recordId: null,
    ip: "127.0.0.1",
    userAgent: "test",
  };

  it("depends on every field and on the previous hash", () => {
    const base = eventHash(GENESIS_HASH, event);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...event })).toBe(base);
    expect(eventHash("1".repeat(64), event)).not.toBe(base);
    for (const change of [{ seq: 2 }, { action: "user.view" }, { ip: "10.0.0.1" }, { occurredAt: new Date("2026-11-24T09:00:01Z") }, { recordId: "x" }]) {
      expect(eventHash(GENESIS_HASH, { ...event, ...change }), JSON.stringify(change)).not.toBe(base);
    }
  });
});
