import { filesFolderOf } from "./lifecycle/backup.ts";
import { listenForBackups } from "./lifecycle/backup-socket.ts";
import { loadConfig } from "./platform/config.ts";
import { createLogger } from "./platform/logger.ts";
import { DataFolderLockedError } from "./platform/database/data-folder-lock.ts";
import { MasterKeyRefusedError } from "./platform/encryption/master-key.ts";
import { createSteward } from "./steward.ts";

/** `npm start`: Steward on PORT (3000), on PGlite in STEWARD_DATA_DIR unless DATABASE_URL is set. */
const config = loadConfig();
const logger = createLogger(config.logLevel);
const startedAt = performance.now();

if (config.databaseUrl) {
  logger.info("using the PostgreSQL server named by DATABASE_URL");
} else {
  logger.info({ dataDir: config.dataDir }, "using the embedded PGlite database in the data folder");
}
if (!config.smtpUrl) {
  logger.warn("SMTP_URL is not set: email will be held in the outbox (/outbox) instead of sent");
}

let steward;
try {
  steward = await createSteward({ config, logger });
} catch (error) {
  // A refusal Steward explains (the data folder is in use, the master key is wrong or missing): say why, without a stack.
  if (error instanceof DataFolderLockedError || error instanceof MasterKeyRefusedError) {
    logger.fatal(error.message);
    process.exit(1);
  }
  throw error;
}
await steward.app.listen({ port: config.port, host: config.host });
// On the embedded database no other process may open the folder, so `steward backup` asks this one.
const backups = config.databaseUrl
  ? undefined
  : await listenForBackups(config.dataDir, steward.services.database, steward.services.keyring.masterKey, logger, { filesFolder: filesFolderOf(config) }).catch((error: unknown) => {
      logger.warn({ err: error }, "`steward backup` cannot reach this server (the data folder's socket could not be made): stop it to take a backup");
      return undefined;
    });
logger.info({ ms: Math.round(performance.now() - startedAt) }, `Steward is ready at ${config.publicUrl}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) {
      process.exit(1); // a second signal forces the exit
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    // A backup under way finishes before the database closes.
    Promise.resolve(backups?.close())
      .then(() => steward.close())
      .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  });
}
