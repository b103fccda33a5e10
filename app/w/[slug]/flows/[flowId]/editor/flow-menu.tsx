"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { rememberCopyNotice, takeCopyNotice } from "../../../flow-copy";
import type { ShowNotice } from "./editor-notice";
import { ExportFlowDialog } from "./export-flow-dialog";
import { toolButton } from "./tool-button";
import type { FlowRef } from "./use-flow-issues";
import { useDismiss } from "@/app/_components/use-dismiss";
import { GenerateDashboardDialog } from "../../../dashboards/generate-dashboard-dialog";

/** The flow's own actions beside its name; and, in a copy just made, the notice of what the copy changed. */
export function FlowMenu({
  flowRef,
  workspaceSlug,
  editor,
  dashboards,
  liveNumber,
  flush,
  show,
}: {
  flowRef: FlowRef;
  workspaceSlug: string;
  /** Whether the person may change flows (duplicating makes one); everyone who sees a flow may export it. */
  editor: boolean;
  /** Whether the person may make dashboards (one from this flow's outputs). */
  dashboards: boolean;
  liveNumber: number | null;
  /** Saves the draft now: exporting the draft exports what the server holds. */
  flush: () => Promise<boolean>;
  show: ShowNotice;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [generating, setGenerating] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const duplicate = useMutation(trpc.flow.duplicate.mutationOptions());

  useEffect(() => {
    const notice = takeCopyNotice(flowRef.flowId);
    if (notice) show("info", notice.text, notice.details.length ? notice.details : undefined);
  }, [flowRef.flowId, show]);

  useDismiss({ open, close: useCallback(() => setOpen(false), []), within: menu });

  async function makeCopy() {
    setOpen(false);
    try {
      const result = await duplicate.mutateAsync(flowRef);
      await queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
      rememberCopyNotice(result);
      router.push(`/w/${workspaceSlug}/flows/${result.flow.id}`);
    } catch (err) {
      show("error", `The flow was not duplicated: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  return (
    <div ref={menu} className="relative shrink-0">
      <button type="button" aria-label="Flow menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} className={toolButton}>
        ⋯
      </button>
      {open && (
        <div role="menu" aria-label="Flow" className="absolute top-full left-0 z-30 mt-1 min-w-[11rem] rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <button
            type="button"
            role="menuitem"
            autoFocus
            onClick={() => {
              setOpen(false);
              setExporting(true);
            }}
            className="block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Export…
          </button>
          {editor && (
            <button
              type="button"
              role="menuitem"
              disabled={duplicate.isPending}
              onClick={() => void makeCopy()}
              className="block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800"
            >
              Duplicate flow
            </button>
          )}
          {dashboards && (
            <button
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                // The dialog adds publish nodes to the draft the server holds: it must hold what is on screen.
                void flush().then((saved) => (saved ? setGenerating(true) : show("error", "The draft could not be saved, so no dashboard can be made from it yet; try again.")));
              }}
              className="block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
            >
              Create dashboard…
            </button>
          )}
        </div>
      )}
      {generating && <GenerateDashboardDialog open flowId={flowRef.flowId} onClose={() => setGenerating(false)} />}
      <ExportFlowDialog open={exporting} flowRef={flowRef} liveNumber={liveNumber} flush={flush} onClose={() => setExporting(false)} />
    </div>
  );
}
