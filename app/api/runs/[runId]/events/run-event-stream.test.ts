import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startOpenAIServer } from "@/nodes/llm/test-servers";
import type { RunEvent } from "@/nodes/_core/run-types";
import type { Runtime } from "@/runner/runtime";
import { closeTestServers } from "@/nodes/_kit/test-http-server";
import { startTestRuntime, testRedisUrlFor } from "@/server/test-runtime";
import { useTestDatabase } from "@/server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "@/nodes/_core/flow-document";
import { signInAs } from "@/server/routers/test-helpers";
import { runService } from "@/server/services/run-service";
import { runEventStream } from "./run-event-stream";

// This file's own Redis database (queue mode): no other test file uses index 9.
const REDIS_URL = testRedisUrlFor(9);

interface Sent {
  event: string;
  data: Record<string, unknown>;
}

/** The events of a finished SSE body, keep-alive comments left out. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Sent[]> {
  const text = await new Response(stream).text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) as Record<string, unknown> };
    });
}

async function until<T>(what: string, check: () => T | null | undefined | false): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const llm = (id: string, x: number, prompt: string, credential: { id: string; name: string }) => ({
  id,
  name: id,
  type: "ai.llm",
  position: { x, y: 0 },
  config: { providers: [{ kind: "openai", model: "gpt-test" }], prompt },
  credentials: { "openai.api": credential },
});

describe.each([{ mode: "embedded" }, { mode: "queue" }])("a run's event stream opened late, $mode", ({ mode }) => {
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
  afterEach(async () => {
    vi.useRealTimers();
    await closeTestServers();
  });

  it("begins with what happened before it was opened: each streamed token once and in order, then the live ones", async () => {
    const { caller, workspace, user } = await signInAs({ db: database.db, name: "Late" });
    const workspaceId = workspace.id;
    const first = Array.from({ length: 30 }, (_, i) => `a${i} `);
    const second = Array.from({ length: 30 }, (_, i) => `b${i} `);
    let asked!: () => void;
    const secondAsked = new Promise<void>((resolve) => (asked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The second node's answer waits until the stream is open, so the first node streamed all of its reply before.
    const server = await startOpenAIServer(async (request) => {
      const messages = request.body.messages as { content: string }[];
      if (messages[0]!.content === "first") return { tokens: first, tokenDelayMs: 1 };
      asked();
      await released;
      return { tokens: second, tokenDelayMs: 1 };
    });
    const credential = await caller.credential.create({ workspaceId, name: "Local OpenAI", type: "openai.api", data: { apiKey: "sk-test", baseUrl: `${server.url}/v1` } });
    const ref = { id: credential.id, name: credential.name };
    const flow = await caller.flow.create({
      workspaceId,
      name: "Two answers",
      document: {
        schema: FLOW_SCHEMA_TAG,
        nodes: [{ id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } }, llm("ask1", 200, "first", ref), llm("ask2", 400, "second", ref)],
        edges: [
          { id: "e1", source: "start", target: "ask1" },
          { id: "e2", source: "ask1", target: "ask2" },
        ],
      },
    });

    const { runId } = await caller.run.start({ workspaceId, flowId: flow.id });
    await secondAsked;
    // In queue mode the worker's events cross Redis to this process; they are here once the first step's end is.
    await until("the first step's end", () => web.events.recent(runId).some((e) => e.type === "step.finished" && e.nodeId === "ask1"));
    const snapshot = await runService.get({ db: database.db, userId: user.id, workspaceId, runId });
    expect(snapshot.status).toBe("running");
    const stream = runEventStream({
      events: web.events,
      runId,
      snapshot,
      storedEnd: () => runService.status({ db: database.db, runId }),
      keepWatching: () => {},
      signal: new AbortController().signal,
    });
    release();
    const sent = await readAll(stream);

    expect(sent[0]!.event).toBe("snapshot");
    const events = sent.slice(1).map((s) => s.data as unknown as RunEvent);
    expect(sent.slice(1).map((s) => s.event)).toEqual(events.map((e) => e.type));
    // Everything up to the first step's end happened before the stream was opened: it came from the kept events.
    const firstEnd = events.findIndex((e) => e.type === "step.finished" && e.nodeId === "ask1");
    expect(sent[0]!.data.replayed).toBeGreaterThan(firstEnd);
    // Tokens arrive gathered into progress events; the text they make up shows each came once, in order.
    const textOf = (nodeId: string) => events.flatMap((e) => (e.type === "step.progress" && e.nodeId === nodeId ? [e.progress.token] : [])).join("");
    expect(textOf("ask1")).toBe(first.join(""));
    expect(textOf("ask2")).toBe(second.join(""));
    const steps = events.filter((e) => e.type !== "step.progress").map((e) => (e.type.startsWith("step.") ? `${e.type} ${(e as { nodeId: string }).nodeId}` : e.type));
    expect(steps).toEqual([
      "run.started",
      "step.started start",
      "step.finished start",
      "step.started ask1",
      "step.finished ask1",
      "step.started ask2",
      "step.finished ask2",
      "run.finished",
    ]);
    expect(events.at(-1)).toMatchObject({ type: "run.finished", status: "succeeded" });

    // Kept a while after the end, for a stream opened just then; then let go.
    expect(web.events.recent(runId).at(-1)?.type).toBe("run.finished");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60_000);
    expect(web.events.recent(runId)).toEqual([]);
  });

  it("keeps nothing of a run nobody can be watching, even while this process listens to it; a watched flow's runs are kept", async () => {
    const { caller, workspace, user } = await signInAs({ db: database.db, name: "Unwatched" });
    const flow = await caller.flow.create({
      workspaceId: workspace.id,
      name: "Scheduled",
      document: {
        schema: FLOW_SCHEMA_TAG,
        nodes: [
          { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
          { id: "tag", name: "Tag", type: "core.set", position: { x: 200, y: 0 }, config: { fields: [{ name: "ok", value: true }] } },
        ],
        edges: [{ id: "e1", source: "start", target: "tag" }],
      },
    });
    const manual = await runService.prepareManual({ db: database.db, userId: user.id, workspaceId: workspace.id, flowId: flow.id, source: "draft" });
    const scheduled = { ...manual, trigger: "schedule", startNodeId: "start" };

    const unwatched = await web.enqueue(scheduled);
    const seen: RunEvent[] = [];
    const off = web.events.subscribe(unwatched, (event) => seen.push(event));
    expect((await web.waitForRun(unwatched, 30_000)).status).toBe("succeeded");
    off();
    expect(web.events.recent(unwatched)).toEqual([]);

    for (const runtime of [web, worker]) await runtime?.watch(flow.id);
    const watched = await web.enqueue(scheduled);
    expect((await web.waitForRun(watched, 30_000)).status).toBe("succeeded");
    await until("the watched run's end", () => web.events.recent(watched).some((e) => e.type === "run.finished"));
    expect(web.events.recent(watched).filter((e) => e.type === "step.finished").map((e) => (e as { nodeId: string }).nodeId)).toEqual(["start", "tag"]);
    if (mode === "embedded") expect(seen.map((e) => e.type)).toContain("step.finished");
  });
});
