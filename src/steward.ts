import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { sealAuditTrail } from "./audit/audit.ts";
import { purgeEndedSessions } from "./auth/sessions.ts";
import { purgeRequesterLeftovers } from "./requests/requester-access.ts";
import { applyDeadlineRuleChanges } from "./calendar/calendar-settings.ts";
import { deliverDueEmail } from "./notify/outbox.ts";
import { sendDueReminders } from "./cases/reminders.ts";
import { sendReviewReminders } from "./registers/review-reminders.ts";
import { advanceLicences } from "./licences/licences.ts";
import { sweepStoredFiles } from "./cases/attachments.ts";
import { runDueJobs } from "./platform/jobs/jobs.ts";
import { DISCLOSURE_JOBS } from "./redaction/disclosure/disclosure-jobs.ts";
import { purgeClosedDisclosures } from "./redaction/disclosure/purge.ts";
import { backUpDaily } from "./lifecycle/rolling.ts";
import { buildStewardApp } from "./app.ts";
import { issueOperatorSetupToken } from "./operator/setup-token.ts";
import { createSmtpMailer, type Mailer } from "./platform/mailer.ts";
import { systemClock, type Clock } from "./platform/clock.ts";
import type { Config } from "./platform/config.ts";
import { databaseLocationOf, openDatabase, type StewardDatabase } from "./platform/database/database.ts";
import { migrateToLatest } from "./platform/database/migrate.ts";
import { loadCsrfKey } from "./platform/database/platform-secrets.ts";
import { createKeyring } from "./platform/encryption/keyring.ts";
import { masterKeyForDatabase } from "./platform/encryption/master-key.ts";
import { folderFileStore } from "./platform/files/file-store.ts";
import { sealPlaintextRows } from "./accounts/seal-plaintext-rows.ts";
import type { Services } from "./platform/services.ts";

export interface Steward {
  app: FastifyInstance;
  services: Services;
  /** Stops taking requests, stops the mail sender and closes the database. */
  close(): Promise<void>;
}

export interface StewardOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An open database to use (tests); otherwise one is opened from the config. */
  database?: StewardDatabase;
  /** How often the mail sender looks for due email; 0 turns it off (tests drive it by hand). */
  mailIntervalMs?: number;
  /** How often ended sessions are purged; 0 turns it off (tests drive it by hand). */
  housekeepingIntervalMs?: number;
  /** How often deadline reminders are checked; 0 turns the job off (tests run it by hand). */
  reminderIntervalMs?: number;
  /** How often committed audit events are sealed into their chains; 0 turns the job off (tests seal by hand). */
  auditSealIntervalMs?: number;
  /** How often the job queue is looked at (reading and redacting documents); 0 turns it off (tests run jobs by hand). */
  jobIntervalMs?: number;
}

/** Every kind of job this process runs. */
export const JOB_HANDLERS = { ...DISCLOSURE_JOBS };

export { databaseLocationOf } from "./platform/database/database.ts";

/** Opens and migrates the database, wires the services and builds the web app. */
export async function createSteward(options: StewardOptions): Promise<Steward> {
  const { config, logger } = options;
  const database =
    options.database ??
    (await openDatabase(databaseLocationOf(config), {
      onConnectionLost: (error) => logger.warn({ code: (error as { code?: string }).code }, "a pooled database connection was lost; it will be replaced"),
    }));
  let keyring;
  try {
    await migrateToLatest(database.db);
    // After opening (the data folder lock also covers making a key), before serving anything.
    keyring = createKeyring(await masterKeyForDatabase(database.db, config.masterKey, config.dataDir, logger));
  } catch (error) {
    if (!options.database) {
      await database.close();
    }
    throw error;
  }
  const sealed = await sealPlaintextRows({ database, keyring });
  if (sealed > 0) {
    logger.info({ rows: sealed }, "sealed personal data written before encryption at rest");
  }
  const mailer: Mailer | undefined = config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.mailFrom) : undefined;
  const services: Services = {
    config,
    logger,
    database,
    clock: options.clock ?? systemClock,
    mailer,
    csrfKey: await loadCsrfKey(database.db),
    keyring,
    files: folderFileStore(path.join(config.dataDir, "files")),
  };
  const rules = await applyDeadlineRuleChanges(services);
  if (rules.changes.length > 0) {
    logger.info({ refreshed: rules.refreshed }, "the deadline rules changed: every open case's due date was worked out again");
  }
  // No operator yet: a one-time setup address, logged for whoever started Steward (src/operator/setup-token.ts).
  await issueOperatorSetupToken(services);
  const app = await buildStewardApp(services);

  const worker = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  // A long job outlasts the interval: the next tick joins the run under way (so close() waits for it) rather than starting another.
  let jobRun: Promise<number> | undefined;
  const runJobs = () =>
    (jobRun ??= runDueJobs(services, JOB_HANDLERS, worker, 10).finally(() => {
      jobRun = undefined;
    }));

  /** Runs a job every `ms` (never when 0); stop() clears it at once, then waits for a run under way. */
  const repeat = (ms: number, job: () => Promise<unknown>, failure: string, { atStart = false } = {}) => {
    let running: Promise<unknown> = atStart && ms > 0 ? job().catch((error: unknown) => logger.error({ err: error }, failure)) : Promise.resolve();
    const timer =
      ms > 0
        ? setInterval(() => {
            running = job().catch((error: unknown) => logger.error({ err: error }, failure));
          }, ms)
        : undefined;
    timer?.unref();
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  };
  const jobs = [
    // Requests append audit events without waiting on each other; this gives them their place in the chain moments later.
    repeat(options.auditSealIntervalMs ?? 200, () => sealAuditTrail(database.db), "audit sealing failed"),
    repeat(mailer ? (options.mailIntervalMs ?? 5_000) : 0, () => deliverDueEmail(services), "mail sender failed"),
    repeat(options.housekeepingIntervalMs ?? 5 * 60_000, () => purgeEndedSessions(services), "session purge failed"),
    // Public forms never confirmed (kept a day at most) and requesters' ended sessions.
    repeat(options.housekeepingIntervalMs ?? 5 * 60_000, () => purgeRequesterLeftovers(services), "requester purge failed"),
    // Deadline reminders: checked every few minutes (an hourly breach reminder needs no finer grain).
    repeat(options.reminderIntervalMs ?? 5 * 60_000, () => sendDueReminders(services), "reminders failed"),
    // Register reviews: reminders at 30 days, 7 days and on the day, checked as often as the deadlines.
    repeat(options.reminderIntervalMs ?? 5 * 60_000, () => sendReviewReminders(services), "review reminders failed"),
    // Licences: expiry warnings, expiry, reinstatement, deletion and destruction; checked as often as the deadlines.
    repeat(options.reminderIntervalMs ?? 5 * 60_000, () => advanceLicences(services), "the licence job failed", { atStart: true }),
    // Stored files no attachment holds (an upload that never committed): hourly is plenty.
    repeat(options.housekeepingIntervalMs === 0 ? 0 : 60 * 60_000, () => sweepStoredFiles(services), "file store sweep failed"),
    // Closed cases' disclosure working data, 30 days on: hourly is plenty.
    // At start too: a server restarted more often than hourly would otherwise never purge.
    repeat(options.housekeepingIntervalMs === 0 ? 0 : 60 * 60_000, () => purgeClosedDisclosures(services), "disclosure purge failed", { atStart: true }),
    // Documents to read and redact: looked for every two seconds, run one at a time (each is CPU-bound, and the machine small).
    repeat(options.jobIntervalMs ?? 2_000, runJobs, "the job queue failed"),
    // The daily backup into STEWARD_BACKUP_DIR's rolling set (old ones pruned): looked at hourly, and at start.
    repeat(config.backupDir && options.housekeepingIntervalMs !== 0 ? 60 * 60_000 : 0, () => backUpDaily(services), "scheduled backup failed", { atStart: true }),
  ];

  return {
    app,
    services,
    async close() {
      const stopped = Promise.all(jobs.map((job) => job.stop()));
      await app.close();
      await stopped;
      // Nothing a finished request recorded is left waiting for its seal.
      await sealAuditTrail(database.db).catch((error: unknown) => logger.error({ err: error }, "audit sealing failed"));
      mailer?.close();
      await database.close();
    },
  };
}
