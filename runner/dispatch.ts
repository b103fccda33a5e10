import type { Logger } from "pino";
import type { Executor } from "./executor";

/** A stored run to execute, and the workspace it belongs to (whose share of the slots it takes). */
export interface QueuedRun {
  runId: string;
  workspaceId: string;
}

/**
 * Hands stored runs to whoever executes them: this process when embedded, the workers through BullMQ otherwise.
 * Fair between workspaces: a run of a workspace with few runs waiting goes before the backlog of one that floods,
 * and one workspace holds at most `perWorkspace` of a process's `concurrency` slots, so another's runs always find
 * one.
 */
export interface Dispatcher {
  enqueue(run: QueuedRun): Promise<void>;
  /**
   * True at once, or, while too many runs wait to be handed over, once they have been: a caller that does not wait
   * for `enqueue` (an async webhook) paces itself on it. False when they still wait after `waitMs`.
   */
  room(waitMs: number): Promise<boolean>;
  /** Whether the run's job is still held by the queue (waiting, delayed or active). */
  has(runId: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * In-process queue for embedded mode, at most `concurrency` runs at a time and `perWorkspace` of one workspace:
 * workspaces with runs waiting take turns, each in the order its runs came.
 */
export class LocalDispatcher implements Dispatcher {
  // Runs waiting, by workspace; the map's order is the order of turns.
  private readonly waiting = new Map<string, string[]>();
  private readonly queued = new Set<string>();
  private readonly runningBy = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly executor: Executor,
    private readonly limits: { concurrency: number; perWorkspace: number },
    private readonly logger: Logger,
  ) {}

  async enqueue({ runId, workspaceId }: QueuedRun): Promise<void> {
    if (this.queued.has(runId)) return;
    this.queued.add(runId);
    const list = this.waiting.get(workspaceId);
    if (list) list.push(runId);
    else this.waiting.set(workspaceId, [runId]);
    this.pump();
  }

  async has(runId: string): Promise<boolean> {
    return this.queued.has(runId);
  }

  /** Runs are handed over as they are queued. */
  async room(): Promise<boolean> {
    return true;
  }

  /** The next run to start: from the first workspace in turn below its share, which then goes to the back. */
  private next(): { runId: string; workspaceId: string } | null {
    for (const [workspaceId, list] of this.waiting) {
      if ((this.runningBy.get(workspaceId) ?? 0) >= this.limits.perWorkspace) continue;
      const runId = list.shift()!;
      this.waiting.delete(workspaceId);
      if (list.length) this.waiting.set(workspaceId, list);
      return { runId, workspaceId };
    }
    return null;
  }

  private pump(): void {
    while (this.running < this.limits.concurrency) {
      const run = this.next();
      if (!run) return;
      this.running++;
      this.runningBy.set(run.workspaceId, (this.runningBy.get(run.workspaceId) ?? 0) + 1);
      this.executor
        .runStored(run.runId)
        .catch((err: unknown) => this.logger.error({ err, runId: run.runId }, "run failed to execute"))
        .finally(() => {
          this.running--;
          const left = this.runningBy.get(run.workspaceId)! - 1;
          if (left > 0) this.runningBy.set(run.workspaceId, left);
          else this.runningBy.delete(run.workspaceId);
          this.queued.delete(run.runId);
          this.pump();
        });
    }
  }

  async close(): Promise<void> {
    this.waiting.clear();
  }
}
