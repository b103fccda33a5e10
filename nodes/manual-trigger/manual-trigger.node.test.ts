import { describe, expect, it } from "vitest";
import { runNode } from "../../runner/node-testing";
import { manualTriggerNode } from "./manual-trigger.node";

describe("core.manual-trigger", () => {
  it("passes the test input on unchanged", async () => {
    const input = [{ json: { email: "ada@example.com" } }, { json: { email: "grace@example.com" } }];
    const { items, output } = await runNode(manualTriggerNode, { input });
    expect(items).toEqual(input);
    expect(Object.keys(output)).toEqual(["out"]);
  });

  it("starts with one empty item when run without input", async () => {
    expect((await runNode(manualTriggerNode)).items).toEqual([{ json: {} }]);
  });

  it("is a manual trigger: no inputs, one output, nothing to configure", () => {
    expect(manualTriggerNode.trigger).toEqual({ kind: "manual" });
    expect(manualTriggerNode.inputsFor({})).toEqual([]);
    expect(manualTriggerNode.outputsFor({})).toEqual(["out"]);
    expect(manualTriggerNode.config.safeParse({}).success).toBe(true);
  });
});
