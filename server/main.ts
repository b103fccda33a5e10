import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createBinaryFileHandler } from "../runner/binary-files";
import { withLogFields } from "../runner/log-context";
import { Runtime } from "../runner/runtime";
import { handOverRuntime } from "./runtime-handover";
import { getConnection } from "./db";
import { describeDatabase, migrateDatabase } from "./db/prepare";
import { ConfigError, env } from "./env";
import { startAuditRetention } from "./audit-retention";
import { backupScheduleSettings, startBackupSchedule } from "./backup/schedule";
import { clientAddressStamp } from "./client-address";
import { logger } from "./logger";
import { requestIdOf } from "./request-id";
import { signInLimit } from "./sign-in-limit";
import { createRestApi } from "./rest/rest-api";
import { secretBox } from "./crypto";
import { sharePageGate } from "./share-page-headers";
import { shareRateLimiter, shareSecret } from "./share-settings";
import { ensureSecrets } from "./secrets";
import { runnerStorage } from "./runner-storage";
import { onFirstUse } from "../nodes/_core/on-first-use";
import { probeRoutes } from "./probe-routes";

const PREPARE_FLAG = "--prepare-database";


/** Creates (embedded) and migrates the database, then exits: run as a child of the server, see below. */
async function prepareDatabase(): Promise<void> {
  const connection = await getConnection("web");
  try {
    await migrateDatabase(connection, env());
  } finally {
    await connection.close();
  }
}

/**
 * Migrations (and, embedded, creating the database) run in a short-lived child process: the schema engine
 * and PGlite's initdb take hundreds of megabytes that the server would otherwise keep for its whole life.
 */
async function prepareDatabaseInChild(config: ReturnType<typeof env>): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, PREPARE_FLAG], { env: process.env, stdio: "inherit" });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) {
    throw new ConfigError(`Could not prepare ${describeDatabase(config)}; the reason is logged above.`);
  }
}

/** The one process of embedded mode: migrates the database, then serves Next.js on PORT. */
async function main(): Promise<void> {
  if (process.argv.includes(PREPARE_FLAG)) {
    await ensureSecrets({ env: process.env, dataDir: process.env.DATA_DIR ?? ".data" });
    return prepareDatabase();
  }
  const dev = process.argv.includes("--dev");
  await ensureSecrets({ env: process.env, dataDir: process.env.DATA_DIR ?? ".data" });
  // Without a configured public URL, next-auth builds its redirects from the address each request came by
  // (Next passes it on as X-Forwarded-Host/-Proto), so sign-in works by localhost, 127.0.0.1 or a LAN name alike.
  // With NEXTAUTH_URL set, that address wins and the sign-in page says so to anyone who came by another.
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "true";
  const config = env();
  // Checked before anything starts: a wrong schedule or key stops the server with its reason.
  const backupSettings = backupScheduleSettings(config);

  await prepareDatabaseInChild(config);
  const connection = await getConnection("web");
  logger.info({ database: config.DATABASE_URL ? "postgres" : "embedded" }, "database ready");

  const runtime = await Runtime.create({ storage: runnerStorage({ db: connection.db }), config, role: "web", logger });
  runtime.metrics.readFrom({ dbPools: connection.poolStats });
  handOverRuntime(runtime);
  await runtime.start();
  const stopAuditRetention = startAuditRetention({ db: connection.db, logger });
  const backups = backupSettings
    ? startBackupSchedule({
        settings: backupSettings,
        config,
        connection,
        logger,
        // Every web process keeps the schedule; the first to claim a due time writes that backup.
        claim: (due) => runtime.claimOnce(`backup:${due.toISOString()}`, 3_600_000),
        finished: (outcome) => runtime.metrics.backupFinished(outcome),
      })
    : null;
  logger.info({ mode: runtime.mode }, runtime.mode === "queue" ? "runs go to worker processes through Redis" : "runs execute in this process");

  // Next.js serves the editor, the dashboards and the API the browser uses. It is loaded by the first request that
  // needs it, not here: a server that only takes webhooks and health probes stays a third smaller. That first
  // page waits for the load (one to two seconds), once per process.
  const nextApp = onFirstUse(async () => {
    const { default: next } = await import("next");
    const app = next({ dev, dir: process.cwd(), hostname: "localhost", port: config.PORT });
    await app.prepare();
    return { app, handle: app.getRequestHandler() };
  });
  if (dev) await nextApp.get();
  const probes = probeRoutes({ prefix: "/api", connect: async () => connection.db, mode: config.DATABASE_URL ? "postgres" : "embedded", runtime, metricsToken: config.METRICS_TOKEN });
  const files = createBinaryFileHandler({ store: runtime.binary, logger });
  const restApi = createRestApi({
    db: connection.db,
    secretBox,
    logger,
    rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    maxBodyBytes: config.API_MAX_BODY_BYTES,
    keyCacheMs: config.API_KEY_CACHE_SECONDS * 1000,
    rateLimiter: (name, allowance) => runtime.rateLimiter(name, allowance),
  });
  const sharePage = sharePageGate({ db: connection.db, secret: shareSecret, limiter: shareRateLimiter(runtime) });
  const stampClientAddress = clientAddressStamp(config.TRUSTED_PROXIES);
  const signInAttempt = signInLimit(runtime.rateLimiter("sign-in", { perSecond: config.SIGN_IN_RATE_LIMIT_PER_MINUTE / 60, burst: config.SIGN_IN_RATE_LIMIT_PER_MINUTE }));
  const server = createServer((req, res) => withLogFields({ requestId: requestIdOf(req, res) }, () => serve(req, res)));
  function serve(req: IncomingMessage, res: ServerResponse): void {
    // The client's address, for the audit log and the limits per address; a client cannot set it.
    stampClientAddress(req);
    // Webhooks, the REST API and stored files (HLS segments) take the lean path: answered here, before Next.js
    // builds its request objects (a Next route handler costs many times the CPU of the work itself).
    if (runtime.webhooks?.handle(req, res)) return;
    if (restApi.handle(req, res)) return;
    if (files(req, res)) return;
    if (probes(req, res)) return;
    signInAttempt(req, res)
      .then(async (refused) => {
        if (refused) return;
        // A shared dashboard's page counts against its caller's allowance under share links, and carries the
        // frame-ancestors its dashboard allows, set before Next.js renders it.
        if (await sharePage(req, res)) return;
        const { handle } = await nextApp.get();
        await handle(req, res);
      })
      .catch((err: unknown) => {
        logger.error({ err, url: req.url }, "request failed");
        if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
      });
  }

  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  logger.info({ url: process.env.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`, dev }, "Streamware is ready");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    stopAuditRetention();
    await backups?.stop();
    restApi.close();
    await runtime.close();
    await nextApp.loaded()?.app.close();
    await connection.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().then(
  () => {
    if (process.argv.includes(PREPARE_FLAG)) process.exit(0);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) logger.fatal({ cause: err.cause instanceof Error ? err.cause.message : undefined }, err.message);
    else logger.fatal({ err }, err instanceof Error ? err.message : "start-up failed");
    process.exit(1);
  },
);
