// Queue mode's run dispatch, through BullMQ: loaded only by a process with REDIS_URL (see queue-mode.ts).
import { DelayedError, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { Batcher } from "../nodes/_core/batcher";
import type { Dispatcher, QueuedRun } from "./dispatch";
import type { Executor } from "./executor";

export const RUN_QUEUE = "streamware-runs";

/** How long a run of a workspace at its share of a worker's slots waits for a place, then again in the queue. */
const AT_SHARE_DELAY_MS = 100;
/** BullMQ's lowest priority (the largest number it takes). */
const LOWEST_PRIORITY = 2_097_152;
/** A workspace's count of waiting runs lapses this long after its last run was queued, should a count go astray. */
const BACKLOG_TTL_SECONDS = 3600;
const BACKLOG_KEY = "streamware:backlog:";
/** How many runs may wait behind the batch going to Redis before callers that do not wait for it are held back. */
const MAX_WAITING_RUNS = 2_000;

/** How many of `workspaceIds` name each workspace, in the order each first appears. */
function countPerWorkspace(workspaceIds: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const workspaceId of workspaceIds) counts.set(workspaceId, (counts.get(workspaceId) ?? 0) + 1);
  return counts;
}

/**
 * BullMQ: the job carries the run id and its workspace (PostgreSQL holds the run), and the job id is the run id,
 * so re-queueing is idempotent. A job's priority is how many runs its workspace has waiting, so a workspace's
 * first waiting run goes before the hundredth of another: one Redis round trip more per run, in the same pipeline.
 */
export class QueueDispatcher implements Dispatcher {
  readonly queue: Queue;
  // The runs queued at once (a burst of webhook calls) go to Redis together: two round trips for the lot.
  private readonly batches = new Batcher<QueuedRun, void>((runs) => this.add(runs));

  constructor(private readonly redis: Redis) {
    this.queue = new Queue(RUN_QUEUE, { connection: redis });
  }

  enqueue(run: QueuedRun): Promise<void> {
    return this.batches.add(run);
  }

  room(waitMs: number): Promise<boolean> {
    return this.batches.room(MAX_WAITING_RUNS, waitMs);
  }

  /** Counts each workspace's runs into its backlog, then adds every job with its place in that backlog as priority. */
  private async add(runs: QueuedRun[]): Promise<void[]> {
    const perWorkspace = countPerWorkspace(runs.map((run) => run.workspaceId));
    const counting = this.redis.multi();
    for (const [workspaceId, count] of perWorkspace) counting.incrby(BACKLOG_KEY + workspaceId, count).expire(BACKLOG_KEY + workspaceId, BACKLOG_TTL_SECONDS);
    const results = (await counting.exec()) ?? [];
    // The backlog after this batch, counted down run by run: the batch's first run of a workspace has the lowest place.
    const next = new Map<string, number>();
    [...perWorkspace.keys()].forEach((workspaceId, i) => {
      const [err, total] = results[i * 2] ?? [];
      if (err) throw err;
      next.set(workspaceId, Number(total) - perWorkspace.get(workspaceId)! + 1);
    });
    await this.queue.addBulk(
      runs.map(({ runId, workspaceId }) => {
        const waiting = next.get(workspaceId)!;
        next.set(workspaceId, waiting + 1);
        return { name: "run", data: { runId, workspaceId }, opts: { jobId: runId, priority: Math.min(Math.max(1, waiting), LOWEST_PRIORITY), removeOnComplete: true, removeOnFail: true } };
      }),
    );
    return runs.map(() => undefined);
  }

  async has(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    return job !== undefined && job !== null;
  }

  async close(): Promise<void> {
    await this.batches.drain();
    await this.queue.close();
  }
}

/**
 * Counts each workspace's backlog down as its runs are taken. A batch of runs stored together frees many slots at
 * once, so the runs taken in one turn of the event loop go to Redis together: one DECRBY a workspace, one round
 * trip, instead of a command a run. A count that fails to go down lapses with the backlog's TTL.
 */
export class BacklogCountdown {
  private readonly batches: Batcher<string, void>;

  constructor(redis: Redis) {
    this.batches = new Batcher(async (workspaceIds) => {
      const counting = redis.pipeline();
      for (const [workspaceId, count] of countPerWorkspace(workspaceIds)) counting.decrby(BACKLOG_KEY + workspaceId, count);
      await counting.exec();
      return workspaceIds.map(() => undefined);
    });
  }

  taken(workspaceId: string): void {
    this.batches.add(workspaceId).catch(() => {});
  }

  /** Resolves once every count so far has gone to Redis (or failed to). */
  drain(): Promise<void> {
    return this.batches.drain();
  }
}

/**
 * A process's run slots as each workspace's share: at most `perWorkspace` of one workspace's runs at once. A run
 * over its workspace's share waits a while for one of that workspace's runs to end and takes its place; when none
 * ends in time, it is refused (and goes back to the queue). Waiting first means a workspace whose runs are short
 * goes on at its share without its runs being sent back and fetched again, over and over.
 */
export class WorkspaceShares {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perWorkspace: number) {}

  /** Takes a place in the workspace's share, waiting up to `waitMs` for one; false when none came free. */
  take(workspaceId: string, waitMs: number): Promise<boolean> {
    const count = this.running.get(workspaceId) ?? 0;
    if (count < this.perWorkspace) {
      this.running.set(workspaceId, count + 1);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(workspaceId) ?? [];
      this.waiting.set(workspaceId, queue);
      const handOver = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(handOver), 1);
        if (!queue.length) this.waiting.delete(workspaceId);
        resolve(false);
      }, waitMs);
      queue.push(handOver);
    });
  }

  /** Gives a place back: to the workspace's longest waiting run, or free. */
  give(workspaceId: string): void {
    const queue = this.waiting.get(workspaceId);
    const next = queue?.shift();
    if (queue && !queue.length) this.waiting.delete(workspaceId);
    if (next) return next();
    const left = (this.running.get(workspaceId) ?? 1) - 1;
    if (left > 0) this.running.set(workspaceId, left);
    else this.running.delete(workspaceId);
  }
}

/**
 * Takes run jobs for this worker process, at most `perWorkspace` of one workspace at a time: a job of a workspace
 * at its share waits a moment for a place (`WorkspaceShares`), then goes back to the queue, so the slots left stay
 * free for other workspaces. A job whose
 * worker died is taken again once its lock lapses; the run resumes after its last stored step.
 */
export function startRunWorker({
  connection,
  executor,
  concurrency,
  perWorkspace,
  onError,
}: {
  connection: Redis;
  executor: Executor;
  concurrency: number;
  perWorkspace: number;
  onError: (err: Error) => void;
}): Worker {
  const shares = new WorkspaceShares(perWorkspace);
  const backlog = new BacklogCountdown(connection);
  const worker = new Worker<{ runId: string; workspaceId?: string }>(
    RUN_QUEUE,
    async (job, token) => {
      const { runId, workspaceId } = job.data;
      // Jobs queued before workspaces were named in them run as they come.
      if (!workspaceId) return executor.runStored(runId);
      if (!(await shares.take(workspaceId, AT_SHARE_DELAY_MS))) {
        await job.moveToDelayed(Date.now() + AT_SHARE_DELAY_MS, token);
        throw new DelayedError();
      }
      backlog.taken(workspaceId);
      try {
        await executor.runStored(runId);
      } finally {
        shares.give(workspaceId);
      }
    },
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1000, autorun: true },
  );
  worker.on("error", onError);
  return worker;
}
