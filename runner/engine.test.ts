import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { backoffDelay } from "./engine";
import type { Runtime } from "./runtime";
import { startTestRuntime } from "../server/test-runtime";

type NodeSpec = { id: string; type: string; name?: string; config?: Record<string, unknown>; retry?: { maxAttempts: number; backoffMs: number }; timeoutMs?: number; onError?: "stop" | "continue" | "errorPort"; disabled?: boolean };

function flow(nodes: NodeSpec[], edges: [string, string, string?, string?][], settings: Record<string, unknown> = {}) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: nodes.map((n, i) => ({ name: n.id, position: { x: i * 200, y: 0 }, ...n })),
    edges: edges.map(([source, target, sourcePort, targetPort], i) => ({ id: `e${i}`, source, target, sourcePort: sourcePort ?? "out", targetPort: targetPort ?? "in" })),
    settings,
  };
}

const trigger: NodeSpec = { id: "start", type: "core.manual-trigger" };

describe("engine against PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Awaited<ReturnType<typeof signInAs>>;
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db, env: { STEP_DATA_CAP_BYTES: "2048", EXPRESSION_TIMEOUT_MS: "300" } });
    owner = await signInAs({ db: database.db, name: "Runner" });
    // A local service that fails a given number of times per key before answering.
    server = createServer((req, res) => {
      const url = new URL(req.url!, "http://x");
      const key = url.searchParams.get("key") ?? "";
      const count = (hits.get(key) ?? 0) + 1;
      hits.set(key, count);
      const failures = Number(url.searchParams.get("fail") ?? 0);
      if (count <= failures) return res.writeHead(503).end("busy");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ key, count }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await runtime?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function run(document: unknown, input: unknown = {}) {
    const db = database.db;
    const { id: flowId } = await flowService.create({ db, userId: owner.user.id, workspaceId: owner.workspace.id, name: "Engine test", document });
    const spec = await runService.prepareManual({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId, input, source: "draft" });
    const runId = await runtime.enqueue(spec);
    await runtime.waitForRun(runId, 30_000);
    return runService.get({ db, userId: owner.user.id, workspaceId: owner.workspace.id, runId });
  }

  const stepOf = (result: Awaited<ReturnType<typeof run>>, nodeId: string) => {
    const step = result.steps.find((s) => s.nodeId === nodeId);
    if (!step) throw new Error(`no step for ${nodeId}`);
    return step as typeof step & { output: { items: Record<string, { json: Record<string, unknown> }[]> } | null };
  };

  it("runs items along edges by port and stores every step", async () => {
    const result = await run(
      flow(
        [
          trigger,
          { id: "double", type: "core.set", config: { fields: [{ name: "double", value: "{{ n * 2 }}" }] } },
          { id: "check", type: "core.if", config: { conditions: [{ left: "{{ $json.double }}", operator: "greaterThan", right: 5 }] } },
          { id: "big", type: "core.set", config: { fields: [{ name: "size", value: "big" }] } },
          { id: "small", type: "core.set", config: { fields: [{ name: "size", value: "small" }, { name: "from", value: "{{ $node.double.json.double }}" }] } },
        ],
        [["start", "double"], ["double", "check"], ["check", "big", "true"], ["check", "small", "false"]],
      ),
      { n: 2 },
    );
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "double").output?.items.out?.[0]?.json).toEqual({ n: 2, double: 4 });
    expect(stepOf(result, "small").output?.items.out?.[0]?.json).toEqual({ n: 2, double: 4, size: "small", from: 4 });
    expect(stepOf(result, "big").status).toBe("skipped");
    // Stored once as the upstream output, the input is put back together along the edges.
    expect(stepOf(result, "check").input).toEqual({ items: { in: [{ json: { n: 2, double: 4 } }] }, fromUpstream: true });
    expect(stepOf(result, "start").input).toEqual({ items: { in: [{ json: { n: 2 } }] }, fromTrigger: true });
    // Items passed on unchanged are stored once and put back together when read.
    expect(stepOf(result, "start").output).toEqual({ items: { out: [{ json: { n: 2 } }] }, fromTrigger: true });
    expect(result.output).toEqual({ items: { out: [{ json: { n: 2, double: 4, size: "small", from: 4 } }] }, fromStep: "small" });
    expect(result.steps.every((s) => s.finishedAt && s.durationMs !== null)).toBe(true);
  });

  it("fails a step whose expression hits a limit, naming it, while other runs go on", async () => {
    const endless = "{{ ( $f := function($n){ $f($n + 1) }; $f(0) ) }}";
    const [hostile, bystander] = await Promise.all([
      run(flow([trigger, { id: "loop", type: "core.set", config: { fields: [{ name: "x", value: endless }] } }], [["start", "loop"]]), { n: 1 }),
      run(flow([trigger, { id: "fine", type: "core.set", config: { fields: [{ name: "x", value: "{{ $string(n) }}" }] } }], [["start", "fine"]]), { n: 1 }),
    ]);
    expect(bystander.status).toBe("succeeded");
    expect(hostile.status).toBe("failed");
    const step = stepOf(hostile, "loop");
    expect(step.status).toBe("failed");
    expect((step.error as { message: string }).message).toContain('Node "loop", field "fields[0].value": expression');
    expect((step.error as { message: string }).message).toContain("it ran longer than 300 ms (the expression time limit)");
    // A config error: retrying the same expression would hit the same limit.
    expect(step.attempt).toBe(1);
  });

  it("merges two branches once both have settled", async () => {
    const result = await run(
      flow(
        [
          trigger,
          { id: "a", type: "core.set", config: { fields: [{ name: "side", value: "a" }] } },
          { id: "b", type: "core.set", config: { fields: [{ name: "side", value: "b" }] } },
          { id: "join", type: "core.merge", config: { mode: "append" } },
        ],
        [["start", "a"], ["start", "b"], ["a", "join", "out", "a"], ["b", "join", "out", "b"]],
      ),
    );
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "join").output?.items.out?.map((i) => i.json.side)).toEqual(["a", "b"]);
  });

  it("retries an external failure with backoff until it succeeds", async () => {
    const result = await run(
      flow(
        [trigger, { id: "call", type: "core.http-request", config: { url: `${base}/?key=retry-ok&fail=2` }, retry: { maxAttempts: 3, backoffMs: 10 } }],
        [["start", "call"]],
      ),
    );
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "call").attempt).toBe(3);
    expect(hits.get("retry-ok")).toBe(3);
  });

  it("gives up after the last attempt and keeps the upstream status", async () => {
    const result = await run(
      flow([trigger, { id: "call", type: "core.http-request", config: { url: `${base}/?key=retry-fail&fail=9` }, retry: { maxAttempts: 2, backoffMs: 10 } }], [["start", "call"]]),
    );
    expect(result.status).toBe("failed");
    const step = stepOf(result, "call");
    expect(step.attempt).toBe(2);
    expect(step.error).toMatchObject({ code: "EXTERNAL", status: 503 });
    expect(result.error?.message).toContain('Node "call" failed');
  });

  it("never retries a config error", async () => {
    const result = await run(
      flow([trigger, { id: "bad", type: "core.set", config: { fields: [{ name: "x", value: "{{ $number(word) }}" }] }, retry: { maxAttempts: 5, backoffMs: 10 } }], [["start", "bad"]]),
      { word: "abc" },
    );
    expect(result.status).toBe("failed");
    expect(stepOf(result, "bad").attempt).toBe(1);
    expect(stepOf(result, "bad").error).toMatchObject({ code: "CONFIG" });
    expect((stepOf(result, "bad").error as { message: string }).message).toMatch(/Node "bad", field "fields\[0\]\.value": .*position \d+/);
  });

  it("times a slow step out", async () => {
    const result = await run(flow([trigger, { id: "slow", type: "core.delay", config: { ms: 5000 }, timeoutMs: 50 }], [["start", "slow"]]));
    expect(result.status).toBe("failed");
    expect(stepOf(result, "slow").error).toMatchObject({ code: "TIMEOUT" });
  });

  it("sends a failed item to the error port and goes on", async () => {
    const result = await run(
      flow(
        [
          trigger,
          { id: "call", type: "core.http-request", config: { url: `${base}/?key=error-port&fail=9` }, onError: "errorPort" },
          { id: "handled", type: "core.set", config: { fields: [{ name: "handled", value: "{{ $json.error.status }}" }] } },
          { id: "after", type: "core.set", config: { fields: [{ name: "ok", value: true }] } },
        ],
        [["start", "call"], ["call", "handled", "error"], ["call", "after", "out"]],
      ),
    );
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "call").status).toBe("failed");
    expect(stepOf(result, "handled").output?.items.out?.[0]?.json.handled).toBe(503);
    expect(stepOf(result, "after").status).toBe("skipped");
  });

  it("continues past a failed node when told to", async () => {
    const result = await run(
      flow(
        [trigger, { id: "call", type: "core.http-request", config: { url: `${base}/?key=continue&fail=9` }, onError: "continue" }, { id: "after", type: "core.set", config: { fields: [{ name: "ok", value: true }] } }],
        [["start", "call"], ["call", "after"]],
      ),
      { a: 1 },
    );
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "after").output?.items.out?.[0]?.json).toEqual({ a: 1, ok: true });
  });

  it("refuses output nested too deep beside items passed on, whatever the number of items", async () => {
    // A deep item after 3 or 12 items of the step's input: a few are compared one by one, many through a Set.
    for (const count of [3, 12]) {
      const code = "let v = 1; for (let i = 0; i < 200; i++) v = [v]; return [...items.map((item) => item.json), { v }];";
      const result = await run(flow([trigger, { id: "deep", type: "core.code", config: { code } }], [["start", "deep"]]), Array.from({ length: count }, (_, n) => ({ n })));
      expect(result.status).toBe("failed");
      expect(stepOf(result, "deep").error).toMatchObject({ code: "OUTPUT_TOO_DEEP", message: expect.stringContaining(`(at out[${count}].json.v[0]`) as string });
    }
  });

  it("cancels a running run", async () => {
    const db = database.db;
    const { id: flowId } = await flowService.create({
      db,
      userId: owner.user.id,
      workspaceId: owner.workspace.id,
      name: "Cancel me",
      document: flow([trigger, { id: "wait", type: "core.delay", config: { ms: 30_000 } }, { id: "after", type: "core.set", config: {} }], [["start", "wait"], ["wait", "after"]]),
    });
    const spec = await runService.prepareManual({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId, source: "draft" });
    const runId = await runtime.enqueue(spec);
    const started = new Promise<void>((resolve) => {
      const off = runtime.events.subscribe(runId, (e) => {
        if (e.type === "step.started" && e.nodeId === "wait") {
          off();
          resolve();
        }
      });
    });
    await started;
    await runtime.cancel(runId);
    const finished = await runtime.waitForRun(runId, 10_000);
    expect(finished.status).toBe("cancelled");
    const result = await runService.get({ db, userId: owner.user.id, workspaceId: owner.workspace.id, runId });
    expect(result.status).toBe("cancelled");
    expect(result.steps.find((s) => s.nodeId === "wait")?.status).toBe("cancelled");
    expect(result.steps.find((s) => s.nodeId === "after")?.status).toBe("cancelled");
  });

  it("caps stored step data and says by how much", async () => {
    const result = await run(
      flow([trigger, { id: "big", type: "core.code", config: { code: "return Array.from({ length: 200 }, (_, i) => ({ i, text: 'x'.repeat(50) }));" } }], [["start", "big"]]),
    );
    expect(result.status).toBe("succeeded");
    const step = stepOf(result, "big") as ReturnType<typeof stepOf> & { output: { truncated?: { originalBytes: number; capBytes: number; totalItems: number; keptItems: number } } };
    expect(step.outputTruncated).toBe(true);
    expect(step.output.truncated).toMatchObject({ capBytes: 2048, totalItems: 200 });
    expect(step.output.truncated!.originalBytes).toBeGreaterThan(2048);
    expect(step.output.truncated!.keptItems).toBeLessThan(200);
  });

  it("runs an active flow as a sub-flow and returns its output", async () => {
    const db = database.db;
    const child = await flowService.create({
      db,
      userId: owner.user.id,
      workspaceId: owner.workspace.id,
      name: "Child",
      document: flow([trigger, { id: "tag", type: "core.set", config: { fields: [{ name: "child", value: "{{ value + 1 }}" }] } }], [["start", "tag"]]),
    });
    const version = await flowService.get({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId: child.id });
    await flowService.saveVersion({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId: child.id, document: version.draft, message: "" });
    await activationService.activate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId: child.id });
    const result = await run(flow([trigger, { id: "sub", type: "core.execute-flow", config: { flowId: child.id } }], [["start", "sub"]]), { value: 41 });
    expect(result.status).toBe("succeeded");
    expect(stepOf(result, "sub").output?.items.out?.[0]?.json).toEqual({ value: 41, child: 42 });
  });

  it("refuses a sub-flow from another workspace", async () => {
    const stranger = await signInAs({ db: database.db, name: "Stranger" });
    const theirs = await flowService.create({ db: database.db, userId: stranger.user.id, workspaceId: stranger.workspace.id, name: "Theirs" });
    const result = await run(flow([trigger, { id: "sub", type: "core.execute-flow", config: { flowId: theirs.id } }], [["start", "sub"]]));
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("is not an active flow of this workspace");
  });

  it("keeps only failed runs when the flow says so", async () => {
    const db = database.db;
    const { id: flowId } = await flowService.create({
      db,
      userId: owner.user.id,
      workspaceId: owner.workspace.id,
      name: "Failed only",
      document: flow([trigger, { id: "pick", type: "core.if", config: { conditions: [{ left: "{{ ok }}", operator: "isTrue" }] } }, { id: "boom", type: "core.http-request", config: { url: `${base}/?key=keep&fail=9` } }], [["start", "pick"], ["pick", "boom", "false"]], { keepRuns: "failed" }),
    });
    const start = async (ok: boolean) => {
      const spec = await runService.prepareManual({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId, source: "draft", input: { ok } });
      const runId = await runtime.enqueue(spec);
      await runtime.waitForRun(runId, 10_000);
      return runId;
    };
    const good = await start(true);
    const bad = await start(false);
    expect(await runService.status({ db, runId: good })).toBeNull();
    expect((await runService.status({ db, runId: bad }))?.status).toBe("failed");
  });

  it("stores a queued run's pure steps with the next step that is not pure, or with its end", async () => {
    const result = await run(
      flow(
        [
          trigger,
          { id: "tag", type: "core.set", config: { fields: [{ name: "tagged", value: "{{ 'x' & n }}" }] } },
          { id: "call", type: "core.http-request", config: { url: `${base}/?key=pure-between` } },
          { id: "after", type: "core.set", config: { fields: [{ name: "done", value: true }] } },
        ],
        [["start", "tag"], ["tag", "call"], ["call", "after"]],
      ),
      { n: 7 },
    );
    expect(result.status).toBe("succeeded");
    expect(result.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["start", "succeeded"],
      ["tag", "succeeded"],
      ["call", "succeeded"],
      ["after", "succeeded"],
    ]);
    expect(stepOf(result, "tag").output?.items.out?.[0]?.json).toMatchObject({ n: 7, tagged: "x7" });
    expect(stepOf(result, "after").output?.items.out?.[0]?.json).toMatchObject({ done: true });
  });

  it("fails a run whose worker keeps being lost while no step is recorded as running", async () => {
    const db = database.db;
    const document = flow([trigger, { id: "tag", type: "core.set", config: { fields: [{ name: "a", value: 1 }] } }], [["start", "tag"]]);
    const { id: flowId } = await flowService.create({ db, userId: owner.user.id, workspaceId: owner.workspace.id, name: "Lost between steps", document });
    const spec = await runService.prepareManual({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId, input: {}, source: "draft" });
    const runId = await runtime.executor.createQueued(spec);
    // As a worker lost in a pure step leaves it: running, held by a worker that is gone, no step recorded.
    await db.run.update({ where: { id: runId }, data: { status: "running", workerId: "gone", workerLosses: 1 } });
    await runtime.dispatcher.enqueue({ runId, workspaceId: owner.workspace.id });
    const finished = await runtime.waitForRun(runId, 30_000);
    expect(finished.status).toBe("failed");
    const stored = await runService.get({ db, userId: owner.user.id, workspaceId: owner.workspace.id, runId });
    expect(stored.error).toMatchObject({ code: "WORKER_LOST", message: expect.stringContaining("lost (killed, out of memory or frozen) 2 times in a trigger or a pure node (If, Switch, Set, Merge)") });
    expect(stored.steps).toEqual([]);
  });

  it("spreads retry delays with jitter around an exponential curve", () => {
    expect(backoffDelay(100, 1, () => 0.5)).toBe(100);
    expect(backoffDelay(100, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(100, 3, () => 0)).toBe(200);
    expect(backoffDelay(100, 3, () => 0.999)).toBe(600);
  });
});
