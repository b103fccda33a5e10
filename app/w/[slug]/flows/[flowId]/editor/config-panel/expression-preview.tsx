"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { ghostButton } from "@/app/w/[slug]/credentials/form-controls";

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function shown(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value, null, 2);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** What the field's expressions give for the node's input in the last run (or the run being shown). */
export function ExpressionPreview({
  id,
  workspaceId,
  flowId,
  nodeId,
  runId,
  path,
  expression,
}: {
  id: string;
  workspaceId: string;
  flowId: string;
  nodeId: string;
  runId?: string;
  path: string;
  /** The field's value: text with `{{ … }}`, or JSON (a body) with expressions in its strings. */
  expression: string | unknown[] | Record<string, unknown>;
}) {
  const trpc = useTRPC();
  const [itemIndex, setItemIndex] = useState(0);
  const settled = useDebounced(expression, 300);
  const hasMarkers = (typeof settled === "string" ? settled : JSON.stringify(settled)).includes("{{");
  const preview = useQuery(
    trpc.run.previewExpression.queryOptions(
      { workspaceId, flowId, nodeId, runId, expression: settled, field: path, itemIndex },
      { enabled: hasMarkers, placeholderData: keepPreviousData, staleTime: 30_000 },
    ),
  );
  const result = preview.data;
  return (
    <div id={id} aria-live="polite" className="rounded-md border border-dashed border-slate-300 bg-slate-50 p-2 text-xs dark:border-slate-700 dark:bg-slate-900/60">
      <div className="flex items-center justify-between gap-2 text-slate-500 dark:text-slate-400">
        <span>
          Preview
          {result && result.runId && result.itemCount > 0 && ` · item ${result.itemIndex + 1} of ${result.itemCount}`}
          {result && !result.runId && " · no run data yet: an empty item"}
        </span>
        {result && result.itemCount > 1 && (
          <span className="flex gap-1">
            <button type="button" className={ghostButton} disabled={result.itemIndex === 0} onClick={() => setItemIndex(result.itemIndex - 1)} aria-label="Previous item">
              ‹
            </button>
            <button
              type="button"
              className={ghostButton}
              disabled={result.itemIndex >= result.itemCount - 1}
              onClick={() => setItemIndex(result.itemIndex + 1)}
              aria-label="Next item"
            >
              ›
            </button>
          </span>
        )}
      </div>
      {!hasMarkers && <p className="text-slate-500 dark:text-slate-400">Write {"{{ … }}"} to compute a value, such as {"{{ $json.name }}"}.</p>}
      {preview.error && <p className="text-red-700 dark:text-red-400">{preview.error.message}</p>}
      {result?.ok === true && <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all font-mono text-slate-800 dark:text-slate-200">{shown(result.value)}</pre>}
      {result?.ok === false && (
        <p className="whitespace-pre-wrap font-mono text-red-700 dark:text-red-400">
          {result.error.message}
          {result.error.position !== undefined && (
            <>
              {typeof expression === "string" && `\n${expression}\n${" ".repeat(Math.max(0, result.error.position - 1))}^`}
            </>
          )}
        </p>
      )}
    </div>
  );
}
