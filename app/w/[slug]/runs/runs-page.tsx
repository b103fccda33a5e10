"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { can } from "@/server/services/workspace-roles";
import { Modal, dangerButton, ghostButton, secondaryButton } from "../credentials/form-controls";
import { useWorkspace } from "../workspace-context";
import { RunFilterBar } from "./run-filter-bar";
import { runFiltersQuery, runListFilter, type RunFilters } from "./run-filters";
import { RunRow, runHref } from "./run-row";

const PAGE_SIZE = 50;

type Selection = { kind: "some"; ids: ReadonlySet<string> } | { kind: "matching" };
const none: Selection = { kind: "some", ids: new Set() };

/** Every run of the workspace, newest first: filters kept in the URL, pages of 50, retry and bulk delete. */
export function RunsPage({ initialFilters }: { initialFilters: RunFilters }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [filters, setFilters] = useState(initialFilters);
  const [selection, setSelection] = useState<Selection>(none);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<{ text: string; href?: string } | null>(null);
  const canRetry = can({ role: workspace.role, permission: "run.control" });
  const canDelete = can({ role: workspace.role, permission: "run.delete" });

  const filter = useMemo(() => runListFilter(filters), [filters]);
  const runs = useInfiniteQuery(
    trpc.run.list.infiniteQueryOptions(
      { workspaceId: workspace.id, limit: PAGE_SIZE, ...filter },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, refetchInterval: 10_000 },
    ),
  );
  const flows = useQuery(trpc.flow.list.queryOptions({ workspaceId: workspace.id }));
  const triggers = useQuery(trpc.run.triggers.queryOptions({ workspaceId: workspace.id }));
  const list = runs.data?.pages.flatMap((page) => page.runs) ?? [];
  const deletable = list.filter((run) => run.status !== "queued" && run.status !== "running");

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.run.list.infiniteQueryKey() });
  const retry = useMutation(trpc.run.retry.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(
    trpc.run.delete.mutationOptions({
      onSuccess: ({ deleted }) => {
        setNotice({ text: `Deleted ${deleted} run${deleted === 1 ? "" : "s"}.` });
        setSelection(none);
        setConfirming(false);
        void refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.run.triggers.queryKey() });
      },
    }),
  );

  const changeFilters = (next: RunFilters) => {
    setFilters(next);
    setSelection(none);
    // The URL follows, so the view can be bookmarked and shared; Next.js keeps its router in step.
    window.history.replaceState(null, "", `${window.location.pathname}${runFiltersQuery(next)}`);
  };

  const selectedIds = selection.kind === "some" ? selection.ids : new Set(deletable.map((r) => r.id));
  const allOnPage = deletable.length > 0 && deletable.every((run) => selectedIds.has(run.id));
  const chosen = selection.kind === "matching" ? "every finished run that matches the filters" : `${selection.ids.size} run${selection.ids.size === 1 ? "" : "s"}`;
  const toggle = (runId: string, on: boolean) => {
    const ids = new Set(selectedIds);
    if (on) ids.add(runId);
    else ids.delete(runId);
    setSelection({ kind: "some", ids });
  };
  const anySelected = selection.kind === "matching" || selection.ids.size > 0;

  const doRetry = async (runId: string, flowId: string, from: "start" | "failed") => {
    setNotice(null);
    const started = await retry.mutateAsync({ workspaceId: workspace.id, runId, from });
    setNotice({ text: from === "start" ? "Retry started from the start." : "Retry started from the failed node.", href: runHref({ slug: workspace.slug, flowId, runId: started.runId }) });
  };

  const error = runs.error ?? retry.error ?? remove.error ?? flows.error;
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Runs</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">Every run of every flow in {workspace.name}, newest first. Open one to see it on its flow&apos;s canvas.</p>
      </div>
      <RunFilterBar filters={filters} flows={flows.data ?? []} triggers={triggers.data ?? []} onChange={changeFilters} />
      {error && <ErrorAlert>{error.message}</ErrorAlert>}
      {notice && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {notice.text}{" "}
          {notice.href && (
            <Link prefetch={false} href={notice.href} className="font-medium underline">
              Open the new run
            </Link>
          )}
        </p>
      )}
      <section aria-label="Runs" className="rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        {canDelete && (
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={allOnPage}
                disabled={!hydrated || deletable.length === 0}
                onChange={(e) => setSelection(e.target.checked ? { kind: "some", ids: new Set(deletable.map((r) => r.id)) } : none)}
                className="size-4 accent-indigo-600"
              />
              Select all shown
            </label>
            {allOnPage && selection.kind === "some" && runs.hasNextPage && (
              <button type="button" onClick={() => setSelection({ kind: "matching" })} className={ghostButton}>
                Select all runs that match the filters
              </button>
            )}
            {anySelected && <span className="text-slate-600 dark:text-slate-400">Selected: {chosen}</span>}
            <button type="button" disabled={!anySelected} onClick={() => setConfirming(true)} className={`${dangerButton} ml-auto`}>
              Delete…
            </button>
          </div>
        )}
        {runs.isPending && <p className="px-4 py-6 text-center text-sm text-slate-500">Loading…</p>}
        {runs.isSuccess && list.length === 0 && (
          <p className="px-4 py-8 text-center text-sm text-slate-500 dark:text-slate-400">
            {Object.keys(filters).length ? "No runs match these filters." : "No runs yet. Runs appear here as soon as a flow runs: from the editor, a webhook, a schedule or a message."}
          </p>
        )}
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {list.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              slug={workspace.slug}
              selectable={canDelete}
              selected={selectedIds.has(run.id)}
              onSelect={(on) => toggle(run.id, on)}
              canRetry={canRetry}
              retrying={retry.isPending}
              onRetry={(from) => void doRetry(run.id, run.flowId, from).catch(() => undefined)}
            />
          ))}
        </ul>
        {runs.hasNextPage && (
          <div className="border-t border-slate-200 p-3 text-center dark:border-slate-800">
            <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} className={secondaryButton}>
              {runs.isFetchingNextPage ? "Loading…" : "Load more runs"}
            </button>
          </div>
        )}
      </section>
      <Modal open={confirming} onClose={() => setConfirming(false)} title="Delete runs?">
        <p className="text-sm">
          Delete {chosen}? Their steps and data go with them; this cannot be undone. Runs still queued or running are kept.
        </p>
        {remove.error && <ErrorAlert>{remove.error.message}</ErrorAlert>}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={() => setConfirming(false)} className={secondaryButton}>
            Cancel
          </button>
          <button
            type="button"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(
                selection.kind === "matching"
                  ? { workspaceId: workspace.id, filter }
                  : { workspaceId: workspace.id, runIds: [...selection.ids] },
              )
            }
            className={dangerButton}
          >
            {remove.isPending ? "Deleting…" : "Delete runs"}
          </button>
        </div>
      </Modal>
    </div>
  );
}
