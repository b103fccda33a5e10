"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { formatDuration, runStatusClass } from "@/app/_components/run-display";
import { RUN_STATUSES, type RunStatus } from "@/nodes/_core/run-types";

/** The flow's runs, newest first, filtered by status and paged; choosing one shows it on the canvas. */
export function RunsPanel({ workspaceId, flowId, openRunId, onOpen }: { workspaceId: string; flowId: string; openRunId: string | null; onOpen(runId: string): void }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<RunStatus | "">("");
  const runs = useInfiniteQuery(
    trpc.run.list.infiniteQueryOptions(
      { workspaceId, flowId, limit: 25, ...(status ? { status } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, refetchInterval: 5000 },
    ),
  );
  const list = runs.data?.pages.flatMap((p) => p.runs) ?? [];

  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 p-3 dark:border-slate-800">
        <label htmlFor="runs-status" className="text-sm font-medium">
          Status
        </label>
        <select
          id="runs-status"
          value={status}
          onChange={(e) => setStatus(e.target.value as RunStatus | "")}
          className="flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
        >
          <option value="">All</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {runs.error && <p role="alert" className="p-2 text-sm text-red-700 dark:text-red-300">{runs.error.message}</p>}
        {runs.isSuccess && list.length === 0 && <p className="p-2 text-sm text-slate-500 dark:text-slate-400">No runs{status ? ` with status ${status}` : ""} yet.</p>}
        <ul aria-label="Runs" className="space-y-1">
          {list.map((run) => (
            <li key={run.id}>
              <button
                type="button"
                onClick={() => onOpen(run.id)}
                aria-current={openRunId === run.id ? "true" : undefined}
                aria-label={`Open run of ${(run.startedAt ?? run.queuedAt).toLocaleString()}, ${run.status}`}
                className={`w-full rounded-md border px-2 py-1.5 text-left text-sm hover:bg-slate-50 dark:hover:bg-slate-800 ${
                  openRunId === run.id ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950" : "border-slate-200 dark:border-slate-800"
                }`}
              >
                <div className="flex items-center gap-2">
                  <span className={`font-medium ${runStatusClass[run.status] ?? ""}`}>{run.status}</span>
                  <span className="text-xs text-slate-500 dark:text-slate-400">{run.trigger}</span>
                  {run.versionNumber !== null && <span className="text-xs text-slate-500 dark:text-slate-400">v{run.versionNumber}</span>}
                  <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">{formatDuration(run.durationMs)}</span>
                </div>
                <div className="text-xs text-slate-500 dark:text-slate-400">{(run.startedAt ?? run.queuedAt).toLocaleString()}</div>
                {run.error && <div className="truncate text-xs text-red-700 dark:text-red-300">{run.error.message}</div>}
              </button>
            </li>
          ))}
        </ul>
        {runs.hasNextPage && (
          <button
            type="button"
            onClick={() => void runs.fetchNextPage()}
            disabled={runs.isFetchingNextPage}
            className="mt-2 w-full rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {runs.isFetchingNextPage ? "Loading…" : "Load more runs"}
          </button>
        )}
      </div>
    </div>
  );
}
