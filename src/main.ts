import { loadConfig } from "./platform/config.ts";
import { createLogger } from "./platform/logger.ts";
import { createSteward } from "./platform/steward.ts";

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

const steward = await createSteward({ config, logger });
await steward.app.listen({ port: config.port, host: config.host });
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
    steward.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  });
}
