import type { FlowDocument } from "@/nodes/_core/flow-document";
import { NODE_WIDTH, nodeHeight } from "./canvas-nodes";
import { outputsOf, type NodePorts } from "./graph-rules";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Below this, node names (14 px at zoom 1) are too small to read; a flow that needs less is shown from its start. */
export const READABLE_ZOOM = 0.7;

/** The box around the document's nodes and notes, from their positions and the sizes the canvas draws them at. */
export function flowBounds(document: Pick<FlowDocument, "nodes" | "notes">, ports: ReadonlyMap<string, NodePorts>): Rect | null {
  const boxes: Rect[] = [
    ...document.nodes.map((node) => {
      const p = ports.get(node.id);
      return { ...node.position, width: NODE_WIDTH, height: p ? nodeHeight(p.inputs.length, outputsOf(node, p).length) : nodeHeight(0, 0) };
    }),
    ...document.notes.map((note) => ({ ...note.position, width: note.width, height: note.height })),
  ];
  if (boxes.length === 0) return null;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
}

/**
 * Where the editor opens: the whole flow, centred, at most at zoom 1; a flow too big for that at a readable zoom is
 * shown at that zoom from its top-left (where the trigger sits after auto-layout), the rest a scroll away.
 */
export function initialViewport({
  bounds,
  width,
  height,
  padding = 40,
  minZoom = READABLE_ZOOM,
  maxZoom = 1,
}: {
  bounds: Rect | null;
  width: number;
  height: number;
  padding?: number;
  minZoom?: number;
  maxZoom?: number;
}): Viewport {
  if (!bounds || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  const room = { width: Math.max(1, width - 2 * padding), height: Math.max(1, height - 2 * padding) };
  const fit = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const place = (start: number, size: number, space: number) => (size * zoom > space - 2 * padding ? padding - start * zoom : (space - size * zoom) / 2 - start * zoom);
  return { x: place(bounds.x, bounds.width, width), y: place(bounds.y, bounds.height, height), zoom };
}
