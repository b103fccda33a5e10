"use client";

import { Handle, NodeResizer, Position, useStore, useUpdateNodeInternals, type Node, type NodeProps, type ReactFlowState } from "@xyflow/react";
import { createContext, memo, useContext, useEffect, useRef, type CSSProperties } from "react";
import { portOffset } from "./auto-layout";
import type { FlowNodeData, NodeRunState, NodeStatus, NoteData, StickyNote } from "./editor-types";
import { inputHandle, outputHandle, outputsOf } from "./graph-rules";
import { formatDuration } from "@/app/_components/run-display";
import { NodeIcon } from "./node-icon";
import { countLabel } from "./problem-counts";

export const NODE_WIDTH = 220;

/** The height a node card needs for its ports; auto-layout uses the same. */
export function nodeHeight(inputs: number, outputs: number): number {
  return Math.max(68, (Math.max(inputs, outputs) + 1) * 22);
}

/** What sticky notes change through; one stable object, so notes do not re-render when it is made. */
export interface CanvasActions {
  readOnly: boolean;
  updateNote(id: string, patch: Partial<StickyNote>, coalesce?: string): void;
}
export const CanvasActionsContext = createContext<CanvasActions>({ readOnly: true, updateNote: () => {} });

const statusStyle: Record<NodeStatus, { label: string; className: string; icon: string }> = {
  idle: { label: "Idle", className: "", icon: "" },
  running: { label: "Running", className: "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100", icon: "◌" },
  succeeded: { label: "Succeeded", className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100", icon: "✓" },
  failed: { label: "Failed", className: "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100", icon: "✕" },
  skipped: { label: "Skipped", className: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200", icon: "–" },
  cancelled: { label: "Cancelled", className: "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100", icon: "■" },
};

const ringByStatus: Partial<Record<NodeStatus, string>> = {
  running: "ring-2 ring-sky-500 animate-pulse",
  succeeded: "ring-2 ring-emerald-500",
  failed: "ring-2 ring-red-500",
};

const categoryColor: Record<string, string> = {
  trigger: "bg-orange-500",
  flow: "bg-violet-500",
  data: "bg-sky-500",
  network: "bg-teal-500",
  ai: "bg-fuchsia-500",
  media: "bg-rose-500",
  messaging: "bg-amber-500",
  analytics: "bg-emerald-500",
};

const categoryIconColor: Record<string, string> = {
  trigger: "text-orange-600 dark:text-orange-400",
  flow: "text-violet-600 dark:text-violet-400",
  data: "text-sky-600 dark:text-sky-400",
  network: "text-teal-600 dark:text-teal-400",
  ai: "text-fuchsia-600 dark:text-fuchsia-400",
  media: "text-rose-600 dark:text-rose-400",
  messaging: "text-amber-600 dark:text-amber-400",
  analytics: "text-emerald-600 dark:text-emerald-400",
};

export { formatDuration };

function progressText(progress: NodeRunState["progress"]): string {
  if (!progress) return "";
  // A card has room for a few words: the speed when the work reports one (transcoding), else its message.
  const speed = typeof progress.speed === "number" || typeof progress.speed === "string" ? `${progress.speed}x` : "";
  const parts = [typeof progress.percent === "number" ? `${Math.round(progress.percent)}%` : "", speed || (typeof progress.message === "string" ? progress.message : "")];
  return parts.filter(Boolean).join(" · ");
}

function portLabelShown(ports: string[], fallback: string): boolean {
  return ports.length > 1 || (ports.length === 1 && ports[0] !== fallback);
}

/**
 * Below this zoom a card's text is too small to read (under 6 px): cards then show only their frame, colour and
 * ports; the text is not displayed, so the browser neither lays it out, paints it nor hit-tests it. A large flow
 * fitted into view has hundreds of cards, and fewer elements each keep panning and dragging smooth. Each card's
 * name, type, status and problems stay in its accessible name.
 */
const COMPACT_BELOW_ZOOM = 0.4;
const zoomedOut = (s: ReactFlowState) => s.transform[2] < COMPACT_BELOW_ZOOM;

export type FlowCanvasNode = Node<FlowNodeData, "flow">;
export type NoteCanvasNode = Node<NoteData, "note">;

/** One node of the flow: name, type, ports by name, run status and timing, problems, pinned data. */
export const FlowNodeCard = memo(function FlowNodeCard({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const { node, entry, ports, run, issues, pinned } = data;
  const outputs = outputsOf(node, ports);
  const height = nodeHeight(ports.inputs.length, outputs.length);
  // Ports that follow the config (A/B variants, switch rules) come and go after the card was measured: React Flow
  // must measure its handles again, or connections cannot start at them and edges are drawn from the old places.
  const updateNodeInternals = useUpdateNodeInternals();
  const handleKey = `${ports.inputs.join("\n")}|${outputs.join("\n")}`;
  const measuredKey = useRef(handleKey);
  useEffect(() => {
    // React Flow measures each card as it mounts; only a change afterwards needs telling.
    if (measuredKey.current === handleKey) return;
    measuredKey.current = handleKey;
    updateNodeInternals(id);
  }, [id, handleKey, updateNodeInternals]);
  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  const status = run?.status ?? "idle";
  const style = statusStyle[status];
  const showInputs = portLabelShown(ports.inputs, "in");
  const showOutputs = portLabelShown(outputs, "out");
  const streamed = run?.streams?.at(-1);
  // Streaming text (an LLM's reply) shows its latest words; other work its percent and message.
  const progress = status !== "running" ? "" : streamed ? `…${streamed.slice(-40).replace(/\s+/g, " ")}` : progressText(run?.progress);
  const compact = useStore(zoomedOut);
  return (
    <div
      style={{ width: NODE_WIDTH, height }}
      className={`relative flex rounded-lg border bg-white text-slate-900 shadow-sm dark:bg-slate-900 dark:text-slate-100 ${
        selected ? "border-indigo-500 shadow-md" : errors.length ? "border-red-500" : warnings.length ? "border-amber-500" : "border-slate-300 dark:border-slate-700"
      } ${ringByStatus[status] ?? ""} ${node.disabled ? "opacity-60" : ""}`}
    >
      <div aria-hidden className={`w-1.5 shrink-0 rounded-l-lg ${categoryColor[entry?.category ?? ""] ?? "bg-slate-400"}`} />
      <div className={`${compact ? "hidden" : "flex"} min-w-0 flex-1 flex-col justify-center gap-0.5 py-1.5 ${showInputs ? "pl-8" : "pl-3"} ${showOutputs ? "pr-12" : "pr-3"}`}>
        <div className="flex items-center gap-1.5">
          <NodeIcon name={entry?.icon} className={`size-4 shrink-0 ${categoryIconColor[entry?.category ?? ""] ?? "text-slate-500 dark:text-slate-400"}`} />
          <span className={`truncate text-sm font-semibold ${node.disabled ? "line-through" : ""}`}>{node.name}</span>
          {pinned && (
            <span title="Output pinned: test runs use the pinned items" className="shrink-0 rounded bg-indigo-100 px-1 text-[10px] font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">
              pinned
            </span>
          )}
        </div>
        <div className="truncate text-xs text-slate-500 dark:text-slate-400">{entry?.name ?? `Unknown type ${node.type}`}</div>
        <div className="flex min-h-4 items-center gap-1.5 overflow-hidden text-[11px] whitespace-nowrap">
          {status !== "idle" && (
            <span className={`inline-flex items-center gap-0.5 rounded px-1 font-medium ${style.className}`} data-status={status}>
              <span aria-hidden>{style.icon}</span> {style.label}
            </span>
          )}
          {run?.durationMs !== undefined && status !== "running" && status !== "skipped" && <span className="text-slate-500 dark:text-slate-400">{formatDuration(run.durationMs)}</span>}
          {run?.itemCount !== undefined && status === "succeeded" && (
            <span className="text-slate-500 dark:text-slate-400">
              {run.itemCount} item{run.itemCount === 1 ? "" : "s"}
            </span>
          )}
          {/* In the status row, so a running card keeps its height: percent and speed, or the latest streamed words. */}
          {progress && (
            <span title={typeof run?.progress?.message === "string" ? run.progress.message : progress} className="min-w-0 truncate text-sky-700 dark:text-sky-300">
              {progress}
            </span>
          )}
          {errors.length > 0 && (
            <span title={errors.map((i) => i.message).join("\n")} className="inline-flex items-center rounded bg-red-100 px-1 font-medium text-red-800 dark:bg-red-950 dark:text-red-200">
              ⚠ {countLabel(errors.length, "problem")}
            </span>
          )}
          {warnings.length > 0 && (
            <span title={warnings.map((i) => i.message).join("\n")} className="inline-flex items-center rounded bg-amber-100 px-1 font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              {countLabel(warnings.length, "warning")}
            </span>
          )}
        </div>
        {status === "running" && typeof run?.progress?.percent === "number" && (
          <div
            role="progressbar"
            aria-label={`${node.name} progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(Math.min(100, Math.max(0, run.progress.percent)))}
            className="absolute inset-x-2 bottom-1 h-1 overflow-hidden rounded bg-sky-100 dark:bg-sky-950"
          >
            <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${Math.min(100, Math.max(0, run.progress.percent))}%` }} />
          </div>
        )}
      </div>
      {ports.inputs.map((port, i) => (
        <Port key={`i-${port}`} id={inputHandle(port)} name={`Input ${port} of ${node.name}`} type="target" position={Position.Left} top={portOffset(i, ports.inputs.length, height)} label={showInputs && !compact ? port : null} />
      ))}
      {outputs.map((port, i) => (
        <Port key={`o-${port}`} id={outputHandle(port)} name={`Output ${port} of ${node.name}`} type="source" position={Position.Right} top={portOffset(i, outputs.length, height)} label={showOutputs && !compact ? port : null} />
      ))}
    </div>
  );
});

/** A port's handle, named for assistive technology and on hover ("Output out of Fetch"). */
function Port({ id, name, type, position, top, label }: { id: string; name: string; type: "source" | "target"; position: Position; top: number; label: string | null }) {
  const left = position === Position.Left;
  const style: CSSProperties = { top };
  return (
    <>
      {/* Centred on the card's edge by margins rather than React Flow's translate: a transformed element is a
          layer of its own to the browser, and a large flow has two of these per card. */}
      <Handle
        id={id}
        type={type}
        position={position}
        style={style}
        role="img"
        aria-label={name}
        title={name}
        className={`!h-3 !w-3 !-mt-1.5 !transform-none !border-2 !border-white !bg-slate-500 hover:!bg-indigo-500 dark:!border-slate-900 dark:!bg-slate-400 ${left ? "!-ml-1.5" : "!-mr-1.5"}`}
      />
      {label && (
        <span
          style={{ top: top - 8 }}
          className={`pointer-events-none absolute text-[10px] leading-4 text-slate-500 dark:text-slate-400 ${left ? "left-2" : "right-2 text-right"} max-w-[5.5rem] truncate`}
        >
          {label}
        </span>
      )}
    </>
  );
}

export const NOTE_COLORS: Record<StickyNote["color"], string> = {
  yellow: "bg-yellow-100 border-yellow-300 dark:bg-yellow-950 dark:border-yellow-800",
  blue: "bg-sky-100 border-sky-300 dark:bg-sky-950 dark:border-sky-800",
  green: "bg-emerald-100 border-emerald-300 dark:bg-emerald-950 dark:border-emerald-800",
  pink: "bg-pink-100 border-pink-300 dark:bg-pink-950 dark:border-pink-800",
  gray: "bg-slate-100 border-slate-300 dark:bg-slate-800 dark:border-slate-600",
};

const swatch: Record<StickyNote["color"], string> = {
  yellow: "bg-yellow-300",
  blue: "bg-sky-300",
  green: "bg-emerald-300",
  pink: "bg-pink-300",
  gray: "bg-slate-300",
};

/** A sticky note: text edited in place, resized by its corners, coloured from a few swatches. */
export const StickyNoteCard = memo(function StickyNoteCard({ data, selected }: NodeProps<NoteCanvasNode>) {
  const { note } = data;
  const actions = useContext(CanvasActionsContext);
  return (
    <div className={`flex h-full w-full flex-col rounded-md border shadow-sm ${NOTE_COLORS[note.color]} ${selected ? "ring-2 ring-indigo-500" : ""}`}>
      <NodeResizer
        isVisible={selected && !actions.readOnly}
        minWidth={120}
        minHeight={80}
        onResizeEnd={(_, size) => actions.updateNote(note.id, { width: Math.round(size.width), height: Math.round(size.height), position: { x: Math.round(size.x), y: Math.round(size.y) } })}
      />
      {selected && !actions.readOnly && (
        <div className="flex items-center gap-1 px-2 pt-1.5" role="group" aria-label="Note colour">
          {(Object.keys(swatch) as StickyNote["color"][]).map((color) => (
            <button
              key={color}
              type="button"
              aria-label={`Note colour ${color}`}
              aria-pressed={note.color === color}
              onClick={() => actions.updateNote(note.id, { color })}
              className={`nodrag h-4 w-4 rounded-full border border-black/20 ${swatch[color]} ${note.color === color ? "ring-2 ring-indigo-500 ring-offset-1" : ""}`}
            />
          ))}
        </div>
      )}
      <textarea
        aria-label="Note text"
        value={note.text}
        readOnly={actions.readOnly}
        placeholder={actions.readOnly ? "" : "Write a note…"}
        onChange={(e) => actions.updateNote(note.id, { text: e.target.value }, `note:${note.id}:text`)}
        className="nodrag nowheel h-full w-full flex-1 resize-none bg-transparent p-2 text-sm text-slate-800 outline-none placeholder:text-slate-500 dark:text-slate-100"
      />
    </div>
  );
});

// At module scope, so React Flow never sees a new object and re-mounts every node.
export const nodeTypes = { flow: FlowNodeCard, note: StickyNoteCard };
