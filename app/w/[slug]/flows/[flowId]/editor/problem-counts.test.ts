import { describe, expect, it } from "vitest";
import type { Problem } from "./editor-types";
import { mergeProblems, problemsByPlace, problemsSummary } from "./problem-counts";

const problem = (over: Partial<Problem>): Problem => ({ path: "nodes[0].name", message: "a node needs a name", nodeId: "a", field: null, edgeIds: [], severity: "error", ...over });

describe("the flow's problems", () => {
  it("lists a problem found by the check and by a refused save once, so the header and the node count the same", () => {
    const merged = mergeProblems([problem({})], [], [problem({})]);
    expect(merged).toHaveLength(1);
    expect(problemsSummary(merged)).toBe("1 problem");
    expect(problemsByPlace(merged).byNode.get("a")).toEqual([{ message: "a node needs a name", severity: "error" }]);
  });

  it("counts errors and warnings apart, and puts a loop on its edges rather than on a node", () => {
    const loop = problem({ path: "edges[2]", message: "The flow has a cycle through …", nodeId: null, edgeIds: ["ab", "ba"] });
    const lost = problem({ path: "nodes[3]", message: "not connected", nodeId: "lost", severity: "warning" });
    expect(problemsSummary([loop, lost])).toBe("1 problem, 1 warning");
    expect(problemsSummary([lost])).toBe("1 warning");
    expect(problemsSummary([])).toBe("No problems");
    const { byNode, byEdge } = problemsByPlace([loop, lost]);
    expect([...byNode.keys()]).toEqual(["lost"]);
    expect([...byEdge.keys()]).toEqual(["ab", "ba"]);
  });
});
