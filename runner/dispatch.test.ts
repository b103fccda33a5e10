import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { testRedisUrl } from "../server/test-runtime";
import { QueueDispatcher } from "./dispatch";

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
