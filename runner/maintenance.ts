import type { Logger } from "pino";
import type { Dispatcher } from "./dispatch";
import type { RunJournal, RunLedger, SeriesStore } from "./ports";

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

/**
 * Hands back the runs stored as running under this worker that it no longer runs: their end could not be stored
 * (the database was away as they ended), and nothing else would ever finish them, since their worker is alive. The
 * reconciler queues them again; each resumes after its last stored step. A run counts as this worker's from before
 * its claim until its end is stored (`holds`), so one being claimed or finishing now is never taken for stranded.
 */
export async function releaseStranded({ runs, journal, workerId, holds, logger }: { runs: RunLedger; journal: Pick<RunJournal, "release">; workerId: string; holds: (runId: string) => boolean; logger: Logger }): Promise<number> {
  const stranded = (await runs.runningUnder({ workerId })).filter((runId) => !holds(runId));
  // Released only while still running here: a late write of its end that got through in the meantime stays.
  for (const runId of stranded) await journal.release({ runId, workerId });
  if (stranded.length) logger.warn({ runs: stranded }, "handed back runs whose end could not be stored, to be resumed");
  return stranded.length;
}

/** Deletes finished runs past the age limit or beyond the per-flow count, in batches so no statement runs long. */
export async function pruneRuns({ runs, retentionDays, keepPerFlow, logger }: { runs: RunLedger; retentionDays: number; keepPerFlow: number; logger: Logger }): Promise<number> {
  if (retentionDays <= 0 && keepPerFlow <= 0) return 0;
  const olderThan = retentionDays > 0 ? new Date(Date.now() - retentionDays * 86_400_000) : null;
  let total = 0;
  for (;;) {
    const deleted = await runs.prune({ olderThan, keepPerFlow: keepPerFlow > 0 ? keepPerFlow : null, batch: 1000 });
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
