import { describe, expect, it } from "vitest";
import { parseFlowDocument, type FlowDocument } from "../_core/flow-document";
import { n8nSpacing, nodeRedSpacing, spreadForCards, type CardSpacing } from "./card-spacing";

const CARD = { width: 220, height: 64 };

function row({ dx, dy }: { dx: number; dy: number }): FlowDocument {
  const parsed = parseFlowDocument({
    schema: "streamware.flow/1",
    nodes: [0, 1, 2].map((i) => ({ id: `n${i}`, type: "core.set", name: `N${i}`, position: { x: 100 + i * dx, y: 100 + i * dy }, config: { fields: [] } })),
    // A Node-RED group's box starts some 10 left of its first node, which is about 120 wide around its centre.
    notes: [{ id: "box", text: "Group", position: { x: 100 - 60 - 10, y: 50 }, width: 2 * dx + 140, height: 100 }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

function overlaps(document: FlowDocument): boolean {
  const [a, b] = document.nodes;
  return Math.abs(a!.position.x - b!.position.x) < CARD.width && Math.abs(a!.position.y - b!.position.y) < CARD.height;
}

describe("spreading another tool's canvas for our cards", () => {
  const cases: [string, CardSpacing, { dx: number; dy: number }][] = [
    ["Node-RED nodes side by side", nodeRedSpacing, { dx: 160, dy: 0 }],
    ["Node-RED nodes stacked", nodeRedSpacing, { dx: 0, dy: 40 }],
    ["n8n nodes side by side", n8nSpacing, { dx: 200, dy: 0 }],
  ];
  it.each(cases)("keeps %s from overlapping, which they would as placed", (_name, spacing, gap) => {
    expect(overlaps(row(gap))).toBe(true);
    expect(overlaps(spreadForCards(row(gap), spacing))).toBe(false);
  });

  it("stretches notes with the nodes, so a group still covers its nodes", () => {
    const spread = spreadForCards(row({ dx: 160, dy: 0 }), nodeRedSpacing);
    const note = spread.notes[0]!;
    const last = spread.nodes[2]!;
    expect(note.position.x).toBeLessThanOrEqual(spread.nodes[0]!.position.x);
    expect(note.position.x + note.width).toBeGreaterThanOrEqual(last.position.x + CARD.width / 2);
  });
});
