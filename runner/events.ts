import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { RunEvent } from "./engine";

/** Run and step events for the live view: in-process when embedded, Redis pub/sub across processes in queue mode. */
export interface EventBus {
  /** `shared`: also send to other processes (a person may be watching this run); else this process only. */
  publish(event: RunEvent, shared?: boolean): void;
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  /** Whether anyone in this process listens to the run. */
  observed(runId: string): boolean;
  close(): Promise<void>;
}

export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: RunEvent): void {
    this.emitter.emit(event.runId, event);
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    this.emitter.on(runId, listener);
    return () => this.emitter.off(runId, listener);
  }

  observed(runId: string): boolean {
    return this.emitter.listenerCount(runId) > 0;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = "streamware:run:";

/**
 * Publishes to one channel per run. The process subscribes to a run's channel only while someone here
 * listens to it. Events of runs nobody can be watching (a webhook run of a flow whose editor is closed)
 * stay in the process, which keeps Redis out of the hot path of high-rate webhooks.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      if (!channel.startsWith(CHANNEL)) return;
      this.local.publish(JSON.parse(message) as RunEvent);
    });
  }

  publish(event: RunEvent, shared = true): void {
    if (shared) void this.publisher.publish(CHANNEL + event.runId, JSON.stringify(event)).catch(() => {});
    else this.local.publish(event);
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    const count = this.counts.get(runId) ?? 0;
    this.counts.set(runId, count + 1);
    // A lost subscription shows as a stream without live events; the run itself is unaffected.
    if (count === 0) this.subscriber.subscribe(CHANNEL + runId).catch(() => {});
    const off = this.local.subscribe(runId, listener);
    return () => {
      off();
      const left = (this.counts.get(runId) ?? 1) - 1;
      if (left > 0) this.counts.set(runId, left);
      else {
        this.counts.delete(runId);
        this.subscriber.unsubscribe(CHANNEL + runId).catch(() => {});
      }
    };
  }

  observed(runId: string): boolean {
    return this.local.observed(runId);
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
