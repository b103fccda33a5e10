import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { addMember, rejection, signInAs } from "../server/routers/test-helpers";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor, serveWebhooks, type WebhookServer } from "../server/test-runtime";

type Owner = Awaited<ReturnType<typeof signInAs>>;

/** A webhook, then a Set node that says which document ran. */
function hookFlow(webhook: Record<string, unknown>, said: string, credentials = {}) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: webhook, credentials },
      { id: "say", type: "core.set", name: "Say", position: { x: 200, y: 0 }, config: { fields: [{ name: "said", value: said }, { name: "name", value: "{{ body.name }}" }], keepOnlySet: true } },
    ],
    edges: [{ id: "e1", source: "hook", target: "say" }],
  };
}

describe("test webhook URLs (Listen for test event), PostgreSQL and the lean HTTP path", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let owner: Owner;
  let server: WebhookServer;
  let base: string;

  beforeAll(async () => {
    web = await startTestRuntime({ db: database.db, env: { WEBHOOK_RATE_LIMIT: "10" } });
    owner = await signInAs({ db: database.db, name: "Tester" });
    server = await serveWebhooks(web);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await web?.close();
  });

  const scope = () => ({ workspaceId: owner.workspace.id });
  const createFlow = async (name: string, draft: unknown) => (await owner.caller.flow.create({ ...scope(), name, document: draft })).id;
  const call = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${url}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("answers 404 saying how to listen when nobody listens", async () => {
    await createFlow("Quiet", hookFlow({ path: "quiet", respond: "lastNode" }, "draft"));
    const res = await call(`/hooks-test/${owner.workspace.slug}/quiet`, { name: "Ada" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/Nobody is listening for a test call at \/hooks-test\/.+\/quiet\. .*Listen for test event/);
  });

  it("runs the draft of an inactive flow once, answers as the flow says, and marks the run as a test", async () => {
    const flowId = await createFlow("Draft only", hookFlow({ path: "orders/new", respond: "lastNode" }, "draft"));
    const listening = await owner.caller.webhookTest.listen({ ...scope(), flowId });
    expect(listening.webhooks).toEqual([
      expect.objectContaining({ path: "orders/new", testUrl: `/hooks-test/${owner.workspace.slug}/orders/new`, url: `/hooks/${owner.workspace.slug}/orders/new` }),
    ]);
    expect(listening.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await owner.caller.webhookTest.state({ ...scope(), flowId })).toMatchObject({ listening: true, runId: null });

    // The production URL stays closed: the flow is not active.
    expect((await call(`/hooks/${owner.workspace.slug}/orders/new`, {})).status).toBe(404);

    const res = await call(listening.webhooks[0]!.testUrl, { name: "Ada" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ said: "draft", name: "Ada" });
    const runId = res.headers.get("x-streamware-run-id")!;
    await web.waitForRun(runId, 15_000);

    const state = await owner.caller.webhookTest.state({ ...scope(), flowId });
    expect(state).toMatchObject({ listening: false, runId });
    const run = await owner.caller.run.get({ ...scope(), runId });
    expect(run).toMatchObject({ trigger: "test webhook", versionNumber: null, status: "succeeded" });
    const listed = await owner.caller.run.list({ ...scope(), flowId, trigger: "test webhook" });
    expect(listed.runs.map((r) => r.id)).toEqual([runId]);

    // One call per listen.
    expect((await call(listening.webhooks[0]!.testUrl, { name: "Again" })).status).toBe(404);
  });

  it("runs the draft, not the active version", async () => {
    const flowId = await createFlow("Both", hookFlow({ path: "both", respond: "lastNode" }, "version 1"));
    const version = hookFlow({ path: "both", respond: "lastNode" }, "version 1");
    await owner.caller.flow.saveVersion({ ...scope(), flowId, document: version, message: "" });
    await owner.caller.flow.activate({ ...scope(), flowId });
    await web.triggersChanged(flowId);
    await owner.caller.flow.saveDraft({ ...scope(), flowId, document: hookFlow({ path: "both", respond: "lastNode" }, "edited draft") });
    await owner.caller.webhookTest.listen({ ...scope(), flowId });

    expect(await (await call(`/hooks-test/${owner.workspace.slug}/both`, { name: "T" })).json()).toEqual({ said: "edited draft", name: "T" });
    expect(await (await call(`/hooks/${owner.workspace.slug}/both`, { name: "P" })).json()).toEqual({ said: "version 1", name: "P" });
  });

  it("keeps the webhook's token check and body limit, and a refused call leaves the listener waiting", async () => {
    await owner.caller.credential.create({ ...scope(), name: "Test token", type: "webhook.secret", data: { secret: "t0ken-for-tests-0123" } });
    const flowId = await createFlow(
      "Guarded",
      hookFlow({ path: "guarded", respond: "lastNode", authentication: "headerToken", maxBodyBytes: 64 }, "guarded", { "webhook.secret": { name: "Test token" } }),
    );
    await owner.caller.webhookTest.listen({ ...scope(), flowId });
    const url = `/hooks-test/${owner.workspace.slug}/guarded`;

    const unsigned = await call(url, { name: "Eve" });
    expect(unsigned.status).toBe(401);
    const tooLarge = await call(url, { name: "x".repeat(200) }, { "x-streamware-token": "t0ken-for-tests-0123" });
    expect(tooLarge.status).toBe(413);
    expect(await owner.caller.webhookTest.state({ ...scope(), flowId })).toMatchObject({ listening: true });

    const signed = await call(url, { name: "Bob" }, { "x-streamware-token": "t0ken-for-tests-0123" });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ said: "guarded", name: "Bob" });
  });

  it("stops listening when told to, and when its time is up", async () => {
    const flowId = await createFlow("Stopped", hookFlow({ path: "stopped" }, "draft"));
    await owner.caller.webhookTest.listen({ ...scope(), flowId });
    await owner.caller.webhookTest.stop({ ...scope(), flowId });
    expect((await call(`/hooks-test/${owner.workspace.slug}/stopped`, {})).status).toBe(404);

    await owner.caller.webhookTest.listen({ ...scope(), flowId });
    await database.db.webhookTestListener.update({ where: { flowId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call(`/hooks-test/${owner.workspace.slug}/stopped`, {})).status).toBe(404);
    expect(await owner.caller.webhookTest.state({ ...scope(), flowId })).toMatchObject({ listening: false, runId: null });
  });

  it("answers 422 naming what is wrong when the draft was broken after listening", async () => {
    const flowId = await createFlow("Broken", hookFlow({ path: "broken" }, "draft"));
    await owner.caller.webhookTest.listen({ ...scope(), flowId });
    const broken = hookFlow({ path: "broken" }, "draft");
    broken.nodes.push({ id: "odd", type: "core.no-such-node", name: "Odd", position: { x: 400, y: 0 }, config: {}, credentials: {} } as never);
    await owner.caller.flow.saveDraft({ ...scope(), flowId, document: broken });
    const res = await call(`/hooks-test/${owner.workspace.slug}/broken`, {});
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/draft cannot run.*Odd/);
  });

  it("refuses a draft without a webhook trigger, a viewer, and another workspace's test URL", async () => {
    const flowId = await createFlow("No hook", { schema: FLOW_SCHEMA_TAG, nodes: [{ id: "m", type: "core.manual-trigger", name: "Manual", position: { x: 0, y: 0 } }], edges: [] });
    expect((await rejection(owner.caller.webhookTest.listen({ ...scope(), flowId }))).message).toMatch(/no enabled webhook trigger/);

    const hooked = await createFlow("Shared path", hookFlow({ path: "shared" }, "draft"));
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await addMember({ db: database.db, by: owner.user, workspaceId: scope().workspaceId, user: viewer.user, role: "viewer" });
    expect((await rejection(viewer.caller.webhookTest.listen({ ...scope(), flowId: hooked }))).code).toBe("FORBIDDEN");
    expect(await viewer.caller.webhookTest.state({ ...scope(), flowId: hooked })).toMatchObject({ listening: false });

    // Another workspace listening at the same path is not reached through this workspace's slug, nor the reverse.
    const other = await signInAs({ db: database.db, name: "Other" });
    const otherFlow = (await other.caller.flow.create({ workspaceId: other.workspace.id, name: "Theirs", document: hookFlow({ path: "shared" }, "theirs") })).id;
    await other.caller.webhookTest.listen({ workspaceId: other.workspace.id, flowId: otherFlow });
    expect((await call(`/hooks-test/${owner.workspace.slug}/shared`, {})).status).toBe(404);
    expect((await call(`/hooks-test/${other.workspace.slug}/shared`, {})).status).toBe(202);
  });

  it("is rate limited per workspace like production webhooks, before it looks for a listener", async () => {
    const flood = await signInAs({ db: database.db, name: "Flood" });
    const flowId = (await flood.caller.flow.create({ workspaceId: flood.workspace.id, name: "Flood", document: hookFlow({ path: "flood" }, "draft") })).id;
    await flood.caller.webhookTest.listen({ workspaceId: flood.workspace.id, flowId });
    // More at once than the limit's burst (twice WEBHOOK_RATE_LIMIT): one run, the rest refused or too late.
    const answers = await Promise.all(Array.from({ length: 40 }, () => call(`/hooks-test/${flood.workspace.slug}/flood`, {})));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(answers.find((res) => res.status === 429)!.headers.get("retry-after")).toBeTruthy();
  });
});

describe("test webhook URLs in queue mode: the call reaches one web process, a worker runs the draft", () => {
  const database = useTestDatabase("postgres");
  const redisUrl = testRedisUrlFor(15);
  let webs: Runtime[];
  let worker: Runtime;
  let servers: Server[];
  let bases: string[];

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    // Two web processes behind a load balancer: the listener is kept in PostgreSQL, so either takes the call.
    webs = [await startTestRuntime({ db: database.db, redis: redisUrl }), await startTestRuntime({ db: database.db, redis: redisUrl })];
    worker = await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker" });
    servers = webs.map((web) => createServer((req, res) => void (web.webhooks!.handle(req, res) || res.writeHead(418).end())));
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
    bases = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((server) => new Promise((resolve) => server.close(resolve))));
    for (const runtime of [...(webs ?? []), worker]) await runtime?.close();
  });

  it("answers 202 at once from the web process that got the call, and a worker runs the draft", async () => {
    const owner = await signInAs({ db: database.db, name: "Queued" });
    const workspaceId = owner.workspace.id;
    const flowId = (await owner.caller.flow.create({ workspaceId, name: "Queued", document: hookFlow({ path: "queued" }, "queued draft") })).id;
    await owner.caller.webhookTest.listen({ workspaceId, flowId });

    const res = await fetch(`${bases[1]}/hooks-test/${owner.workspace.slug}/queued`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Q" }) });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect((await webs[0]!.waitForRun(runId, 15_000)).status).toBe("succeeded");
    const run = await owner.caller.run.get({ workspaceId, runId });
    expect(run).toMatchObject({ trigger: "test webhook", versionNumber: null });
    expect(run.steps.find((s) => s.nodeId === "say")?.output.items.out).toEqual([{ json: { said: "queued draft", name: "Q" } }]);
    expect(await owner.caller.webhookTest.state({ workspaceId, flowId })).toMatchObject({ listening: false, runId });
    // The other web process does not take a second call either.
    expect((await fetch(`${bases[0]}/hooks-test/${owner.workspace.slug}/queued`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});
