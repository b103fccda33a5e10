"use client";

import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnSelectionChangeParams,
  type ReactFlowInstance,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from "react";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { newId } from "./clipboard";
import { edgeTypes, type FlowCanvasEdge } from "./canvas-edges";
import { CanvasActionsContext, nodeTypes, type CanvasActions, type FlowCanvasNode, type NoteCanvasNode } from "./canvas-nodes";
import type { CatalogEntry, FlowNodeData, NodeRunState, ShownProblem, StickyNote } from "./editor-types";
import { flowBounds, initialViewport } from "./initial-viewport";
import { checkConnection, inputHandle, outputHandle, type Connection, type NodePorts } from "./graph-rules";
import { countLabel } from "./problem-counts";
import { usePaletteDrop } from "./use-palette-drop";

type CanvasNode = FlowCanvasNode | NoteCanvasNode;
export type DocumentChange = (update: (document: FlowDocument) => FlowDocument, options?: { coalesce?: string }) => void;

export interface CanvasSelection {
  nodeIds: string[];
  noteIds: string[];
  edgeIds: string[];
}

interface FlowCanvasProps {
  document: FlowDocument;
  catalog: ReadonlyMap<string, CatalogEntry>;
  ports: ReadonlyMap<string, NodePorts>;
  runStates: ReadonlyMap<string, NodeRunState> | null;
  issuesByNode: ReadonlyMap<string, ShownProblem[]>;
  issuesByEdge: ReadonlyMap<string, ShownProblem[]>;
  readOnly: boolean;
  snapToGrid: boolean;
  change: DocumentChange;
  onSelection(selection: CanvasSelection): void;
  onRefuse(reason: string): void;
  onDropType(type: string, position: { x: number; y: number }): void;
  onOpenNode(nodeId: string): void;
  /** Nodes, notes or edges to select (after a paste or an add, or a problem picked); a new object each time. */
  selectRequest: { ids: string[] } | null;
}

const NO_ISSUES: ShownProblem[] = [];
/** An edge that carried items in the run shown. */
const CARRIED_EDGE = { stroke: "#10b981", strokeWidth: 2 };
// Props of React Flow made once: a new array or object each render makes it update its store (and re-subscribe
// its key listeners) on every frame of a drag.
const MULTI_SELECTION_KEYS = ["Control", "Meta"];
const SNAP_GRID: [number, number] = [16, 16];
const FIT_VIEW = { maxZoom: 1, padding: 0.2 };
const sameProblems = (a: ShownProblem[], b: ShownProblem[]) => a.length === b.length && a.every((x, i) => x.message === b[i]!.message && x.severity === b[i]!.severity);
/** How a card or connection names its problems to assistive technology: ", 1 problem, 2 warnings". */
function spokenProblems(problems: ShownProblem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  return `${errors ? `, ${countLabel(errors, "problem")}` : ""}${warnings ? `, ${countLabel(warnings, "warning")}` : ""}`;
}

/**
 * The canvas. The document is the truth; React Flow's node list is kept here and reconciled with it, reusing node
 * objects whose parts did not change, so memoised cards re-render only when they must. Dragging moves nodes in this
 * component only; the document (and the undo history) gets the new positions once, when the drag stops.
 */
export const FlowCanvas = memo(function FlowCanvas(props: FlowCanvasProps) {
  const { document, catalog, ports, runStates, issuesByNode, issuesByEdge, readOnly, snapToGrid, change, onSelection, onRefuse, onDropType, onOpenNode, selectRequest } = props;
  const [nodes, setNodes] = useState<CanvasNode[]>([]);
  const [edges, setEdges] = useState<FlowCanvasEdge[]>([]);
  const dataCache = useRef(new Map<string, FlowNodeData>());
  const wrapper = useRef<HTMLDivElement>(null);
  // Opens on the flow as it is first shown (whole, or from its start when whole would be unreadable).
  const onInit = useCallback(
    (instance: ReactFlowInstance<CanvasNode, FlowCanvasEdge>) => {
      const room = wrapper.current;
      void instance.setViewport(initialViewport({ bounds: flowBounds(document, ports), width: room?.clientWidth ?? 0, height: room?.clientHeight ?? 0 }));
    },
    [document, ports],
  );
  const handledRequest = useRef<{ ids: string[] } | null>(null);

  useEffect(() => {
    const request = selectRequest !== handledRequest.current ? selectRequest : null;
    handledRequest.current = selectRequest;
    const chosen = request ? new Set(request.ids) : null;
    const cache = dataCache.current;
    const next = new Map<string, FlowNodeData>();
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      const result: CanvasNode[] = [];
      for (const note of document.notes) {
        const old = before.get(note.id) as NoteCanvasNode | undefined;
        const selected = chosen ? chosen.has(note.id) : (old?.selected ?? false);
        if (old && old.data.note === note && old.selected === selected) {
          result.push(old);
          continue;
        }
        result.push({
          ...old,
          id: note.id,
          type: "note",
          position: note.position,
          data: { note },
          width: note.width,
          height: note.height,
          selected,
          zIndex: -1,
          ariaLabel: `Sticky note: ${note.text.slice(0, 60) || "empty"}`,
          dragHandle: undefined,
        });
      }
      for (const node of document.nodes) {
        const entry = catalog.get(node.type);
        const nodePorts = ports.get(node.id) ?? { inputs: [], outputs: [], trigger: false };
        const run = runStates?.get(node.id);
        const issues = issuesByNode.get(node.id) ?? NO_ISSUES;
        const pinned = Boolean(document.pinData?.[node.id]);
        const cached = cache.get(node.id);
        const data =
          cached && cached.node === node && cached.entry === entry && cached.ports === nodePorts && cached.run === run && sameProblems(cached.issues, issues) && cached.pinned === pinned
            ? cached
            : { node, entry, ports: nodePorts, run, issues, pinned };
        next.set(node.id, data);
        const old = before.get(node.id) as FlowCanvasNode | undefined;
        const selected = chosen ? chosen.has(node.id) : (old?.selected ?? false);
        if (old && old.data === data && old.selected === selected && old.position === node.position) {
          result.push(old);
          continue;
        }
        result.push({
          ...old,
          id: node.id,
          type: "flow",
          position: node.position,
          data,
          selected,
          ariaLabel: `${node.name}, ${entry?.name ?? node.type}${run && run.status !== "idle" ? `, ${run.status}` : ""}${spokenProblems(issues)}`,
        });
      }
      return result;
    });
    dataCache.current = next;
    const names = new Map(document.nodes.map((n) => [n.id, n.name]));
    setEdges((previous) => {
      const before = new Map(previous.map((e) => [e.id, e]));
      return document.edges.map((edge) => {
        // Announced by the names the nodes have now: a rename gives the connection a new label.
        const problems = issuesByEdge.get(edge.id) ?? NO_ISSUES;
        const ariaLabel = `Connection from ${names.get(edge.source) ?? edge.source} (${edge.sourcePort}) to ${names.get(edge.target) ?? edge.target} (${edge.targetPort})${spokenProblems(problems)}`;
        const old = before.get(edge.id);
        const sourceStatus = runStates?.get(edge.source)?.status;
        const animated = sourceStatus === "running";
        const carried = sourceStatus === "succeeded" && runStates?.get(edge.target)?.status !== undefined && runStates?.get(edge.target)?.status !== "skipped";
        const style = carried ? CARRIED_EDGE : undefined;
        const selected = chosen ? chosen.has(edge.id) : (old?.selected ?? false);
        if (old && old.data?.problems === problems && old.source === edge.source && old.target === edge.target && old.sourceHandle === outputHandle(edge.sourcePort) && old.targetHandle === inputHandle(edge.targetPort) && old.animated === animated && old.style === style && old.selected === selected && old.ariaLabel === ariaLabel) {
          return old;
        }
        return {
          id: edge.id,
          type: "flow" as const,
          data: { problems },
          source: edge.source,
          target: edge.target,
          sourceHandle: outputHandle(edge.sourcePort),
          targetHandle: inputHandle(edge.targetPort),
          animated,
          style,
          selected,
          ariaLabel,
        };
      });
    });
  }, [document, catalog, ports, runStates, issuesByNode, issuesByEdge, selectRequest]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      // Removal changes the document (the editor's Delete key), never only this list.
      setNodes((current) => applyNodeChanges(changes.filter((c) => c.type !== "remove"), current));
      // A move that has ended (a drag let go, or arrow keys on selected nodes) goes to the document as one step.
      const settled = new Map<string, { x: number; y: number }>();
      for (const c of changes) {
        if (c.type === "position" && c.dragging === false && c.position) settled.set(c.id, { x: Math.round(c.position.x), y: Math.round(c.position.y) });
      }
      if (settled.size === 0) return;
      change((doc) => {
        let moved = false;
        const place = <T extends { id: string; position: { x: number; y: number } }>(item: T): T => {
          const p = settled.get(item.id);
          if (!p || (p.x === item.position.x && p.y === item.position.y)) return item;
          moved = true;
          return { ...item, position: p };
        };
        const next = { ...doc, nodes: doc.nodes.map(place), notes: doc.notes.map(place) };
        return moved ? next : doc;
      });
    },
    [change],
  );
  const onEdgesChange = useCallback((changes: EdgeChange<FlowCanvasEdge>[]) => {
    setEdges((current) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), current));
  }, []);

  const portsOf = useCallback((id: string) => ports.get(id), [ports]);
  const check = useCallback(
    (connection: Connection) => checkConnection({ nodes: document.nodes, edges: document.edges, portsOf, connection }),
    [document.nodes, document.edges, portsOf],
  );
  const isValidConnection = useCallback((connection: Connection | Edge) => check(connection).ok, [check]);
  const onConnect = useCallback(
    (connection: Connection) => {
      const result = check(connection);
      if (!result.ok) return onRefuse(result.reason);
      change((doc) => ({ ...doc, edges: [...doc.edges, { id: newId("e"), ...result.edge }] }));
    },
    [check, change, onRefuse],
  );
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.toHandle || state.isValid || !state.fromHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      // Drawn from an input, the connection runs the other way.
      const connection = from.type === "target" ? { source: to.nodeId, sourceHandle: to.id, target: from.nodeId, targetHandle: from.id } : { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id };
      const result = check(connection);
      if (!result.ok) onRefuse(result.reason);
    },
    [check, onRefuse],
  );

  const onSelectionChange = useCallback(
    ({ nodes: selectedNodes, edges: selectedEdges }: OnSelectionChangeParams) => {
      onSelection({
        nodeIds: selectedNodes.filter((n) => n.type === "flow").map((n) => n.id),
        noteIds: selectedNodes.filter((n) => n.type === "note").map((n) => n.id),
        edgeIds: selectedEdges.map((e) => e.id),
      });
    },
    [onSelection],
  );

  // A plain click on a node of a multi-selection selects it alone (React Flow keeps the others, so that a drag moves
  // them all; a drag ends without a click, so it still does). Ctrl/⌘ + click adds to or takes from the selection.
  const onNodeClick = useCallback((event: ReactMouseEvent, clicked: CanvasNode) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    setNodes((current) => (current.some((n) => n.selected && n.id !== clicked.id) ? current.map((n) => (Boolean(n.selected) === (n.id === clicked.id) ? n : { ...n, selected: n.id === clicked.id })) : current));
    setEdges((current) => (current.some((e) => e.selected) ? current.map((e) => (e.selected ? { ...e, selected: false } : e)) : current));
  }, []);
  // Stable, like every handler given to React Flow: a new function each render (each frame of a drag) would
  // re-render every node's wrapper.
  const onNodeDoubleClick = useCallback((_event: unknown, node: CanvasNode) => node.type === "flow" && onOpenNode(node.id), [onOpenNode]);

  const { onDragOver, onDrop } = usePaletteDrop(onDropType);

  const actions = useMemo<CanvasActions>(
    () => ({
      readOnly,
      updateNote: (id: string, patch: Partial<StickyNote>, coalesce?: string) =>
        change((doc) => ({ ...doc, notes: doc.notes.map((n) => (n.id === id ? { ...n, ...patch } : n)) }), coalesce ? { coalesce } : undefined),
    }),
    [change, readOnly],
  );

  return (
    <CanvasActionsContext.Provider value={actions}>
      <ReactFlow<CanvasNode, FlowCanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onSelectionChange={onSelectionChange}
        onNodeClick={onNodeClick}
        onNodeDoubleClick={onNodeDoubleClick}
        onDragOver={onDragOver}
        onDrop={onDrop}
        connectionMode={ConnectionMode.Loose}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        // The editor deletes the selection itself (one undo step for nodes, notes and edges).
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        snapToGrid={snapToGrid}
        snapGrid={SNAP_GRID}
        minZoom={0.1}
        maxZoom={2}
        ref={wrapper}
        onInit={onInit}
        onlyRenderVisibleElements
        attributionPosition="top-right"
        colorMode="system"
        className="[--xy-background-color:var(--color-slate-50)] [--xy-minimap-background-color:var(--color-white)] dark:[--xy-background-color:var(--color-slate-950)] dark:[--xy-minimap-background-color:var(--color-slate-900)] dark:[--xy-attribution-background-color:var(--color-slate-900)] dark:[--xy-controls-button-background-color:var(--color-slate-800)] dark:[--xy-controls-button-background-color-hover:var(--color-slate-700)] dark:[--xy-controls-button-color:var(--color-slate-100)] dark:[--xy-controls-button-color-hover:var(--color-white)] dark:[--xy-controls-button-border-color:var(--color-slate-700)] dark:[--xy-minimap-mask-background-color:rgb(2_6_23/0.6)] dark:[--xy-minimap-node-background-color:var(--color-slate-600)]"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls showInteractive={false} position="bottom-left" fitViewOptions={FIT_VIEW} />
        <MiniMap position="bottom-right" pannable zoomable ariaLabel="Minimap" nodeStrokeWidth={2} />
      </ReactFlow>
    </CanvasActionsContext.Provider>
  );
});

/** The document without these nodes, notes and edges, nor the edges and pins of the nodes. */
export function removeFromDocument(doc: FlowDocument, ids: ReadonlySet<string>, edgeIds: ReadonlySet<string>): FlowDocument {
  if (ids.size === 0 && edgeIds.size === 0) return doc;
  const pinData = doc.pinData ? Object.fromEntries(Object.entries(doc.pinData).filter(([id]) => !ids.has(id))) : undefined;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !ids.has(n.id)),
    notes: doc.notes.filter((n) => !ids.has(n.id)),
    edges: doc.edges.filter((e) => !edgeIds.has(e.id) && !ids.has(e.source) && !ids.has(e.target)),
    ...(pinData ? { pinData } : {}),
  };
}
