import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "@/nodes/_core/flow-document";
import type { Runtime } from "@/runner/runtime";
import { useTestDatabase } from "@/server/db/test-databases";
import { signInAs } from "@/server/routers/test-helpers";
import { dashboardService } from "@/server/services/dashboard-service";
import { ServiceError } from "@/server/services/service-error";
import { startTestRuntime, testRedisUrlFor } from "@/server/test-runtime";
import { seriesPointStream } from "./series-point-stream";

// This file's own Redis database (queue mode): no other test file uses index 13.
const REDIS_URL = testRedisUrlFor(13);

/** Reads `data:` lines off the stream until `count` have come. */
async function firstPoints(stream: ReadableStream<Uint8Array>, count: number): Promise<unknown[]> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const points = () => text.split("\n\n").filter((block) => block.startsWith("data: ")).map((block) => JSON.parse(block.slice("data: ".length)) as unknown);
  while (points().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return points();
}

/** Waits until some process has taken the dashboards' points channel. */
async function listening(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for (;;) {
      const [, count] = (await redis.pubsub("NUMSUB", "streamware:series")) as [string, number];
      if (count > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    redis.disconnect();
  }
}

/** A manual run that publishes `value` to `series`. */
const publisher = (series: string, value: unknown) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "publish", name: "Publish", type: "dashboard.publish", position: { x: 200, y: 0 }, config: { series, value } },
  ],
  edges: [{ id: "e1", source: "start", target: "publish" }],
});

describe.each([{ mode: "embedded" }, { mode: "queue" }])("a dashboard's live values, $mode", ({ mode }) => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let worker: Runtime | null = null;

  beforeAll(async () => {
    if (mode === "queue") {
      const redis = new Redis(REDIS_URL);
      await redis.flushdb();
      redis.disconnect();
      worker = await startTestRuntime({ db: database.db, redis: REDIS_URL, role: "worker" });
    }
    // Started last, so the API's runtime is the web process's.
    web = await startTestRuntime({ db: database.db, redis: mode === "queue" ? REDIS_URL : undefined });
  });
  afterAll(async () => {
    await web?.close();
    await worker?.close();
  });

  it("streams each point a run stores in one of the dashboard's series, and nothing else", async () => {
    const { db } = database;
    const { caller, workspace, user } = await signInAs({ db, name: "Watcher" });
    const other = await signInAs({ db, name: "Other" });
    const workspaceId = workspace.id;
    const { id: dashboardId } = await caller.dashboard.create({
      workspaceId,
      name: "Live",
      widgets: [{ id: "w", kind: "stat", title: "Load", series: ["load"], layout: { x: 0, y: 0, w: 3, h: 2 } }],
    });
    const watched = await dashboardService.watched({ db, userId: user.id, dashboardId });
    expect(watched).toEqual({ workspaceId, series: ["load"] });
    await expect(dashboardService.watched({ db, userId: other.user.id, dashboardId })).rejects.toEqual(new ServiceError({ code: "NOT_FOUND", message: "Dashboard not found" }));

    const abort = new AbortController();
    const stream = seriesPointStream({ events: web.events, ...watched, signal: abort.signal });
    // Across Redis the subscription is made asynchronously: a point published before it is in place is not heard.
    if (mode === "queue") await listening(REDIS_URL);
    const ran = async (who: { caller: typeof caller; workspace: { id: string } }, document: ReturnType<typeof publisher>) => {
      const flow = await who.caller.flow.create({ workspaceId: who.workspace.id, name: "Publisher", document });
      const { runId } = await who.caller.run.start({ workspaceId: who.workspace.id, flowId: flow.id });
      for (;;) {
        const { status } = await who.caller.run.get({ workspaceId: who.workspace.id, runId });
        if (status === "succeeded") return;
        if (status !== "queued" && status !== "running") throw new Error(`the publishing run ended ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const me = { caller, workspace };
    // Points of another series and of another workspace's same-named series, stored (and sent) first.
    await ran(me, publisher("other", 1));
    await ran(other, publisher("load", 2));
    await ran(me, publisher("load", { cpu: 0.5 }));
    await ran(me, publisher("load", 42));

    expect(await firstPoints(stream, 2)).toEqual([
      { series: "load", at: expect.any(Number), value: null, data: { cpu: 0.5 } },
      { series: "load", at: expect.any(Number), value: 42, data: null },
    ]);
    abort.abort();
  });
});
