import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { durablePGliteOptions } from "./durable-pglite.ts";

describe("the embedded database on a data folder", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "steward-durable-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("runs with fsync on, WAL synced by fsync(), and commits that wait for it", async () => {
    const database = await openDatabase({ engine: "pglite", dataDir });
    try {
      const setting = async (name: string) => (await sql<{ value: string }>`select current_setting(${name}) as value`.execute(database.db)).rows[0]!.value;
      expect(await setting("fsync")).toBe("on");
      expect(await setting("wal_sync_method")).toBe("fsync");
      expect(await setting("synchronous_commit")).toBe("on");
    } finally {
      await database.close();
    }
  });

  it("gives PGlite's Node file system an fsync that reaches the disk (PGlite's own has none)", async () => {
    const folder = path.join(dataDir, "probe");
    let synced = 0;
    const options = durablePGliteOptions(folder);
    // Count the calls through the hook PostgreSQL's fsync() reaches.
    const fs = options.fs!;
    const init = fs.init.bind(fs);
    fs.init = async (pg, emscripten) => {
      const result = await init(pg, emscripten);
      result.emscriptenOpts.preRun!.push((mod) => {
        const ops = (mod.NODEFS as unknown as { stream_ops: { fsync: (stream: unknown) => number } }).stream_ops;
        const real = ops.fsync;
        ops.fsync = (stream) => ((synced += 1), real(stream));
      });
      return result;
    };
    const pglite = await PGlite.create(options);
    try {
      await pglite.exec("create table notes (note text)");
      const before = synced;
      await pglite.query("insert into notes values ('kept')");
      expect(synced).toBeGreaterThan(before);
    } finally {
      await pglite.close();
    }
  });
});
