"use client";

import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, useStoreApi, type Edge, type EdgeProps, type InternalNode, type ReactFlowState } from "@xyflow/react";
import { memo, useCallback } from "react";
import type { ShownProblem } from "./editor-types";

export type FlowCanvasEdge = Edge<{ problems: ShownProblem[] }, "flow">;

/** How far below the lower of its two nodes a connection that runs backwards is drawn. */
const LOOP_CLEARANCE = 48;

const bottomOf = (node: InternalNode | undefined) => (node ? node.internals.positionAbsolute.y + (node.measured.height ?? 0) : 0);

/**
 * The way around for a connection whose input lies left of its output (a loop back, or nodes placed right to
 * left): out to the right, under both nodes, and in from the left, so it is never hidden behind the cards it joins.
 */
function aroundPath({ sx, sy, tx, ty, below }: { sx: number; sy: number; tx: number; ty: number; below: number }): [string, number, number] {
  const reach = 40;
  const path = `M ${sx},${sy} C ${sx + reach * 2},${sy} ${sx + reach * 2},${below} ${sx},${below} L ${tx},${below} C ${tx - reach * 2},${below} ${tx - reach * 2},${ty} ${tx},${ty}`;
  return [path, (sx + tx) / 2, below];
}

/**
 * A connection: a curve from output to input, or the way around when it runs backwards. One with problems (a loop)
 * is drawn red and dashed, with a marker that names the problem on hover and focus and selects the connection.
 */
export const FlowEdgeLine = memo(function FlowEdgeLine(props: EdgeProps<FlowCanvasEdge>) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, style, selected, data, markerEnd, interactionWidth } = props;
  const store = useStoreApi();
  const backwards = targetX < sourceX + 24;
  // Only a connection drawn around its nodes follows their sizes; the others re-render for nothing else.
  const lowest = useStore(useCallback((s: ReactFlowState) => (backwards ? Math.max(bottomOf(s.nodeLookup.get(source)), bottomOf(s.nodeLookup.get(target))) : 0), [backwards, source, target]));
  const [path, labelX, labelY] = backwards
    ? aroundPath({ sx: sourceX, sy: sourceY, tx: targetX, ty: targetY, below: Math.max(lowest, sourceY, targetY) + LOOP_CLEARANCE })
    : getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const problems = data?.problems ?? [];
  const text = problems.map((p) => p.message).join("\n");
  const marked = problems.length > 0;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={interactionWidth}
        style={marked ? { ...style, stroke: selected ? "#b91c1c" : "#ef4444", strokeWidth: 2.5, strokeDasharray: "6 4" } : style}
      />
      {marked && (
        <EdgeLabelRenderer>
          <div className="nodrag nopan group pointer-events-auto absolute" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            <button
              type="button"
              aria-label="Problem on this connection"
              aria-describedby={`${id}-problem`}
              onClick={() => store.getState().addSelectedEdges([id])}
              className="flex size-6 items-center justify-center rounded-full border-2 border-white bg-red-600 text-xs font-bold text-white shadow focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 dark:border-slate-900"
            >
              !
            </button>
            <span
              id={`${id}-problem`}
              role="tooltip"
              className="pointer-events-none absolute top-7 left-1/2 hidden w-72 -translate-x-1/2 rounded-md border border-red-300 bg-white px-2 py-1 text-xs text-red-900 shadow-md group-focus-within:block group-hover:block dark:border-red-800 dark:bg-slate-900 dark:text-red-100"
            >
              {text}
            </span>
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

// At module scope, so React Flow never sees a new object.
export const edgeTypes = { flow: FlowEdgeLine };
