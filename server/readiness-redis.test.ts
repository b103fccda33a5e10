import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { migrationNames } from "../prisma/migration-names";
import type { Runtime } from "../runner/runtime";
import { useTestDatabase } from "./db/test-databases";
import { healthService } from "./services/health-service";
import { startTestRuntime } from "./test-runtime";

/** A free loopback port, for a Redis of this test's own that it can stop and start again. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
  let seen = "";
  for await (const chunk of redis.stdout!) {
    seen += String(chunk);
    if (seen.includes("Ready to accept connections")) break;
  }
  return redis;
}

describe("readiness in queue mode when Redis goes away", () => {
  const database = useTestDatabase("postgres");
  let redis: ChildProcess | undefined;
  let runtime: Runtime | undefined;
  afterAll(async () => {
    await runtime?.close();
    redis?.kill("SIGKILL");
  });

  it("is ready with Redis, not ready while it is down, and ready again once it is back", async () => {
    const port = await freePort();
    redis = await startRedis(port);
    runtime = await startTestRuntime({ db: database.db, redis: `redis://127.0.0.1:${port}` });
    const migrations = await migrationNames();
    const ready = () => healthService.ready({ connect: async () => database.db, migrations, runtime: runtime! });

    expect(await ready()).toEqual({ status: "ready", checks: { db: "ok", migrations: "ok", redis: "ok" } });

    redis.kill("SIGKILL");
    await once(redis, "exit");
    const down = await ready();
    expect(down.status).toBe("not ready");
    expect(down.checks.redis).toMatch(/^error: /);

    redis = await startRedis(port);
    await expect.poll(async () => (await ready()).status, { timeout: 30_000, interval: 250 }).toBe("ready");
  });
});
