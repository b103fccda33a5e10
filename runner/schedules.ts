import type { Logger } from "pino";
import { nextFireTimes, scheduleConfig } from "../nodes/schedule/schedule.node";
import type { ActiveFlow } from "./ports";

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
