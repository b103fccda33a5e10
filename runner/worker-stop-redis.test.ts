import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { startOwnRedis, startTestRuntime } from "../server/test-runtime";
import type { Runtime } from "./runtime";

/**
 * A worker told to stop just after Redis came back must stop. Its queue's blocking connection may then still be
 * waiting to reconnect, and a Redis client that never said it had closed such a connection held the stop forever
 * (ioredis before 6.1).
 */
describe("a worker that stops just after Redis is back", () => {
  const database = useTestDatabase("postgres");
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let worker: Runtime | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it("stops", { timeout: 60_000 }, async () => {
    redis = await startOwnRedis();
    worker = await startTestRuntime({ db: database.db, redis: redis.url, role: "worker" });
    await redis.stop();
    // Away long enough that the connections wait a second or so between tries.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    redis = await startOwnRedis(redis.port);
    const stopped = worker.close().then(() => "stopped");
    expect(await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 20_000, "still stopping after 20 s"))])).toBe("stopped");
  });
});
