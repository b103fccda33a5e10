import type http from "node:http";
import { readBody, startTestServer, type TestServer } from "../../runner/test-http-server";

/**
 * Servers on loopback that speak the OpenAI Chat Completions API (SSE chunks, usage in the last chunk when
 * `stream_options.include_usage` asks for it) and Ollama's `/api/chat` (NDJSON), answering from a script.
 */

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | {
      tokens: string[];
      usage?: { prompt: number; completion: number };
      finishReason?: string;
      /** A wait before each token. */
      tokenDelayMs?: number;
      /** Called as each token is written (the bench times the path from here to a run event). */
      onWrite?: (index: number) => void;
      /** Writes the tokens and then never ends the stream. */
      hang?: boolean;
      /** Raw text written as the stream instead of well-formed chunks. */
      raw?: string;
    };

export interface ScriptedServer extends TestServer {
  requests: ReceivedRequest[];
}

type Script = (request: ReceivedRequest, index: number) => Reply | Promise<Reply>;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(
  res: http.ServerResponse,
  reply: Reply,
  stream: { contentType: string; chunk: (token: string) => string; end: (reply: Extract<Reply, { tokens: string[] }>) => string },
) {
  if ("status" in reply) {
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
    return;
  }
  res.writeHead(200, { "content-type": stream.contentType, "cache-control": "no-cache" });
  if (reply.raw !== undefined) {
    res.end(reply.raw);
    return;
  }
  for (const [index, token] of reply.tokens.entries()) {
    if (reply.tokenDelayMs) await wait(reply.tokenDelayMs);
    if (res.destroyed) return;
    res.write(stream.chunk(token));
    reply.onWrite?.(index);
  }
  if (reply.hang) return;
  res.end(stream.end(reply));
}

export async function startOpenAIServer(script: Script): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  const server = await startTestServer(async (req, res) => {
    const received: ReceivedRequest = { path: req.url ?? "", headers: req.headers, body: {}, at: Date.now() };
    const text = await readBody(req);
    received.body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    requests.push(received);
    if (req.method === "GET" && req.url === "/v1/models") {
      const reply = await script(received, requests.length - 1);
      if ("status" in reply) return serve(res, reply, undefined as never);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "gpt-test", object: "model", created: 0, owned_by: "test" }] }));
      return;
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `Unknown path ${req.url}` } }));
      return;
    }
    const model = String(received.body.model);
    const includeUsage = (received.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const id = `chatcmpl-${requests.length}`;
    const base = { id, object: "chat.completion.chunk", created: 1_700_000_000, model };
    const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
    await serve(res, await script(received, requests.length - 1), {
      contentType: "text/event-stream",
      chunk: (token) => sse({ ...base, choices: [{ index: 0, delta: { content: token }, finish_reason: null }] }),
      end: (reply) =>
        sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reply.finishReason ?? "stop" }] }) +
        (includeUsage && reply.usage
          ? sse({ ...base, choices: [], usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion } })
          : "") +
        "data: [DONE]\n\n",
    });
  });
  return Object.assign(server, { requests });
}

export async function startOllamaServer(script: Script): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  const server = await startTestServer(async (req, res) => {
    const received: ReceivedRequest = { path: req.url ?? "", headers: req.headers, body: {}, at: Date.now() };
    const text = await readBody(req);
    received.body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    requests.push(received);
    if (req.method === "GET" && req.url === "/api/tags") {
      const reply = await script(received, requests.length - 1);
      if ("status" in reply) return serve(res, reply, undefined as never);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ models: [{ name: "llama3.2:latest", model: "llama3.2:latest", size: 1 }] }));
      return;
    }
    if (req.method !== "POST" || req.url !== "/api/chat") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `unknown path ${req.url}` }));
      return;
    }
    const model = String(received.body.model);
    const line = (data: unknown) => `${JSON.stringify(data)}\n`;
    const at = () => new Date().toISOString();
    await serve(res, await script(received, requests.length - 1), {
      contentType: "application/x-ndjson",
      chunk: (token) => line({ model, created_at: at(), message: { role: "assistant", content: token }, done: false }),
      end: (reply) =>
        line({
          model,
          created_at: at(),
          message: { role: "assistant", content: "" },
          done: true,
          done_reason: reply.finishReason ?? "stop",
          total_duration: 1,
          load_duration: 1,
          prompt_eval_count: reply.usage?.prompt ?? 0,
          prompt_eval_duration: 1,
          eval_count: reply.usage?.completion ?? 0,
          eval_duration: 1,
        }),
    });
  });
  return Object.assign(server, { requests });
}
