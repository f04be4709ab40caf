import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * One process at a time on an embedded data folder. PGlite is one PostgreSQL backend in this
 * process's memory: a second process opening the same folder keeps its own buffers and WAL
 * position, and the two overwrite each other's pages (acknowledged writes lost, the audit chain
 * broken). So every process takes this lock before opening PGlite, and a second one is refused.
 *
 * The lock is a file made with O_EXCL (atomic on a local file system), holding who made it. A lock
 * left by a process that died (kill -9, power cut) is stale when that process is gone: its pid is
 * not alive, or is alive but started at another time (the pid was reused).
 */
export const LOCK_FILE = "steward.lock";

export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holding process started, as the kernel counts it (Linux: clock ticks since boot); null where unknown. */
  processStart: string | null;
  /** When the lock was taken, ISO 8601. */
  lockedAt: string;
  /** What the process was doing: "server", or the CLI command. */
  purpose: string;
}

export class DataFolderLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.hostname === hostname() ? "" : ` on ${holder.hostname}`;
    super(
      `The data folder ${dataDir} is in use by another Steward process (pid ${holder.pid}${where}, ${holder.purpose}, since ${holder.lockedAt}). ` +
        `Only one process may use an embedded database at a time: stop that process first, or use PostgreSQL (DATABASE_URL) to run several.` +
        (where ? ` If that process is certainly gone, remove ${path.join(dataDir, LOCK_FILE)}.` : ""),
    );
    this.name = "DataFolderLockedError";
  }
}

export interface DataFolderLock {
  readonly file: string;
  /** Gives the folder up (only if the lock is still this process's own). */
  release(): void;
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
export function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the lock's holder is certainly gone. A holder on another host cannot be checked, so is never stale. */
export function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) {
    return false;
  }
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || !isAlive(holder.pid)) {
    return true;
  }
  const start = processStartOf(holder.pid);
  return start !== null && holder.processStart !== null && start !== holder.processStart;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockHolder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    // A lock file cut short by a crash between create and write: treat it as its maker's, long dead.
    return { pid: 0, hostname: hostname(), processStart: null, lockedAt: "unknown", purpose: "unknown" };
  }
}

/**
 * Takes the data folder for this process, or throws DataFolderLockedError naming the process that
 * holds it. A stale lock is taken over.
 */
export function lockDataFolder(dataDir: string, purpose: string): DataFolderLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    processStart: processStartOf(process.pid),
    lockedAt: new Date().toISOString(),
    purpose,
  };
  const text = `${JSON.stringify(mine)}\n`;

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return {
        file,
        release() {
          if (readHolderText(file) === text) {
            unlinkSync(file);
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw error;
      }
    }
    const holder = readHolder(file);
    if (holder === undefined) {
      continue; // released a moment ago: try again
    }
    if (!isStale(holder)) {
      throw new DataFolderLockedError(dataDir, holder);
    }
    takeOverStale(file, holder);
  }
  throw new Error(`Could not take the data folder lock ${file}: other processes keep taking it`);
}

function readHolderText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Removes a stale lock without removing a live one made since we read it: move it aside under a
 * name of our own (atomic), check it is still the stale holder's, and if not put it back.
 */
function takeOverStale(file: string, stale: LockHolder): void {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return;
    }
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.lockedAt !== stale.lockedAt)) {
    // Another process took the folder between our read and our move: give its lock back.
    try {
      linkSync(aside, file);
    } catch {
      // A third process has made a lock meanwhile; it is the holder now.
    }
  }
  unlinkSync(aside);
}
