import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { SeriesPointEvent } from "../nodes/_core/dashboard";
import type { RunEvent } from "../nodes/_core/run-types";

/**
 * Run and step events for the live view, and series points for live dashboards: in-process when embedded, Redis
 * pub/sub across processes in queue mode.
 */
export interface EventBus {
  /** `shared`: a person may be watching this run; also send to other processes, and keep it for late streams. */
  publish(event: RunEvent, shared?: boolean): void;
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  /**
   * The run's latest shared events this process kept, oldest first (none where it keeps none). Read in the same
   * tick as `subscribe`, they join the live events without a gap or a repeat.
   */
  recent(runId: string): readonly RunEvent[];
  /** Whether anyone in this process listens to the run. */
  observed(runId: string): boolean;
  /** Series points just stored; they reach the points' workspace's subscribers in every process. */
  publishPoints(points: SeriesPointEvent[]): void;
  subscribePoints(workspaceId: string, listener: (point: SeriesPointEvent) => void): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RecentEventsLimits {
  /** Events kept per run; the oldest go first. */
  perRun: number;
  /** Runs kept at once; the least lately active go first. */
  runs: number;
  /** How long a finished run's events stay, for a stream opened just after the end. */
  keepAfterFinishMs: number;
  now: () => number;
}

interface RecentRun {
  events: RunEvent[];
  finishedAt: number | null;
}

/**
 * The latest events of runs a person can be watching, kept by the process that serves their streams: the editor
 * starts a run and opens its stream a moment later, and what happened in between (the first streamed tokens, a
 * quick step's start) is in no stored snapshot. Bounded: `perRun` events of at most `runs` runs, each dropped
 * `keepAfterFinishMs` after its run finished (when the next event comes or is asked for).
 */
export class RecentEvents {
  private readonly limits: RecentEventsLimits;
  // In order of last activity, so the first is the one to evict; a run's end is its last activity.
  private readonly byRun = new Map<string, RecentRun>();
  // Finished runs in order of their end, at most `limits.runs` (an older one has been evicted already).
  private readonly finished: { runId: string; at: number }[] = [];

  constructor(limits: Partial<RecentEventsLimits> = {}) {
    this.limits = { perRun: 500, runs: 200, keepAfterFinishMs: 60_000, now: () => Date.now(), ...limits };
  }

  add(event: RunEvent): void {
    const now = this.limits.now();
    this.expire(now);
    let run = this.byRun.get(event.runId);
    if (run) this.byRun.delete(event.runId);
    else {
      run = { events: [], finishedAt: null };
      if (this.byRun.size >= this.limits.runs) this.byRun.delete(this.byRun.keys().next().value!);
    }
    this.byRun.set(event.runId, run);
    run.events.push(event);
    if (run.events.length > this.limits.perRun) run.events.shift();
    if (event.type === "run.finished") {
      run.finishedAt = now;
      this.finished.push({ runId: event.runId, at: now });
      if (this.finished.length > this.limits.runs) this.finished.shift();
    }
  }

  get(runId: string): readonly RunEvent[] {
    this.expire(this.limits.now());
    return [...(this.byRun.get(runId)?.events ?? [])];
  }

  /** How many runs have events kept. */
  get size(): number {
    return this.byRun.size;
  }

  clear(): void {
    this.byRun.clear();
    this.finished.length = 0;
  }

  private expire(now: number): void {
    while (this.finished.length > 0 && this.finished[0]!.at + this.limits.keepAfterFinishMs <= now) {
      const { runId, at } = this.finished.shift()!;
      if (this.byRun.get(runId)?.finishedAt === at) this.byRun.delete(runId);
    }
  }
}

export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  // Keyed by workspace, apart from the run events keyed by run.
  private readonly points = new EventEmitter().setMaxListeners(0);
  private readonly kept: RecentEvents | null;

  /** `recent`: keep shared events for late streams (the process that serves them). */
  constructor(options: { recent?: RecentEvents } = {}) {
    this.kept = options.recent ?? null;
  }

  publish(event: RunEvent, shared = true): void {
    if (shared) this.kept?.add(event);
    this.emitter.emit(event.runId, event);
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    this.emitter.on(runId, listener);
    return () => this.emitter.off(runId, listener);
  }

  recent(runId: string): readonly RunEvent[] {
    return this.kept?.get(runId) ?? [];
  }

  observed(runId: string): boolean {
    return this.emitter.listenerCount(runId) > 0;
  }

  publishPoints(points: SeriesPointEvent[]): void {
    for (const point of points) this.points.emit(point.workspaceId, point);
  }

  subscribePoints(workspaceId: string, listener: (point: SeriesPointEvent) => void): () => void {
    this.points.on(workspaceId, listener);
    return () => this.points.off(workspaceId, listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    this.points.removeAllListeners();
    this.kept?.clear();
  }
}

const CHANNEL = "streamware:run:";
/** Every workspace's points on one channel: a process takes it once, while anyone here watches a dashboard. */
const POINTS_CHANNEL = "streamware:series";

/**
 * Publishes to one channel per run. Events of runs nobody can be watching (a webhook run of a flow whose editor is
 * closed) stay in the process, which keeps Redis out of the hot path of high-rate webhooks. A process that keeps
 * recent events (one that serves streams) takes every run's channel, so it has a run's events from its start,
 * before anyone here asked for them; any other process subscribes to a run's channel only while someone here
 * listens to it.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  private readonly counts = new Map<string, number>();
  private pointListeners = 0;
  private readonly kept: RecentEvents | null;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    options: { recent?: RecentEvents } = {},
  ) {
    this.kept = options.recent ?? null;
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === POINTS_CHANNEL) return this.local.publishPoints(JSON.parse(message) as SeriesPointEvent[]);
      if (!channel.startsWith(CHANNEL)) return;
      this.local.publish(JSON.parse(message) as RunEvent);
    });
    subscriber.on("pmessage", (pattern: string, _channel: string, message: string) => {
      if (pattern !== `${CHANNEL}*`) return;
      const event = JSON.parse(message) as RunEvent;
      this.kept?.add(event);
      this.local.publish(event);
    });
  }

  async start(): Promise<void> {
    if (this.kept) await this.subscriber.psubscribe(`${CHANNEL}*`);
  }

  publish(event: RunEvent, shared = true): void {
    if (shared) void this.publisher.publish(CHANNEL + event.runId, JSON.stringify(event)).catch(() => {});
    else this.local.publish(event);
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    // Every run's events come here already.
    if (this.kept) return this.local.subscribe(runId, listener);
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

  recent(runId: string): readonly RunEvent[] {
    return this.kept?.get(runId) ?? [];
  }

  observed(runId: string): boolean {
    return this.local.observed(runId);
  }

  /** One message per batch; points go out whether or not a dashboard is open, since only web processes know. */
  publishPoints(points: SeriesPointEvent[]): void {
    if (points.length) void this.publisher.publish(POINTS_CHANNEL, JSON.stringify(points)).catch(() => {});
  }

  subscribePoints(workspaceId: string, listener: (point: SeriesPointEvent) => void): () => void {
    // A lost subscription shows as a dashboard without live values; it still loads its points.
    if (this.pointListeners++ === 0) this.subscriber.subscribe(POINTS_CHANNEL).catch(() => {});
    const off = this.local.subscribePoints(workspaceId, listener);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      off();
      if (--this.pointListeners === 0) this.subscriber.unsubscribe(POINTS_CHANNEL).catch(() => {});
    };
  }

  async close(): Promise<void> {
    await this.local.close();
    this.kept?.clear();
  }
}
