import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import { ExpressionSandbox } from "../../runner/expression-sandbox";
import { configResolver, prepareConfig, type ScopeBase } from "./node-config";

const evaluator = new ExpressionSandbox({ timeoutMs: 300 });
afterAll(() => evaluator.dispose());

const scope: ScopeBase = { workspaceId: "ws-1", trigger: {}, node: {}, runId: "run-1", flowId: "flow-1" };

/** A node whose schema counts the configs it parsed. */
function countingNode() {
  const parsed = { count: 0 };
  const definition = defineNode({
    type: "test.greeter",
    version: 1,
    name: "Greeter",
    description: "Says hello",
    category: "data",
    icon: "pencil",
    config: z.object({ greeting: z.string(), times: z.number().int().min(1) }).transform((config) => {
      parsed.count++;
      return config;
    }),
    execute: async ({ input }) => input,
  });
  return { definition, parsed };
}

const resolver = (definition: ReturnType<typeof countingNode>["definition"], prepared: ReturnType<typeof prepareConfig>, names: string[]) =>
  configResolver({ definition, nodeName: "Greeter", prepared, input: names.map((name) => ({ json: { name } })), scope, evaluator });

describe("configResolver", () => {
  it("parses a config without expressions once for every run of the prepared node", async () => {
    const { definition, parsed } = countingNode();
    const prepared = prepareConfig(definition, { greeting: "Hello", times: 2 }, 1);
    for (let run = 0; run < 3; run++) {
      const configFor = resolver(definition, prepared, ["Ada", "Bo"]);
      expect(await configFor(0)).toEqual({ greeting: "Hello", times: 2 });
      expect(await configFor(1)).toEqual({ greeting: "Hello", times: 2 });
    }
    expect(parsed.count).toBe(1);
  });

  it("evaluates and validates a config with expressions for each item, from a plan made once", async () => {
    const { definition, parsed } = countingNode();
    const prepared = prepareConfig(definition, { greeting: "Hello {{ name }}", times: "{{ $itemIndex + 1 }}" }, 1);
    const first = resolver(definition, prepared, ["Ada", "Bo"]);
    expect(await first(0)).toEqual({ greeting: "Hello Ada", times: 1 });
    const plan = prepared.plan;
    expect(plan).toBeDefined();
    const second = resolver(definition, prepared, ["Cy"]);
    expect(await second(0)).toEqual({ greeting: "Hello Cy", times: 1 });
    expect(await first(1)).toEqual({ greeting: "Hello Bo", times: 2 });
    expect(prepared.plan).toBe(plan);
    expect(parsed.count).toBe(3);
  });

  it("evaluates item 0's config once however often it is asked for: the step's config and eachItem's first are one", async () => {
    const { definition, parsed } = countingNode();
    const prepared = prepareConfig(definition, { greeting: "Hello {{ name }}", times: 1 }, 1);
    const configFor = resolver(definition, prepared, ["Ada", "Bo"]);
    const [a, b] = [await configFor(0), await configFor(0)];
    expect(a).toEqual({ greeting: "Hello Ada", times: 1 });
    expect(b).toBe(a);
    expect(parsed.count).toBe(1);
    expect(await configFor(1)).toEqual({ greeting: "Hello Bo", times: 1 });
    expect(parsed.count).toBe(2);
  });

  it("fails each run of a config that does not fit its schema, and keeps nothing of it", async () => {
    const { definition } = countingNode();
    const prepared = prepareConfig(definition, { greeting: "Hello", times: 0 }, 1);
    for (let run = 0; run < 2; run++) {
      await expect(resolver(definition, prepared, ["Ada"])(0)).rejects.toThrow(NodeConfigError);
    }
    expect(prepared.parsed).toBeUndefined();
  });

  it("fails each run of a config whose expression does not compile, naming its field", async () => {
    const { definition } = countingNode();
    const prepared = prepareConfig(definition, { greeting: "Hello {{ (name }}", times: 1 }, 1);
    for (let run = 0; run < 2; run++) {
      await expect(resolver(definition, prepared, ["Ada"])(0)).rejects.toThrow(/Node "Greeter", field "greeting"/);
    }
    expect(prepared.plan).toBeUndefined();
  });
});
