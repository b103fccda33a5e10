"use client";

import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { FlowDocument, FlowEdge, FlowNode } from "@/nodes/_core/flow-document";
import { layoutFlow } from "./auto-layout";
import { NODE_WIDTH, nodeHeight } from "./canvas-nodes";
import { copySelection, newId, pasteInto, readClipboard, topLeftOf, uniqueName } from "./clipboard";
import type { CatalogEntry } from "./editor-types";
import type { ShowNotice } from "./editor-notice";
import type { CanvasSelection, DocumentChange } from "./flow-canvas";
import { outputsOf, type NodePorts } from "./graph-rules";
import { commit, createHistory, redo, undo } from "./history";

/** The draft with its undo history; every edit goes through `change`. */
export function useDocumentHistory(initial: FlowDocument) {
  const [history, setHistory] = useState(() => createHistory(initial));
  const change = useCallback<DocumentChange>((update, options) => setHistory((h) => commit(h, update(h.present), options)), []);
  return {
    document: history.present,
    change,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    undo: useCallback(() => setHistory(undo), []),
    redo: useCallback(() => setHistory(redo), []),
  };
}

/** Adding, arranging, copying and pasting nodes and notes, and the node panel's edits (deleting: `useReconnectingDelete`). */
export function useDocumentOperations({
  document,
  change,
  readOnly,
  selection,
  catalogMap,
  ports,
  canvasRef,
  pointer,
  select,
  show,
}: {
  document: FlowDocument;
  change: DocumentChange;
  readOnly: boolean;
  selection: CanvasSelection;
  catalogMap: ReadonlyMap<string, CatalogEntry>;
  ports: ReadonlyMap<string, NodePorts>;
  canvasRef: RefObject<HTMLDivElement | null>;
  /** Where the mouse is over the canvas, in screen coordinates: pasting puts things there. */
  pointer: RefObject<{ x: number; y: number } | null>;
  select: (ids: string[]) => void;
  show: ShowNotice;
}) {
  const { screenToFlowPosition, flowToScreenPosition, fitView, setCenter, getZoom } = useReactFlow();

  const freeSpot = useCallback((doc: FlowDocument, at: { x: number; y: number }) => {
    const spot = { ...at };
    while (doc.nodes.some((n) => Math.abs(n.position.x - spot.x) < 24 && Math.abs(n.position.y - spot.y) < 24)) {
      spot.x += 32;
      spot.y += 32;
    }
    return spot;
  }, []);

  const viewportCenter = useCallback(() => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    return screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
  }, [screenToFlowPosition, canvasRef]);

  const documentRef = useRef(document);
  useEffect(() => {
    documentRef.current = document;
  }, [document]);
  /** Pans to a node that was placed outside the visible part of the canvas. */
  const ensureVisible = useCallback(
    (id: string) => {
      const node = documentRef.current.nodes.find((n) => n.id === id);
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!node || !rect) return;
      const topLeft = flowToScreenPosition(node.position);
      const bottomRight = flowToScreenPosition({ x: node.position.x + NODE_WIDTH, y: node.position.y + 80 });
      if (topLeft.x >= rect.left && topLeft.y >= rect.top && bottomRight.x <= rect.right && bottomRight.y <= rect.bottom) return;
      void setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + 40, { zoom: getZoom(), duration: 250 });
    },
    [flowToScreenPosition, setCenter, getZoom, canvasRef],
  );

  const addNode = useCallback(
    (type: string, dropped?: { x: number; y: number }) => {
      const entry = catalogMap.get(type);
      if (!entry || readOnly) return;
      const id = newId("n");
      change((doc) => {
        const after = !dropped && selection.nodeIds.length === 1 ? doc.nodes.find((n) => n.id === selection.nodeIds[0]) : undefined;
        const afterPorts = after ? ports.get(after.id) : undefined;
        const link = after && afterPorts && outputsOf(after, afterPorts).length > 0 && !entry.trigger && entry.inputs.length > 0;
        const base = dropped
          ? { x: dropped.x - NODE_WIDTH / 2, y: dropped.y - 34 }
          : link
            ? { x: after!.position.x + NODE_WIDTH + 80, y: after!.position.y }
            : (() => {
                const c = viewportCenter();
                return { x: c.x - NODE_WIDTH / 2, y: c.y - 34 };
              })();
        const position = freeSpot(doc, { x: Math.round(base.x / 16) * 16, y: Math.round(base.y / 16) * 16 });
        const node: FlowNode = {
          id,
          type,
          typeVersion: entry.version,
          name: uniqueName(entry.name, new Set(doc.nodes.map((n) => n.name))),
          position,
          config: structuredClone(entry.starter),
          credentials: {},
          disabled: false,
          onError: "stop",
        };
        const edges = link
          ? [...doc.edges, { id: newId("e"), source: after!.id, sourcePort: outputsOf(after!, afterPorts!)[0]!, target: id, targetPort: entry.inputs[0]! }]
          : doc.edges;
        return { ...doc, nodes: [...doc.nodes, node], edges };
      });
      select([id]);
      requestAnimationFrame(() => ensureVisible(id));
    },
    [catalogMap, readOnly, change, selection.nodeIds, ports, freeSpot, viewportCenter, ensureVisible, select],
  );

  const addNote = useCallback(() => {
    if (readOnly) return;
    const id = newId("note");
    const c = viewportCenter();
    change((doc) => ({ ...doc, notes: [...doc.notes, { id, text: "", position: freeSpot(doc, { x: Math.round(c.x - 120), y: Math.round(c.y - 80) }), width: 240, height: 160, color: "yellow" }] }));
    select([id]);
  }, [readOnly, viewportCenter, change, freeSpot, select]);

  const autoLayout = useCallback(async () => {
    if (readOnly || document.nodes.length === 0) return;
    const positions = await layoutFlow(
      document.nodes.map((n) => {
        const p = ports.get(n.id) ?? { inputs: [], outputs: [], trigger: false };
        const outputs = outputsOf(n, p);
        return { id: n.id, width: NODE_WIDTH, height: nodeHeight(p.inputs.length, outputs.length), inputs: p.inputs, outputs };
      }),
      document.edges,
    );
    change((doc) => ({ ...doc, nodes: doc.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) }));
    requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
  }, [readOnly, document, ports, change, fitView]);

  const duplicate = useCallback(() => {
    if (readOnly || selection.nodeIds.length + selection.noteIds.length === 0) return;
    const copied = copySelection(document, new Set(selection.nodeIds), new Set(selection.noteIds));
    const corner = topLeftOf(copied);
    const result = pasteInto(document, copied, { at: { x: corner.x + 48, y: corner.y + 48 } });
    change(() => result.document);
    select([...result.nodeIds, ...result.noteIds]);
  }, [readOnly, selection, document, change, select]);

  const placePasted = useCallback(
    (pasted: FlowDocument) => {
      const corner = topLeftOf(pasted);
      const at = pointer.current ? screenToFlowPosition(pointer.current) : { x: corner.x + 48, y: corner.y + 48 };
      const result = pasteInto(document, pasted, { at: { x: Math.round(at.x), y: Math.round(at.y) } });
      change(() => result.document);
      select([...result.nodeIds, ...result.noteIds]);
      return result;
    },
    [screenToFlowPosition, document, change, select, pointer],
  );

  const paste = useCallback(
    async (text: string) => {
      if (readOnly) return;
      const read = readClipboard(text);
      if (read.ok) {
        const result = placePasted(read.document);
        return show("info", `Pasted ${result.nodeIds.length} node${result.nodeIds.length === 1 ? "" : "s"}${result.noteIds.length ? ` and ${result.noteIds.length} note(s)` : ""}.`);
      }
      // Not our flow JSON: n8n's or Node-RED's nodes, perhaps. The importers load only now, on such a paste.
      const value = parseJson(text);
      const foreign = value === undefined ? null : (await import("./foreign-paste")).readForeignClipboard(value);
      if (!foreign) return show("error", read.reason);
      if (!foreign.ok) return show("error", foreign.reason, foreign.details);
      placePasted(foreign.document);
      show("info", foreign.summary, foreign.details.length ? foreign.details : undefined);
    },
    [readOnly, show, placePasted],
  );

  const onNodeChange = useCallback(
    (next: FlowNode) => {
      change(
        (doc) => {
          const before = doc.nodes.find((n) => n.id === next.id);
          // A renamed node keeps its pinned data and edges (they go by id); typing is one step per pause.
          return before ? { ...doc, nodes: doc.nodes.map((n) => (n.id === next.id ? next : n)) } : doc;
        },
        { coalesce: `node:${next.id}` },
      );
    },
    [change],
  );
  const onPin = useCallback(
    (nodeId: string, items: unknown[] | null) => {
      change((doc) => {
        const pinData = { ...doc.pinData };
        if (items) pinData[nodeId] = items as NonNullable<FlowDocument["pinData"]>[string];
        else delete pinData[nodeId];
        return { ...doc, pinData };
      });
      show("info", items ? "Output pinned: test runs use these items instead of running the node." : "Pin removed: the node runs again in test runs.");
    },
    [change, show],
  );

  const onConnectPorts = useCallback((edge: Omit<FlowEdge, "id">) => change((doc) => ({ ...doc, edges: [...doc.edges, { id: newId("e"), ...edge }] })), [change]);
  const onDisconnect = useCallback((edgeId: string) => change((doc) => ({ ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) })), [change]);

  return { addNode, addNote, autoLayout, duplicate, paste, onNodeChange, onPin, onConnectPorts, onDisconnect };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
