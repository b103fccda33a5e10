import type http from "node:http";
import { readBody, startTestServer, type TestServer } from "../_kit/test-http-server";

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

interface StreamFormat {
  contentType: string;
  chunk: (token: string) => string;
  end: (reply: Extract<Reply, { tokens: string[] }>) => string;
}

async function serve(res: http.ServerResponse, reply: Reply, stream: StreamFormat) {
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

/** Records every request, answers the model listing and the chat path from the script, and 404s the rest. */
async function startScriptedServer(
  script: Script,
  api: {
    modelsPath: string;
    models: unknown;
    chatPath: string;
    unknownPath: (path: string | undefined) => unknown;
    stream: (received: ReceivedRequest, count: number) => StreamFormat;
  },
): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  const server = await startTestServer(async (req, res) => {
    const received: ReceivedRequest = { path: req.url ?? "", headers: req.headers, body: {}, at: Date.now() };
    const text = await readBody(req);
    received.body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    requests.push(received);
    const index = requests.length - 1;
    if (req.method === "GET" && req.url === api.modelsPath) {
      const reply = await script(received, index);
      if ("status" in reply) return serve(res, reply, undefined as never);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(api.models));
      return;
    }
    if (req.method !== "POST" || req.url !== api.chatPath) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify(api.unknownPath(req.url)));
      return;
    }
    const stream = api.stream(received, requests.length);
    await serve(res, await script(received, index), stream);
  });
  return Object.assign(server, { requests });
}

export function startOpenAIServer(script: Script): Promise<ScriptedServer> {
  return startScriptedServer(script, {
    modelsPath: "/v1/models",
    models: { object: "list", data: [{ id: "gpt-test", object: "model", created: 0, owned_by: "test" }] },
    chatPath: "/v1/chat/completions",
    unknownPath: (path) => ({ error: { message: `Unknown path ${path}` } }),
    stream: (received, count) => {
      const model = String(received.body.model);
      const includeUsage = (received.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const base = { id: `chatcmpl-${count}`, object: "chat.completion.chunk", created: 1_700_000_000, model };
      const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
      return {
        contentType: "text/event-stream",
        chunk: (token) => sse({ ...base, choices: [{ index: 0, delta: { content: token }, finish_reason: null }] }),
        end: (reply) =>
          sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reply.finishReason ?? "stop" }] }) +
          (includeUsage && reply.usage
            ? sse({ ...base, choices: [], usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion } })
            : "") +
          "data: [DONE]\n\n",
      };
    },
  });
}

export function startOllamaServer(script: Script): Promise<ScriptedServer> {
  return startScriptedServer(script, {
    modelsPath: "/api/tags",
    models: { models: [{ name: "llama3.2:latest", model: "llama3.2:latest", size: 1 }] },
    chatPath: "/api/chat",
    unknownPath: (path) => ({ error: `unknown path ${path}` }),
    stream: (received) => {
      const model = String(received.body.model);
      const line = (data: unknown) => `${JSON.stringify(data)}\n`;
      const at = () => new Date().toISOString();
      return {
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
      };
    },
  });
}
