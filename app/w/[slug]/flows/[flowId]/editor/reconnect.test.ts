import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, type FlowDocument, type FlowNode } from "@/nodes/_core/flow-document";
import type { NodePorts } from "./graph-rules";
import { reconnections } from "./reconnect";

const node = (id: string, type = "core.set"): FlowNode => ({ id, type, typeVersion: 1, name: id.toUpperCase(), position: { x: 0, y: 0 }, config: {}, credentials: {}, disabled: false, onError: "stop" });
const edge = (id: string, source: string, target: string, sourcePort = "out", targetPort = "in") => ({ id, source, sourcePort, target, targetPort });
const ports: Record<string, NodePorts> = {
  start: { inputs: [], outputs: ["out"], trigger: true },
  b: { inputs: ["in"], outputs: ["out"], trigger: false },
  c: { inputs: ["in"], outputs: ["out"], trigger: false },
  d: { inputs: ["in"], outputs: ["out"], trigger: false },
  check: { inputs: ["in"], outputs: ["true", "false"], trigger: false },
};
const doc = (nodes: FlowNode[], edges: ReturnType<typeof edge>[]): FlowDocument => ({ schema: FLOW_SCHEMA_TAG, nodes, edges, notes: [] }) as unknown as FlowDocument;
const remove = (before: FlowDocument, ids: string[]) => {
  const removed = new Set(ids);
  const after = { ...before, nodes: before.nodes.filter((n) => !removed.has(n.id)), edges: before.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) };
  return reconnections({ before, after, removed, portsOf: (id) => ports[id] });
};

describe("reconnections after a delete", () => {
  it("joins A → C when B in A → B → C is deleted", () => {
    const before = doc([node("start", "core.manual-trigger"), node("b"), node("c")], [edge("e1", "start", "b"), edge("e2", "b", "c")]);
    expect(remove(before, ["b"])).toEqual({ deleted: ["B"], automatic: [{ source: "start", sourcePort: "out", target: "c", targetPort: "in" }], offered: [] });
  });

  it("only offers it when the deleted node passed items on from more than one port", () => {
    const before = doc([node("start", "core.manual-trigger"), node("check", "core.if"), node("c"), node("d")], [edge("e1", "start", "check"), edge("e2", "check", "c", "true"), edge("e3", "check", "d", "false")]);
    const result = remove(before, ["check"]);
    expect(result.automatic).toEqual([]);
    expect(result.offered.map((e) => e.target)).toEqual(["c", "d"]);
  });

  it("joins nothing at the ends of a flow, nor what is already joined", () => {
    const chain = doc([node("start", "core.manual-trigger"), node("b"), node("c")], [edge("e1", "start", "b"), edge("e2", "b", "c"), edge("e3", "start", "c")]);
    expect(remove(chain, ["c"])).toEqual({ deleted: [], automatic: [], offered: [] });
    expect(remove(chain, ["b"])).toEqual({ deleted: [], automatic: [], offered: [] });
  });
});
