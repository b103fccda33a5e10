import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { useTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import type { Runtime } from "./runtime";

const redisUrl = testRedisUrlFor(10);
const LIMITS = { WORKER_CONCURRENCY: "4", WORKSPACE_CONCURRENCY: "2" };
const FLOOD = 12;

describe.each(["embedded", "queue"] as const)("fair share of run slots between workspaces, %s", (mode) => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let worker: Runtime | undefined;
  // An API that answers only once the test lets it: the flooding workspace's runs hold their slots until then.
  let api: Server;
  const held: ServerResponse[] = [];
  let holding = true;

  beforeAll(async () => {
    api = createServer((_req, res) => {
      if (holding) held.push(res);
      else res.end("{}");
    }).listen(0, "127.0.0.1");
    await new Promise((resolve) => api.once("listening", resolve));
    if (mode === "queue") {
      const redis = new Redis(redisUrl);
      await redis.flushdb();
      redis.disconnect();
      web = await startTestRuntime({ db: database.db, redis: redisUrl, env: LIMITS });
      worker = await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker", env: LIMITS });
    } else {
      web = await startTestRuntime({ db: database.db, env: LIMITS });
    }
  });
  afterAll(async () => {
    holding = false;
    for (const res of held.splice(0)) res.end("{}");
    await web?.close();
    await worker?.close();
    api?.close();
  });

  async function manualFlow(who: Awaited<ReturnType<typeof signInAs>>, node: { type: string; config: Record<string, unknown> }) {
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} },
        { id: "work", name: "Work", position: { x: 200, y: 0 }, ...node },
      ],
      edges: [{ id: "e0", source: "start", target: "work" }],
    };
    const scope = { db: database.db, userId: who.user.id, workspaceId: who.workspace.id };
    const flow = await flowService.create({ ...scope, name: "Work", document });
    return runService.prepareManual({ ...scope, flowId: flow.id, source: "draft" });
  }

  it("gives a flooding workspace at most its share of the slots, and another workspace's run one of the rest", async () => {
    holding = true;
    const flooding = await signInAs({ db: database.db, name: "Flooding" });
    const quiet = await signInAs({ db: database.db, name: "Quiet" });
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/slow`;
    const floodSpec = await manualFlow(flooding, { type: "core.http-request", config: { url } });
    const quietSpec = await manualFlow(quiet, { type: "core.set", config: { fields: [{ name: "done", value: true }] } });

    const floodIds: string[] = [];
    for (let i = 0; i < FLOOD; i++) floodIds.push(await web.enqueue(floodSpec));
    await expect.poll(() => held.length, { timeout: 30_000 }).toBe(2);

    // Queued behind all twelve, while the flood holds its two slots and waits for more: it runs to its end.
    const quietId = await web.enqueue(quietSpec);
    expect((await web.waitForRun(quietId, 30_000)).status).toBe("succeeded");
    const statuses = await database.db.run.groupBy({ by: ["status"], where: { id: { in: floodIds } }, _count: true });
    expect(Object.fromEntries(statuses.map((s) => [s.status, s._count]))).toEqual({ running: 2, queued: FLOOD - 2 });
    expect(held).toHaveLength(2);

    holding = false;
    for (const res of held.splice(0)) res.end("{}");
    for (const runId of floodIds) expect((await web.waitForRun(runId, 60_000)).status).toBe("succeeded");
  });
});
