import { describe, expect, it } from "vitest";
import { NodeConfigError, NodeError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { executeFlowNode } from "./execute-flow.node";

const input: Item[] = [{ json: { order: 1 } }, { json: { order: 2 } }];

describe("core.execute-flow", () => {
  it("runs the chosen flow with all its input items and outputs what that flow returned", async () => {
    const calls: { flowId: string; items: Item[] }[] = [];
    const { items } = await runNode(executeFlowNode, {
      input,
      config: { flowId: "flow-invoices" },
      runFlow: async (flowId, given) => {
        calls.push({ flowId, items: given });
        return [{ json: { invoiced: given.length } }];
      },
    });
    expect(calls).toEqual([{ flowId: "flow-invoices", items: input }]);
    expect(items).toEqual([{ json: { invoiced: 2 } }]);
  });

  it("takes the flow id from an expression", async () => {
    const called: string[] = [];
    await runNode(executeFlowNode, {
      input: [{ json: { target: "flow-b" } }],
      config: { flowId: "{{ $json.target }}" },
      runFlow: async (flowId) => {
        called.push(flowId);
        return [];
      },
    });
    expect(called).toEqual(["flow-b"]);
  });

  it("fails as the sub-flow failed", async () => {
    const failure = new NodeError("The sub-flow run r-1 failed: boom", { code: "SUBFLOW", retryable: false });
    const err = await runNode(executeFlowNode, {
      input,
      config: { flowId: "flow-x" },
      runFlow: async () => {
        throw failure;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(failure);
  });

  it("asks for a flow", async () => {
    const err = await runNode(executeFlowNode, { input, config: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeConfigError);
    expect((err as Error).message).toContain("Flow is required");
    const blank = await runNode(executeFlowNode, { input, config: { flowId: "" } }).catch((e: unknown) => e);
    expect((blank as Error).message).toContain("Flow: choose the flow to run");
  });
});
