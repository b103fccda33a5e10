import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { useTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { serveWebhooks, startOwnRedis, startTestRuntime, type WebhookServer } from "../server/test-runtime";
import type { Runtime } from "./runtime";
import { QUEUE_ROOM_WAIT_MS } from "./webhooks";

/**
 * An async webhook answers once its run is stored in PostgreSQL, not once the queue has it: with Redis away the
 * caller still gets its 202 and run id, and the run runs when Redis is back (the job sent then, or the reconciler's).
 * Only once 2,000 runs wait for the queue is a call held back, and then for a bounded time.
 */
describe("an async webhook while Redis is away", () => {
  const database = useTestDatabase("postgres");
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let web: Runtime | undefined;
  let worker: Runtime | undefined;
  let server: WebhookServer | undefined;
  afterAll(async () => {
    await server?.close();
    await web?.close();
    await worker?.close();
    await redis?.stop();
  });

  it("answers 202 with a stored run, which runs once Redis is back; with the queue full, 503 and nothing stored", { timeout: 90_000 }, async () => {
    // Every connection and queue's errors go to the runtime's logger, which says once that Redis is away; none is
    // left to print on its own (ioredis and BullMQ print an error nobody listens for, on every retry).
    const printed = vi.spyOn(console, "error");
    redis = await startOwnRedis();
    // No shared webhook limit: its counts live in Redis too, and this test is about the queue.
    web = await startTestRuntime({ db: database.db, redis: redis.url, env: { WEBHOOK_RATE_LIMIT: "0" } });
    worker = await startTestRuntime({ db: database.db, redis: redis.url, role: "worker" });
    server = await serveWebhooks(web);
    const { user, workspace } = await signInAs({ db: database.db, name: "Away" });
    const scope = { db: database.db, userId: user.id, workspaceId: workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: { path: "away" } },
        { id: "tag", type: "core.set", name: "Tag", position: { x: 200, y: 0 }, config: { fields: [{ name: "seen", value: "{{ body.name }}" }] } },
      ],
      edges: [{ id: "e0", source: "hook", target: "tag" }],
      settings: {},
    };
    const flow = await flowService.create({ ...scope, name: "Away", document });
    await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: flow.id });
    await web.triggersChanged(flow.id);

    await redis.stop();
    const res = await fetch(`${server.url}/hooks/${workspace.slug}/away`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
      // Before, the answer waited for the queue, that is for Redis to come back.
      signal: AbortSignal.timeout(20_000),
    });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect(await runService.status({ db: database.db, runId })).toMatchObject({ status: "queued" });

    // 2,000 runs wait behind the one Redis has not taken: the next call waits for room, then is refused.
    const waiting = Array.from({ length: 2_000 }, () => web!.dispatcher.enqueue({ runId: randomUUID(), workspaceId: workspace.id }));
    const started = performance.now();
    const full = await fetch(`${server.url}/hooks/${workspace.slug}/away`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bo" }),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(QUEUE_ROOM_WAIT_MS - 50);
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("5");
    expect(await full.json()).toEqual({ error: expect.stringMatching(/^The run queue is full: .*Nothing was started; try again shortly\.$/) });
    const listed = await runService.list({ db: database.db, userId: user.id, workspaceId: workspace.id, flowId: flow.id, limit: 10 });
    expect(listed.runs.map((item) => item.id)).toEqual([runId]);

    redis = await startOwnRedis(redis.port);
    await Promise.all(waiting);
    expect((await web.waitForRun(runId, 30_000)).status).toBe("succeeded");
    const run = await runService.get({ db: database.db, userId: user.id, workspaceId: workspace.id, runId });
    expect(run.steps.find((step) => step.nodeId === "tag")?.output).toMatchObject({ items: { out: [{ json: { seen: "Ada" } }] } });
    expect(printed).not.toHaveBeenCalled();
  });
});
