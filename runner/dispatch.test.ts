import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startOwnRedis, testRedisUrl } from "../server/test-runtime";
import { BacklogCountdown, QueueDispatcher, WorkspaceShares } from "./queue-dispatch";

// The test Redis's default database: no test file runs a queue there, and this one removes the jobs it adds.
describe("queueing runs on Redis", () => {
  const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
  const dispatcher = new QueueDispatcher(redis);
  afterAll(async () => {
    await dispatcher.close();
    redis.disconnect();
  });

  it("queues a burst together, each run placed by its workspace's backlog so a quiet workspace goes first", async () => {
    const flooding = `flooding-${randomUUID()}`;
    const quiet = `quiet-${randomUUID()}`;
    const runs = [
      ...Array.from({ length: 5 }, () => ({ runId: randomUUID(), workspaceId: flooding })),
      { runId: randomUUID(), workspaceId: quiet },
    ];
    await Promise.all(runs.map((run) => dispatcher.enqueue(run)));
    const later = { runId: randomUUID(), workspaceId: flooding };
    await dispatcher.enqueue(later);
    try {
      const priorities = await Promise.all([...runs, later].map(async ({ runId }) => (await dispatcher.queue.getJob(runId))?.priority));
      expect(priorities).toEqual([1, 2, 3, 4, 5, 1, 6]);
      expect(await dispatcher.has(later.runId)).toBe(true);
    } finally {
      await Promise.all([...runs, later].map(({ runId }) => dispatcher.queue.remove(runId)));
      await redis.del(`streamware:backlog:${flooding}`, `streamware:backlog:${quiet}`);
    }
  });
});

describe("counting a workspace's backlog down as its runs are taken", () => {
  const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
  afterAll(() => redis.disconnect());

  it("sends the runs taken in one turn in one round trip, one count a workspace, and a run taken later at once", async () => {
    const busy = `busy-${randomUUID()}`;
    const quiet = `quiet-${randomUUID()}`;
    const keys = [`streamware:backlog:${busy}`, `streamware:backlog:${quiet}`];
    await redis.mset(keys[0]!, 10, keys[1]!, 3);
    // The commands in each round trip to Redis.
    const sent: number[] = [];
    const pipeline = redis.pipeline.bind(redis);
    const counted = Object.assign(Object.create(redis) as Redis, {
      pipeline: () => {
        const commands = pipeline();
        const exec = commands.exec.bind(commands);
        commands.exec = () => {
          sent.push(commands.length);
          return exec();
        };
        return commands;
      },
    });
    const backlog = new BacklogCountdown(counted);
    try {
      for (let i = 0; i < 4; i++) backlog.taken(busy);
      backlog.taken(quiet);
      await backlog.drain();
      expect(sent).toEqual([2]);
      expect(await redis.mget(...keys)).toEqual(["6", "2"]);
      backlog.taken(busy);
      await backlog.drain();
      expect(sent).toEqual([2, 1]);
      expect(await redis.mget(...keys)).toEqual(["5", "2"]);
    } finally {
      await redis.del(...keys);
    }
  });
});

describe("queueing runs while Redis is away", () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let client: Redis | undefined;
  let dispatcher: QueueDispatcher | undefined;
  afterAll(async () => {
    await dispatcher?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it("has room until 2,000 runs wait behind the batch in flight, then once Redis has taken them; a wait for it is bounded", { timeout: 60_000 }, async () => {
    redis = await startOwnRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    dispatcher = new QueueDispatcher(client);
    // Redis is meant to be away here: its connection errors are expected, and the runtime would log them once.
    const expected = () => {};
    client.on("error", expected);
    dispatcher.queue.on("error", expected);
    await dispatcher.queue.waitUntilReady();
    await redis.stop();
    const runs = Array.from({ length: 2_001 }, () => ({ runId: randomUUID(), workspaceId: "away" }));
    // The first run's batch leaves and waits for Redis; the rest wait behind it.
    const first = dispatcher.enqueue(runs[0]!);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [first, ...runs.slice(1).map((run) => dispatcher!.enqueue(run))];
    // A caller that waits a while for room is told there is none.
    expect(await dispatcher.room(200)).toBe(false);
    let roomy = false;
    const room = dispatcher.room(30_000).then((has) => (roomy = has));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(roomy).toBe(false);

    redis = await startOwnRedis(redis.port);
    expect(await room).toBe(true);
    await Promise.all(queued);
    expect(await dispatcher.queue.count()).toBe(runs.length);
  });
});

describe("a workspace's share of a worker's run slots", () => {
  it("lets a run over the share wait for a place and take the one a run of its workspace gives back", async () => {
    const shares = new WorkspaceShares(2);
    expect(await shares.take("a", 1000)).toBe(true);
    expect(await shares.take("a", 1000)).toBe(true);
    const third = shares.take("a", 1000);
    // Another workspace is not held back by the first one's share.
    expect(await shares.take("b", 0)).toBe(true);
    shares.give("a");
    expect(await third).toBe(true);
    // The place was handed over, not freed: the share is still full.
    expect(await shares.take("a", 10)).toBe(false);
  });

  it("refuses a run whose workspace's runs give no place back in time, and frees places given back with none waiting", async () => {
    const shares = new WorkspaceShares(1);
    expect(await shares.take("a", 0)).toBe(true);
    const started = performance.now();
    expect(await shares.take("a", 30)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    shares.give("a");
    expect(await shares.take("a", 0)).toBe(true);
  });

  it("hands places back in the order the runs waited", async () => {
    const shares = new WorkspaceShares(1);
    await shares.take("a", 0);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => shares.take("a", 1000).then((took) => took && order.push(n)));
    shares.give("a");
    shares.give("a");
    shares.give("a");
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });
});
