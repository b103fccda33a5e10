import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { startOwnRedis, startTestRuntime } from "../server/test-runtime";
import type { Runtime } from "./runtime";

const stopsWithin = (runtime: Runtime, ms: number) =>
  Promise.race([runtime.close().then(() => "stopped"), new Promise((resolve) => setTimeout(resolve, ms, `still stopping after ${ms / 1000} s`))]);

/**
 * A worker told to stop must stop, whatever Redis does. Just after Redis came back, its queue's blocking connection
 * may still be waiting to reconnect, and a Redis client that never said it had closed such a connection held the
 * stop forever (ioredis before 6.1). While Redis is away, what the worker has to tell it cannot be told: it stops
 * without it after a while.
 */
describe("a process that stops", () => {
  const database = useTestDatabase("postgres");
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  afterEach(async () => {
    await redis?.stop();
  });

  it("stops just after Redis is back, having said once that it went and once that it came back", { timeout: 60_000 }, async () => {
    const said: string[] = [];
    const lines = new Writable({
      write(chunk: Buffer, _encoding, done) {
        said.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
        done();
      },
    });
    redis = await startOwnRedis();
    const worker = await startTestRuntime({ db: database.db, redis: redis.url, role: "worker", logger: pino({ level: "info" }, lines) });
    await redis.stop();
    // Away long enough that the connections wait a second or so between tries.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    redis = await startOwnRedis(redis.port);
    expect(await stopsWithin(worker, 20_000)).toBe("stopped");
    // Its connections, queues and the run, schedule and media workers each found Redis gone, many times over.
    expect(said.filter((msg) => /Redis|worker error/.test(msg))).toEqual(["Redis does not answer; reconnecting", "Redis answers again"]);
  });

  it.each(["worker", "web"] as const)("stops while Redis is away, without telling it: a %s process", { timeout: 60_000 }, async (role) => {
    redis = await startOwnRedis();
    const runtime = await startTestRuntime({ db: database.db, redis: redis.url, role });
    await redis.stop();
    expect(await stopsWithin(runtime, 20_000)).toBe("stopped");
  });
});
