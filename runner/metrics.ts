import type { Queue } from "bullmq";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { CountingHistogram } from "./counting-histogram";

/** The isolates of one sandbox and the heap they use, read when metrics are scraped. */
export interface IsolateStats {
  isolates: number;
  heapBytes: number;
}

/** Isolates (of isolated-vm) and the heap they use: the ones not disposed. */
export function isolateStats(isolates: Iterable<{ isDisposed: boolean; getHeapStatisticsSync(): { used_heap_size: number } }>): IsolateStats {
  let heapBytes = 0;
  let count = 0;
  for (const isolate of isolates) {
    if (isolate.isDisposed) continue;
    count++;
    heapBytes += isolate.getHeapStatisticsSync().used_heap_size;
  }
  return { isolates: count, heapBytes };
}

/** A queue's jobs by state and the age of the oldest waiting one, read when metrics are scraped. */
export interface QueueStats {
  waiting: number;
  active: number;
  delayed: number;
  oldestWaitingAgeSeconds: number;
}

/** A database connection pool's connections (open, idle), the clients waiting for one, and the most it opens. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** What a scrape reads from the process's parts; each part the process does not have is absent. */
export interface MetricSources {
  queues?: () => Promise<Record<string, QueueStats>>;
  sandboxes?: () => Record<string, IsolateStats>;
  /** Each PostgreSQL pool by name; null when the database is embedded. */
  dbPools?: () => Record<string, PoolStats> | null;
}

// Seconds: steps from a set node (well under a millisecond) to a model call or a transcode (minutes).
const STEP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const WEBHOOK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The process's Prometheus metrics, one definition each: what the runner counts as it works (runs, steps,
 * webhooks, limits, tokens, live streams) and what a scrape reads from its parts (queues, sandboxes, the
 * database pool), with Node's own defaults (event-loop lag, heap, GC, handles). Counting is an increment in
 * memory; anything that asks Redis or a sandbox waits for a scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly runsStarted: Counter<"trigger">;
  readonly runsFinished: Counter<"status" | "trigger">;
  private readonly stepDuration: CountingHistogram<"node_type" | "status">;
  private readonly webhookDuration: CountingHistogram<"code">;
  readonly expressionLimitHits: Counter<"limit">;
  readonly llmTokens: Counter<"provider" | "model" | "kind">;
  readonly liveStreams: Gauge<"kind">;
  private readonly backups: Counter<"outcome">;
  private readonly lastBackup: Gauge;
  private sources: MetricSources = {};
  private queueRead: Promise<Record<string, QueueStats>> | null = null;

  constructor({ role }: { role: "web" | "worker" | "cli" }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, prefix: "streamware_" });
    this.runsStarted = new Counter({ name: "streamware_runs_started_total", help: "Runs this process started, by trigger.", labelNames: ["trigger"], registers });
    this.runsFinished = new Counter({ name: "streamware_runs_finished_total", help: "Runs this process finished, by status and trigger.", labelNames: ["status", "trigger"], registers });
    // Observed on every step and webhook call: histograms that count without prom-client's per-observation work.
    this.stepDuration = new CountingHistogram("streamware_step_duration_seconds", "How long steps took, by node type and status.", ["node_type", "status"], STEP_BUCKETS, this.registry);
    this.webhookDuration = new CountingHistogram("streamware_webhook_duration_seconds", "Webhook calls from arrival to answer, by HTTP status code.", ["code"], WEBHOOK_BUCKETS, this.registry);
    this.expressionLimitHits = new Counter({ name: "streamware_expression_limit_hits_total", help: "Expressions stopped by a limit (time, memory, output size).", labelNames: ["limit"], registers });
    this.llmTokens = new Counter({ name: "streamware_llm_tokens_total", help: "Tokens of model calls, by provider, model and kind (prompt or completion).", labelNames: ["provider", "model", "kind"], registers });
    this.liveStreams = new Gauge({ name: "streamware_live_streams", help: "Open server-sent event streams, by kind (run, dashboard).", labelNames: ["kind"], registers });
    this.backups = new Counter({ name: "streamware_backups_total", help: "Scheduled backups this process wrote, by outcome (ok, failed).", labelNames: ["outcome"], registers });
    this.lastBackup = new Gauge({ name: "streamware_backup_last_success_timestamp_seconds", help: "When this process last wrote and checked a scheduled backup (Unix time).", registers });

    const sources = () => this.sources;
    const queues = () => this.readQueues();
    new Gauge({
      name: "streamware_queue_jobs",
      help: "Jobs in each queue, by state.",
      labelNames: ["queue", "state"],
      registers,
      async collect() {
        this.reset();
        for (const [queue, stats] of Object.entries(await queues())) {
          for (const state of ["waiting", "active", "delayed"] as const) this.set({ queue, state }, stats[state]);
        }
      },
    });
    new Gauge({
      name: "streamware_queue_oldest_waiting_age_seconds",
      help: "Age of the oldest of the next 100 jobs in line in each queue (0 when none waits).",
      labelNames: ["queue"],
      registers,
      async collect() {
        this.reset();
        for (const [queue, stats] of Object.entries(await queues())) this.set({ queue }, stats.oldestWaitingAgeSeconds);
      },
    });
    new Gauge({
      name: "streamware_sandbox_isolates",
      help: "Warm isolated-vm isolates, by sandbox (code, expressions).",
      labelNames: ["sandbox"],
      registers,
      collect() {
        this.reset();
        for (const [sandbox, stats] of Object.entries(sources().sandboxes?.() ?? {})) this.set({ sandbox }, stats.isolates);
      },
    });
    new Gauge({
      name: "streamware_sandbox_heap_bytes",
      help: "Heap the isolates of each sandbox use.",
      labelNames: ["sandbox"],
      registers,
      collect() {
        this.reset();
        for (const [sandbox, stats] of Object.entries(sources().sandboxes?.() ?? {})) this.set({ sandbox }, stats.heapBytes);
      },
    });
    new Gauge({
      name: "streamware_db_pool_connections",
      help: "PostgreSQL pool connections, by pool and state (total, idle, waiting clients, and the most the pool opens).",
      labelNames: ["pool", "state"],
      registers,
      collect() {
        this.reset();
        for (const [pool, stats] of Object.entries(sources().dbPools?.() ?? {})) {
          for (const state of ["total", "idle", "waiting", "max"] as const) this.set({ pool, state }, stats[state]);
        }
      },
    });
  }

  /** Where scrapes read queues, sandboxes and the database pool from; given once the process has them. */
  readFrom(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /**
   * The queues, read once for both queue gauges of a scrape: a registry collects its metrics all at once, so the
   * second gauge finds the first one's read under way (as does a scrape that overlaps it) and shares it.
   */
  private readQueues(): Promise<Record<string, QueueStats>> {
    this.queueRead ??= (this.sources.queues?.() ?? Promise.resolve({})).finally(() => (this.queueRead = null));
    return this.queueRead;
  }

  /** A step finished: its duration, and the tokens its model calls used. */
  stepFinished(step: { nodeType: string; status: string; durationMs: number; usage?: readonly { provider: string; model: string; promptTokens: number; completionTokens: number }[] }): void {
    this.stepDuration.observe([step.nodeType, step.status], step.durationMs / 1000);
    for (const use of step.usage ?? []) {
      if (use.promptTokens) this.llmTokens.inc({ provider: use.provider, model: use.model, kind: "prompt" }, use.promptTokens);
      if (use.completionTokens) this.llmTokens.inc({ provider: use.provider, model: use.model, kind: "completion" }, use.completionTokens);
    }
  }

  /** A webhook call was answered, `seconds` after it arrived. */
  webhookAnswered(statusCode: number, seconds: number): void {
    this.webhookDuration.observe([String(statusCode)], seconds);
  }

  /** A scheduled backup was written and checked, or failed. */
  backupFinished({ ok, at }: { ok: boolean; at: Date }): void {
    this.backups.inc({ outcome: ok ? "ok" : "failed" });
    if (ok) this.lastBackup.set(at.getTime() / 1000);
  }

  /** Counts a live stream while it is open: call the answer when it closes. */
  streamOpened(kind: "run" | "dashboard"): () => void {
    this.liveStreams.inc({ kind });
    let open = true;
    return () => {
      if (open) this.liveStreams.dec({ kind });
      open = false;
    };
  }

  /** The text format Prometheus scrapes. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * A BullMQ queue's jobs by state (prioritized jobs count as waiting) and the age of the oldest of the next 100 in
 * line: prioritized jobs wait in order of priority, not age, and reading them all would cost a scrape too much.
 * A few Redis calls, at scrape time only.
 */
export async function bullQueueStats(queue: Queue, now = Date.now()): Promise<QueueStats> {
  const [counts, next] = await Promise.all([
    queue.getJobCounts("waiting", "prioritized", "active", "delayed"),
    Promise.all([queue.getJobs(["waiting"], 0, 0, true), queue.getJobs(["prioritized"], 0, 99, true)]),
  ]);
  const oldest = Math.min(...next.flat().map((job) => job.timestamp));
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    oldestWaitingAgeSeconds: Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0,
  };
}
