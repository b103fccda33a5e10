import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import type { Runtime } from "./runtime";
import { startTestRuntime } from "../server/test-runtime";

const position = { x: 0, y: 0 };
const stamp = (id: string, value: string) => ({ id, name: id, type: "core.set", position, config: { fields: [{ name: id, value }] } });

/** start → fetch (a set that would say "live") → check (if live is "pinned": true/false) → yes / no */
function document(pinData?: Record<string, unknown>) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "start", name: "start", type: "core.manual-trigger", position },
      stamp("fetch", "live"),
      { id: "check", name: "check", type: "core.if", position, config: { conditions: [{ left: "{{ $json.fetch }}", operator: "equals", right: "pinned" }] } },
      stamp("yes", "{{ $json.fetch }}!"),
      stamp("no", "{{ $json.fetch }}?"),
    ],
    edges: [
      { id: "e1", source: "start", target: "fetch" },
      { id: "e2", source: "fetch", target: "check" },
      { id: "e3", source: "check", target: "yes", sourcePort: "true" },
      { id: "e4", source: "check", target: "no", sourcePort: "false" },
    ],
    ...(pinData ? { pinData } : {}),
  };
}

describe("pinned test data and running one node", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Awaited<ReturnType<typeof signInAs>>;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Pinner" });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const scope = () => ({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id });

  async function start(flowId: string, options: { onlyNodeId?: string; source?: "draft" | "active" } = {}) {
    const spec = await runService.prepareManual({ ...scope(), flowId, input: { n: 1 }, source: options.source ?? "draft", onlyNodeId: options.onlyNodeId });
    const runId = await runtime.enqueue(spec);
    await runtime.waitForRun(runId, 30_000);
    return runService.get({ ...scope(), runId });
  }
  const outputOf = (run: Awaited<ReturnType<typeof start>>, nodeId: string) =>
    (run.steps.find((s) => s.nodeId === nodeId)?.output as { items: Record<string, { json: Record<string, unknown> }[]> } | undefined)?.items;

  it("uses a pinned node's items instead of running it in a test run of the draft", async () => {
    const flow = await flowService.create({ ...scope(), name: "Pinned", document: document({ fetch: [{ json: { fetch: "pinned", extra: 1 } }] }) });
    const run = await start(flow.id);
    expect(run.status).toBe("succeeded");
    expect(outputOf(run, "fetch")).toEqual({ out: [{ json: { fetch: "pinned", extra: 1 } }] });
    expect(outputOf(run, "yes")?.out?.[0]?.json).toMatchObject({ fetch: "pinned", yes: "pinned!" });
    expect(run.steps.find((s) => s.nodeId === "no")?.status).toBe("skipped");
  });

  it("pinned items leave a branching node by its first output", async () => {
    const flow = await flowService.create({ ...scope(), name: "Pinned branch", document: document({ check: [{ json: { fetch: "from pin" } }] }) });
    const run = await start(flow.id);
    expect(outputOf(run, "check")).toEqual({ true: [{ json: { fetch: "from pin" } }] });
    expect(outputOf(run, "yes")?.out?.[0]?.json).toMatchObject({ yes: "from pin!" });
  });

  it("ignores pins when the active version runs", async () => {
    const pinned = document({ fetch: [{ json: { fetch: "pinned" } }] });
    const flow = await flowService.create({ ...scope(), name: "Active", document: pinned });
    await flowService.saveVersion({ ...scope(), flowId: flow.id, document: pinned, message: "" });
    await activationService.activate({ ...scope(), flowId: flow.id });
    const run = await start(flow.id, { source: "active" });
    expect(outputOf(run, "fetch")?.out?.[0]?.json).toMatchObject({ fetch: "live" });
    expect(outputOf(run, "no")?.out?.[0]?.json).toMatchObject({ no: "live?" });
  });

  it("runs one node alone on its upstream node's pinned items", async () => {
    const flow = await flowService.create({ ...scope(), name: "Alone", document: document({ check: [{ json: { fetch: "solo" } }] }) });
    const run = await start(flow.id, { onlyNodeId: "yes" });
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => s.nodeId).sort()).toEqual(["check", "yes"]);
    const yes = run.steps.find((s) => s.nodeId === "yes")!;
    expect(yes.input).toMatchObject({ items: { in: [{ json: { fetch: "solo" } }] } });
    expect(outputOf(run, "yes")).toEqual({ out: [{ json: { fetch: "solo", yes: "solo!" } }] });
  });

  it("runs one node alone on what its upstream node output in the latest run", async () => {
    const flow = await flowService.create({ ...scope(), name: "From last run", document: document() });
    const full = await start(flow.id);
    expect(outputOf(full, "no")?.out?.[0]?.json).toMatchObject({ no: "live?" });
    // The node is changed after the full run; only it runs again, on the stored output of "check".
    const changed = document();
    changed.nodes = changed.nodes.map((n) => (n.id === "no" ? stamp("no", "{{ $json.fetch }} again") : n));
    await flowService.saveDraft({ ...scope(), flowId: flow.id, document: changed });
    const run = await start(flow.id, { onlyNodeId: "no" });
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => s.nodeId).sort()).toEqual(["check", "no"]);
    expect(outputOf(run, "no")?.out?.[0]?.json).toMatchObject({ fetch: "live", no: "live again" });
  });

  it("refuses to run a node alone with nothing to feed it, or a trigger, and starts no run", async () => {
    const flow = await flowService.create({ ...scope(), name: "Nothing yet", document: document() });
    await expect(runService.prepareManual({ ...scope(), flowId: flow.id, source: "draft", onlyNodeId: "yes" })).rejects.toThrow(
      '"check" has no output to feed "yes": pin its output, or run the whole flow once',
    );
    await expect(runService.prepareManual({ ...scope(), flowId: flow.id, source: "draft", onlyNodeId: "start" })).rejects.toThrow('"start" is a trigger: run the whole flow to try it');
    await expect(runService.prepareManual({ ...scope(), flowId: flow.id, source: "draft", onlyNodeId: "ghost" })).rejects.toThrow('The flow has no node with id "ghost"');
    expect((await runService.list({ ...scope(), flowId: flow.id, limit: 10 })).runs).toEqual([]);
  });
});
