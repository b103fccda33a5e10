"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { Modal, ghostButton, primaryButton } from "../../../credentials/form-controls";
import { useExport } from "../../../export-actions";
import type { FlowRef } from "./use-flow-issues";

/** Downloading the flow as a flow file: its draft, saved first, or one of its versions. */
export function ExportFlowDialog({ open, flowRef, liveNumber, flush, onClose }: { open: boolean; flowRef: FlowRef; liveNumber: number | null; flush: () => Promise<boolean>; onClose(): void }) {
  const trpc = useTRPC();
  const versions = useQuery({ ...trpc.flow.versions.queryOptions(flowRef), enabled: open });
  const { exportFlow, pending, error } = useExport();
  const [picked, setPicked] = useState<"draft" | number>("draft");
  const [unsaved, setUnsaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // The draft on the server is what is exported: unsaved edits go there first.
    const saved = picked !== "draft" || (await flush());
    setUnsaved(!saved);
    if (!saved) return;
    await exportFlow({ flowId: flowRef.flowId, ...(picked === "draft" ? {} : { version: picked }) });
  }

  const option = "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800";
  return (
    <Modal open={open} onClose={onClose} title="Export flow">
      <form onSubmit={(e) => void submit(e)} className="space-y-4">
        <fieldset className="space-y-1">
          <legend className="mb-1 text-sm font-medium">What to export</legend>
          <label className={option}>
            <input type="radio" name="export-what" checked={picked === "draft"} onChange={() => setPicked("draft")} />
            <span>The draft, as you see it now</span>
          </label>
          {versions.isPending && <p className="px-2 text-xs text-slate-500">Loading versions…</p>}
          <div className="max-h-64 space-y-1 overflow-y-auto">
            {versions.data?.map((v) => (
              <label key={v.id} className={option}>
                <input type="radio" name="export-what" checked={picked === v.number} onChange={() => setPicked(v.number)} />
                <span className="font-medium">v{v.number}</span>
                {v.number === liveNumber && <span className="rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">Live</span>}
                <span className="min-w-0 flex-1 truncate text-slate-600 dark:text-slate-400">{v.message || "No message"}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <p className="text-xs text-slate-600 dark:text-slate-400">A flow file holds the flow and the names and types of the credentials it uses, never their secrets.</p>
        {unsaved && <ErrorAlert>The draft could not be saved, so it was not exported: the editor’s header says why. Export a saved version, or try again.</ErrorAlert>}
        {(error ?? versions.error) && <ErrorAlert>{error ?? versions.error?.message}</ErrorAlert>}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onClose} className={ghostButton}>
            Close
          </button>
          <button type="submit" disabled={pending} className={primaryButton}>
            {pending ? "Exporting…" : "Download"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
