import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../server/db";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import type { QueueScheduler } from "./queue-schedules";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";

const redisUrl = testRedisUrlFor(3);

type Owner = Awaited<ReturnType<typeof signInAs>>;
type Node = { id: string; type: string; config?: Record<string, unknown> };

function line(nodes: Node[], settings: Record<string, unknown> = {}) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: nodes.map((n, i) => ({ name: n.id, position: { x: i * 200, y: 0 }, ...n })),
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
    settings,
  };
}

async function saveAndActivate(db: Db, owner: Owner, runtime: Runtime, name: string, document: unknown) {
  const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
  const flow = await flowService.create({ ...scope, name, document });
  await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" });
  await activationService.activate({ ...scope, flowId: flow.id });
  await runtime.triggersChanged(flow.id);
  return flow.id;
}

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const everySecond: Node = { id: "tick", type: "core.schedule", config: { cron: "* * * * * *", timezone: "Europe/Warsaw" } };

describe("embedded: schedules, the error flow and retention", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Owner;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Triggers" });
  });
  afterAll(() => runtime?.close());

  it("fires a schedule in this process and stops when the flow is deactivated", async () => {
    const db = database.db;
    const flowId = await saveAndActivate(db, owner, runtime, "Ticking", line([everySecond, { id: "tag", type: "core.set", config: { fields: [{ name: "at", value: "{{ scheduledFor }}" }] } }]));
    const run = await eventually(() => db.run.findFirst({ where: { flowId, status: "succeeded" }, select: { trigger: true, input: true } }), "a scheduled run");
    expect(run.trigger).toBe("schedule");
    expect(run.input).toEqual([{ json: { scheduledFor: expect.any(String), firedAt: expect.any(String) } }]);
    await activationService.deactivate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await runtime.triggersChanged(flowId);
    await new Promise((r) => setTimeout(r, 300));
    const settled = await db.run.count({ where: { flowId } });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await db.run.count({ where: { flowId } })).toBe(settled);
  });

  it("refuses to save or activate a schedule with an invalid cron expression, saying which", async () => {
    const db = database.db;
    const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const document = line([{ id: "tick", type: "core.schedule", config: { cron: "61 * * * *" } }]);
    const flow = await flowService.create({ ...scope, name: "Bad cron", document });
    // A version is checked as activation checks it, so the schedule is refused before any version exists.
    const refused = await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" }).then(() => null, (e: unknown) => e as Error);
    expect(refused?.message).toContain('Node "tick": Cron expression: The minute field: "61" is out of range; it takes 0–59');
    const err = await activationService.activate({ ...scope, flowId: flow.id }).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toBe("Save a version of the flow before activating it");
  });

  it("starts the error flow with what failed", async () => {
    const db = database.db;
    const errorFlowId = await saveAndActivate(db, owner, runtime, "On error", line([{ id: "start", type: "core.manual-trigger" }, { id: "note", type: "core.set", config: { fields: [{ name: "failedNode", value: "{{ node.name }}" }] } }]));
    const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const failing = await flowService.create({
      ...scope,
      name: "Fails",
      document: line([{ id: "start", type: "core.manual-trigger" }, { id: "boom", type: "core.code", config: { code: "throw new Error('kaput')" } }], { errorFlowId }),
    });
    const spec = await runService.prepareManual({ ...scope, flowId: failing.id, source: "draft" });
    const runId = await runtime.enqueue(spec);
    expect((await runtime.waitForRun(runId, 15_000)).status).toBe("failed");
    const handled = await eventually(() => db.run.findFirst({ where: { flowId: errorFlowId, parentRunId: runId, status: "succeeded" }, select: { id: true, trigger: true } }), "the error flow's run");
    expect(handled.trigger).toBe("error");
    const detail = await runService.get({ ...scope, runId: handled.id });
    const note = detail.steps.find((s) => s.nodeId === "note")!.output as { items: { out: { json: Record<string, unknown> }[] } };
    expect(note.items.out[0]!.json).toMatchObject({ failedNode: "boom", run: { id: runId }, error: { message: expect.stringContaining("kaput") } });
  });

  it("prunes finished runs by age and by count per flow, never unfinished ones", async () => {
    const db = database.db;
    const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const flow = await flowService.create({ ...scope, name: "Old runs" });
    const day = 86_400_000;
    const base = { workspaceId: owner.workspace.id, flowId: flow.id, trigger: "manual" };
    await db.run.createMany({
      data: [
        { ...base, status: "succeeded", queuedAt: new Date(Date.now() - 30 * day) },
        { ...base, status: "failed", queuedAt: new Date(Date.now() - 20 * day) },
        { ...base, status: "running", queuedAt: new Date(Date.now() - 30 * day) },
        ...Array.from({ length: 5 }, (_, i) => ({ ...base, status: "succeeded" as const, queuedAt: new Date(Date.now() - i * 1000) })),
      ],
    });
    const pruner = await startTestRuntime({ db, env: { RUN_RETENTION_DAYS: "14", RUN_RETENTION_PER_FLOW: "3" } });
    try {
      await pruner.prune();
    } finally {
      await pruner.close();
    }
    const left = await db.run.findMany({ where: { flowId: flow.id }, select: { status: true, queuedAt: true }, orderBy: { queuedAt: "desc" } });
    // The running one survives its age; of the recent finished ones the newest three stay.
    expect(left.map((r) => r.status).sort()).toEqual(["running", "succeeded", "succeeded", "succeeded"]);
  });
});

describe("queue mode: schedules as BullMQ job schedulers", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let worker: Runtime;
  let owner: Owner;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    web = await startTestRuntime({ db: database.db, redis: redisUrl });
    worker = await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker" });
    owner = await signInAs({ db: database.db, name: "Scheduler" });
  });
  afterAll(async () => {
    await web?.close();
    await worker?.close();
  });

  it("keeps one job scheduler per schedule node, fires it on a worker, and removes it on deactivation", async () => {
    const db = database.db;
    const flowId = await saveAndActivate(db, owner, web, "Queued ticks", line([everySecond, { id: "tag", type: "core.set", config: {} }]));
    const queue = (web.scheduler as QueueScheduler).queue;
    const schedulers = await queue.getJobSchedulers(0, -1);
    expect(schedulers).toEqual([expect.objectContaining({ key: `${flowId}:tick`, pattern: "* * * * * *", tz: "Europe/Warsaw" })]);
    const run = await eventually(() => db.run.findFirst({ where: { flowId, status: "succeeded" }, select: { trigger: true, workerId: true } }), "a scheduled run");
    expect(run).toEqual({ trigger: "schedule", workerId: worker.workerId });
    await activationService.deactivate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await web.triggersChanged(flowId);
    expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
  });
});
