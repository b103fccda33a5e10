import type { Logger } from "pino";
import type { Dispatcher } from "./dispatch";
import type { RunLedger, SeriesStore } from "./ports";

/**
 * Finds runs PostgreSQL holds as queued or running that nothing will finish (Redis was flushed, a worker was
 * killed, a web process died during a sync run) and queues them again; the run resumes after its last stored step.
 */
export async function reconcile({ runs, dispatcher, liveWorkers, graceMs, logger }: { runs: RunLedger; dispatcher: Dispatcher; liveWorkers: string[]; graceMs: number; logger: Logger }): Promise<number> {
  const orphans = await runs.orphans({ liveWorkers, queuedBefore: new Date(Date.now() - graceMs), limit: 1000 });
  let requeued = 0;
  for (const run of orphans) {
    if (await dispatcher.has(run.id)) continue;
    await dispatcher.enqueue({ runId: run.id, workspaceId: run.workspaceId });
    requeued++;
  }
  if (requeued) logger.info({ requeued }, "re-queued runs that no worker held");
  return requeued;
}

/** Deletes finished runs past the age limit or beyond the per-flow count, in batches so no statement runs long. */
export async function pruneRuns({ runs, retentionDays, keepPerFlow, logger }: { runs: RunLedger; retentionDays: number; keepPerFlow: number; logger: Logger }): Promise<number> {
  if (retentionDays <= 0 && keepPerFlow <= 0) return 0;
  const olderThan = retentionDays > 0 ? new Date(Date.now() - retentionDays * 86_400_000) : new Date(0);
  let total = 0;
  for (;;) {
    const deleted = await runs.prune({ olderThan, keepPerFlow: keepPerFlow > 0 ? keepPerFlow : Number.MAX_SAFE_INTEGER, batch: 1000 });
    total += deleted;
    if (deleted === 0) break;
  }
  if (total) logger.info({ deleted: total }, "pruned old runs");
  return total;
}

/** Deletes dashboard series points past their workspace's retention (seriesRetentionDays), in batches. */
export async function pruneSeries({ series, logger }: { series: SeriesStore; logger: Logger }): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await series.prune({ batch: 5000 });
    total += deleted;
    if (deleted === 0) break;
  }
  if (total) logger.info({ deleted: total }, "pruned series points past their workspace's retention");
  return total;
}
