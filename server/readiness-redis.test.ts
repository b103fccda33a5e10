import { afterAll, describe, expect, it } from "vitest";
import { migrationNames } from "../prisma/migration-names";
import type { Runtime } from "../runner/runtime";
import { useTestDatabase } from "./db/test-databases";
import { healthService } from "./services/health-service";
import { startOwnRedis, startTestRuntime } from "./test-runtime";

describe("readiness in queue mode when Redis goes away", () => {
  const database = useTestDatabase("postgres");
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let runtime: Runtime | undefined;
  afterAll(async () => {
    await runtime?.close();
    await redis?.stop();
  });

  it("is ready with Redis, not ready while it is down, and ready again once it is back", async () => {
    redis = await startOwnRedis();
    runtime = await startTestRuntime({ db: database.db, redis: redis.url });
    const migrations = await migrationNames();
    const ready = () => healthService.ready({ connect: async () => database.db, migrations, runtime: runtime! });

    expect(await ready()).toEqual({ status: "ready", checks: { db: "ok", migrations: "ok", redis: "ok" } });

    await redis.stop();
    const down = await ready();
    expect(down.status).toBe("not ready");
    expect(down.checks.redis).toMatch(/^error: /);

    redis = await startOwnRedis(redis.port);
    await expect.poll(async () => (await ready()).status, { timeout: 30_000, interval: 250 }).toBe("ready");
  });
});
