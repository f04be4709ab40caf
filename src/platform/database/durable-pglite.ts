import { fsyncSync } from "node:fs";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";

/**
 * PGlite on a folder, with commits that reach the disk before they are acknowledged.
 *
 * PGlite 0.5 starts PostgreSQL with `-F` (fsync = off), and its Node file system (Emscripten's
 * NODEFS) has no fsync: PostgreSQL's fsync() calls return success and sync nothing, and its
 * fdatasync() is a stub in Emscripten. Writes still reach the operating system at every commit
 * (so a killed process loses nothing), but a power cut could lose committed transactions or tear
 * pages. Here: fsync is on, WAL is synced with fsync() (the one call that reaches us), and NODEFS
 * gains an fsync that calls the real one. Measured by `npm run bench` ("commit, fsync on/off").
 */
class DurableNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS["init"]>): ReturnType<NodeFS["init"]> {
    const result = await super.init(...args);
    const preRun = result.emscriptenOpts.preRun ?? [];
    preRun.push((mod) => {
      const nodefs = mod.NODEFS as unknown as { stream_ops: { fsync?: (stream: { nfd: number }) => number } };
      // Called for fsync() on any file or folder PostgreSQL opened (WAL at commit, data files at checkpoint).
      nodefs.stream_ops.fsync = (stream) => {
        fsyncSync(stream.nfd);
        return 0;
      };
    });
    result.emscriptenOpts.preRun = preRun;
    return result;
  }
}

/** The start parameters PGlite would use, without `-F`, with fsync on and WAL synced by fsync(). */
export function durableStartParams(durable: boolean): string[] {
  const params = PGlite.defaultStartParams.filter((param) => !(durable && param === "-F"));
  return durable ? [...params, "-c", "fsync=on", "-c", "wal_sync_method=fsync", "-c", "synchronous_commit=on"] : params;
}

/**
 * PGlite options for a data folder. `durable: false` is PGlite's own default (no fsync), kept only
 * so the bench can show what durability costs.
 */
export function durablePGliteOptions(folder: string, { durable = true }: { durable?: boolean } = {}): PGliteOptions {
  return durable ? { fs: new DurableNodeFS(folder), startParams: durableStartParams(true) } : { dataDir: folder };
}
