import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { webhookUrlPath } from "../nodes/_core/webhook-url";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import type { Runtime } from "./runtime";
import { startTestRuntime, serveWebhooks, type WebhookServer } from "../server/test-runtime";

type Owner = Awaited<ReturnType<typeof signInAs>>;

/** Hostile shapes at the webhook door: every answer comes, and every run id given is a stored run. */
describe("webhooks given hostile bodies, on PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let owner: Owner;
  let server: WebhookServer;
  let base: string;

  beforeAll(async () => {
    web = await startTestRuntime({ db: database.db, env: { JSON_MAX_DEPTH: "64" } });
    owner = await signInAs({ db: database.db, name: "Hostile" });
    server = await serveWebhooks(web);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await web?.close();
  });

  async function activate(webhook: Record<string, unknown>, rest: { id: string; type: string; config?: Record<string, unknown> }[] = []) {
    const db = database.db;
    const nodes = [{ id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: webhook }, ...rest.map((n, i) => ({ name: n.id, position: { x: 200 * (i + 1), y: 0 }, ...n }))];
    const edges = rest.map((n, i) => ({ id: `e${i}`, source: i === 0 ? "hook" : rest[i - 1]!.id, target: n.id }));
    const document = { schema: FLOW_SCHEMA_TAG, nodes, edges };
    const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const created = await flowService.create({ ...scope, name: `Hook ${String(webhook.path)}`, document });
    await flowService.saveVersion({ ...scope, flowId: created.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: created.id });
    await web.triggersChanged(created.id);
    return created.id;
  }

  const post = (path: string, body: string) => fetch(`${base}${webhookUrlPath({ workspaceSlug: owner.workspace.slug, path })}`, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(10_000) });
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const storedRun = (id: string) => database.db.run.findUnique({ where: { id }, select: { status: true, input: true, output: true } });

  it.each([
    ["lastNode", 3_000],
    ["lastNode", 100_000],
    ["immediately", 100_000],
  ])("refuses a body nested deeper than JSON_MAX_DEPTH with 422 before a run exists (respond %s, depth %i)", async (respond, depth) => {
    const flowId = await activate({ path: `deep-${respond}-${depth}`, respond, timeoutMs: 2000, maxBodyBytes: 1024 * 1024 });
    const res = await post(`deep-${respond}-${depth}`, nested(depth));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/^The JSON body nests deeper than 64 levels \(at body\[0\].*\); flatten it, or raise JSON_MAX_DEPTH\.$/);
    expect(await database.db.run.count({ where: { flowId } })).toBe(0);
  });

  it("takes a body exactly as deep as the limit", async () => {
    await activate({ path: "deep-ok", respond: "lastNode" });
    const res = await post("deep-ok", `{"a":${nested(63)}}`);
    expect(res.status).toBe(200);
    const runId = res.headers.get("x-streamware-run-id")!;
    expect(await storedRun(runId)).toMatchObject({ status: "succeeded" });
  });

  it("stores a run whose body holds NUL and lone surrogates, with U+FFFD in their place (sync)", async () => {
    await activate({ path: "nul-sync", respond: "lastNode" });
    const res = await post("nul-sync", String.raw`{"a":"x\u0000y","b":"\ud800","c":"\\u0000 stays","d":"😀"}`);
    expect(res.status).toBe(200);
    // The flow itself saw the body as it came; only what is stored is made storable.
    expect(((await res.json()) as { body: unknown }).body).toEqual({ a: "x\u0000y", b: "\ud800", c: "\\u0000 stays", d: "😀" });
    const runId = res.headers.get("x-streamware-run-id")!;
    const run = await storedRun(runId);
    expect(run?.status).toBe("succeeded");
    expect((run?.input as { json: { body: unknown } }[])[0]!.json.body).toEqual({ a: "x\uFFFDy", b: "\uFFFD", c: "\\u0000 stays", d: "😀" });
  });

  it("stores and runs a queued run whose body holds a NUL (async)", async () => {
    await activate({ path: "nul-async" });
    const res = await post("nul-async", String.raw`{"a":"x\u0000y"}`);
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect((await web.waitForRun(runId, 10_000)).status).toBe("succeeded");
    expect(((await storedRun(runId))?.input as { json: { body: unknown } }[])[0]!.json.body).toEqual({ a: "x\uFFFDy" });
  });

  it("fails a code node's step whose output nests too deep, answering with the stored run's id", async () => {
    await activate({ path: "deep-output", respond: "lastNode" }, [
      { id: "deep", type: "core.code", config: { code: "let v = 1; for (let i = 0; i < 200; i++) v = [v]; return { v };" } },
    ]);
    const res = await post("deep-output", "{}");
    expect(res.status).toBe(500);
    const { runId, error } = (await res.json()) as { runId: string; error: string };
    expect(error).toMatch(/^Node "deep" failed: The output of "deep" nests deeper than 64 levels \(at out\[0\]\.json\.v\[0\].*\); flatten it, or raise JSON_MAX_DEPTH\.$/);
    expect(await storedRun(runId)).toMatchObject({ status: "failed" });
    const step = await database.db.step.findFirst({ where: { runId, nodeId: "deep" }, select: { status: true, error: true } });
    expect(step).toMatchObject({ status: "failed", error: { code: "OUTPUT_TOO_DEEP" } });
  });

  it("fails a run whose trigger items (a parsed MQTT payload, say) nest too deep, and stores it", async () => {
    const flowId = await activate({ path: "deep-trigger" });
    const { draft: document } = await flowService.get({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    let payload: unknown = 1;
    for (let i = 0; i < 100; i++) payload = [payload];
    const spec = { workspaceId: owner.workspace.id, flowId, flowVersionId: null, document, trigger: "webhook", startNodeId: "hook", triggerItems: [{ json: { payload } }] };
    const { runId, done } = web.executor.runInline(spec);
    const outcome = await done;
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toMatch(/^The trigger's data nests deeper than 64 levels \(at in\[0\]\.json\.payload\[0\].*\); flatten it, or raise JSON_MAX_DEPTH\.$/);
    expect(await storedRun(runId)).toMatchObject({ status: "failed" });
  });

  it("stores a code node's output that holds a NUL, with U+FFFD in its place", async () => {
    await activate({ path: "nul-output", respond: "lastNode" }, [{ id: "nul", type: "core.code", config: { code: "return { s: 'a' + String.fromCharCode(0) + 'b' };" } }]);
    const res = await post("nul-output", "{}");
    expect(res.status).toBe(200);
    const runId = res.headers.get("x-streamware-run-id")!;
    expect(await storedRun(runId)).toMatchObject({ status: "succeeded" });
    const step = await database.db.step.findFirst({ where: { runId, nodeId: "nul" }, select: { output: true } });
    expect(step?.output).toMatchObject({ items: { out: [{ json: { s: "a\uFFFDb" } }] } });
  });
});
