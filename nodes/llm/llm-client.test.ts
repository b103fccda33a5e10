import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import { NodeCancelledError, NodeConfigError, NodeExternalError } from "../_kit/errors";
import { chat, chatWithFallback, checkStructuredReply, jsonSchemaValidator, retryAfterMs, type ChatRequest } from "./llm-client";
import { startOllamaServer, startOpenAIServer } from "./test-servers";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });
const guarded = createHttpClient();

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await Promise.all([loopback.close(), guarded.close()]);
});

const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 5_000 };

function request(over: Partial<ChatRequest> & Pick<ChatRequest, "provider">): ChatRequest {
  return { prompt: "Say hello", fetch: loopback.fetch, signal: new AbortController().signal, retry: fast, ...over };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("the call did not fail");
    },
    (e: unknown) => e as Error,
  );
}

const intentSchema = {
  type: "object",
  properties: { intent: { type: "string", enum: ["lights.on", "lights.off"] }, room: { type: "string" } },
  required: ["intent"],
  additionalProperties: false,
};

describe("chat with OpenAI", () => {
  it("streams tokens in order and reads usage from the last chunk", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ["Hel", "lo", " there"], usage: { prompt: 11, completion: 3 } }));
    const tokens: string[] = [];
    const usage: unknown[] = [];
    const answer = await chat(
      request({
        provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "sk-test", organization: "org-1", model: "gpt-test" },
        system: "Be brief",
        temperature: 0.2,
        maxTokens: 50,
        onToken: (t) => tokens.push(t),
        onUsage: (u) => usage.push(u),
      }),
    );
    expect(answer).toEqual({ text: "Hello there", usage: { promptTokens: 11, completionTokens: 3 }, provider: "openai", model: "gpt-test", finishReason: "stop" });
    expect(tokens).toEqual(["Hel", "lo", " there"]);
    expect(usage).toEqual([{ provider: "openai", model: "gpt-test", promptTokens: 11, completionTokens: 3 }]);
    const sent = server.requests[0]!;
    expect(sent.headers.authorization).toBe("Bearer sk-test");
    expect(sent.headers["openai-organization"]).toBe("org-1");
    expect(sent.body).toMatchObject({
      model: "gpt-test",
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Say hello" },
      ],
    });
  });

  it("sends no Authorization header to a compatible server when no key is set", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ["ok"] }));
    const answer = await chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, model: "local" } }));
    expect(answer.text).toBe("ok");
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("waits as long as Retry-After says after a 429, then succeeds", async () => {
    const server = await startOpenAIServer((_req, i) =>
      i === 0 ? { status: 429, headers: { "retry-after": "1" }, body: { error: { message: "Rate limit reached" } } } : { tokens: ["fine"] },
    );
    const restarts: string[] = [];
    const answer = await chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" }, onRestart: (r) => restarts.push(r) }));
    expect(answer.text).toBe("fine");
    expect(server.requests).toHaveLength(2);
    // Timers may fire a little early; what matters is that the server's second-long wait was not ignored.
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(restarts).toEqual([expect.stringContaining("after 429, waiting 1000 ms")]);
  });

  it("gives up on a provider whose Retry-After is longer than the limit", async () => {
    const server = await startOpenAIServer(() => ({ status: 429, headers: { "retry-after": "120" }, body: { error: { message: "Slow down" } } }));
    const err = await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" } })));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toMatch(/rate limiting requests \(429\): Slow down; it asked to wait 120 s, longer than the 5 s/);
    expect(server.requests).toHaveLength(1);
  });

  it("retries 5xx a bounded number of times and keeps the upstream status", async () => {
    const server = await startOpenAIServer(() => ({ status: 503, body: { error: { message: "overloaded" } } }));
    const err = (await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" } })))) as NodeExternalError;
    expect(server.requests).toHaveLength(3);
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("answered 503: overloaded");
  });

  it("says to check the key on a 401, without retrying", async () => {
    const server = await startOpenAIServer(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
    const err = (await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "bad", model: "m" } })))) as NodeExternalError;
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/refused the API key \(401\): check the key in the openai.api credential: Incorrect API key provided/);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses the OpenAI API without a key, before any request", async () => {
    const err = await failure(chat(request({ provider: { kind: "openai", model: "gpt-4o-mini" } })));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toMatch(/OpenAI needs an API key/);
  });

  it("says the host cannot be reached when nothing listens there", async () => {
    const server = await startOpenAIServer(() => ({ tokens: [] }));
    await server.close();
    const err = (await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" } })))) as NodeExternalError;
    expect(err.message).toMatch(/^Could not reach OpenAI at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\); check the address and port, and that the service is running \(.*ECONNREFUSED.*\)$/);
  });

  it("keeps the SSRF guard: loopback is refused unless allowed", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ["x"] }));
    const err = await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" }, fetch: guarded.fetch })));
    expect(err.message).toMatch(/Refused to connect to 127.0.0.1.*HTTP_ALLOW_HOSTS/);
    expect(server.requests).toHaveLength(0);
  });

  it("says a stream that is not Chat Completions is not one", async () => {
    const server = await startOpenAIServer(() => ({ tokens: [], raw: "data: {not json\n\n" }));
    const err = (await failure(chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" } })))) as NodeExternalError;
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/sent a reply that is not a Chat Completions stream/);
  });

  it("stops mid-stream when cancelled", async () => {
    const controller = new AbortController();
    const server = await startOpenAIServer(() => ({ tokens: ["one", "two"], hang: true }));
    const tokens: string[] = [];
    const pending = chat(
      request({
        provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" },
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t);
          if (tokens.length === 2) controller.abort();
        },
      }),
    );
    const err = await failure(pending);
    expect(err).toBeInstanceOf(NodeCancelledError);
    expect(tokens).toEqual(["one", "two"]);
  });

  it("fails a stream that goes quiet past its timeout", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ["one"], hang: true }));
    const err = (await failure(
      chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" }, timeoutMs: 300 })),
    )) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toMatch(/did not finish answering within 300 ms/);
  });
});

describe("structured output", () => {
  it("sends the schema and returns the parsed reply", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ['{"intent":', '"lights.on","room":"kitchen"}'] }));
    const answer = await chat(request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" }, jsonSchema: intentSchema }));
    expect(answer.json).toEqual({ intent: "lights.on", room: "kitchen" });
    expect(server.requests[0]!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "reply", schema: intentSchema } });
  });

  it("sends a reply that does not fit back once, with the validation error, and takes the second", async () => {
    const server = await startOpenAIServer((_req, i) =>
      i === 0 ? { tokens: ['{"intent":"lights.dim"}'], usage: { prompt: 10, completion: 5 } } : { tokens: ['{"intent":"lights.off"}'], usage: { prompt: 30, completion: 6 } },
    );
    const usage: unknown[] = [];
    const answer = await chat(
      request({ provider: { kind: "openai", baseUrl: `${server.url}/v1`, apiKey: "k", model: "m" }, jsonSchema: intentSchema, onUsage: (u) => usage.push(u) }),
    );
    expect(answer.json).toEqual({ intent: "lights.off" });
    expect(answer.usage).toEqual({ promptTokens: 40, completionTokens: 11 });
    expect(usage).toHaveLength(2);
    const second = server.requests[1]!.body.messages as { role: string; content: string }[];
    expect(second[1]).toEqual({ role: "assistant", content: '{"intent":"lights.dim"}' });
    expect(second[2]!.role).toBe("user");
    expect(second[2]!.content).toContain('intent: Invalid option: expected one of "lights.on"|"lights.off"');
  });

  it("fails clearly, not retryable, when the second reply does not fit either", async () => {
    const openai = await startOpenAIServer((_req, i) => ({ tokens: [i === 0 ? "Sure! Here it is" : '{"room":"hall"}'] }));
    const err2 = (await failure(
      chat(request({ provider: { kind: "openai", baseUrl: `${openai.url}/v1`, apiKey: "k", model: "m" }, jsonSchema: intentSchema })),
    )) as NodeExternalError;
    expect(err2).toBeInstanceOf(NodeExternalError);
    expect(err2.retryable).toBe(false);
    expect(err2.message).toMatch(/twice gave a reply that is not what the JSON Schema asks for; the reply does not fit the JSON Schema: intent: Invalid option/);
    expect(err2.details?.firstProblem).toMatch(/not valid JSON/);
    expect(openai.requests).toHaveLength(2);
  });

  it("reads a fenced JSON block, and says what is wrong with bad JSON", () => {
    const validator = jsonSchemaValidator(intentSchema);
    expect(checkStructuredReply('```json\n{"intent":"lights.on"}\n```', validator)).toEqual({ ok: true, value: { intent: "lights.on" } });
    expect(checkStructuredReply("{intent}", validator)).toMatchObject({ ok: false, problem: expect.stringMatching(/^the reply is not valid JSON/) });
  });

  it("refuses a schema it cannot read as a config error", () => {
    expect(() => jsonSchemaValidator({ type: "wat" })).toThrow(NodeConfigError);
  });
});

describe("chat with Ollama", () => {
  it("streams NDJSON, passes options and the bearer token, and reads usage from the last line", async () => {
    const server = await startOllamaServer(() => ({ tokens: ["Hi", "!"], usage: { prompt: 7, completion: 2 } }));
    const tokens: string[] = [];
    const answer = await chat(
      request({
        provider: { kind: "ollama", baseUrl: server.url, apiKey: "proxy-token", model: "llama3.2" },
        temperature: 0,
        maxTokens: 20,
        jsonSchema: undefined,
        onToken: (t) => tokens.push(t),
      }),
    );
    expect(answer).toEqual({ text: "Hi!", usage: { promptTokens: 7, completionTokens: 2 }, provider: "ollama", model: "llama3.2", finishReason: "stop" });
    expect(tokens).toEqual(["Hi", "!"]);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer proxy-token");
    expect(server.requests[0]!.body).toMatchObject({ model: "llama3.2", stream: true, options: { temperature: 0, num_predict: 20 } });
  });

  it("sends the schema as format", async () => {
    const server = await startOllamaServer(() => ({ tokens: ['{"intent":"lights.off"}'] }));
    const answer = await chat(request({ provider: { kind: "ollama", baseUrl: server.url, model: "m" }, jsonSchema: intentSchema }));
    expect(answer.json).toEqual({ intent: "lights.off" });
    expect(server.requests[0]!.body.format).toEqual(intentSchema);
  });

  it("retries a 503 honouring Retry-After, and stops mid-stream when cancelled", async () => {
    const server = await startOllamaServer((_req, i) => (i === 0 ? { status: 503, headers: { "retry-after": "0" }, body: { error: "loading model" } } : { tokens: ["a", "b"], hang: true }));
    const controller = new AbortController();
    const err = await failure(
      chat(
        request({
          provider: { kind: "ollama", baseUrl: server.url, model: "m" },
          signal: controller.signal,
          onToken: (t) => t === "b" && controller.abort(),
        }),
      ),
    );
    expect(err).toBeInstanceOf(NodeCancelledError);
    expect(server.requests).toHaveLength(2);
  });

  it("names a model Ollama does not have", async () => {
    const server = await startOllamaServer(() => ({ status: 404, body: { error: 'model "nope" not found, try pulling it first' } }));
    const err = (await failure(chat(request({ provider: { kind: "ollama", baseUrl: server.url, model: "nope" } })))) as NodeExternalError;
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/does not know model "nope".*try pulling it first/);
  });
});

describe("fallback", () => {
  it("tries the next provider after a 500, and says which answered", async () => {
    const first = await startOpenAIServer(() => ({ status: 500, body: { error: { message: "boom" } } }));
    const second = await startOllamaServer(() => ({ tokens: ["from ollama"] }));
    const fallbacks: number[] = [];
    const answer = await chatWithFallback({
      providers: [
        { kind: "openai", baseUrl: `${first.url}/v1`, apiKey: "k", model: "gpt-test" },
        { kind: "ollama", baseUrl: second.url, model: "llama3.2" },
      ],
      prompt: "hi",
      fetch: loopback.fetch,
      signal: new AbortController().signal,
      retry: { attempts: 2, baseDelayMs: 1 },
      onFallback: ({ index }) => fallbacks.push(index),
    });
    expect(answer).toMatchObject({ text: "from ollama", provider: "ollama", model: "llama3.2", providerIndex: 1, baseUrl: second.url });
    expect(answer.failures).toEqual([{ provider: "openai", model: "gpt-test", baseUrl: `${first.url}/v1`, error: expect.stringContaining("answered 500: boom") }]);
    expect(first.requests).toHaveLength(2);
    expect(fallbacks).toEqual([0]);
  });

  it("lists every provider's failure when all fail", async () => {
    const first = await startOpenAIServer(() => ({ status: 401, body: { error: { message: "bad key" } } }));
    const second = await startOllamaServer(() => ({ status: 500, body: { error: "crashed" } }));
    const err = (await failure(
      chatWithFallback({
        providers: [
          { kind: "openai", baseUrl: `${first.url}/v1`, apiKey: "k", model: "a" },
          { kind: "ollama", baseUrl: second.url, model: "b" },
        ],
        prompt: "hi",
        fetch: loopback.fetch,
        signal: new AbortController().signal,
        retry: { attempts: 1 },
      }),
    )) as NodeExternalError;
    expect(err.message).toMatch(/^Every provider failed: 1\. openai a: .*401.* 2\. ollama b: .*answered 500: crashed/);
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "150", "retry-after": "9" }))).toBe(150);
    const date = retryAfterMs(new Headers({ "retry-after": new Date(Date.now() + 60_000).toUTCString() }))!;
    expect(date).toBeGreaterThan(50_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
  });
});
