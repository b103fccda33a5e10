"use client";

import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { formatDuration, runStatusClass } from "@/app/_components/run-display";
import type { AppRouter } from "@/server/routers/_app";
import { ghostButton } from "../credentials/form-controls";

export type RunListRow = inferRouterOutputs<AppRouter>["run"]["list"]["runs"][number];

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** The editor of the run's flow, showing that run on the canvas. */
export const runHref = ({ slug, flowId, runId }: { slug: string; flowId: string; runId: string }) => `/w/${slug}/flows/${flowId}?run=${encodeURIComponent(runId)}`;

/** One run: what ran, how it ended and when; a link into its flow's editor, and retry for those who may. */
export function RunRow({
  run,
  slug,
  selectable,
  selected,
  onSelect,
  canRetry,
  retrying,
  onRetry,
}: {
  run: RunListRow;
  slug: string;
  selectable: boolean;
  selected: boolean;
  onSelect(selected: boolean): void;
  canRetry: boolean;
  retrying: boolean;
  onRetry(from: "start" | "failed"): void;
}) {
  const finished = run.status !== "queued" && run.status !== "running";
  const when = timeFormat.format(run.startedAt ?? run.queuedAt);
  const label = `${run.flowName}, ${run.status}, ${when}`;
  return (
    <li aria-label={`Run of ${label}`} className="flex items-start gap-3 px-4 py-3">
      {selectable && (
        <input
          type="checkbox"
          aria-label={`Select run of ${label}`}
          checked={selected}
          disabled={!finished}
          title={finished ? undefined : "Runs still queued or running cannot be deleted; cancel them first"}
          onChange={(e) => onSelect(e.target.checked)}
          className="mt-1 size-4 shrink-0 accent-indigo-600"
        />
      )}
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <span className={`text-sm font-semibold ${runStatusClass[run.status] ?? ""}`}>{run.status}</span>
          <Link prefetch={false} href={runHref({ slug, flowId: run.flowId, runId: run.id })} className="min-w-0 truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            {run.flowName}
          </Link>
          <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">{run.trigger}</span>
          <span className="text-xs text-slate-500 dark:text-slate-400">{run.versionNumber === null ? "draft" : `v${run.versionNumber}`}</span>
        </div>
        <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-500 dark:text-slate-400">
          <time dateTime={(run.startedAt ?? run.queuedAt).toISOString()}>{when}</time>
          {run.durationMs !== null && <span>{formatDuration(run.durationMs)}</span>}
        </div>
        {run.error && <p className="mt-1 line-clamp-2 break-words text-xs text-red-700 dark:text-red-300">{run.error.message}</p>}
      </div>
      {canRetry && finished && (
        <div className="flex shrink-0 flex-col items-end gap-1 sm:flex-row sm:items-center">
          <button type="button" disabled={retrying} onClick={() => onRetry("start")} className={`${ghostButton} border border-slate-300 dark:border-slate-700`} aria-label={`Retry from the start: run of ${label}`}>
            Retry
          </button>
          {run.status === "failed" && (
            <button
              type="button"
              disabled={retrying}
              onClick={() => onRetry("failed")}
              className={`${ghostButton} border border-slate-300 dark:border-slate-700`}
              aria-label={`Retry from the failed node: run of ${label}`}
              title="Runs the node that failed and what follows it, on the stored output of the steps before it"
            >
              From failed node
            </button>
          )}
        </div>
      )}
    </li>
  );
}
