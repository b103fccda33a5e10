import type { SeriesWriter } from "../nodes/_kit/context";
import type { EventBus } from "./events";
import type { SeriesStore } from "./ports";

/**
 * A run's `ctx.series`: points are stored with the run's workspace, flow and run, then sent to live dashboards. A
 * point given no time takes the moment of the write.
 */
export function seriesWriter({ store, events, run }: { store: SeriesStore; events: EventBus; run: { id: string; workspaceId: string; flowId: string } }): SeriesWriter {
  return {
    async append(points) {
      const now = new Date();
      const rows = points.map((point) => ({ ...point, at: point.at ?? now, workspaceId: run.workspaceId, flowId: run.flowId, runId: run.id }));
      await store.append(rows);
      events.publishPoints(rows.map((row) => ({ workspaceId: row.workspaceId, series: row.series, at: row.at.getTime(), value: row.value, data: row.data ?? null })));
    },
  };
}
