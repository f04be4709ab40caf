import path from "node:path";
import { z } from "zod";

/**
 * Every setting Steward reads from the environment, validated once at start-up.
 * Nothing else in the code reads process.env.
 */
const environment = z.object({
  /** Port the web server listens on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address to bind; loopback by default so a fresh install is not exposed. */
  HOST: z.string().default("127.0.0.1"),
  /** Folder for the embedded database and the attachments' file store (files/). */
  STEWARD_DATA_DIR: z.string().default("./data"),
  /** A PostgreSQL server to use instead of the embedded PGlite database. */
  DATABASE_URL: z.string().url().optional(),
  /** SMTP server for outgoing email; with none, email waits in the outbox at /outbox. */
  SMTP_URL: z.string().url().optional(),
  /** The From address of every email. */
  MAIL_FROM: z.string().default("Steward <no-reply@steward.localhost>"),
  /** Public address of the service, used in links inside emails. */
  PUBLIC_URL: z.string().url().optional(),
  /** Number of reverse-proxy hops to trust for X-Forwarded-* (client IP and HTTPS). 0 trusts none. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** The key that wraps every organisation's data key: 32 bytes, base64. Without it, a key file in the data folder. */
  STEWARD_MASTER_KEY: z.string().optional(),
  /** All the attachments every organisation together may keep (e.g. 20GB, 500MB): the disk's ceiling. */
  STEWARD_STORAGE_LIMIT: z
    .string()
    .default("20GB")
    .refine((value) => parseByteSize(value) !== undefined, "must be a size such as 20GB or 500MB"),
  /** A folder for the rolling set of backups the server takes daily (with the data keys file); unset, the server takes none. */
  STEWARD_BACKUP_DIR: z.string().optional(),
  /** Days a backup in the rolling set is kept before it is deleted: the privacy notice promises 30 at most. */
  STEWARD_BACKUP_KEEP_DAYS: z.coerce.number().int().min(1).max(30, { error: "at most 30: the privacy notice promises a deleted account is gone from backups within 30 days" }).default(30),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  trustProxyHops: number;
  logLevel: string;
  masterKey: string | undefined;
  /** Bytes all attachments together may take, across every organisation. */
  storageLimitBytes: number;
  /** Where the server keeps its rolling set of daily backups (absolute); undefined: it takes none. */
  backupDir: string | undefined;
  /** Days a rolling backup is kept. */
  backupKeepDays: number;
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "200MB", "2 GB", "1.5TB" or a plain number of bytes; undefined if it is none of these. Units count in 1,024s, as the pages' sizes do. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? "B").toUpperCase()]!);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' and tools' conventions.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = environment.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Steward cannot start; fix these settings:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.STEWARD_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    trustProxyHops: e.TRUST_PROXY_HOPS,
    logLevel: e.LOG_LEVEL,
    masterKey: e.STEWARD_MASTER_KEY,
    storageLimitBytes: parseByteSize(e.STEWARD_STORAGE_LIMIT)!,
    backupDir: e.STEWARD_BACKUP_DIR === undefined ? undefined : path.resolve(e.STEWARD_BACKUP_DIR),
    backupKeepDays: e.STEWARD_BACKUP_KEEP_DAYS,
  });
}
