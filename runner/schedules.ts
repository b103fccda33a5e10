import { Queue, Worker, type ConnectionOptions } from "bullmq";
import type { Logger } from "pino";
import { nextFireTimes, scheduleConfig } from "../nodes/schedule/schedule.node";
import type { ActiveFlow } from "./ports";

export const SCHEDULE_QUEUE = "streamware-schedules";

export interface ScheduleEntry {
  /** `<flowId>:<nodeId>`: the BullMQ job scheduler id. */
  key: string;
  flowId: string;
  nodeId: string;
  cron: string;
  timezone: string;
}

/** The schedules of the active flows: each enabled schedule node, in its own or its flow's time zone. */
export function schedulesOf(flows: ActiveFlow[]): ScheduleEntry[] {
  return flows.flatMap((flow) =>
    flow.document.nodes
      .filter((n) => n.type === "core.schedule" && !n.disabled)
      .map((n) => {
        const config = scheduleConfig.parse(n.config);
        return { key: `${flow.flowId}:${n.id}`, flowId: flow.flowId, nodeId: n.id, cron: config.cron, timezone: config.timezone ?? flow.document.settings.timezone };
      }),
  );
}

export type FireHandler = (entry: { flowId: string; nodeId: string; scheduledFor: Date }) => Promise<void>;

export interface Scheduler {
  /** Makes the schedules of `flowIds` (or of every flow when omitted) match `entries`. */
  sync(entries: ScheduleEntry[], flowIds?: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Timers in this process, for embedded mode. */
export class LocalScheduler implements Scheduler {
  private readonly timers = new Map<string, { entry: ScheduleEntry; timer: NodeJS.Timeout }>();

  constructor(
    private readonly fire: FireHandler,
    private readonly logger: Logger,
  ) {}

  async sync(entries: ScheduleEntry[], flowIds?: string[]): Promise<void> {
    for (const [key, { entry, timer }] of this.timers) {
      if (!flowIds || flowIds.includes(entry.flowId)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
    for (const entry of entries) if (!flowIds || flowIds.includes(entry.flowId)) this.arm(entry);
  }

  private arm(entry: ScheduleEntry): void {
    const [next] = nextFireTimes({ cron: entry.cron, timezone: entry.timezone }, 1);
    if (!next) return;
    // setTimeout holds at most about 24.8 days; a later time is re-armed on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      if (Date.now() >= next.getTime() - 5) {
        this.fire({ flowId: entry.flowId, nodeId: entry.nodeId, scheduledFor: next }).catch((err: unknown) =>
          this.logger.error({ err, flowId: entry.flowId }, "scheduled run failed to start"),
        );
      }
      if (this.timers.get(entry.key)?.timer === timer) this.arm(entry);
    }, Math.max(0, wait));
    timer.unref();
    this.timers.set(entry.key, { entry, timer });
  }

  async close(): Promise<void> {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

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

export function startScheduleWorker({ connection, fire, logger }: { connection: ConnectionOptions; fire: FireHandler; logger: Logger }): Worker {
  const worker = new Worker<{ flowId: string; nodeId: string }>(
    SCHEDULE_QUEUE,
    async (job) => {
      await fire({ flowId: job.data.flowId, nodeId: job.data.nodeId, scheduledFor: new Date(job.timestamp) });
    },
    { connection, concurrency: 5 },
  );
  worker.on("error", (err) => logger.error({ err }, "schedule worker error"));
  return worker;
}
