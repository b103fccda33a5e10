import { describe, expect, it } from "vitest";
import { nodeRegistry } from "../registry";
import { FLOW_SCHEMA_TAG, parseFlowDocument, type FlowDocument } from "./flow-document";
import { disconnectedNodeIssues, findLoops, loopIssues } from "./graph-checks";
import { validateFlow } from "./validate";

const node = (id: string, type = "core.delay") => ({ id, name: id.toUpperCase(), type, position: { x: 0, y: 0 }, config: type === "core.delay" ? { ms: 1 } : {} });
function flow(nodes: ReturnType<typeof node>[], edges: [string, string][]): FlowDocument {
  const parsed = parseFlowDocument({ schema: FLOW_SCHEMA_TAG, nodes, edges: edges.map(([source, target]) => ({ id: `${source}-${target}`, source, target })) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

describe("loops", () => {
  it("finds none in a flow that only goes forward, however it branches and joins", () => {
    expect(findLoops(flow([node("t", "core.manual-trigger"), node("a"), node("b"), node("c")], [["t", "a"], ["t", "b"], ["a", "c"], ["b", "c"]]))).toEqual([]);
  });

  it("names the loop on the edge that closes it, with every edge along it in order", () => {
    const doc = flow([node("t", "core.manual-trigger"), node("a"), node("b"), node("c")], [["t", "a"], ["a", "b"], ["b", "c"], ["c", "a"]]);
    expect(loopIssues(doc)).toEqual([
      {
        path: "edges[3]",
        message: 'The flow has a cycle through "A" → "B" → "C" → "A"; flows must not loop back on themselves, so remove one of these connections',
        edgeIds: ["a-b", "b-c", "c-a"],
      },
    ]);
  });

  it("finds a loop no trigger reaches yet, so the flow is refused before it is connected", () => {
    const doc = flow([node("t", "core.manual-trigger"), node("a"), node("b"), node("c")], [["t", "a"], ["b", "c"], ["c", "b"]]);
    const issues = validateFlow(doc, nodeRegistry);
    expect(issues.map((i) => i.path)).toEqual(["edges[2]"]);
    expect(issues[0]!.edgeIds).toEqual(["b-c", "c-b"]);
  });

  it("reports one problem per loop, and no second one from walking the graph", () => {
    const doc = flow([node("t", "core.manual-trigger"), node("a"), node("b"), node("c"), node("d")], [["t", "a"], ["a", "b"], ["b", "a"], ["t", "c"], ["c", "d"], ["d", "c"]]);
    expect(validateFlow(doc, nodeRegistry).map((i) => i.path)).toEqual(["edges[2]", "edges[5]"]);
  });
});

describe("nodes no trigger reaches", () => {
  it("are each a warning; triggers, disabled nodes and flows without a trigger are not", () => {
    const doc = flow([node("t", "core.manual-trigger"), node("a"), node("lost"), node("w", "core.webhook")], [["t", "a"]]);
    expect(disconnectedNodeIssues(doc, nodeRegistry)).toEqual([{ path: "nodes[2]", message: 'Node "LOST" is not connected to a trigger, so it never runs: connect it, or delete it' }]);
    expect(disconnectedNodeIssues({ ...doc, nodes: doc.nodes.map((n) => (n.id === "lost" ? { ...n, disabled: true } : n)) }, nodeRegistry)).toEqual([]);
    expect(disconnectedNodeIssues(flow([node("a"), node("b")], [["a", "b"]]), nodeRegistry)).toEqual([]);
  });
});
