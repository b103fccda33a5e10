import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { useTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { serveWebhooks, startTestRuntime, testRedisUrlFor, type WebhookServer } from "../server/test-runtime";
import { startWorkerHttp } from "../server/worker-http";
import type { Runtime } from "./runtime";

const redisUrl = testRedisUrlFor(8);
const METRICS_TOKEN = "a-scrape-token-of-enough-length";

/** One sample's value from Prometheus's text format, by metric name and exact labels (in any order); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3]);
  }
  return 0;
}

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

  async function activate(path: string, respond: string | undefined, value: string) {
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "hook", type: "core.webhook", typeVersion: 1, name: "Hook", position: { x: 0, y: 0 }, config: { path, ...(respond && { respond }) } },
        { id: "tag", type: "core.set", name: "Tag", position: { x: 200, y: 0 }, config: { fields: [{ name: "seen", value }] } },
      ],
      edges: [{ id: "e0", source: "hook", target: "tag" }],
    };
    const flow = await flowService.create({ ...scope, name: `Metrics ${path}`, document });
    await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: flow.id });
    await web.triggersChanged(flow.id);
  }

  const post = (path: string) =>
    fetch(`${server.url}/hooks/${owner.workspace.slug}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"Ada"}' });

  it("counts runs by status and trigger, steps by node type, webhook answers by code, limit hits and queues", async () => {
    // A regular expression, so it is evaluated in the workspace's expression isolate.
    await activate("sync", "lastNode", '{{ $replace(body.name, /a/i, "4") }}');
    await activate("async", undefined, "{{ body.name }}");
    // An expression that spins until the expression time limit stops it: its step and run fail.
    await activate("spin", "lastNode", "{{ ( $f := function($n){ $n > 0 ? $f($n) : 0 }; $f(1) ) }}");

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
});
