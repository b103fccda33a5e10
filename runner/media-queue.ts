import { randomUUID } from "node:crypto";
import { Job, Queue, QueueEvents, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { idempotencyKey } from "../nodes/_kit/idempotency";
import type { BinaryStore, HttpClient, NodeContext, NodeLimits, ProgressUpdate } from "../nodes/_kit/context";
import { toPortItems, type ExecuteResult, type NodeDefinition } from "../nodes/_kit/define-node";
import { NodeCancelledError, NodeError, NodeExternalError, serializeError, type SerializedNodeError } from "../nodes/_kit/errors";
import type { PortItems } from "../nodes/_kit/items";
import type { StepJob } from "./engine";
import type { RedisOutage } from "./redis-outage";

export const MEDIA_QUEUE = "streamware-media";
const CANCEL_CHANNEL = "streamware:media-cancel";
const CANCELLED_KEY = "streamware:media-cancelled:";
/** Long enough for a cancelled job still waiting behind others to be taken and dropped. */
const CANCELLED_TTL_MS = 24 * 60 * 60_000;
/** Finished jobs stay a while, so a result that lands before its submitter listens is still read. */
const KEEP_FINISHED_S = 300;

/** What a media job returns: the node's failure travels as data, so its code, retry flag and status survive. */
type MediaJobResult = { ok: true; output: PortItems } | { ok: false; error: SerializedNodeError };

/** The reason a media worker aborts a job it hands back at shutdown (rather than a cancel). */
const HAND_BACK = "hand back";

/** A node's failure as it was raised in the media worker. */
function restoreError(error: SerializedNodeError): NodeError {
  if (error.code === "EXTERNAL") return new NodeExternalError(error.message, { status: error.status, retryable: error.retryable, details: error.details });
  return new NodeError(error.message, { code: error.code, retryable: error.retryable, details: error.details });
}

/**
 * The run's side (any process that runs flows in queue mode): a step of a node that declares the media queue
 * becomes a job there, its progress is relayed to the step and its result awaited; the run's abort (cancel, the
 * step's timeout, a hand-back) stops the job wherever it runs.
 */
export class MediaQueue {
  readonly queue: Queue<StepJob, MediaJobResult>;
  private events: Promise<QueueEvents> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly outage: RedisOutage,
  ) {
    this.queue = new Queue(MEDIA_QUEUE, { connection: redis });
    this.queue.on("error", outage.error);
  }

  /** One QueueEvents reader per process, made on first use: most processes never run media. */
  private queueEvents(): Promise<QueueEvents> {
    this.events ??= (async () => {
      const events = new QueueEvents(MEDIA_QUEUE, { connection: this.redis.duplicate() });
      events.setMaxListeners(0);
      events.on("error", this.outage.error);
      await events.waitUntilReady();
      return events;
    })();
    return this.events;
  }

  async run(step: StepJob, { signal, progress }: { signal: AbortSignal; progress(update: ProgressUpdate): void }): Promise<ExecuteResult> {
    signal.throwIfAborted();
    const events = await this.queueEvents();
    const jobId = randomUUID();
    const listeners: [string, (...args: never[]) => void][] = [];
    const listen = (event: string, listener: (...args: never[]) => void) => {
      events.on(event as "progress", listener as () => void);
      listeners.push([event, listener]);
    };
    let onAbort: (() => void) | undefined;
    try {
      const finished = new Promise<MediaJobResult>((resolve, reject) => {
        listen(`progress:${jobId}`, ({ data }: { data: ProgressUpdate }) => progress(data));
        listen(`completed:${jobId}`, ({ returnvalue }: { returnvalue: MediaJobResult }) => resolve(returnvalue));
        listen(`failed:${jobId}`, ({ failedReason }: { failedReason: string }) => reject(new Error(failedReason)));
        onAbort = () => {
          this.cancel(jobId).catch(() => {});
          reject(signal.reason instanceof NodeError ? signal.reason : new NodeCancelledError());
        };
        signal.addEventListener("abort", onAbort, { once: true });
      });
      finished.catch(() => {});
      progress({ percent: 0, message: "Queued for a media worker" });
      await this.queue.add(step.node.type, step, {
        jobId,
        removeOnComplete: { age: KEEP_FINISHED_S },
        removeOnFail: { age: KEEP_FINISHED_S },
      });
      // Listening started before the job was added; this covers a reader that was still connecting.
      const job = await Job.fromId<StepJob, MediaJobResult>(this.queue, jobId);
      if (job?.finishedOn && job.returnvalue) return unwrap(job.returnvalue);
      if (job?.failedReason) throw new Error(job.failedReason);
      return unwrap(await finished);
    } catch (err) {
      if (err instanceof NodeError) throw err;
      // BullMQ gave up on the job (its worker stopped twice, Redis went away): the node never reported.
      throw new NodeError(`The media worker could not finish "${step.node.name}": ${(err as Error).message}`, { code: "MEDIA_WORKER", retryable: true });
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
      for (const [event, listener] of listeners) events.off(event as "progress", listener as () => void);
    }
  }

  /**
   * Stops a media job: dropped if still waiting, aborted (ffmpeg killed, nothing stored) by the worker that has
   * it, and refused by a worker that takes it between these steps.
   */
  private async cancel(jobId: string): Promise<void> {
    await this.redis.set(CANCELLED_KEY + jobId, "1", "PX", CANCELLED_TTL_MS);
    await this.redis.publish(CANCEL_CHANNEL, jobId);
    // A job that is running is locked and stays; its worker has the message.
    await this.queue.remove(jobId).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.events) {
      const events = await this.events;
      await events.close();
      await events.disconnect();
    }
    await this.queue.close();
  }
}

function unwrap(result: MediaJobResult): PortItems {
  if (!result.ok) throw restoreError(result.error);
  return result.output;
}

/**
 * The media queue's consumer in a worker process (WORKER_QUEUES has "media"), MEDIA_CONCURRENCY jobs at a time.
 * A job is the node's `execute` with a context of its own: the run's config and items, this process's binary
 * storage and HTTP client, and progress sent back as job progress. A worker that dies loses its lock and the job
 * is run again elsewhere once; a second loss fails it, and the step with it.
 */
export class MediaWorker {
  private readonly worker: Worker<StepJob, MediaJobResult>;
  private readonly subscriber: Redis;
  private running = 0;

  constructor(
    private readonly deps: {
      redis: Redis;
      registry: ReadonlyMap<string, NodeDefinition>;
      binary: BinaryStore;
      http: HttpClient;
      limits: NodeLimits;
      logger: Logger;
      /** Where its connections' errors go: Redis being away is said once by the process, not by every connection. */
      outage: RedisOutage;
      concurrency: number;
    },
  ) {
    this.worker = new Worker<StepJob, MediaJobResult>(MEDIA_QUEUE, (job, token, signal) => this.process(job, token, signal), {
      connection: deps.redis,
      concurrency: deps.concurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 1,
      autorun: false,
    });
    this.worker.on("error", deps.outage.workerError("media worker error"));
    this.subscriber = deps.redis.duplicate();
    this.subscriber.on("error", deps.outage.error);
    this.subscriber.on("message", (_channel: string, jobId: string) => this.worker.cancelJob(jobId, "cancel"));
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    void this.worker.run().catch((err: unknown) => this.deps.logger.error({ err }, "media worker stopped"));
    await this.worker.waitUntilReady();
  }

  /** Whether it takes media steps: started, not paused and not closed. */
  takingJobs(): boolean {
    return this.worker.isRunning() && !this.worker.isPaused();
  }

  private async process(job: Job<StepJob, MediaJobResult>, token: string | undefined, jobSignal: AbortSignal | undefined): Promise<MediaJobResult> {
    const { registry, binary, http, logger } = this.deps;
    const step = job.data;
    // Cancelled before this worker took it, or between the take and the cancel message.
    if (await this.deps.redis.exists(CANCELLED_KEY + job.id)) return { ok: false, error: serializeError(new NodeCancelledError()) };
    this.running++;
    const controller = new AbortController();
    const onAbort = () => controller.abort(new NodeCancelledError());
    if (jobSignal?.aborted) onAbort();
    jobSignal?.addEventListener("abort", onAbort, { once: true });
    try {
      const definition = registry.get(step.node.type);
      if (!definition?.queue) throw new NodeError(`"${step.node.type}" is not a node type this worker runs on the media queue; deploy the same version everywhere`, { code: "CONFIG", retryable: false });
      const ctx = stepContext({ step, signal: controller.signal, binary, http, limits: this.deps.limits, logger: logger.child({ runId: step.run.id, node: step.node.name }), progress: (update) => void job.updateProgress(update).catch(() => {}) });
      const output = toPortItems(await definition.execute({ config: step.configs[0], input: step.input, inputs: step.inputs, ctx }));
      return { ok: true, output };
    } catch (err) {
      if (jobSignal?.reason === HAND_BACK) {
        // Stopped cleanly for a shutdown: back to the queue for another worker, the run still waiting on it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      return { ok: false, error: serializeError(err) };
    } finally {
      this.running--;
      jobSignal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Stops taking jobs; running ones get `graceMs` to finish, then are stopped (ffmpeg killed, nothing stored)
   * and put back on the queue for another media worker.
   */
  async close(graceMs: number): Promise<void> {
    await this.worker.pause(true).catch(() => {});
    const deadline = Date.now() + graceMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.worker.cancelAllJobs(HAND_BACK);
    await this.worker.close();
    this.subscriber.disconnect();
  }
}

/** The context of a step run on the media queue: what a queued node may use (see `NodeSpec.queue`). */
function stepContext(args: {
  step: StepJob;
  signal: AbortSignal;
  binary: BinaryStore;
  http: HttpClient;
  limits: NodeLimits;
  logger: NodeContext["logger"];
  progress: (update: ProgressUpdate) => void;
}): NodeContext {
  const { step, signal, binary, http, limits, logger, progress } = args;
  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available to "${step.node.type}", which runs on the media queue`);
  };
  return {
    run: step.run,
    node: step.node,
    signal,
    idempotencyKey: (itemIndex = 0) => idempotencyKey(step.run.id, step.node.id, itemIndex),
    logger,
    credentials: null,
    credentialOf: unavailable("A further credential"),
    http,
    binary,
    limits,
    get code(): never {
      return unavailable("The code sandbox")();
    },
    get kv(): never {
      return unavailable("The flow's key/value store")();
    },
    get experiments(): never {
      return unavailable("A/B experiments")();
    },
    get series(): never {
      return unavailable("Dashboard series")();
    },
    get trigger(): never {
      return unavailable("The trigger's items")();
    },
    get nodes(): never {
      return unavailable("Other nodes' outputs")();
    },
    configFor: async (index) => {
      if (index < 0 || index >= step.configs.length) throw new Error(`No config for input item ${index}; the step has ${step.configs.length}`);
      return step.configs[index];
    },
    progress,
    reportUsage: unavailable("Token usage"),
    respond: unavailable("Answering the webhook"),
    runFlow: unavailable("Running another flow"),
  };
}
