import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { addMember, rejection, signInAs } from "../routers/test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];

const greet = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "tag", name: "Tag", type: "core.set", position: { x: 200, y: 0 }, config: { fields: [{ name: "greeting", value: "Hello {{ name }}" }] } },
    { id: "after", name: "After", type: "core.set", position: { x: 400, y: 0 }, config: { fields: [{ name: "done", value: true }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "tag" },
    { id: "e2", source: "tag", target: "after" },
  ],
};

async function finishedRun(caller: Caller, ref: { workspaceId: string; runId: string }) {
  for (let poll = 0; poll < 1500; poll++) {
    const run = await caller.run.get(ref);
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${ref.runId} did not finish`);
}

describe("run.previewExpression on PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  async function flowWithRuns(name: string, inputs: unknown[]) {
    const owner = await signInAs({ db: database.db, name });
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.create({ workspaceId, name: "Greeter", document: greet });
    const runIds: string[] = [];
    for (const input of inputs) {
      const { runId } = await owner.caller.run.start({ workspaceId, flowId: flow.id, input });
      expect((await finishedRun(owner.caller, { workspaceId, runId })).status).toBe("succeeded");
      runIds.push(runId);
    }
    return { owner, workspaceId, flowId: flow.id, runIds };
  }

  it("evaluates against the node's input in the flow's latest run that reached it, or the run named", async () => {
    const { owner, workspaceId, flowId, runIds } = await flowWithRuns("Previewer", [
      [{ name: "Ada", count: 1 }],
      [{ name: "Grace", count: 7 }, { name: "Linus", count: 9 }],
    ]);
    const preview = (args: { expression: string | Record<string, unknown>; nodeId?: string; runId?: string; itemIndex?: number }) =>
      owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", ...args });

    expect(await preview({ expression: "Hello {{ name }}" })).toEqual({ ok: true, value: "Hello Grace", runId: runIds[1], itemIndex: 0, itemCount: 2 });
    expect(await preview({ expression: "Hello {{ $json.name }}", itemIndex: 1 })).toMatchObject({ ok: true, value: "Hello Linus", itemIndex: 1 });
    // A string that is one expression keeps its type, as in the engine.
    expect(await preview({ expression: "{{ count * 2 }}" })).toMatchObject({ ok: true, value: 14 });
    expect(await preview({ expression: "{{ $trigger.name & ' / ' & $node.Start.items[1].name & ' / ' & $itemIndex }}", itemIndex: 1 })).toMatchObject({
      ok: true,
      value: "Grace / Linus / 1",
    });
    expect(await preview({ expression: "Hello {{ name }}", runId: runIds[0] })).toEqual({ ok: true, value: "Hello Ada", runId: runIds[0], itemIndex: 0, itemCount: 1 });
    // JSON (a request body) has the expressions in its strings evaluated, as the engine does.
    expect(await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: { hi: "Hi {{ name }}", n: ["{{ count }}"] } })).toMatchObject({
      ok: true,
      value: { hi: "Hi Grace", n: [7] },
    });
    // An index past the end shows the last item rather than nothing.
    expect(await preview({ expression: "{{ name }}", itemIndex: 40 })).toMatchObject({ ok: true, value: "Linus", itemIndex: 1 });
    // A node downstream sees the output of the node before it; nodes that ran later are not in $node.
    expect(await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "after", expression: "{{ greeting }}" })).toMatchObject({ ok: true, value: "Hello Grace" });
    expect(await preview({ expression: "{{ $node.After.json.done }}" })).toMatchObject({ ok: true, value: null });
  });

  it("answers a bad expression with the engine's message and the position of the mistake", async () => {
    const { owner, workspaceId, flowId } = await flowWithRuns("Mistaken", [{ name: "Ada" }]);
    const result = await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "Hi {{ name + }}", field: "config.fields[0].value" });
    expect(result).toMatchObject({ ok: false, itemCount: 1, error: { position: expect.any(Number) } });
    if (result.ok) throw new Error("expected a failure");
    expect(result.error.message).toMatch(/^Node "Tag", field "config\.fields\[0\]\.value": expression \{\{ name \+ \}\} failed at position \d+/);
    // The position points into the field's text, past "Hi {{ name +".
    expect(result.error.position).toBeGreaterThanOrEqual("Hi {{ name".length);

    const failing = await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "{{ $number('abc') }}" });
    expect(failing).toMatchObject({ ok: false, error: { message: expect.stringContaining("failed") } });
  });

  it("evaluates against an empty item when no run has reached the node yet", async () => {
    const { owner, workspaceId, flowId } = await flowWithRuns("Fresh", []);
    expect(await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "x{{ 1 + 2 }}" })).toEqual({
      ok: true,
      value: "x3",
      runId: null,
      itemIndex: 0,
      itemCount: 0,
    });
    expect(await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "{{ ( }}" })).toMatchObject({ ok: false, runId: null });
  });

  it("lets a viewer preview, and refuses another workspace's flow or run as not found", async () => {
    const { owner, workspaceId, flowId, runIds } = await flowWithRuns("Keeper", [{ name: "Secret" }]);
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await addMember({ db: database.db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    expect(await viewer.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "{{ name }}" })).toMatchObject({ ok: true, value: "Secret" });

    const intruder = await signInAs({ db: database.db, name: "Intruder" });
    const own = await intruder.caller.flow.create({ workspaceId: intruder.workspace.id, name: "Mine", document: greet });
    const other = await owner.caller.flow.create({ workspaceId, name: "Other" });
    const attempts = [
      () => intruder.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "{{ name }}" }),
      () => intruder.caller.run.previewExpression({ workspaceId: intruder.workspace.id, flowId, nodeId: "tag", expression: "{{ name }}" }),
      () => intruder.caller.run.previewExpression({ workspaceId: intruder.workspace.id, flowId: own.id, runId: runIds[0], nodeId: "tag", expression: "{{ name }}" }),
      // The owner's own run named under a flow it does not belong to.
      () => owner.caller.run.previewExpression({ workspaceId, flowId: other.id, runId: runIds[0], nodeId: "tag", expression: "{{ name }}" }),
    ];
    for (const attempt of attempts) expect((await rejection(attempt())).code).toBe("NOT_FOUND");
  });

  it("refuses an expression too long to be a config field, saying so", async () => {
    const { owner, workspaceId, flowId } = await flowWithRuns("Long", []);
    const error = await rejection(owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "x".repeat(20_001) }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("under 20,000 characters");
  });

  it("answers a hostile expression with the limit it hit, and goes on answering everyone", async () => {
    const { owner, workspaceId, flowId } = await flowWithRuns("Hostile", [[{ name: "Ada" }]]);
    const other = await flowWithRuns("Bystander", [[{ name: "Grace" }]]);
    const endless = "{{ ( $f := function($n){ $f($n + 1) }; $f(0) ) }}";
    const [hostile, bystander] = await Promise.all([
      owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: endless }),
      other.owner.caller.run.previewExpression({ workspaceId: other.workspaceId, flowId: other.flowId, nodeId: "tag", expression: "{{ $uppercase(name) }}" }),
    ]);
    expect(bystander).toMatchObject({ ok: true, value: "GRACE" });
    expect(hostile).toMatchObject({ ok: false });
    expect(hostile.ok === false && hostile.error.message).toContain("(the expression time limit)");
    expect(await owner.caller.run.previewExpression({ workspaceId, flowId, nodeId: "tag", expression: "{{ $uppercase(name) }}" })).toMatchObject({ ok: true, value: "ADA" });
  });
});
