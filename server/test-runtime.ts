import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "./db";
import { parseEnv } from "./env";
import { secretBox } from "./routers/test-helpers";
import { Runtime, type RuntimeRole } from "../runner/runtime";
import { handOverRuntime } from "./runtime-handover";
import { runnerStorage } from "./runner-storage";

/** Redis for tests: TEST_REDIS_URL, else the local default. */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * The test Redis with one numbered database selected. Each test file that uses queues takes its own index, so
 * files running in parallel never share queues, heartbeats or the reconciler lock, and may FLUSHDB theirs.
 */
export function testRedisUrlFor(dbIndex: number): string {
  const url = new URL(testRedisUrl);
  url.pathname = `/${dbIndex}`;
  return url.toString();
}

/** A Redis server of the test's own, which it may stop and start again: on a free port, or on `port` (a restart). */
export async function startOwnRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  if (port === undefined) {
    const probe = createNetServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
  }
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
  let seen = "";
  for await (const chunk of child.stdout!) {
    seen += String(chunk);
    if (seen.includes("Ready to accept connections")) break;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

/**
 * A runtime over a test database, as a process would start it; with `redis` (a database index of the test
 * file's own, see `testRedisUrlFor`), in queue mode, so parallel test files do not share queues.
 */
export async function startTestRuntime({
  db,
  role = "web",
  redis,
  env = {},
  logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
}: {
  db: Db;
  role?: RuntimeRole;
  redis?: string;
  env?: Record<string, string>;
  /** Where the runtime logs: nowhere unless TEST_LOG_LEVEL says, or a test's own logger. */
  logger?: pino.Logger;
}) {
  const config = parseEnv({
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "streamware-runtime-")),
    HTTP_ALLOW_HOSTS: "127.0.0.1,localhost,::1",
    RECONCILE_INTERVAL_MS: "500",
    SHUTDOWN_GRACE_MS: "2000",
    LOG_LEVEL: "silent",
    ...(redis ? { REDIS_URL: redis } : {}),
    ...env,
  });
  const runtime = await Runtime.create({ storage: runnerStorage({ db, secretBox }), config, role, logger });
  handOverRuntime(runtime);
  await runtime.start();
  return runtime;
}

/**
 * Inside a describe block, after `useTestDatabase`: an embedded runtime over that database for its tests, closed
 * after them (before the database: after-hooks run last-registered first).
 */
export function useTestRuntime(database: { readonly db: Db }): { readonly runtime: Runtime } {
  let runtime: Runtime | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
  });
  afterAll(() => runtime?.close());
  return {
    get runtime() {
      if (!runtime) throw new Error("the test runtime is only there inside tests");
      return runtime;
    },
  };
}

export interface WebhookServer {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** The runtime's webhook handler behind a plain HTTP server on loopback, as the custom server mounts it; 418 for anything else. */
export async function serveWebhooks(runtime: Runtime): Promise<WebhookServer> {
  const server = createServer((req, res) => {
    if (!runtime.webhooks!.handle(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
