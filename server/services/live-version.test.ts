import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import type { Runtime } from "../../runner/runtime";
import type { QueueScheduler } from "../../runner/queue-schedules";
import { useTestDatabase } from "../db/test-databases";
import { signInAs } from "../routers/test-helpers";
import { startTestRuntime, testRedisUrlFor, serveWebhooks, type WebhookServer } from "../test-runtime";
import { activationService } from "./activation-service";
import { flowService } from "./flow-service";

const redisUrl = testRedisUrlFor(11);

/** A webhook at `path` answering `{ answer }`, and a schedule on `cron` beside it. */
function answering({ path, answer, cron }: { path: string; answer: string; cron: string }) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: { path, respond: "lastNode" } },
      { id: "say", type: "core.set", name: "Say", position: { x: 200, y: 0 }, config: { fields: [{ name: "answer", value: answer }], keepOnlySet: true } },
      { id: "tick", type: "core.schedule", name: "Tick", position: { x: 0, y: 200 }, config: { cron, timezone: "UTC" } },
    ],
    edges: [{ id: "e1", source: "hook", target: "say" }],
  };
}

describe("the live version, PostgreSQL + Redis", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let owner: Awaited<ReturnType<typeof signInAs>>;
  let server: WebhookServer;
  let base: string;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    web = await startTestRuntime({ db: database.db, redis: redisUrl });
    owner = await signInAs({ db: database.db, name: "Live" });
    server = await serveWebhooks(web);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await web?.close();
  });

  const scope = () => ({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id });
  const call = async (path: string) => {
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    return { status: res.status, body: (await res.json()) as { answer?: string } };
  };
  const schedules = async () => (await (web.scheduler as QueueScheduler).queue.getJobSchedulers(0, -1)).map((s) => s.pattern);
  const activate = async (flowId: string, versionNumber: number) => {
    const result = await activationService.activate({ ...scope(), flowId, versionNumber });
    await web.triggersChanged(flowId);
    return result;
  };

  it("keeps running the live version after a newer one is saved, until that one is activated; rolls back on activating an earlier one", async () => {
    const v1 = answering({ path: "live/one", answer: "one", cron: "0 1 * * *" });
    const v2 = answering({ path: "live/two", answer: "two", cron: "0 2 * * *" });
    const flow = await flowService.create({ ...scope(), name: "Live", document: v1 });
    await flowService.saveVersion({ ...scope(), flowId: flow.id, document: v1, message: "one" });
    expect((await activate(flow.id, 1)).webhooks.map((w) => w.url)).toEqual([`/hooks/${owner.workspace.slug}/live/one`]);
    expect(await call("live/one")).toEqual({ status: 200, body: { answer: "one" } });

    // Saved, v2 is only a version: webhooks, schedules and the flow's summary still speak of v1.
    await flowService.saveVersion({ ...scope(), flowId: flow.id, document: v2, message: "two" });
    expect(await call("live/one")).toEqual({ status: 200, body: { answer: "one" } });
    expect((await call("live/two")).status).toBe(404);
    expect(await schedules()).toEqual(["0 1 * * *"]);
    expect(await flowService.get({ ...scope(), flowId: flow.id })).toMatchObject({ liveVersionNumber: 1, latestVersion: { number: 2 } });

    await activate(flow.id, 2);
    expect(await call("live/two")).toEqual({ status: 200, body: { answer: "two" } });
    expect((await call("live/one")).status).toBe(404);
    expect(await schedules()).toEqual(["0 2 * * *"]);
    const [listed] = (await flowService.list(scope())).filter((f) => f.id === flow.id);
    expect(listed).toMatchObject({ active: true, liveVersionNumber: 2, versionCount: 2 });
    const runs = await database.db.run.findMany({ where: { flowId: flow.id }, select: { flowVersion: { select: { number: true } } }, orderBy: { queuedAt: "asc" } });
    expect(runs.map((r) => r.flowVersion?.number)).toEqual([1, 1, 2]);

    // Rolling back is activating v1 again: its path, its schedule and its answer.
    await activate(flow.id, 1);
    expect(await call("live/one")).toEqual({ status: 200, body: { answer: "one" } });
    expect((await call("live/two")).status).toBe(404);
    expect(await schedules()).toEqual(["0 1 * * *"]);

    await activationService.deactivate({ ...scope(), flowId: flow.id });
    await web.triggersChanged(flow.id);
    expect((await call("live/one")).status).toBe(404);
    expect(await schedules()).toEqual([]);
  });

  it("leaves the live version running when a newer one cannot be activated", async () => {
    const other = answering({ path: "taken", answer: "other", cron: "0 3 * * *" });
    const otherFlow = await flowService.create({ ...scope(), name: "Other", document: other });
    await flowService.saveVersion({ ...scope(), flowId: otherFlow.id, document: other, message: "" });
    await activate(otherFlow.id, 1);

    const v1 = answering({ path: "mine", answer: "one", cron: "0 4 * * *" });
    const flow = await flowService.create({ ...scope(), name: "Mine", document: v1 });
    await flowService.saveVersion({ ...scope(), flowId: flow.id, document: v1, message: "" });
    await activate(flow.id, 1);
    await flowService.saveVersion({ ...scope(), flowId: flow.id, document: answering({ path: "taken", answer: "two", cron: "0 5 * * *" }), message: "" });

    await expect(activate(flow.id, 2)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining('"taken" is already used by another active flow') });
    expect(await call("mine")).toEqual({ status: 200, body: { answer: "one" } });
    expect(await call("taken")).toEqual({ status: 200, body: { answer: "other" } });
    expect(await flowService.get({ ...scope(), flowId: flow.id })).toMatchObject({ liveVersionNumber: 1 });
    expect((await schedules()).sort()).toEqual(["0 3 * * *", "0 4 * * *"]);
    await activationService.deactivate({ ...scope(), flowId: flow.id });
    await activationService.deactivate({ ...scope(), flowId: otherFlow.id });
    await web.triggersChanged(flow.id);
    await web.triggersChanged(otherFlow.id);
  });
});
