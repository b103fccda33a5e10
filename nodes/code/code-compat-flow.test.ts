import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { useTestDatabase } from "../../server/db/test-databases";
import { signInAs } from "../../server/routers/test-helpers";
import { flowService } from "../../server/services/flow-service";
import { flowStateStore } from "../../server/services/flow-state-service";
import { runService } from "../../server/services/run-service";
import { startTestRuntime } from "../../server/test-runtime";
import { importNodeRed } from "../_interop/node-red/import-node-red";

// A Node-RED function imported as it is, run by the engine: its outputs are ports, and its flow context lives in the
// flow's state between runs.
describe("an imported Node-RED function in a running flow", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Awaited<ReturnType<typeof signInAs>>;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Ada" });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it("routes each message to its output and counts across runs in flow context", async () => {
    const func = [
      "const count = (flow.get('count') || 0) + 1;",
      "flow.set('count', count);",
      "msg.count = count;",
      "node.warn('run ' + count);",
      "return count % 2 === 1 ? [msg, null] : [null, msg];",
    ].join("\n");
    const imported = importNodeRed([
      { id: "t", type: "tab", label: "Counter" },
      { id: "go", type: "inject", z: "t", name: "Go", x: 0, y: 0, props: [{ p: "payload" }], payload: "tick", payloadType: "str", repeat: "", crontab: "", wires: [["fn"]] },
      { id: "fn", type: "function", z: "t", name: "Odd or even", x: 200, y: 0, func, outputs: 2, wires: [["odd"], ["even"]] },
      { id: "odd", type: "debug", z: "t", name: "Odd", x: 400, y: 0, wires: [] },
      { id: "even", type: "debug", z: "t", name: "Even", x: 400, y: 100, wires: [] },
    ]);
    if (!imported.ok) throw new Error(JSON.stringify(imported.report.problems));
    const { db } = database;
    const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const { id: flowId } = await flowService.create({ ...scope, name: "Counter", document: imported.flows[0]!.document });
    const byName = new Map(imported.flows[0]!.document.nodes.map((n) => [n.name, n.id]));

    const runOnce = async () => {
      const spec = await runService.prepareManual({ ...scope, flowId, input: {}, source: "draft" });
      const runId = await runtime.enqueue(spec);
      await runtime.waitForRun(runId, 30_000);
      const result = await runService.get({ ...scope, runId });
      expect(result.status).toBe("succeeded");
      const step = (name: string) => result.steps.find((s) => s.nodeId === byName.get(name))!;
      return { code: step("Odd or even") as { output: { items: Record<string, { json: unknown }[]> } }, odd: step("Odd"), even: step("Even") };
    };

    const first = await runOnce();
    expect(first.code.output.items).toEqual({ out: [{ json: { payload: "tick", count: 1 } }] });
    expect(first.odd.status).toBe("succeeded");
    expect(first.even.status).toBe("skipped");
    const second = await runOnce();
    expect(second.code.output.items).toEqual({ "out-2": [{ json: { payload: "tick", count: 2 } }] });
    expect(second.odd.status).toBe("skipped");
    expect(second.even.status).toBe("succeeded");
    expect(await flowStateStore({ db, workspaceId: owner.workspace.id, flowId }).get("node-red:flow")).toEqual({ count: 2 });
  });
});
