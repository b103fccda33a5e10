import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FLOW_SCHEMA_TAG, type FlowDocument } from "../nodes/_core/flow-document";
import type { ModelUsage, NodeLogger, WebhookResponse } from "../nodes/_kit/context";
import { defineNode, type NodeDefinition } from "../nodes/_kit/define-node";
import { idempotencyKey } from "../nodes/_kit/idempotency";
import { manualTriggerNode } from "../nodes/manual-trigger/manual-trigger.node";
import { executeFlow, type EngineServices, type RunIdentity } from "./engine";
import { MemoryKeyValueStore } from "./node-testing";

/** A node that takes its context's functions off `ctx` and calls them alone, as a node author may. */
const detached = defineNode({
  type: "test.detached",
  version: 1,
  name: "Detached",
  description: "Uses ctx's functions taken off it",
  category: "data",
  icon: "pencil",
  config: z.object({}),
  execute: async ({ input, ctx }) => {
    const { idempotencyKey: keyFor, reportUsage, respond, runFlow, credentialOf, progress, configFor, logger, kv } = ctx;
    reportUsage({ provider: "local", model: "m", promptTokens: 2, completionTokens: 3 });
    respond({ status: 201, headers: {}, body: "made" });
    progress({ message: "halfway" });
    logger.info("working");
    await kv.set("seen", 1);
    const sub = await runFlow("other", input);
    return [{ json: { key: keyFor(1), config: await configFor(0), sub: sub.length, refused: await credentialOf("smtp").catch((e: Error) => e.message) } }];
  },
});

/** A node that takes the logger, as one that hands it on or logs at debug level does, and writes nothing. */
const quiet = defineNode({
  type: "test.quiet",
  version: 1,
  name: "Quiet",
  description: "Takes the logger and writes nothing",
  category: "data",
  icon: "pencil",
  config: z.object({}),
  execute: async ({ input, ctx }) => {
    const { logger } = ctx;
    return input.map((item) => ({ json: { ...item.json, logger: typeof logger.info } }));
  },
});

function servicesFor(made: { logger: number; kv: number; logged: unknown[]; sub: { depth: number }[] }): EngineServices {
  const logger: NodeLogger & { child(bindings: object): NodeLogger } = {
    debug: () => {},
    info: (obj) => void made.logged.push(obj),
    warn: () => {},
    error: () => {},
    child(bindings) {
      made.logger++;
      return { ...logger, info: (obj) => void made.logged.push({ bindings, obj }) };
    },
  };
  return {
    registry: new Map<string, NodeDefinition>([manualTriggerNode, detached as NodeDefinition, quiet as NodeDefinition].map((d) => [d.type, d])),
    expressions: { evaluate: async () => [] },
    http: {} as EngineServices["http"],
    binary: {} as EngineServices["binary"],
    limits: { transcodeConcurrency: 1 },
    code: { run: async () => ({ items: [], logs: [] }) } as unknown as EngineServices["code"],
    logger,
    kvFor: () => {
      made.kv++;
      return new MemoryKeyValueStore();
    },
    experimentsFor: () => {
      throw new Error("not used");
    },
    seriesFor: () => {
      throw new Error("not used");
    },
    credentialsFor: async () => null,
    runFlow: async (_parent, _flowId, items, depth) => {
      made.sub.push({ depth });
      return items;
    },
    saveStep: async () => {},
    emit: () => {},
    jsonMaxDepth: 64,
  };
}

describe("a step's context", () => {
  it("lets a node take its functions off ctx and call them alone; the logger and stores are made once, on use, the logger at its first line", async () => {
    const made = { logger: 0, kv: 0, logged: [] as unknown[], sub: [] as { depth: number }[] };
    const run: RunIdentity = { id: "run-1", workspaceId: "ws", flowId: "flow", trigger: "manual" };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} },
        { id: "use", name: "Use", type: "test.detached", position: { x: 200, y: 0 }, config: {} },
        { id: "quiet", name: "Quiet", type: "test.quiet", position: { x: 400, y: 0 }, config: {} },
      ],
      edges: [
        { id: "e", source: "start", target: "use", sourcePort: "out", targetPort: "in" },
        { id: "f", source: "use", target: "quiet", sourcePort: "out", targetPort: "in" },
      ],
      settings: {},
    } as unknown as FlowDocument;
    const responses: WebhookResponse[] = [];
    const outcome = await executeFlow(servicesFor(made), { run, document, triggerItems: [{ json: { a: 1 } }], respond: (r) => responses.push(r), depth: 2 });

    expect(outcome.status).toBe("succeeded");
    const step = outcome.steps.find((s) => s.nodeId === "use")!;
    expect(step.output.out?.[0]?.json).toEqual({ key: idempotencyKey("run-1", "use", 1), config: {}, sub: 1, refused: '"test.detached" does not declare a smtp credential' });
    expect(step.usage).toEqual([{ provider: "local", model: "m", promptTokens: 2, completionTokens: 3, calls: 1 } satisfies ModelUsage & { calls: number }]);
    expect(responses).toEqual([{ status: 201, headers: {}, body: "made" }]);
    expect(made.sub).toEqual([{ depth: 3 }]);
    expect(made.logged).toEqual([{ bindings: { runId: "run-1", node: "Use" }, obj: "working" }]);
    expect(outcome.steps.find((s) => s.nodeId === "quiet")!.output.out?.[0]?.json).toMatchObject({ logger: "function" });
    // The start step never touched them, the quiet one wrote no line: one logger and one store, for the step that used them.
    expect([made.logger, made.kv]).toEqual([1, 1]);
  });
});
