// Queue mode's schedules, as BullMQ job schedulers: loaded only by a process with REDIS_URL (see queue-mode.ts).
import { Queue, Worker, type ConnectionOptions } from "bullmq";
import type { FireHandler, ScheduleEntry, Scheduler } from "./schedules";

export const SCHEDULE_QUEUE = "streamware-schedules";

/** BullMQ job schedulers: one per schedule node, kept in Redis, fired once across all workers. */
export class QueueScheduler implements Scheduler {
  readonly queue: Queue;

  constructor(connection: ConnectionOptions) {
    this.queue = new Queue(SCHEDULE_QUEUE, { connection });
  }

  async sync(entries: ScheduleEntry[], flowIds?: string[]): Promise<void> {
    const wanted = new Map(entries.filter((e) => !flowIds || flowIds.includes(e.flowId)).map((e) => [e.key, e]));
    const existing = await this.queue.getJobSchedulers(0, -1);
    for (const scheduler of existing) {
      const id = scheduler.key;
      const flowId = id.split(":")[0]!;
      if ((!flowIds || flowIds.includes(flowId)) && !wanted.has(id)) await this.queue.removeJobScheduler(id);
    }
    for (const entry of wanted.values()) {
      await this.queue.upsertJobScheduler(
        entry.key,
        { pattern: entry.cron, tz: entry.timezone },
        { name: "fire", data: { flowId: entry.flowId, nodeId: entry.nodeId }, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export function startScheduleWorker({ connection, fire, onError }: { connection: ConnectionOptions; fire: FireHandler; onError: (err: Error) => void }): Worker {
  const worker = new Worker<{ flowId: string; nodeId: string }>(
    SCHEDULE_QUEUE,
    async (job) => {
      await fire({ flowId: job.data.flowId, nodeId: job.data.nodeId, scheduledFor: new Date(job.timestamp) });
    },
    { connection, concurrency: 5 },
  );
  worker.on("error", onError);
  return worker;
}
