import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import { nodeRegistry } from "../registry";
import { runNode } from "../../runner/node-testing";
import { placeholderNode } from "./placeholder.node";

const airtable = {
  source: "n8n",
  sourceType: "n8n-nodes-base.airtable",
  sourceVersion: "2.1",
  parameters: { operation: "append", table: "={{ $json.table }}", fields: { name: "{{ not ours }}" } },
  inputs: ["in"],
  outputs: ["out", "out-2"],
  note: "no Airtable node",
};

describe("core.placeholder", () => {
  it("is registered and takes its ports from its config", () => {
    expect(nodeRegistry.get("core.placeholder")).toBe(placeholderNode);
    const parsed = placeholderNode.config.parse(airtable);
    expect(placeholderNode.inputsFor(parsed)).toEqual(["in"]);
    expect(placeholderNode.outputsFor(parsed)).toEqual(["out", "out-2"]);
    expect(placeholderNode.outputsFor(placeholderNode.config.parse({ source: "node-red", sourceType: "ui_button" }))).toEqual(["out"]);
    expect(placeholderNode.inputsFor(placeholderNode.config.parse({ ...airtable, inputs: [] }))).toEqual([]);
    expect(placeholderNode.dynamicPorts).toBe(true);
  });

  it("fails at once, naming the node, the tool and the original type, without evaluating its parameters", async () => {
    const run = runNode(placeholderNode, { input: [{ json: { table: "x" } }], config: airtable });
    await expect(run).rejects.toBeInstanceOf(NodeConfigError);
    await expect(run).rejects.toThrow(
      '"Imported (not supported)" was imported from n8n as n8n-nodes-base.airtable (version 2.1), which Streamware has no equivalent for yet (no Airtable node); replace it',
    );
    await expect(runNode(placeholderNode, { config: { source: "node-red", sourceType: "ui_gauge" } })).rejects.toThrow("imported from Node-RED as ui_gauge");
    expect(placeholderNode.literalFields).toContain("parameters");
  });

  it("refuses parameters past its bound and port names an edge could not hold", () => {
    const huge = { ...airtable, parameters: { text: "x".repeat(300_000) } };
    expect(placeholderNode.config.safeParse(huge).success).toBe(false);
    expect(placeholderNode.config.safeParse({ ...airtable, outputs: ["has space"] }).success).toBe(false);
    expect(placeholderNode.config.safeParse({ ...airtable, sourceType: " " }).success).toBe(false);
  });

  it("gives the editor a JSON Schema with its fields titled", () => {
    const schema = configJsonSchema(placeholderNode) as { properties: Record<string, { title?: string }>; required: string[] };
    expect(schema.properties.sourceType?.title).toBe("Original type");
    expect(schema.properties.parameters?.title).toBe("Original parameters");
    expect(schema.required).toEqual(expect.arrayContaining(["source", "sourceType"]));
  });
});
