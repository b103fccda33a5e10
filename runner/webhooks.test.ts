import { createHmac } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor, serveWebhooks, type WebhookServer } from "../server/test-runtime";

const redisUrl = testRedisUrlFor(1);

type Owner = Awaited<ReturnType<typeof signInAs>>;

describe("webhooks on the lean path, PostgreSQL + Redis", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let worker: Runtime;
  let owner: Owner;
  let server: WebhookServer;
  let base: string;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    web = await startTestRuntime({ db: database.db, redis: redisUrl, env: { WEBHOOK_RATE_LIMIT: "20" } });
    worker = await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker" });
    owner = await signInAs({ db: database.db, name: "Hooks" });
    server = await serveWebhooks(web);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await web?.close();
    await worker?.close();
  });

  /** Saves and activates a webhook flow: webhook → the given nodes in a line. */
  async function activate(who: Owner, webhook: Record<string, unknown>, rest: { id: string; type: string; config?: Record<string, unknown> }[], credentials = {}, hookVersion = 1, settings = {}) {
    const db = database.db;
    const nodes = [{ id: "hook", type: "core.webhook", typeVersion: hookVersion, name: "Hook", position: { x: 0, y: 0 }, config: webhook, credentials }, ...rest.map((n, i) => ({ name: n.id, position: { x: 200 * (i + 1), y: 0 }, ...n }))];
    const edges = rest.map((n, i) => ({ id: `e${i}`, source: i === 0 ? "hook" : rest[i - 1]!.id, target: n.id }));
    const document = { schema: FLOW_SCHEMA_TAG, nodes, edges, settings };
    const scope = { db, userId: who.user.id, workspaceId: who.workspace.id };
    const created = await flowService.create({ ...scope, name: `Hook ${String(webhook.path)}`, document });
    await flowService.saveVersion({ ...scope, flowId: created.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: created.id });
    await web.triggersChanged(created.id);
    return created.id;
  }

  /** Posts to /hooks/<workspace slug>/<path>, in the owner's workspace unless another is named. */
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, who: Owner = owner) =>
    fetch(`${base}/hooks/${who.workspace.slug}/${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("answers 202 with the run id at once, and a worker runs it", async () => {
    await activate(owner, { path: "async" }, [{ id: "tag", type: "core.set", config: { fields: [{ name: "seen", value: "{{ body.name }}" }] } }]);
    const res = await post("async", { name: "Ada" });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect((await web.waitForRun(runId, 15_000)).status).toBe("succeeded");
    const run = await runService.get({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id, runId });
    expect(run.trigger).toBe("webhook");
    expect(run.steps.find((s) => s.nodeId === "tag")?.output).toMatchObject({ items: { out: [{ json: { seen: "Ada" } }] } });
  });

  it("answers with the last node's output when told to wait", async () => {
    await activate(owner, { path: "sync", respond: "lastNode" }, [{ id: "tag", type: "core.set", config: { fields: [{ name: "hello", value: "{{ 'Hi ' & body.name }}" }], keepOnlySet: true } }]);
    const res = await post("sync", { name: "Ada" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: "Hi Ada" });
    expect(res.headers.get("x-streamware-run-id")).toBeTruthy();
  });

  it("gives the flow the query string's parameters, and an empty query without one", async () => {
    await activate(owner, { path: "query", respond: "lastNode" }, [{ id: "echo", type: "core.set", config: { fields: [{ name: "query", value: "{{ query }}" }], keepOnlySet: true } }]);
    const call = async (suffix: string) => {
      const res = await fetch(`${base}/hooks/${owner.workspace.slug}/query${suffix}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status).toBe(200);
      return ((await res.json()) as { query: unknown }).query;
    };
    expect(await call("?name=Ada&city=Lond%C3%B3n&empty=")).toEqual({ name: "Ada", city: "Londón", empty: "" });
    expect(await call("")).toEqual({});
    expect(await call("?")).toEqual({});
  });

  it("keeps only the failed runs of a flow that keeps failed runs, with every step they took", async () => {
    // A workspace of its own: the other tests' calls do not count against its rate limit.
    const keeper = await signInAs({ db: database.db, name: "Keeper" });
    const flowId = await activate(
      keeper,
      { path: "failed-only", respond: "lastNode" },
      [
        { id: "tag", type: "core.set", config: { fields: [{ name: "hello", value: "{{ 'Hi ' & body.name }}" }] } },
        { id: "check", type: "core.code", config: { code: "if (items[0].json.body.fail) throw new Error('told to fail'); return items;" } },
      ],
      {},
      1,
      { keepRuns: "failed" },
    );
    expect((await post("failed-only", { name: "Ada" }, {}, keeper)).status).toBe(200);
    const failed = await post("failed-only", { name: "Bo", fail: true }, {}, keeper);
    expect(failed.status).toBe(500);
    const { runId } = (await failed.json()) as { runId: string };
    const runs = await database.db.run.findMany({ where: { flowId }, select: { id: true } });
    expect(runs).toEqual([{ id: runId }]);
    const run = await runService.get({ db: database.db, userId: keeper.user.id, workspaceId: keeper.workspace.id, runId });
    expect(run.status).toBe("failed");
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["hook", "succeeded"],
      ["tag", "succeeded"],
      ["check", "failed"],
    ]);
    expect(run.steps.find((s) => s.nodeId === "tag")?.output).toMatchObject({ items: { out: [{ json: { hello: "Hi Bo" } }] } });
  });

  it("answers from the respond node while the flow goes on", async () => {
    await activate(owner, { path: "respond", respond: "respondNode" }, [
      { id: "answer", type: "core.respond-to-webhook", config: { status: 201, body: { got: "{{ body.n }}" }, headers: [{ name: "x-kind", value: "test" }] } },
      { id: "later", type: "core.delay", config: { ms: 100 } },
    ]);
    const res = await post("respond", { n: 7 });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-kind")).toBe("test");
    expect(await res.json()).toEqual({ got: 7 });
  });

  it("answers through a Respond node it reaches when Respond was never chosen, and at once when it reaches none", async () => {
    const respond = { id: "answer", type: "core.respond-to-webhook", config: { status: 201, body: { got: "{{ body.n }}" } } };
    await activate(owner, { path: "auto-respond" }, [{ id: "tag", type: "core.set", config: {} }, respond], {}, 2);
    const answered = await post("auto-respond", { n: 3 });
    expect(answered.status).toBe(201);
    expect(await answered.json()).toEqual({ got: 3 });

    await activate(owner, { path: "auto-none" }, [{ id: "tag", type: "core.set", config: {} }], {}, 2);
    expect((await post("auto-none", {})).status).toBe(202);
  });

  it("answers at once when Immediately was chosen, or stored before Respond followed the flow, Respond node or not", async () => {
    const respond = { id: "answer", type: "core.respond-to-webhook", config: { status: 201 } };
    await activate(owner, { path: "chosen-now", respond: "immediately" }, [respond], {}, 2);
    expect((await post("chosen-now", {})).status).toBe(202);
    // A version-1 webhook without a Respond setting answered at once; it still does.
    await activate(owner, { path: "stored-v1" }, [respond], {}, 1);
    expect((await post("stored-v1", {})).status).toBe(202);
  });

  it("answers 504 with the run id when the flow outlives the timeout, and the run still completes", async () => {
    await activate(owner, { path: "slow", respond: "lastNode", timeoutMs: 150 }, [{ id: "wait", type: "core.delay", config: { ms: 600 } }]);
    const res = await post("slow", {});
    expect(res.status).toBe(504);
    const body = (await res.json()) as { runId: string; error: string };
    expect(body.error).toContain("did not answer within 150 ms");
    expect((await web.waitForRun(body.runId, 10_000)).status).toBe("succeeded");
  });

  it("checks a header token", async () => {
    await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Hook token", type: "webhook.secret", data: { secret: "s3cret-token-0123456" } });
    await activate(owner, { path: "token", authentication: "headerToken", respond: "lastNode" }, [{ id: "ok", type: "core.set", config: { fields: [{ name: "ok", value: true }], keepOnlySet: true } }], { "webhook.secret": { name: "Hook token" } });
    expect((await post("token", {})).status).toBe(401);
    expect((await post("token", {}, { "x-streamware-token": "wrong" })).status).toBe(401);
    const ok = await post("token", {}, { "x-streamware-token": "s3cret-token-0123456" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
  });

  it("checks an HMAC signature of the raw body", async () => {
    await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Hook hmac", type: "webhook.secret", data: { secret: "hmac-key-0123456789" } });
    await activate(owner, { path: "signed", authentication: "hmacSha256", authHeader: "x-signature", respond: "lastNode" }, [{ id: "ok", type: "core.set", config: { fields: [{ name: "n", value: "{{ body.n }}" }], keepOnlySet: true } }], { "webhook.secret": { name: "Hook hmac" } });
    const body = JSON.stringify({ n: 5 });
    const signature = `sha256=${createHmac("sha256", "hmac-key-0123456789").update(body).digest("hex")}`;
    const bad = await post("signed", body, { "x-signature": `sha256=${"0".repeat(64)}` });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toContain("does not match");
    const good = await post("signed", body, { "x-signature": signature });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ n: 5 });
  });

  it("refuses an oversized body and starts no run", async () => {
    const flowId = await activate(owner, { path: "small", maxBodyBytes: 64 }, [{ id: "ok", type: "core.set", config: {} }]);
    const res = await post("small", { text: "x".repeat(500) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain("limit of 64 bytes");
    expect(await database.db.run.count({ where: { flowId } })).toBe(0);
  });

  it("refuses a body that is not JSON, an unknown path and a wrong method, each saying why", async () => {
    await activate(owner, { path: "strict", methods: ["POST"] }, [{ id: "ok", type: "core.set", config: {} }]);
    const broken = await post("strict", "{ not json");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toContain("not valid JSON");
    const missing = await post("nowhere", {});
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain(`/hooks/${owner.workspace.slug}/nowhere`);
    const wrong = await fetch(`${base}/hooks/${owner.workspace.slug}/strict`, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });

  it("limits each workspace's rate with 429 and Retry-After, leaving other workspaces alone", async () => {
    const noisy = await signInAs({ db: database.db, name: "Noisy" });
    await activate(noisy, { path: "noisy", respond: "lastNode" }, [{ id: "ok", type: "core.set", config: {} }]);
    const statuses = await Promise.all(Array.from({ length: 80 }, () => post("noisy", {}, {}, noisy).then(async (r) => ({ status: r.status, retry: r.headers.get("retry-after"), body: await r.text() }))));
    const limited = statuses.filter((s) => s.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.retry).toMatch(/^\d+$/);
    expect(statuses.some((s) => s.status === 200)).toBe(true);
    // The quiet workspace still gets through.
    expect((await post("sync", { name: "Bo" })).status).toBe(200);
  });

  it("keeps webhook paths per workspace: the same path in two workspaces reaches each its own flow", async () => {
    const rival = await signInAs({ db: database.db, name: "Rival" });
    const answering = (who: string) => [{ id: "who", type: "core.set", config: { fields: [{ name: "who", value: who }], keepOnlySet: true } }];
    const ownersFlow = await activate(owner, { path: "orders/shared", respond: "lastNode" }, answering("owner"));
    // The path the owner's workspace holds neither blocks nor shows through to another workspace.
    await activate(rival, { path: "orders/shared", respond: "lastNode" }, answering("rival"));
    const ownerAnswer = await post("orders/shared", {});
    expect({ status: ownerAnswer.status, body: await ownerAnswer.json() }).toEqual({ status: 200, body: { who: "owner" } });
    const rivalAnswer = await post("orders/shared", {}, {}, rival);
    expect({ status: rivalAnswer.status, body: await rivalAnswer.json() }).toEqual({ status: 200, body: { who: "rival" } });
    const run = await runService.get({ db: database.db, userId: rival.user.id, workspaceId: rival.workspace.id, runId: rivalAnswer.headers.get("x-streamware-run-id")! });
    expect(run.input).toEqual([{ json: expect.objectContaining({ path: "orders/shared" }) }]);
    // Without a workspace the path names no flow.
    expect((await fetch(`${base}/hooks/orders/shared`, { method: "POST" })).status).toBe(404);

    // Inside one workspace a path still belongs to one active flow at a time.
    const second = activate(rival, { path: "orders/shared" }, answering("second"));
    await expect(second).rejects.toMatchObject({ code: "CONFLICT", message: 'The webhook path "orders/shared" is already used by another active flow; choose another path.' });

    // Deactivating one workspace's flow leaves the other's route in place.
    await activationService.deactivate({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId: ownersFlow });
    await web.triggersChanged(ownersFlow);
    expect((await post("orders/shared", {})).status).toBe(404);
    expect((await post("orders/shared", {}, {}, rival)).status).toBe(200);
  });

  it("stops answering once the flow is deactivated", async () => {
    const flowId = await activate(owner, { path: "gone", respond: "lastNode" }, [{ id: "ok", type: "core.set", config: {} }]);
    expect((await post("gone", {})).status).toBe(200);
    await activationService.deactivate({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await web.triggersChanged(flowId);
    expect((await post("gone", {})).status).toBe(404);
  });
});
