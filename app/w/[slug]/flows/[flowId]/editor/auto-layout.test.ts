import { describe, expect, it } from "vitest";
import { layoutFlow, type LayoutNode } from "./auto-layout";

const node = (id: string, outputs = ["out"], inputs = ["in"]): LayoutNode => ({ id, width: 200, height: 64, inputs, outputs });
const edge = (source: string, target: string, sourcePort = "out", targetPort = "in") => ({ id: `${source}-${target}`, source, target, sourcePort, targetPort });

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }, size: { width: number; height: number }) {
  return a.x < b.x + size.width && b.x < a.x + size.width && a.y < b.y + size.height && b.y < a.y + size.height;
}

describe("auto-layout", () => {
  it("lays a branching flow out left to right without overlaps, branches in port order", async () => {
    const nodes = [node("start", ["out"], []), node("check", ["true", "false"]), node("yes"), node("no"), node("merge", ["out"], ["a", "b"]), node("loose")];
    const edges = [edge("start", "check"), edge("check", "yes", "true"), edge("check", "no", "false"), edge("yes", "merge", "out", "a"), edge("no", "merge", "out", "b")];
    const positions = await layoutFlow(nodes, edges);
    expect([...positions.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    const at = (id: string) => positions.get(id)!;
    expect(at("start").x).toBeLessThan(at("check").x);
    expect(at("check").x).toBeLessThan(at("yes").x);
    expect(at("yes").x).toBeLessThan(at("merge").x);
    // The "true" branch leaves by the first (upper) port.
    expect(at("yes").y).toBeLessThan(at("no").y);
    const ids = [...positions.keys()];
    for (const a of ids) for (const b of ids) if (a < b) expect(overlaps(at(a), at(b), { width: 200, height: 64 }), `${a} and ${b} overlap`).toBe(false);
  });

  it("handles a large flow without overlaps", async () => {
    const nodes = Array.from({ length: 120 }, (_, i) => node(`n${i}`));
    const edges = nodes.slice(1).map((n, i) => edge(`n${Math.floor(i / 3)}`, n.id));
    const positions = await layoutFlow(nodes, edges);
    const list = [...positions.values()];
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) expect(overlaps(list[i]!, list[j]!, { width: 200, height: 64 })).toBe(false);
  });
});
