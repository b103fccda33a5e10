import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { nodeRegistry } from "../nodes/registry";
import { removeStaleWorkFolders } from "../nodes/transcode/work-folders";
import { LocalBinaryStore } from "./binary-store";
import { LocalDispatcher, type Dispatcher } from "./dispatch";
import { LocalEventBus, RecentEvents, RedisEventBus, type EventBus } from "./events";
import { bullQueueStats, Metrics } from "./metrics";
import { sharedRateLimiter, type Allowance, type SharedRateLimiter } from "./rate-limits";
import { Executor } from "./executor";
import { isFinishedRunStatus, type RunEvent, type RunSpec } from "../nodes/_core/run-types";
import { settlesWithin } from "../nodes/_core/settles-within";
import { createHttpClient, httpAllowListFromEnv, type SafeHttpClient } from "./http-client";
import { ListenerManager } from "./listeners";
import type { MediaQueue, MediaWorker } from "./media-queue";
import { pruneRuns, pruneSeries, reconcile, releaseStranded } from "./maintenance";
import { binaryDirOf, type RunnerSettings, type RunnerStorage } from "./ports";
import { ExpressionSandbox } from "./expression-sandbox";
import { codeSandboxStats, disposeCodeSandbox, getCodeSandbox } from "./sandbox";
import type * as QueueModule from "./queue-mode";
import { LocalScheduler, schedulesOf, type Scheduler } from "./schedules";
import { WebhookRouter } from "./webhooks";
import { RedisOutage } from "./redis-outage";

export type RuntimeRole = "web" | "worker" | "cli";
export type RuntimeOptions = { storage: RunnerStorage; config: RunnerSettings; role: RuntimeRole; logger: Logger };

const WORKERS_KEY = "streamware:workers";
const CONTROL_CHANNEL = "streamware:control";
const RECONCILE_LOCK = "streamware:reconciler";
const WATCHED_KEY = "streamware:watched-flows";
const WATCH_TTL_MS = 60_000;
const HEARTBEAT_MS = 1000;
const WATCH_REFRESH_MS = 500;
const WORKER_TTL_MS = 5000;
const CANCEL_WAIT_MS = 5000;
/** How long a stopping process waits for Redis to hear what it has to say before it stops without it. */
const REDIS_CLOSE_MS = 5000;

type ControlMessage = { type: "cancel"; runId: string } | { type: "triggers"; flowId: string };

/**
 * Everything that runs flows in one process. Embedded (no REDIS_URL): runs, schedules and events stay in this
 * process. Queue mode: runs go through BullMQ to worker processes, schedules are BullMQ job schedulers, events
 * and control messages cross processes over Redis pub/sub; the web process still runs sync webhook flows itself.
 */
export class Runtime {
  readonly mode: "embedded" | "queue";
  readonly workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly events: EventBus;
  readonly executor: Executor;
  readonly dispatcher: Dispatcher;
  readonly scheduler: Scheduler | null;
  readonly webhooks: WebhookRouter | null;
  /** Long-lived triggers (MQTT, feeds): in-process when embedded; held by one worker each in queue mode. */
  readonly listeners: ListenerManager | null;
  /** Binary storage; its signed file URLs are served on the lean path (`/files/...`). */
  readonly binary: LocalBinaryStore;
  /** The SSRF-safe HTTP client (one connection pool) that runs, listeners and media jobs share. */
  private readonly http: SafeHttpClient;
  /** This process's Prometheus metrics (`/api/metrics`, a worker's `WORKER_HTTP_PORT`). */
  readonly metrics: Metrics;
  /** Evaluates `{{ }}` expressions under the limits of EXPRESSION_TIMEOUT_MS and EXPRESSION_MEMORY_MB. */
  readonly expressions: ExpressionSandbox;
  /** Queue mode: where steps of media nodes (transcode) go, for the media workers; embedded, they run in-process. */
  readonly media: MediaQueue | null;
  private mediaWorker: MediaWorker | null = null;
  private readonly redis: Redis | null;
  private readonly subscriber: Redis | null;
  /** Says once per outage that Redis does not answer, whichever connection, queue or worker finds it. */
  private readonly outage: RedisOutage;
  private readonly workers: Worker[] = [];
  private readonly limiters = new Map<string, SharedRateLimiter>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private watched = new Set<string>();
  private live: string[] = [];

  private readonly storage: RunnerStorage;
  private readonly config: RunnerSettings;
  private readonly role: RuntimeRole;
  private readonly logger: Logger;

  /** A process's runtime; with REDIS_URL, queue mode's libraries (queue-mode.ts) are loaded first. */
  static async create(options: RuntimeOptions): Promise<Runtime> {
    return new Runtime(options, options.config.REDIS_URL ? await import("./queue-mode") : null);
  }

  private constructor(
    options: RuntimeOptions,
    private readonly queue: typeof QueueModule | null,
  ) {
    const { config, role, logger } = options;
    this.storage = options.storage;
    this.config = config;
    this.role = role;
    this.logger = logger;
    this.mode = config.REDIS_URL ? "queue" : "embedded";
    this.redis = queue && config.REDIS_URL ? new queue.Redis(config.REDIS_URL, { maxRetriesPerRequest: null }) : null;
    this.subscriber = this.redis ? this.redis.duplicate() : null;
    this.outage = new RedisOutage(logger);
    for (const client of [this.redis, this.subscriber]) {
      client?.on("error", this.outage.error);
      client?.on("ready", this.outage.ready);
    }
    // Web processes serve the run streams; a stream opened after its run started begins with what it missed.
    const recent = role === "web" ? new RecentEvents() : undefined;
    this.events = this.redis && this.subscriber ? new RedisEventBus(this.redis, this.subscriber, { recent }) : new LocalEventBus({ recent });
    this.binary = new LocalBinaryStore(binaryDirOf(config), { urlSecret: config.NEXTAUTH_SECRET });
    this.http = createHttpClient({ allow: httpAllowListFromEnv(config.HTTP_ALLOW_HOSTS) });
    this.media = queue && this.redis ? new queue.MediaQueue(this.redis, this.outage) : null;
    this.metrics = new Metrics({ role });
    this.expressions = new ExpressionSandbox(
      { timeoutMs: config.EXPRESSION_TIMEOUT_MS, memoryMb: config.EXPRESSION_MEMORY_MB },
      { onLimitHit: (limit) => this.metrics.expressionLimitHits.inc({ limit }) },
    );
    const media = this.media;
    const limits = { transcodeConcurrency: config.TRANSCODE_CONCURRENCY };
    this.executor = new Executor({
      journal: this.storage.journal,
      registry: nodeRegistry,
      expressions: this.expressions,
      // Made on first use, so a process that never runs a code node starts no isolate.
      code: { run: (args) => getCodeSandbox().run(args) },
      binary: this.binary,
      http: this.http,
      limits,
      events: this.events,
      flows: this.storage.flows,
      credentials: this.storage.credentials,
      flowState: this.storage.flowState,
      experiments: this.storage.experiments,
      series: this.storage.series,
      logger,
      workerId: this.workerId,
      liveWorkers: () => this.liveWorkers(),
      isWatched: (flowId) => this.watched.has(flowId),
      enqueue: (spec) => this.enqueue(spec),
      stepCapBytes: config.STEP_DATA_CAP_BYTES,
      jsonMaxDepth: config.JSON_MAX_DEPTH,
      maxWorkerLosses: config.RUN_MAX_WORKER_LOSSES,
      offload: media ? (job, options) => media.run(job, options) : undefined,
      metrics: this.metrics,
    });
    const queueDispatcher = queue && this.redis ? new queue.QueueDispatcher(this.redis) : null;
    queueDispatcher?.queue.on("error", this.outage.error);
    this.dispatcher = queueDispatcher ?? new LocalDispatcher(this.executor, { concurrency: config.WORKER_CONCURRENCY, perWorkspace: this.perWorkspace() }, logger);
    const runQueue = queueDispatcher?.queue ?? null;
    this.metrics.readFrom({
      sandboxes: () => ({ code: codeSandboxStats(), expressions: this.expressions.stats() }),
      ...(runQueue && {
        queues: async () => ({ runs: await bullQueueStats(runQueue), ...(media && { media: await bullQueueStats(media.queue) }) }),
      }),
    });
    const fire = (entry: { flowId: string; nodeId: string; scheduledFor: Date }) => this.fireSchedule(entry);
    const queueScheduler = role === "web" && queue && this.redis ? new queue.QueueScheduler(this.redis) : null;
    queueScheduler?.queue.on("error", this.outage.error);
    this.scheduler = role === "cli" ? null : this.redis ? queueScheduler : new LocalScheduler(fire, logger);
    this.listeners =
      role === "worker" || (role === "web" && !this.redis)
        ? new ListenerManager({
            flows: this.storage.flows,
            credentials: this.storage.credentials,
            flowState: this.storage.flowState,
            redis: this.redis,
            owner: this.workerId,
            registry: nodeRegistry,
            http: this.http,
            logger,
            enqueue: (spec) => this.enqueue(spec),
            lockMs: config.LISTENER_LOCK_MS,
          })
        : null;
    this.webhooks =
      role === "web"
        ? new WebhookRouter({
            flows: this.storage.flows,
            testWebhooks: this.storage.testWebhooks,
            credentials: this.storage.credentials,
            executor: this.executor,
            dispatcher: this.dispatcher,
            logger,
            limiter: this.rateLimiter("webhook", { perSecond: config.WEBHOOK_RATE_LIMIT, burst: config.WEBHOOK_RATE_LIMIT * 2 }),
            jsonMaxDepth: config.JSON_MAX_DEPTH,
            metrics: this.metrics,
          })
        : null;
  }

  /**
   * The rate limiter named `name` (webhooks, API keys, sign-ins, share links): one per process and name, counted in
   * Redis across processes in queue mode. The first call for a name sets its allowance.
   */
  rateLimiter(name: string, allowance: Allowance): SharedRateLimiter {
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = sharedRateLimiter({ name, allowance, redis: this.redis })));
    return limiter;
  }

  /**
   * Whether this process is the one to do a job that must happen once across every process sharing Redis (a
   * scheduled backup): the first to claim `key` within `ttlMs` gets true. Embedded, the one process always does.
   */
  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    if (!this.redis) return true;
    return (await this.redis.set(`streamware:once:${key}`, String(process.pid), "PX", ttlMs, "NX")) === "OK";
  }

  /** Of this process's run slots, how many one workspace may hold: the rest stay free for the others. */
  private perWorkspace(): number {
    const { WORKER_CONCURRENCY, WORKSPACE_CONCURRENCY } = this.config;
    return Math.min(WORKER_CONCURRENCY, WORKSPACE_CONCURRENCY ?? Math.max(1, Math.ceil(WORKER_CONCURRENCY * 0.75)));
  }

  /**
   * Whether this process does its part, each part "ok" or "error: …" in words; parts it does not use are absent:
   * Redis in queue mode, and on a worker, each of its queue consumers running (not closed or paused).
   */
  async readiness(): Promise<{ redis?: string; worker?: string }> {
    const parts: { redis?: string; worker?: string } = {};
    if (this.redis) {
      const redis = this.redis;
      let timer: NodeJS.Timeout | undefined;
      parts.redis = await Promise.race([
        redis.ping().then(() => "ok"),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve("error: no answer within 2000 ms"), 2000);
        }),
      ])
        .catch((err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`)
        .finally(() => clearTimeout(timer));
    }
    if (this.role === "worker") {
      const stopped = this.workers.filter((w) => !w.isRunning() || w.isPaused()).map((w) => w.name);
      if (this.mediaWorker && !this.mediaWorker.takingJobs()) stopped.push("media");
      parts.worker = this.closed ? "error: the worker is shutting down" : stopped.length ? `error: not taking jobs from ${stopped.join(", ")}` : "ok";
    }
    return parts;
  }

  /** Starts this process's part: workers, heartbeats, schedules, webhook routes, reconciler and retention. */
  async start(): Promise<void> {
    // Media steps run in this process (embedded, or a media worker): clear what a killed predecessor left first.
    if (this.mode === "embedded" || (this.role === "worker" && this.config.WORKER_QUEUES.includes("media"))) await this.removeTranscodeLeftovers();
    if (this.queue && this.redis && this.subscriber) {
      const queue = this.queue;
      await this.heartbeat();
      this.every(HEARTBEAT_MS, () => this.heartbeat());
      await this.refreshWatched();
      this.every(WATCH_REFRESH_MS, () => this.refreshWatched());
      this.subscriber.on("message", (channel: string, message: string) => {
        if (channel !== CONTROL_CHANNEL || this.closed) return;
        this.onControl(JSON.parse(message) as ControlMessage).catch((err: unknown) => this.logger.error({ err }, "could not apply a control message"));
      });
      await this.subscriber.subscribe(CONTROL_CHANNEL);
      await this.events.start();
      if (this.role === "worker" && this.config.WORKER_QUEUES.includes("runs")) {
        this.workers.push(
          queue.startRunWorker({
            connection: this.redis,
            executor: this.executor,
            concurrency: this.config.WORKER_CONCURRENCY,
            perWorkspace: this.perWorkspace(),
            onError: this.outage.workerError("run worker error"),
          }),
        );
        this.workers.push(queue.startScheduleWorker({ connection: this.redis, fire: (e) => this.fireSchedule(e), onError: this.outage.workerError("schedule worker error") }));
      }
      if (this.role === "worker" && this.config.WORKER_QUEUES.includes("media")) {
        this.mediaWorker = new queue.MediaWorker({
          redis: this.redis,
          registry: nodeRegistry,
          binary: this.binary,
          http: this.http,
          limits: { transcodeConcurrency: this.config.TRANSCODE_CONCURRENCY },
          logger: this.logger,
          outage: this.outage,
          concurrency: this.config.MEDIA_CONCURRENCY,
        });
        await this.mediaWorker.start();
      }
    }
    if (this.role === "cli") return;
    await this.webhooks?.load();
    if (this.scheduler) await this.syncSchedules();
    await this.listeners?.start();
    if (this.role === "worker" || this.mode === "embedded") {
      this.every(this.config.RECONCILE_INTERVAL_MS, () => this.reconcile());
      this.every(60 * 60_000, () => this.prune());
      this.every(60 * 60_000, () => this.pruneSeries());
      for (const task of [() => this.reconcile(), () => this.prune(), () => this.pruneSeries()]) {
        task().catch((err: unknown) => this.logger.error({ err }, "background task failed"));
      }
    }
    if (this.role === "web") this.every(30_000, () => this.webhooks!.load());
    // Every process that runs flows (web processes run the webhook flows that answer with their result).
    this.every(this.config.RECONCILE_INTERVAL_MS, () => this.releaseStranded());
  }

  /** The work folders, and the ffmpeg still running in them, of transcoding processes of this machine killed outright. */
  private async removeTranscodeLeftovers(): Promise<void> {
    await removeStaleWorkFolders().then(
      ({ folders, stopped }) => folders.length && this.logger.info({ folders, stopped }, "removed the work folders (and stopped the ffmpeg) of processes killed outright"),
      (err: unknown) => this.logger.warn({ err }, "could not remove the work folders of processes killed outright"),
    );
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((err: unknown) => this.logger.error({ err }, "background task failed"));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Says this process is alive, and takes the list of the others along, for claiming runs without asking each time. */
  private async heartbeat(): Promise<void> {
    await this.redis!.zadd(WORKERS_KEY, Date.now(), this.workerId);
    this.live = await this.fetchLiveWorkers();
  }

  /** Marks a flow as watched (an editor or dashboard has its runs open), so every process shares its run events. */
  async watch(flowId: string): Promise<void> {
    this.watched.add(flowId);
    if (this.redis) await this.redis.zadd(WATCHED_KEY, Date.now() + WATCH_TTL_MS, flowId);
  }

  private async refreshWatched(): Promise<void> {
    const now = Date.now();
    await this.redis!.zremrangebyscore(WATCHED_KEY, 0, now);
    this.watched = new Set(await this.redis!.zrangebyscore(WATCHED_KEY, now, "+inf"));
  }

  /** The workers (and web processes) that sent a heartbeat lately, as of this process's last heartbeat. */
  liveWorkers(): string[] {
    return this.redis ? this.live : [this.workerId];
  }

  private async fetchLiveWorkers(): Promise<string[]> {
    const since = Date.now() - WORKER_TTL_MS;
    await this.redis!.zremrangebyscore(WORKERS_KEY, 0, since - 60_000);
    return this.redis!.zrangebyscore(WORKERS_KEY, since, "+inf");
  }

  async reconcile(): Promise<number> {
    if (this.redis) {
      const lock = await this.redis.set(RECONCILE_LOCK, this.workerId, "PX", Math.max(500, this.config.RECONCILE_INTERVAL_MS - 100), "NX");
      if (lock !== "OK") return 0;
    }
    // Deciding that a worker is gone is worth a fresh look.
    const liveWorkers = this.redis ? await this.fetchLiveWorkers() : this.liveWorkers();
    return reconcile({ runs: this.storage.runs, dispatcher: this.dispatcher, liveWorkers, graceMs: this.config.RECONCILE_INTERVAL_MS, logger: this.logger });
  }

  /** Hands back the runs stored as running here whose end could not be stored, so they are resumed. */
  async releaseStranded(): Promise<number> {
    return releaseStranded({ runs: this.storage.runs, journal: this.storage.journal, workerId: this.workerId, holds: (runId) => this.executor.holds(runId), logger: this.logger });
  }

  async prune(): Promise<number> {
    return pruneRuns({ runs: this.storage.runs, retentionDays: this.config.RUN_RETENTION_DAYS, keepPerFlow: this.config.RUN_RETENTION_PER_FLOW, logger: this.logger });
  }

  /** Deletes series points past their workspace's retention; apart from runs, which dashboards outlive. */
  async pruneSeries(): Promise<number> {
    return pruneSeries({ series: this.storage.series, logger: this.logger });
  }

  /** Makes the schedulers match the active flows, or one flow after it was activated or deactivated. */
  private async syncSchedules(flowId?: string): Promise<void> {
    const flows = await this.storage.flows.activeFlows({ flowId });
    await this.scheduler!.sync(schedulesOf(flows), flowId ? [flowId] : undefined);
  }

  private async fireSchedule({ flowId, nodeId, scheduledFor }: { flowId: string; nodeId: string; scheduledFor: Date }): Promise<void> {
    const [flow] = await this.storage.flows.activeFlows({ flowId });
    if (!flow || !flow.document.nodes.some((n) => n.id === nodeId)) return;
    await this.enqueue({
      workspaceId: flow.workspaceId,
      flowId,
      flowVersionId: flow.versionId,
      document: flow.document,
      trigger: "schedule",
      startNodeId: nodeId,
      triggerItems: [{ json: { scheduledFor: scheduledFor.toISOString(), firedAt: new Date().toISOString() } }],
    });
  }

  /** Stores a queued run and hands it to the queue (or this process when embedded). */
  async enqueue(spec: RunSpec): Promise<string> {
    const runId = await this.executor.createQueued(spec);
    await this.dispatcher.enqueue({ runId, workspaceId: spec.workspaceId });
    return runId;
  }

  /** After a flow is activated or deactivated: webhook routes, schedules and listeners follow, in every process. */
  async triggersChanged(flowId: string): Promise<void> {
    await this.applyTriggers(flowId);
    if (this.redis) await this.redis.publish(CONTROL_CHANNEL, JSON.stringify({ type: "triggers", flowId } satisfies ControlMessage));
  }

  private async applyTriggers(flowId: string): Promise<void> {
    await this.webhooks?.load(flowId);
    if (this.scheduler) await this.syncSchedules(flowId);
    await this.listeners?.sync(flowId);
  }

  /**
   * Cancels a run wherever it is: marked cancelled in the database at once (so it ends even when its worker is
   * stuck), and a running one is stopped by the process that has it.
   */
  async cancel(runId: string): Promise<void> {
    if ((await this.storage.runs.markCancelled({ runId })) === "queued") return;
    const ended = this.executor.cancel(runId);
    if (ended) {
      // Here, its steps' ends are written in a moment; a run that does not stop in time stays cancelled all the same.
      await settlesWithin(ended, CANCEL_WAIT_MS);
      return;
    }
    if (this.redis) await this.redis.publish(CONTROL_CHANNEL, JSON.stringify({ type: "cancel", runId } satisfies ControlMessage));
  }

  private async onControl(message: ControlMessage): Promise<void> {
    if (message.type === "cancel") this.executor.cancel(message.runId);
    else await this.applyTriggers(message.flowId);
  }

  /** Waits for a run's end: from its events, or from the database if it ended before we listened. */
  waitForRun(runId: string, timeoutMs: number): Promise<RunEvent & { type: "run.finished" }> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (event: (RunEvent & { type: "run.finished" }) | Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        off();
        if (event instanceof Error) reject(event);
        else resolve(event);
      };
      const timer = setTimeout(() => finish(new Error(`Run ${runId} did not finish within ${timeoutMs} ms`)), timeoutMs);
      const off = this.events.subscribe(runId, (event) => {
        if (event.type === "run.finished") finish(event);
      });
      // Events of a run nobody watched may stay in the worker that ran it; the database has the end too.
      const check = () =>
        this.storage.runs.status({ runId }).then((run) => {
          if (run && isFinishedRunStatus(run.status)) {
            finish({ type: "run.finished", runId, status: run.status, error: run.error as null, at: new Date().toISOString() });
          }
        }, () => {});
      const poll = setInterval(() => void check(), 250);
      void check();
    });
  }

  /**
   * SIGTERM: stop taking work, let running runs finish for up to SHUTDOWN_GRACE_MS, then hand the rest back
   * (stored steps stay, the run is released and another worker resumes it).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.listeners?.close();
    await Promise.all(this.workers.map((w) => w.pause(true).catch(() => {})));
    // Media jobs get the same grace, then go back to the media queue for another worker.
    const mediaClosed = this.mediaWorker?.close(this.config.SHUTDOWN_GRACE_MS);
    const deadline = Date.now() + this.config.SHUTDOWN_GRACE_MS;
    while (this.executor.activeCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.executor.activeCount > 0) {
      this.logger.warn({ runs: this.executor.activeCount }, "handing unfinished runs back to the queue");
      this.executor.handBackAll();
      while (this.executor.activeCount > 0) await new Promise((r) => setTimeout(r, 20));
    }
    await this.storage.journal.drain();
    // What is left tells Redis (jobs finished, queues closed, this worker gone), which would wait for a Redis that
    // is away for as long as it is away. So it gets REDIS_CLOSE_MS; then the connections are dropped, and what Redis
    // was not told is put right by the others: the runs are stored, and a live worker's reconciler queues them again.
    const told = this.closeQueues(mediaClosed);
    if (this.redis && !(await settlesWithin(told, REDIS_CLOSE_MS))) {
      this.logger.warn(`Redis did not answer within ${REDIS_CLOSE_MS / 1000} s of stopping; stopping without it`);
      this.subscriber?.disconnect();
      this.redis.disconnect();
    }
    await told;
    disposeCodeSandbox();
    this.expressions.dispose();
    this.subscriber?.disconnect();
    this.redis?.disconnect();
  }

  /** Closes the queues and the event bus, each whatever became of the one before. */
  private async closeQueues(mediaClosed: Promise<void> | undefined): Promise<void> {
    const steps: (() => Promise<unknown> | undefined)[] = [
      () => mediaClosed,
      // Not forced: a handed-back run's processor returns only after its release, and its job must still be marked
      // finished in Redis. A forced close skips that, leaving the job active under the lock of a process that is
      // gone, so the run waits for the lock to lapse and BullMQ's stalled check (up to 15 s) instead of the next
      // reconcile.
      () => Promise.all(this.workers.map((w) => w.close())),
      () => this.scheduler?.close(),
      () => this.dispatcher.close(),
      () => this.media?.close(),
      () => this.events.close(),
      () => this.redis?.zrem(WORKERS_KEY, this.workerId),
    ];
    for (const step of steps) await step()?.catch((err: unknown) => this.logger.warn({ err }, "a part of the runtime did not close cleanly"));
  }
}
