import type { FlowDocument } from "../_core/flow-document";

/**
 * How far apart another tool's canvas must be spread so our node cards, wider and taller than its nodes, do not
 * sit on one another. Node-RED draws nodes about 120 × 30 around their centre, side by side about 160 apart; n8n
 * draws 100 × 100 squares about 200 apart; our cards are 220 wide and 60–90 tall with their corner at the position.
 */
export interface CardSpacing {
  /** Horizontal and vertical stretch of every position, and of every note's size. */
  scaleX: number;
  scaleY: number;
  /** Where the other tool's position sits within its node, as a share of our card's size: 0.5 for a centre. */
  anchor: { x: number; y: number };
}

const CARD = { width: 220, height: 64 };

export const nodeRedSpacing: CardSpacing = { scaleX: 1.75, scaleY: 2.2, anchor: { x: 0.5, y: 0.5 } };
export const n8nSpacing: CardSpacing = { scaleX: 1.4, scaleY: 1.2, anchor: { x: 0, y: 0 } };

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The document with its nodes and notes moved apart by `spacing`. A note keeps covering the nodes it covered: its
 * corner and size stretch by the same factors (notes keep their own corner, whatever the nodes' anchor).
 */
export function spreadForCards(document: FlowDocument, spacing: CardSpacing): FlowDocument {
  const { scaleX, scaleY, anchor } = spacing;
  return {
    ...document,
    nodes: document.nodes.map((node) => ({
      ...node,
      position: { x: round(node.position.x * scaleX - anchor.x * CARD.width), y: round(node.position.y * scaleY - anchor.y * CARD.height) },
    })),
    notes: document.notes.map((note) => ({
      ...note,
      position: { x: round(note.position.x * scaleX), y: round(note.position.y * scaleY) },
      width: Math.min(5000, round(note.width * scaleX)),
      height: Math.min(5000, round(note.height * scaleY)),
    })),
  };
}
