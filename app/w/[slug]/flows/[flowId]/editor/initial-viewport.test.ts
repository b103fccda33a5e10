import { describe, expect, it } from "vitest";
import { NODE_WIDTH } from "./canvas-nodes";
import { flowBounds, initialViewport, READABLE_ZOOM } from "./initial-viewport";

const node = (id: string, x: number, y: number) => ({ id, type: "core.set", typeVersion: 1, name: id, position: { x, y }, config: {}, credentials: {}, disabled: false, onError: "stop" as const });
const ports = (ids: string[]) => new Map(ids.map((id) => [id, { inputs: ["in"], outputs: ["out"], trigger: false }]));

describe("the editor's opening view", () => {
  it("boxes nodes at the size the canvas draws them, and notes at theirs", () => {
    const bounds = flowBounds({ nodes: [node("a", 0, 0), node("b", 300, 100)], notes: [{ id: "n", text: "", color: "yellow", position: { x: -50, y: -80 }, width: 200, height: 120 }] }, ports(["a", "b"]));
    expect(bounds).toEqual({ x: -50, y: -80, width: 350 + NODE_WIDTH, height: 180 + 68 });
    expect(flowBounds({ nodes: [], notes: [] }, new Map())).toBeNull();
  });

  it("shows a small flow whole and centred, never zoomed in past 1", () => {
    const view = initialViewport({ bounds: { x: 0, y: 0, width: 500, height: 100 }, width: 1000, height: 600 });
    expect(view).toEqual({ x: 250, y: 250, zoom: 1 });
  });

  it("zooms a flow out to fit when it stays readable", () => {
    const view = initialViewport({ bounds: { x: 100, y: 0, width: 1100, height: 200 }, width: 1000, height: 600 });
    expect(view.zoom).toBeCloseTo(920 / 1100);
    expect(view.x + 100 * view.zoom).toBeCloseTo(40);
  });

  it("keeps a ten-node row readable and shows it from its start instead of shrinking it to fit", () => {
    // Ten nodes in a row, as auto-layout places them, on a 1040 px wide canvas.
    const doc = { nodes: Array.from({ length: 10 }, (_, i) => node(`n${i}`, i * 300, 0)), notes: [] };
    const bounds = flowBounds(doc, ports(doc.nodes.map((n) => n.id)))!;
    const view = initialViewport({ bounds, width: 1040, height: 700 });
    expect(view.zoom).toBe(READABLE_ZOOM);
    // The first node's left edge sits at the padding; the height still fits, so the row is centred vertically.
    expect(view.x).toBe(40);
    expect(view.y).toBeCloseTo((700 - bounds.height * READABLE_ZOOM) / 2);
  });

  it("starts at the origin with nothing to show or no room measured", () => {
    expect(initialViewport({ bounds: null, width: 1000, height: 600 })).toEqual({ x: 0, y: 0, zoom: 1 });
    expect(initialViewport({ bounds: { x: 0, y: 0, width: 10, height: 10 }, width: 0, height: 0 })).toEqual({ x: 0, y: 0, zoom: 1 });
  });
});
