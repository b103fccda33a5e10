"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { issueInWords, type FlowDocument } from "@/nodes/_core/flow-document";
import type { ShowNotice } from "./editor-notice";
import { issuesOf, type FlowRef } from "./use-flow-issues";
import { useRunWatch } from "./use-run-watch";

/**
 * Runs from the editor: the live run of the draft (started here or by a voice recording) and a past run opened
 * from the runs panel, which makes the canvas read-only while it is looked at.
 */
export function useRunControl({ ref, document, flush, show }: { ref: FlowRef; document: FlowDocument; flush: () => Promise<boolean>; show: ShowNotice }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [liveRunId, setLiveRunId] = useState<string | null>(null);
  // A link from the workspace's runs page (`?run=<id>`) opens that run on the canvas.
  const linkedRunId = useSearchParams().get("run");
  const [viewRunId, setViewRunId] = useState<string | null>(linkedRunId);

  const watchedRunId = viewRunId ?? liveRunId;
  const run = useRunWatch(watchedRunId);
  const runDetail = useQuery({ ...trpc.run.get.queryOptions({ workspaceId: ref.workspaceId, runId: watchedRunId ?? "" }), enabled: Boolean(watchedRunId) });
  const refetchRun = runDetail.refetch;
  const finishedAt = run?.finishedAt;
  useEffect(() => {
    if (!finishedAt || !watchedRunId) return;
    // The run as stored once it has ended. A first fetch still out may answer with the run as it was before; a
    // refetch would only share it (a query with no data yet keeps its first fetch), so that one is cancelled first.
    const queryKey = trpc.run.get.queryKey({ workspaceId: ref.workspaceId, runId: watchedRunId });
    void queryClient.cancelQueries({ queryKey }).then(() => refetchRun());
  }, [finishedAt, watchedRunId, ref.workspaceId, trpc, queryClient, refetchRun]);
  const running = run !== null && (run.status === "running" || run.status === "queued") && run.runId === liveRunId;
  const startRun = useMutation(trpc.run.start.mutationOptions());
  const cancelRun = useMutation(trpc.run.cancel.mutationOptions());

  // A run of the draft just started (by Run, or by a recording from the voice trigger's panel): follow it live.
  const followRun = useCallback(
    (runId: string) => {
      setViewRunId(null);
      setLiveRunId(runId);
      void queryClient.invalidateQueries({ queryKey: trpc.run.list.infiniteQueryKey() });
    },
    [queryClient, trpc],
  );

  const launch = useCallback(
    async (options: { input?: unknown; onlyNodeId?: string }) => {
      if (!(await flush())) {
        show("error", "The draft could not be saved, so it was not run. Fix what the save status says first.");
        return;
      }
      try {
        const { runId } = await startRun.mutateAsync({ ...ref, source: "draft", ...options });
        followRun(runId);
      } catch (err) {
        const details = issuesOf(err).map((i) => issueInWords(document, i));
        show("error", details.length ? "The flow cannot run yet:" : err instanceof Error ? err.message : String(err), details);
      }
    },
    [flush, startRun, ref, document, show, followRun],
  );

  const stop = useCallback(() => {
    if (liveRunId) cancelRun.mutate({ workspaceId: ref.workspaceId, runId: liveRunId });
  }, [liveRunId, cancelRun, ref.workspaceId]);

  return {
    liveRunId,
    viewRunId,
    watchedRunId,
    run,
    runDetail: runDetail.data,
    running,
    starting: startRun.isPending,
    followRun,
    launch,
    stop,
    openRun: setViewRunId,
    closeRunView: useCallback(() => setViewRunId(null), []),
    clearLiveRun: useCallback(() => setLiveRunId(null), []),
  };
}
