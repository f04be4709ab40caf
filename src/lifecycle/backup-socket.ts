import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Logger } from "pino";
import type { StewardDatabase } from "../platform/database/database.ts";
import { writeBackup, type BackupSummary } from "./backup.ts";
import { writeRollingBackup, type RollingSummary } from "./rolling.ts";

/**
 * How `steward backup` reaches a running server on the embedded database: PGlite allows one
 * process per data folder, so the server itself writes the backup when asked over a Unix socket
 * in the data folder. Only the folder's owner can connect (the socket is 0600), and that user can
 * read the folder anyway. The request names the file to write (or the rolling set's folder, and
 * its keep period); the answer is one JSON line.
 */
export type BackupRequest = { file: string } | { rolling: string; keepDays: number };
export const BACKUP_SOCKET = "steward.sock";

export interface BackupListener {
  close(): Promise<void>;
}

/** Listens for backup requests; call only while holding the data folder lock (any old socket is then stale). */
export async function listenForBackups(
  dataDir: string,
  database: StewardDatabase,
  masterKey: Buffer,
  logger: Logger,
  { filesFolder }: { filesFolder?: string } = {},
): Promise<BackupListener> {
  const socketPath = path.join(dataDir, BACKUP_SOCKET);
  rmSync(socketPath, { force: true });
  const server = net.createServer((connection) => {
    let request = "";
    connection.setEncoding("utf8");
    connection.on("data", (chunk: string) => {
      request += chunk;
      if (!request.includes("\n")) {
        return;
      }
      connection.removeAllListeners("data");
      const answer = (body: object) => connection.end(`${JSON.stringify(body)}\n`);
      let asked: { file?: unknown; rolling?: unknown; keepDays?: unknown };
      try {
        asked = JSON.parse(request) as typeof asked;
      } catch {
        answer({ ok: false, error: "not a backup request" });
        return;
      }
      const { file, rolling, keepDays } = asked;
      const rollingWanted = typeof rolling === "string" && path.isAbsolute(rolling) && Number.isInteger(keepDays) && (keepDays as number) >= 1;
      if (!rollingWanted && (typeof file !== "string" || !path.isAbsolute(file))) {
        answer({ ok: false, error: "a backup request names an absolute file path, or an absolute folder and a keep period" });
        return;
      }
      logger.info(rollingWanted ? "rolling backup requested over the data folder's socket" : "backup requested over the data folder's socket");
      const written: Promise<BackupSummary & { pruned?: string[] }> = rollingWanted
        ? writeRollingBackup(database, masterKey, rolling, { filesFolder, keepDays: keepDays as number })
        : writeBackup(database, masterKey, file as string, { filesFolder });
      written.then(
        (summary) => {
          const pruned = summary.pruned ? { pruned: summary.pruned.length } : {};
          logger.info({ tables: summary.tables, rows: summary.rows, files: summary.files, bytes: summary.bytes, ms: summary.ms, keys: summary.dataKeys, ...pruned }, "backup written");
          answer({ ok: true, summary });
        },
        (error: unknown) => {
          logger.error({ err: error }, "backup failed");
          answer({ ok: false, error: error instanceof Error ? error.message : String(error) });
        },
      );
    });
    connection.on("error", () => {}); // the asking process went away: nothing to answer
  });
  // Made 0600 from the start (the umask applies when the socket file is created).
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      }),
  };
}

/** Asks a server running on this data folder for a backup; undefined when none is listening. */
export async function askServerForBackup(dataDir: string, request: { file: string }): Promise<BackupSummary | undefined>;
export async function askServerForBackup(dataDir: string, request: { rolling: string; keepDays: number }): Promise<RollingSummary | undefined>;
export async function askServerForBackup(dataDir: string, request: BackupRequest): Promise<BackupSummary | RollingSummary | undefined> {
  const socketPath = path.join(dataDir, BACKUP_SOCKET);
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socketPath);
    let answer = "";
    connection.setEncoding("utf8");
    connection.on("connect", () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on("data", (chunk: string) => (answer += chunk));
    connection.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") {
        resolve(undefined); // no server: the caller opens the folder itself
      } else {
        reject(error);
      }
    });
    connection.on("end", () => {
      try {
        const reply = JSON.parse(answer) as { ok: boolean; summary?: BackupSummary | RollingSummary; error?: string };
        if (reply.ok) {
          resolve(reply.summary);
        } else {
          reject(new Error(`The running server could not write the backup: ${reply.error}`));
        }
      } catch {
        reject(new Error("The running server gave no answer to the backup request"));
      }
    });
  });
}
