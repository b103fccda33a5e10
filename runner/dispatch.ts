import { Queue, Worker, type ConnectionOptions } from "bullmq";
import type { Logger } from "pino";
import type { Executor } from "./executor";

export const RUN_QUEUE = "streamware-runs";

/** Hands stored runs to whoever executes them: this process when embedded, the workers through BullMQ otherwise. */
export interface Dispatcher {
  enqueue(runId: string): Promise<void>;
  /** Whether the run's job is still held by the queue (waiting, delayed or active). */
  has(runId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** In-process queue for embedded mode, at most `concurrency` runs at a time. */
export class LocalDispatcher implements Dispatcher {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private running = 0;

  constructor(
    private readonly executor: Executor,
    private readonly concurrency: number,
    private readonly logger: Logger,
  ) {}

  async enqueue(runId: string): Promise<void> {
    if (this.queued.has(runId)) return;
    this.queued.add(runId);
    this.waiting.push(runId);
    this.pump();
  }

  async has(runId: string): Promise<boolean> {
    return this.queued.has(runId);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const runId = this.waiting.shift()!;
      this.running++;
      this.executor
        .runStored(runId)
        .catch((err: unknown) => this.logger.error({ err, runId }, "run failed to execute"))
        .finally(() => {
          this.running--;
          this.queued.delete(runId);
          this.pump();
        });
    }
  }

  async close(): Promise<void> {
    this.waiting.length = 0;
  }
}

/** BullMQ: the job carries only the run id (PostgreSQL holds the run), and the job id is the run id, so re-queueing is idempotent. */
export class QueueDispatcher implements Dispatcher {
  readonly queue: Queue;

  constructor(connection: ConnectionOptions) {
    this.queue = new Queue(RUN_QUEUE, { connection });
  }

  async enqueue(runId: string): Promise<void> {
    await this.queue.add("run", { runId }, { jobId: runId, removeOnComplete: true, removeOnFail: true });
  }

  async has(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    return job !== undefined && job !== null;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * Takes run jobs for this worker process. A job whose worker died is taken again once its lock lapses; the run
 * resumes after its last stored step.
 */
export function startRunWorker({ connection, executor, concurrency, logger }: { connection: ConnectionOptions; executor: Executor; concurrency: number; logger: Logger }): Worker {
  const worker = new Worker<{ runId: string }>(
    RUN_QUEUE,
    async (job) => {
      await executor.runStored(job.data.runId);
    },
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1000, autorun: true },
  );
  worker.on("error", (err) => logger.error({ err }, "run worker error"));
  return worker;
}
