import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, flowDocumentSchema, type FlowDocument } from "../_core/flow-document";
import { flowReferences, rebindFlowReferences, referencedFirst } from "./flow-references";

const call = (id: string, flowId: string) => ({ id, type: "core.execute-flow", name: id, position: { x: 0, y: 0 }, config: { flowId } });
const doc = (nodes: unknown[], errorFlowId?: string): FlowDocument => flowDocumentSchema.parse({ schema: FLOW_SCHEMA_TAG, nodes, settings: errorFlowId ? { errorFlowId } : undefined });

describe("flow references of an import", () => {
  it("replaces the keys of stored flows by their ids and leaves the rest", () => {
    const main = doc([call("a", "sub"), call("b", "later"), { id: "c", type: "core.set", name: "c", position: { x: 0, y: 0 }, config: { flowId: "sub" } }], "errors");
    const rebound = rebindFlowReferences(main, new Map([["sub", "flow_1"], ["errors", "flow_2"]]));
    expect(rebound.nodes.map((n) => n.config.flowId)).toEqual(["flow_1", "later", "sub"]);
    expect(rebound.settings.errorFlowId).toBe("flow_2");
    expect(main.nodes[0]!.config.flowId).toBe("sub");
    expect(flowReferences(main)).toEqual(["sub", "later", "errors"]);
  });

  it("orders flows so each comes after the flows it calls, keeping the file's order in a cycle", () => {
    const flows = [
      { key: "main", document: doc([call("a", "sub")], "main-errors") },
      { key: "sub", document: doc([call("b", "inner")]) },
      { key: "inner", document: doc([]) },
      { key: "main-errors", document: doc([]) },
      { key: "x", document: doc([call("c", "y")]) },
      { key: "y", document: doc([call("d", "x")]) },
    ];
    expect(referencedFirst(flows).map((f) => f.key)).toEqual(["inner", "sub", "main-errors", "main", "y", "x"]);
  });
});
