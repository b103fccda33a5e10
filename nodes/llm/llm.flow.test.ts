import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../_core/run-types";
import type { Runtime } from "../../runner/runtime";
import { closeTestServers } from "../_kit/test-http-server";
import { startTestRuntime } from "../../server/test-runtime";
import { useTestDatabase } from "../../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../_core/flow-document";
import { rejection, signInAs } from "../../server/routers/test-helpers";
import { startOllamaServer, startOpenAIServer } from "./test-servers";

const flowDoc = (credential: { id: string; name: string }, config: Record<string, unknown>, credentialType = "openai.api") => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "ask", name: "Ask", type: "ai.llm", position: { x: 200, y: 0 }, config, credentials: { [credentialType]: credential } },
  ],
  edges: [{ id: "e1", source: "start", target: "ask" }],
});

describe("LLM node in a flow on PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
  });
  afterAll(async () => {
    await runtime?.close();
  });
  afterEach(async () => {
    await closeTestServers();
  });

  /** The stored run once it has ended. */
  async function finished(caller: Awaited<ReturnType<typeof signInAs>>["caller"], ref: { workspaceId: string; runId: string }) {
    await runtime.waitForRun(ref.runId, 30_000);
    return caller.run.get(ref);
  }

  it("streams tokens to run-event listeners in order, keeps usage on the step and sums it per workspace past run deletion", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Usage" });
    const workspaceId = workspace.id;
    let listening!: () => void;
    const subscribed = new Promise<void>((resolve) => (listening = resolve));
    const tokens = Array.from({ length: 40 }, (_, i) => `t${i} `);
    let calls = 0;
    // The first answer waits until the test listens to the run's events, so no token is sent before that.
    const server = await startOpenAIServer(async () => {
      if (calls++ === 0) await subscribed;
      return { tokens, tokenDelayMs: 2, usage: { prompt: 100, completion: 40 } };
    });
    const credential = await caller.credential.create({ workspaceId, name: "Local OpenAI", type: "openai.api", data: { apiKey: "sk-test", baseUrl: `${server.url}/v1` } });
    const flow = await caller.flow.create({
      workspaceId,
      name: "Ask",
      document: flowDoc({ id: credential.id, name: credential.name }, { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "Tell me about {{ $json.topic }}" }),
    });

    const { runId } = await caller.run.start({ workspaceId, flowId: flow.id, input: { topic: "tokens" } });
    const events: RunEvent[] = [];
    const unsubscribe = runtime.events.subscribe(runId, (event) => events.push(event));
    listening();
    const run = await finished(caller, { workspaceId, runId });
    unsubscribe();

    expect(run.status).toBe("succeeded");
    const ask = run.steps.find((s) => s.nodeId === "ask")!;
    expect(ask.usage).toEqual([{ provider: "openai", model: "gpt-test", promptTokens: 100, completionTokens: 40, calls: 1 }]);
    expect(ask.output).toMatchObject({ items: { out: [{ json: { text: tokens.join(""), provider: "openai", usage: { totalTokens: 140 } } }] } });
    expect(run.steps.find((s) => s.nodeId === "start")!.usage).toBeNull();
    const streamed = events.flatMap((e) => (e.type === "step.progress" && e.nodeId === "ask" && typeof e.progress.token === "string" ? [e.progress.token] : []));
    expect(streamed.join("")).toBe(tokens.join(""));
    expect(server.requests[0]!.body.messages).toEqual([{ role: "user", content: "Tell me about tokens" }]);

    const second = await caller.run.start({ workspaceId, flowId: flow.id, input: { topic: "more" } });
    await finished(caller, { workspaceId, runId: second.runId });

    const today = new Date().toISOString().slice(0, 10);
    const summary = await caller.usage.summary({ workspaceId });
    expect(summary.to).toBe(today);
    expect(summary.total).toEqual({ promptTokens: 200, completionTokens: 80, totalTokens: 280, calls: 2 });
    expect(summary.byModel).toEqual([{ provider: "openai", model: "gpt-test", promptTokens: 200, completionTokens: 80, totalTokens: 280, calls: 2 }]);
    expect(summary.byDay).toEqual([{ day: today, promptTokens: 200, completionTokens: 80, totalTokens: 280, calls: 2 }]);
    expect(summary.byDayAndModel).toEqual([{ day: today, provider: "openai", model: "gpt-test", promptTokens: 200, completionTokens: 80, totalTokens: 280, calls: 2 }]);

    // Retention deletes runs and their steps; the workspace's totals stay.
    await database.db.run.deleteMany({ where: { workspaceId } });
    expect((await caller.usage.summary({ workspaceId, from: today, to: today })).total.totalTokens).toBe(280);
    expect((await caller.usage.summary({ workspaceId, from: "2020-01-01", to: "2020-01-31" })).total.totalTokens).toBe(0);

    // Another workspace sees none of it, and a bad range says what to fix.
    const other = await signInAs({ db: database.db, name: "Other" });
    expect((await other.caller.usage.summary({ workspaceId: other.workspace.id })).total.totalTokens).toBe(0);
    expect((await rejection(other.caller.usage.summary({ workspaceId }))).code).toBe("NOT_FOUND");
    const swapped = await rejection(caller.usage.summary({ workspaceId, from: "2026-02-01", to: "2026-01-01" }));
    expect(swapped).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("swap them") });
    expect((await rejection(caller.usage.summary({ workspaceId, from: "yesterday" }))).code).toBe("BAD_REQUEST");
  });

  it("asks Ollama with the node's Ollama credential when the node has no OpenAI one", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Ollama" });
    const server = await startOllamaServer(() => ({ tokens: ["Llamas ", "graze."], usage: { prompt: 5, completion: 2 } }));
    const credential = await caller.credential.create({ workspaceId: workspace.id, name: "Local Ollama", type: "ollama.api", data: { baseUrl: server.url, apiKey: "ollama-token" } });
    const flow = await caller.flow.create({
      workspaceId: workspace.id,
      name: "Ollama only",
      document: flowDoc({ id: credential.id, name: credential.name }, { providers: [{ kind: "ollama", model: "llama3.2" }], prompt: "Tell me about llamas" }, "ollama.api"),
    });
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id });
    const run = await finished(caller, { workspaceId: workspace.id, runId });
    expect(run.error).toBeNull();
    expect(run.steps.find((s) => s.nodeId === "ask")!.output).toMatchObject({ items: { out: [{ json: { text: "Llamas graze.", provider: "ollama", model: "llama3.2" } }] } });
    expect(server.requests[0]!.headers.authorization).toBe("Bearer ollama-token");
  });

  it("fails the step with what to fix when the credential's key is refused", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Refused" });
    const server = await startOpenAIServer(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
    const credential = await caller.credential.create({ workspaceId: workspace.id, name: "Wrong key", type: "openai.api", data: { apiKey: "sk-wrong", baseUrl: `${server.url}/v1` } });
    const flow = await caller.flow.create({
      workspaceId: workspace.id,
      name: "Refused",
      document: flowDoc({ id: credential.id, name: credential.name }, { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "hi" }),
    });
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id });
    const run = await finished(caller, { workspaceId: workspace.id, runId });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "EXTERNAL", message: expect.stringMatching(/Node "Ask" failed: OpenAI at .* refused the API key \(401\): check the key in the openai.api credential/) });
    expect((await caller.usage.summary({ workspaceId: workspace.id })).total.calls).toBe(0);
  });
});
