// How long a streamed LLM token takes from the model server writing it to a run-event listener receiving it,
// through the real path: the OpenAI SDK over the guarded fetch, the LLM node gathering tokens every
// TOKEN_FLUSH_MS, ctx.progress, the engine and the event bus. Embedded database (PGlite) in a temporary folder.
// Usage: node --import tsx bench/llm-stream.ts [--tokens=400] [--gap-ms=5]
// Prints BENCH lines: every token's latency (which includes waiting for its batch), and the newest token of each
// batch (written just before the flush, so it shows what the path adds beyond the batching).
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { quantileSorted } from "simple-statistics";
import { TOKEN_FLUSH_MS } from "../nodes/llm/llm.node";
import { startOpenAIServer } from "../nodes/llm/test-servers";
import { applyMigrations } from "../prisma/migrate";
import type { RunEvent } from "../nodes/_core/run-types";
import { Runtime } from "../runner/runtime";
import { handOverRuntime } from "../server/runtime-handover";
import { closeTestServers } from "../nodes/_kit/test-http-server";
import { createContextInner } from "../server/context";
import { createSecretBox } from "../server/crypto/secret-box";
import { connectDb } from "../server/db/connect";
import { parseEnv } from "../server/env";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { appRouter } from "../server/routers/_app";
import { userService } from "../server/services/user-service";
import { workspaceService } from "../server/services/workspace-service";
import { createCallerFactory } from "../server/trpc";
import { runnerStorage } from "../server/runner-storage";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const tokenCount = arg("tokens", 400);
const gapMs = arg("gap-ms", 5);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "streamware-llm-bench-"));
  const connection = await connectDb({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  await applyMigrations({ adapterFactory: connection.adapterFactory });
  const db = connection.db;
  const box = createSecretBox({ currentKey: randomBytes(32).toString("base64") });
  const config = parseEnv({ DATA_DIR: dataDir, HTTP_ALLOW_HOSTS: "127.0.0.1", LOG_LEVEL: "silent" });
  const runtime = await Runtime.create({ storage: runnerStorage({ db, secretBox: () => box }), config, role: "web", logger: pino({ level: "silent" }) });
  handOverRuntime(runtime);
  await runtime.start();

  const written: number[] = [];
  let listening!: () => void;
  const subscribed = new Promise<void>((resolve) => (listening = resolve));
  const server = await startOpenAIServer(async () => {
    await subscribed;
    return {
      tokens: Array.from({ length: tokenCount }, (_, i) => `t${i} `),
      tokenDelayMs: gapMs,
      usage: { prompt: 10, completion: tokenCount },
      onWrite: (i) => (written[i] = performance.now()),
    };
  });

  const user = await userService.signIn({ db, identity: { provider: "dev", email: "bench@example.test", name: "Bench" } });
  const [workspace] = await workspaceService.listForUser({ db, userId: user.id });
  const caller = createCallerFactory(appRouter)(createContextInner({ db, user, secretBox: () => box }));
  const workspaceId = workspace!.id;
  const credential = await caller.credential.create({ workspaceId, name: "Local", type: "openai.api", data: { apiKey: "sk-bench", baseUrl: `${server.url}/v1` } });
  const flow = await caller.flow.create({
    workspaceId,
    name: "Stream",
    document: {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
        {
          id: "ask",
          name: "Ask",
          type: "ai.llm",
          position: { x: 200, y: 0 },
          config: { providers: [{ kind: "openai", model: "bench" }], prompt: "stream" },
          credentials: { "openai.api": { id: credential.id, name: credential.name } },
        },
      ],
      edges: [{ id: "e1", source: "start", target: "ask" }],
    },
  });

  const every: number[] = [];
  const newest: number[] = [];
  let events = 0;
  const { runId } = await caller.run.start({ workspaceId, flowId: flow.id });
  const done = new Promise<void>((resolve) => {
    const unsubscribe = runtime.events.subscribe(runId, (event: RunEvent) => {
      if (event.type === "step.progress" && typeof event.progress.token === "string") {
        const at = performance.now();
        events++;
        const indexes = [...event.progress.token.matchAll(/t(\d+) /g)].map((m) => Number(m[1]));
        for (const i of indexes) every.push(at - written[i]!);
        newest.push(at - written[Math.max(...indexes)]!);
      }
      if (event.type === "run.finished") {
        unsubscribe();
        resolve();
      }
    });
  });
  listening();
  await done;

  const report = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`BENCH llm_stream_${name}_p50 ${quantileSorted(sorted, 0.5).toFixed(2)} ms`);
    console.log(`BENCH llm_stream_${name}_p99 ${quantileSorted(sorted, 0.99).toFixed(2)} ms`);
  };
  console.log(`# ${tokenCount} tokens, one every ${gapMs} ms, gathered every ${TOKEN_FLUSH_MS} ms: ${events} progress events, ${every.length} tokens received`);
  report("token_latency", every);
  report("newest_token_latency", newest);
  console.log(`BENCH llm_stream_events ${events} events`);

  await closeTestServers();
  await runtime.close();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
