"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { describeFlowDiff, diffFlows } from "@/nodes/_core/flow-diff";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { DiffCanvas, DiffLegend } from "./diff-canvas";
import { JsonDiffView } from "./json-diff-view";

/** One side of a comparison: a saved version by number, or the editor's draft. */
export type CompareSide = number | "draft";

const sideValue = (side: CompareSide) => (side === "draft" ? "draft" : `v${side}`);
const parseSide = (value: string): CompareSide => (value === "draft" ? "draft" : Number(value.slice(1)));

/**
 * What changed from one version to another (or to the draft): on a canvas with each node and connection marked,
 * and as a line diff of the two documents in stable JSON.
 */
export function VersionCompareDialog({
  workspaceId,
  flowId,
  draft,
  versions,
  from,
  onClose,
}: {
  workspaceId: string;
  flowId: string;
  draft: FlowDocument;
  versions: { number: number; message: string }[];
  from: number;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [before, setBefore] = useState<CompareSide>(from);
  const [after, setAfter] = useState<CompareSide>("draft");
  const [tab, setTab] = useState<"canvas" | "json">("canvas");
  const beforeDoc = useSideDocument({ workspaceId, flowId, draft, side: before });
  const afterDoc = useSideDocument({ workspaceId, flowId, draft, side: after });

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  const diff = useMemo(() => (beforeDoc.document && afterDoc.document ? diffFlows(beforeDoc.document, afterDoc.document) : null), [beforeDoc.document, afterDoc.document]);
  const error = beforeDoc.error ?? afterDoc.error;
  const options = [
    ...versions.map((v) => ({ value: sideValue(v.number), label: v.message ? `v${v.number} — ${v.message}` : `v${v.number}` })),
    { value: "draft", label: "The draft" },
  ];
  const select = "min-w-0 max-w-[16rem] rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950";
  const tabButton = (id: "canvas" | "json", label: string) => (
    <button
      type="button"
      role="tab"
      id={`compare-tab-${id}`}
      aria-selected={tab === id}
      aria-controls={`compare-panel-${id}`}
      onClick={() => setTab(id)}
      className={`rounded-md px-3 py-1 text-sm ${tab === id ? "bg-slate-200 font-medium dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
    >
      {label}
    </button>
  );

  return (
    <dialog
      ref={dialog}
      aria-labelledby="compare-title"
      onClose={onClose}
      className="m-auto flex h-[88vh] w-[min(80rem,96vw)] max-w-none flex-col overflow-hidden rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 id="compare-title" className="text-lg font-semibold">
          Compare versions
        </h2>
        {(
          [
            ["Compare", before, setBefore],
            ["with", after, setAfter],
          ] as const
        ).map(([word, side, setSide]) => (
          <label key={word} className="flex items-center gap-1.5 text-sm">
            <span>{word}</span>
            <select aria-label={word === "with" ? "With" : word} value={sideValue(side)} onChange={(e) => setSide(parseSide(e.target.value))} className={select}>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="button" onClick={() => dialog.current?.close()} className="ml-auto rounded-md px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
          Close
        </button>
      </header>
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <div role="tablist" aria-label="View" className="flex gap-1">
          {tabButton("canvas", "Canvas")}
          {tabButton("json", "JSON")}
        </div>
        <p role="status" className="text-sm font-medium">
          {error ? "" : diff ? describeFlowDiff(diff) : "Loading…"}
        </p>
        {tab === "canvas" && <div className="ml-auto"><DiffLegend /></div>}
      </div>
      {error && (
        <p role="alert" className="m-4 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <div id="compare-panel-canvas" role="tabpanel" aria-labelledby="compare-tab-canvas" hidden={tab !== "canvas"} className="relative min-h-0 flex-1">
        {/* Keyed by the pair, so the view fits the new graph when either side changes. */}
        {diff && tab === "canvas" && <DiffCanvas key={`${sideValue(before)}:${sideValue(after)}`} diff={diff} />}
      </div>
      <div id="compare-panel-json" role="tabpanel" aria-labelledby="compare-tab-json" hidden={tab !== "json"} className="min-h-0 flex-1 overflow-auto">
        {tab === "json" && beforeDoc.document && afterDoc.document && <JsonDiffView before={beforeDoc.document} after={afterDoc.document} />}
      </div>
    </dialog>
  );
}

function useSideDocument({ workspaceId, flowId, draft, side }: { workspaceId: string; flowId: string; draft: FlowDocument; side: CompareSide }) {
  const trpc = useTRPC();
  const version = useQuery({
    ...trpc.flow.version.queryOptions({ workspaceId, flowId, number: side === "draft" ? 1 : side }),
    enabled: side !== "draft",
    // A version never changes once saved.
    staleTime: Infinity,
  });
  if (side === "draft") return { document: draft, error: null };
  return { document: version.data?.document ?? null, error: version.error?.message ?? null };
}
