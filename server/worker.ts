import { getConnection } from "./db";
import { ConfigError, env } from "./env";
import { logger } from "./logger";
import { Runtime } from "../runner/runtime";
import { handOverRuntime } from "./runtime-handover";
import { runnerStorage } from "./runner-storage";
import { startWorkerHttp } from "./worker-http";

/**
 * `npm run worker`: one worker process taking runs and schedule firings ("runs") and media steps ("media") from
 * BullMQ, as WORKER_QUEUES says. Start as many as the load needs, on any machine that reaches the same
 * PostgreSQL, Redis and binary storage. The web process applies migrations.
 */
async function main(): Promise<void> {
  const config = env();
  if (!config.REDIS_URL || !config.DATABASE_URL) {
    throw new ConfigError(
      "A worker process needs REDIS_URL and DATABASE_URL; without them `npm start` runs flows in its own process and no worker is needed.",
    );
  }
  const connection = await getConnection("worker");
  const runtime = await Runtime.create({ storage: runnerStorage({ db: connection.db }), config, role: "worker", logger });
  runtime.metrics.readFrom({ dbPools: connection.poolStats });
  handOverRuntime(runtime);
  await runtime.start();
  const listener = config.WORKER_HTTP_PORT ? await startWorkerHttp({ port: config.WORKER_HTTP_PORT, db: connection.db, runtime, metricsToken: config.METRICS_TOKEN }) : null;
  logger.info({ workerId: runtime.workerId, queues: config.WORKER_QUEUES, concurrency: config.WORKER_CONCURRENCY, mediaConcurrency: config.MEDIA_CONCURRENCY, httpPort: listener?.port }, "worker ready");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker shutting down: finishing or handing back its runs");
    await runtime.close();
    await listener?.close();
    await connection.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.fatal(err.message);
  else logger.fatal({ err }, err instanceof Error ? err.message : "worker start-up failed");
  process.exit(1);
});
