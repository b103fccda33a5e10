"use client";

import { Background, BackgroundVariant, Controls, Handle, Position, ReactFlow, ReactFlowProvider, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useMemo } from "react";
import type { DiffStatus, FlowDiff, NodeDiff } from "@/nodes/_core/flow-diff";

type DiffNodeData = { diff: NodeDiff };
type DiffCanvasNode = Node<DiffNodeData, "diff">;

/** How each kind of change looks; the same words are on the cards, so colour is never the only sign. */
const look: Record<DiffStatus, { card: string; badge: string; label: string }> = {
  added: {
    card: "border-emerald-500 bg-emerald-50 dark:border-emerald-500 dark:bg-emerald-950",
    badge: "bg-emerald-600 text-white",
    label: "Added",
  },
  removed: {
    card: "border-dashed border-red-500 bg-red-50 opacity-80 dark:border-red-500 dark:bg-red-950",
    badge: "bg-red-600 text-white",
    label: "Removed",
  },
  changed: {
    card: "border-amber-500 bg-amber-50 dark:border-amber-500 dark:bg-amber-950",
    badge: "bg-amber-500 text-amber-950",
    label: "Changed",
  },
  moved: {
    card: "border-sky-400 bg-white dark:border-sky-600 dark:bg-slate-900",
    badge: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
    label: "Moved",
  },
  unchanged: {
    card: "border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-900",
    badge: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
    label: "Unchanged",
  },
};

const edgeColor = { added: "var(--color-emerald-500)", removed: "var(--color-red-500)", unchanged: "var(--color-slate-400)" } as const;

const DiffNodeCard = memo(function DiffNodeCard({ data }: NodeProps<DiffCanvasNode>) {
  const { diff } = data;
  const style = look[diff.status];
  const shown = diff.changes.filter((c) => c !== "position");
  return (
    <div className={`w-[220px] rounded-lg border-2 px-3 py-2 text-left shadow-sm ${style.card}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate font-medium text-slate-900 dark:text-slate-100" title={diff.name}>
          {diff.name}
        </span>
        <span className={`shrink-0 rounded px-1.5 text-[11px] font-semibold ${style.badge}`}>{style.label}</span>
      </div>
      <p className="truncate text-xs text-slate-500 dark:text-slate-400">{diff.type}</p>
      {shown.length > 0 && (
        <p className="mt-1 truncate text-xs text-amber-900 dark:text-amber-200" title={shown.join(", ")}>
          {shown.join(", ")}
        </p>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { diff: DiffNodeCard };

function nodeLabel(diff: NodeDiff): string {
  const changes = diff.changes.filter((c) => c !== "position");
  return `${diff.name}, ${diff.status}${diff.status === "changed" && changes.length ? `: ${changes.join(", ")}` : ""}`;
}

/**
 * Both documents on one read-only canvas: every node of either, where the later one has it (a removed node where
 * it was), each marked added, removed, changed, moved or unchanged, and every connection of either, coloured by
 * whether it was added or removed.
 */
export function DiffCanvas({ diff }: { diff: FlowDiff }) {
  const nodes = useMemo<DiffCanvasNode[]>(
    () =>
      diff.nodes.map((n) => ({
        id: n.id,
        type: "diff",
        position: (n.after ?? n.before)!.position,
        data: { diff: n },
        ariaLabel: nodeLabel(n),
        draggable: false,
        selectable: false,
        connectable: false,
      })),
    [diff],
  );
  const edges = useMemo<Edge[]>(() => {
    const names = new Map(diff.nodes.map((n) => [n.id, n.name]));
    return diff.edges.map((e) => ({
      id: `${e.status}:${e.id}`,
      source: e.source,
      target: e.target,
      ariaLabel: `Connection from ${names.get(e.source) ?? e.source} (${e.sourcePort}) to ${names.get(e.target) ?? e.target} (${e.targetPort}), ${e.status}`,
      label: e.sourcePort !== "out" || e.targetPort !== "in" ? `${e.sourcePort} → ${e.targetPort}` : undefined,
      style: { stroke: edgeColor[e.status], strokeWidth: e.status === "unchanged" ? 1.5 : 2.5, strokeDasharray: e.status === "removed" ? "6 4" : undefined },
      selectable: false,
      focusable: true,
    }));
  }, [diff]);

  return (
    <ReactFlowProvider>
      <ReactFlow<DiffCanvasNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        minZoom={0.1}
        maxZoom={2}
        colorMode="system"
        attributionPosition="top-right"
        className="[--xy-background-color:var(--color-slate-50)] dark:[--xy-background-color:var(--color-slate-950)] dark:[--xy-attribution-background-color:var(--color-slate-900)] dark:[--xy-controls-button-background-color:var(--color-slate-800)] dark:[--xy-controls-button-color:var(--color-slate-100)] dark:[--xy-controls-button-border-color:var(--color-slate-700)]"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </ReactFlowProvider>
  );
}

/** The key to the marks, in the same colours and words. */
export function DiffLegend() {
  return (
    <ul aria-label="Legend" className="flex flex-wrap gap-2 text-xs">
      {(["added", "removed", "changed", "moved"] as const).map((status) => (
        <li key={status} className={`rounded border-2 px-1.5 ${look[status].card}`}>
          {look[status].label}
        </li>
      ))}
    </ul>
  );
}
