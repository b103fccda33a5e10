import { Redis } from "ioredis";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { closeTestServers } from "../nodes/_kit/test-http-server";
import { startOllamaServer, startOpenAIServer } from "../nodes/llm/test-servers";
import { rawSql } from "../server/db/raw";
import { createEmptyTestDatabase, useTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { serveWebhooks, startTestRuntime, testRedisUrlFor, type WebhookServer } from "../server/test-runtime";
import { startWorkerHttp } from "../server/worker-http";
import { bullQueueStats, Metrics } from "./metrics";
import { sample } from "./metrics-testing";
import type { Runtime } from "./runtime";

const redisUrl = testRedisUrlFor(8);
const METRICS_TOKEN = "a-scrape-token-of-enough-length";

describe("metrics of a web and a worker process, after a known set of runs", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let worker: Runtime;
  let server: WebhookServer;
  let workerHttp: Awaited<ReturnType<typeof startWorkerHttp>>;
  let owner: Awaited<ReturnType<typeof signInAs>>;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    web = await startTestRuntime({ db: database.db, redis: redisUrl, env: { EXPRESSION_TIMEOUT_MS: "200" } });
    worker = await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker", env: { EXPRESSION_TIMEOUT_MS: "200" } });
    server = await serveWebhooks(web);
    workerHttp = await startWorkerHttp({ port: 0, host: "127.0.0.1", db: database.db, runtime: worker, metricsToken: METRICS_TOKEN });
    owner = await signInAs({ db: database.db, name: "Metrics" });
  });
  afterAll(async () => {
    await workerHttp?.close();
    await server?.close();
    await web?.close();
    await worker?.close();
  });
  afterEach(() => closeTestServers());

  /** Activates webhook `path` → `after`, one node after another. */
  async function activate(path: string, respond: string | undefined, after: { id: string; type: string; config: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }[]) {
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const nodes = [{ id: "hook", type: "core.webhook", config: { path, ...(respond && { respond }) } }, ...after];
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: nodes.map((node, i) => ({ name: node.id, position: { x: i * 200, y: 0 }, ...node })),
      edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: node.id })),
    };
    const flow = await flowService.create({ ...scope, name: `Metrics ${path}`, document });
    await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: flow.id });
    await web.triggersChanged(flow.id);
  }

  const tag = (value: string) => ({ id: "tag", type: "core.set", config: { fields: [{ name: "seen", value }] } });

  const post = (path: string) =>
    fetch(`${server.url}/hooks/${owner.workspace.slug}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"Ada"}' });

  it("counts runs by status and trigger, steps by node type, webhook answers by code, limit hits and queues", async () => {
    // A regular expression, so it is evaluated in the workspace's expression isolate.
    await activate("sync", "lastNode", [tag('{{ $replace(body.name, /a/i, "4") }}')]);
    await activate("async", undefined, [tag("{{ body.name }}")]);
    // An expression that spins until the expression time limit stops it: its step and run fail.
    await activate("spin", "lastNode", [tag("{{ ( $f := function($n){ $n > 0 ? $f($n) : 0 }; $f(1) ) }}")]);

    // The limit takes the workspace's isolate with it; the calls after it get a new one.
    expect((await post("spin")).status).toBeGreaterThanOrEqual(400);
    for (let i = 0; i < 3; i++) expect((await post("sync")).status).toBe(200);
    const runIds: string[] = [];
    for (let i = 0; i < 2; i++) runIds.push(((await (await post("async")).json()) as { runId: string }).runId);
    for (const runId of runIds) expect((await web.waitForRun(runId, 15_000)).status).toBe("succeeded");
    expect((await post("nowhere")).status).toBe(404);

    const webText = (await web.metrics.scrape()).body;
    const labels = (more: Record<string, string>) => ({ role: "web", ...more });
    expect(sample(webText, "streamware_runs_started_total", labels({ trigger: "webhook" }))).toBe(4);
    expect(sample(webText, "streamware_runs_finished_total", labels({ status: "succeeded", trigger: "webhook" }))).toBe(3);
    expect(sample(webText, "streamware_runs_finished_total", labels({ status: "failed", trigger: "webhook" }))).toBe(1);
    expect(sample(webText, "streamware_step_duration_seconds_count", labels({ node_type: "core.set", status: "succeeded" }))).toBe(3);
    expect(sample(webText, "streamware_step_duration_seconds_count", labels({ node_type: "core.set", status: "failed" }))).toBe(1);
    expect(sample(webText, "streamware_expression_limit_hits_total", labels({ limit: "time" }))).toBe(1);
    expect(sample(webText, "streamware_webhook_duration_seconds_count", labels({ code: "200" }))).toBe(3);
    expect(sample(webText, "streamware_webhook_duration_seconds_count", labels({ code: "202" }))).toBe(2);
    expect(sample(webText, "streamware_webhook_duration_seconds_count", labels({ code: "404" }))).toBe(1);
    expect(sample(webText, "streamware_sandbox_isolates", labels({ sandbox: "expressions" }))).toBe(1);
    expect(sample(webText, "streamware_sandbox_heap_bytes", labels({ sandbox: "expressions" }))).toBeGreaterThan(0);
    expect(sample(webText, "streamware_queue_jobs", labels({ queue: "runs", state: "waiting" }))).toBe(0);
    expect(webText).toContain("streamware_nodejs_eventloop_lag_seconds");

    // The worker ran the two async runs, and serves its metrics to a scraper with the token only.
    const scrape = (authorization?: string) => fetch(`http://127.0.0.1:${workerHttp.port}/metrics`, { headers: authorization ? { authorization } : {} });
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer not-the-token-at-all-no")).status).toBe(401);
    const answer = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/plain");
    const workerText = await answer.text();
    expect(sample(workerText, "streamware_runs_finished_total", { role: "worker", status: "succeeded", trigger: "webhook" })).toBe(2);
    expect(sample(workerText, "streamware_step_duration_seconds_count", { role: "worker", node_type: "core.set", status: "succeeded" })).toBe(2);
  });

  it("counts the tokens of model calls by provider, model and kind", async () => {
    const openai = await startOpenAIServer(() => ({ tokens: ["Hello ", "Ada"], usage: { prompt: 100, completion: 40 } }));
    const ollama = await startOllamaServer(() => ({ tokens: ["Llamas ", "graze."], usage: { prompt: 5, completion: 2 } }));
    const workspaceId = owner.workspace.id;
    const openaiKey = await owner.caller.credential.create({ workspaceId, name: "Local OpenAI", type: "openai.api", data: { apiKey: "sk-test", baseUrl: `${openai.url}/v1` } });
    const ollamaKey = await owner.caller.credential.create({ workspaceId, name: "Local Ollama", type: "ollama.api", data: { baseUrl: ollama.url } });
    const ask = (id: string, kind: string, model: string, credentials: Record<string, { id: string; name: string }>) => ({
      id,
      type: "ai.llm",
      config: { providers: [{ kind, model }], prompt: "Greet {{ $json.body.name }}" },
      credentials,
    });
    await activate("ask", "lastNode", [
      ask("gpt", "openai", "gpt-test", { "openai.api": { id: openaiKey.id, name: openaiKey.name } }),
      ask("llama", "ollama", "llama3.2", { "ollama.api": { id: ollamaKey.id, name: ollamaKey.name } }),
    ]);
    const before = (await web.metrics.scrape()).body;
    for (let i = 0; i < 2; i++) expect((await post("ask")).status).toBe(200);

    const text = (await web.metrics.scrape()).body;
    const tokens = (provider: string, model: string, kind: string) =>
      sample(text, "streamware_llm_tokens_total", { role: "web", provider, model, kind }) - sample(before, "streamware_llm_tokens_total", { role: "web", provider, model, kind });
    expect(tokens("openai", "gpt-test", "prompt")).toBe(200);
    expect(tokens("openai", "gpt-test", "completion")).toBe(80);
    expect(tokens("ollama", "llama3.2", "prompt")).toBe(10);
    expect(tokens("ollama", "llama3.2", "completion")).toBe(4);
    expect(sample(text, "streamware_step_duration_seconds_count", { role: "web", node_type: "ai.llm", status: "succeeded" })).toBe(4);
  });
});

describe("a scrape of the queue gauges", () => {
  it("reads each queue once for both gauges, and again at the next scrape", async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(`metrics-${Date.now()}`, { connection: redis });
    try {
      await queue.addBulk([{ name: "a", data: {} }, { name: "b", data: {} }, { name: "c", data: {}, opts: { delay: 60_000 } }]);
      const metrics = new Metrics({ role: "worker" });
      let reads = 0;
      metrics.readFrom({
        queues: async () => {
          reads++;
          return { runs: await bullQueueStats(queue) };
        },
      });
      const text = (await metrics.scrape()).body;
      expect(reads).toBe(1);
      expect(sample(text, "streamware_queue_jobs", { role: "worker", queue: "runs", state: "waiting" })).toBe(2);
      expect(sample(text, "streamware_queue_jobs", { role: "worker", queue: "runs", state: "delayed" })).toBe(1);
      expect(text).toMatch(/^streamware_queue_oldest_waiting_age_seconds\{[^}]*queue="runs"[^}]*\} \d/m);
      await metrics.scrape();
      expect(reads).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });
});

describe("a scrape of the database pools", () => {
  it("reports Prisma's pool and the hot path's SQL pool by state, with the most each opens", async () => {
    const connection = await createEmptyTestDatabase("postgres");
    try {
      const metrics = new Metrics({ role: "web" });
      metrics.readFrom({ dbPools: connection.poolStats });
      await connection.db.$queryRawUnsafe("SELECT 1");
      await Promise.all([rawSql(connection.db)("SELECT 1", []), rawSql(connection.db)("SELECT pg_sleep(0.05)", [])]);
      const text = (await metrics.scrape()).body;
      const pool = (name: string, state: string) => sample(text, "streamware_db_pool_connections", { role: "web", pool: name, state });
      expect([pool("prisma", "total"), pool("prisma", "idle"), pool("prisma", "waiting"), pool("prisma", "max")]).toEqual([1, 1, 0, 10]);
      expect([pool("sql", "total"), pool("sql", "idle"), pool("sql", "waiting"), pool("sql", "max")]).toEqual([2, 2, 0, 4]);
    } finally {
      await connection.close();
    }
  });
});
