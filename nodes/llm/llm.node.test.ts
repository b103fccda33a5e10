import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import { NodeCancelledError, NodeConfigError, NodeExternalError } from "../_kit/errors";
import { runNode, TEST_WORKSPACE_ID } from "../../runner/node-testing";
import { llmNode } from "./llm.node";
import { ollamaApiCredential } from "./ollama-api.credential";
import { openAIApiCredential } from "./openai-api.credential";
import { startOllamaServer, startOpenAIServer } from "./test-servers";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await loopback.close();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("the node did not fail");
    },
    (e: unknown) => e as Error,
  );
}

const credentialFor = (url: string) => ({ apiKey: "sk-test", baseUrl: `${url}/v1` });

describe("LLM node", () => {
  it("asks once per item with its expressions, streams tokens as progress in order, and reports usage", async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
    const server = await startOpenAIServer((req) => ({
      tokens: (req.body.messages as { content: string }[]).at(-1)!.content === "Summarize: first" ? words : ["short"],
      usage: { prompt: 12, completion: 200 },
    }));
    const result = await runNode(llmNode, {
      config: { providers: [{ kind: "openai", model: "gpt-test" }], system: "You summarize.", prompt: "Summarize: {{ $json.text }}", temperature: 0 },
      input: [{ json: { text: "first" } }, { json: { text: "second" } }],
      credentials: credentialFor(server.url),
      http: loopback,
    });
    expect(result.items.map((i) => i.json)).toEqual([
      {
        text: words.join(""),
        provider: "openai",
        model: "gpt-test",
        baseUrl: `${server.url}/v1`,
        providerIndex: 0,
        usage: { promptTokens: 12, completionTokens: 200, totalTokens: 212 },
        finishReason: "stop",
      },
      expect.objectContaining({ text: "short" }),
    ]);
    const first = result.progress.filter((p) => p.item === 0).map((p) => p.token as string);
    expect(first.join("")).toBe(words.join(""));
    // Gathered, not one event per token.
    expect(first.length).toBeLessThan(words.length);
    expect(result.usage).toEqual([
      { provider: "openai", model: "gpt-test", promptTokens: 12, completionTokens: 200 },
      { provider: "openai", model: "gpt-test", promptTokens: 12, completionTokens: 200 },
    ]);
    expect(server.requests.map((r) => r.body.messages)).toEqual([
      [
        { role: "system", content: "You summarize." },
        { role: "user", content: "Summarize: first" },
      ],
      [
        { role: "system", content: "You summarize." },
        { role: "user", content: "Summarize: second" },
      ],
    ]);
  });

  it("sends the item's images with the prompt: as data URLs to OpenAI, as base64 images to Ollama", async () => {
    const binary = new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "streamware-llm-images-")));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const photo = await binary.put(png, { workspaceId: TEST_WORKSPACE_ID, mimeType: "image/png", fileName: "a.png" });
    const notes = await binary.put(Buffer.from("text"), { workspaceId: TEST_WORKSPACE_ID, mimeType: "text/plain" });
    const input = [{ json: {}, binary: { photo, notes } }];
    const openai = await startOpenAIServer(() => ({ tokens: ["a cat"] }));
    await runNode(llmNode, { binary, input, config: { providers: [{ kind: "openai", model: "gpt-4o" }], prompt: "What is it?", images: ["photo"] }, credentials: credentialFor(openai.url), http: loopback });
    expect(openai.requests[0]!.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What is it?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${png.toString("base64")}` } }] },
    ]);
    const ollama = await startOllamaServer(() => ({ tokens: ["a cat"] }));
    await runNode(llmNode, { binary, input, config: { providers: [{ kind: "ollama", model: "llava", baseUrl: ollama.url }], prompt: "What is it?", images: ["photo"] }, http: loopback });
    expect(ollama.requests[0]!.body.messages).toEqual([{ role: "user", content: "What is it?", images: [png.toString("base64")] }]);
    const notImage = await failure(runNode(llmNode, { binary, input, config: { providers: [{ kind: "ollama", model: "llava", baseUrl: ollama.url }], prompt: "?", images: ["notes"] }, http: loopback }));
    expect(notImage).toBeInstanceOf(NodeConfigError);
    expect(notImage.message).toBe('File "notes" of item 0 is text/plain, not an image');
    const missing = await failure(runNode(llmNode, { binary, input, config: { providers: [{ kind: "ollama", model: "llava", baseUrl: ollama.url }], prompt: "?", images: ["scan"] }, http: loopback }));
    expect(missing.message).toBe('Item 0 has no file "scan" to send to the model; its files are "photo", "notes"');
  });

  it("also gives the reply under a chosen field: the text, or the parsed JSON when a schema is given", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ['{"ok":', "true}"] }));
    const run = (config: Record<string, unknown>) =>
      runNode(llmNode, { config: { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "hi", ...config }, credentials: credentialFor(server.url), http: loopback }).then((r) => r.items[0]!.json);
    expect(await run({ replyField: "output" })).toMatchObject({ text: '{"ok":true}', output: '{"ok":true}' });
    expect(await run({ replyField: "message.content", jsonSchema: { type: "object" } })).toMatchObject({ json: { ok: true }, message: { content: { ok: true } } });
    expect(llmNode.config.safeParse({ providers: [{ kind: "openai", model: "m" }], prompt: "p", replyField: "my field" }).success).toBe(false);
  });

  it("falls back to the next provider after a 500 and says which answered", async () => {
    const openai = await startOpenAIServer(() => ({ status: 500, body: { error: { message: "internal" } } }));
    const ollama = await startOllamaServer(() => ({ tokens: ["local ", "answer"], usage: { prompt: 5, completion: 2 } }));
    const result = await runNode(llmNode, {
      config: {
        providers: [
          { kind: "openai", model: "gpt-test" },
          { kind: "ollama", model: "llama3.2", baseUrl: ollama.url },
        ],
        prompt: "hi",
        attempts: 1,
      },
      input: [{ json: {} }],
      credentials: credentialFor(openai.url),
      http: loopback,
    });
    expect(result.items[0]!.json).toMatchObject({
      text: "local answer",
      provider: "ollama",
      model: "llama3.2",
      providerIndex: 1,
      failures: [{ provider: "openai", model: "gpt-test", error: expect.stringContaining("answered 500: internal") }],
    });
    expect(result.progress).toContainEqual(expect.objectContaining({ restart: true, message: expect.stringContaining("Provider 1 (openai gpt-test) failed") }));
    expect(result.usage).toEqual([{ provider: "ollama", model: "llama3.2", promptTokens: 5, completionTokens: 2 }]);
  });

  it("gives Ollama providers the node's Ollama credential: its base URL and bearer token", async () => {
    const ollama = await startOllamaServer(() => ({ tokens: ["behind a proxy"] }));
    const result = await runNode(llmNode, {
      config: { providers: [{ kind: "ollama", model: "llama3.2" }], prompt: "hi" },
      input: [{ json: {} }],
      credentialsOf: { "ollama.api": { baseUrl: ollama.url, apiKey: "proxy-token" } },
      http: loopback,
    });
    expect(result.items[0]!.json).toMatchObject({ text: "behind a proxy", provider: "ollama", baseUrl: ollama.url });
    expect(ollama.requests[0]!.headers.authorization).toBe("Bearer proxy-token");
  });

  it("returns structured output, sending a reply that does not fit back with the validation error", async () => {
    const schema = { type: "object", properties: { sentiment: { type: "string", enum: ["positive", "negative"] } }, required: ["sentiment"] };
    const server = await startOpenAIServer((_req, i) => ({ tokens: [i === 0 ? '{"sentiment":"meh"}' : '{"sentiment":"positive"}'], usage: { prompt: 9, completion: 4 } }));
    const result = await runNode(llmNode, {
      config: { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "Rate: great!", jsonSchema: schema },
      input: [{ json: {} }],
      credentials: credentialFor(server.url),
      http: loopback,
    });
    expect(result.items[0]!.json).toMatchObject({ json: { sentiment: "positive" }, usage: { promptTokens: 18, completionTokens: 8 } });
    const retry = (server.requests[1]!.body.messages as { content: string }[]).at(-1)!.content;
    expect(retry).toContain('sentiment: Invalid option: expected one of "positive"|"negative"');
    expect(result.progress).toContainEqual(expect.objectContaining({ restart: true, message: expect.stringContaining("structured reply sent back") }));
    expect(result.usage).toHaveLength(2);
  });

  it("fails without an OpenAI key, naming the credential to pick, before any request", async () => {
    const err = await failure(runNode(llmNode, { config: { providers: [{ kind: "openai", model: "gpt-4o-mini" }], prompt: "hi" }, input: [{ json: {} }], http: loopback }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toMatch(/without an API key: pick an OpenAI API credential/);
  });

  it("refuses a JSON Schema it cannot read, and a config without providers", async () => {
    const server = await startOpenAIServer(() => ({ tokens: ["{}"] }));
    const bad = await failure(
      runNode(llmNode, { config: { providers: [{ kind: "openai", model: "m" }], prompt: "hi", jsonSchema: { type: "nonsense" } }, input: [{ json: {} }], credentials: credentialFor(server.url), http: loopback }),
    );
    expect(bad).toBeInstanceOf(NodeConfigError);
    expect(bad.message).toMatch(/JSON Schema for the reply cannot be used/);
    const none = await failure(runNode(llmNode, { config: { providers: [], prompt: "hi" }, input: [{ json: {} }], http: loopback }));
    expect(none).toBeInstanceOf(NodeConfigError);
    expect(none.message).toMatch(/Providers: add a provider/);
    expect(server.requests).toHaveLength(0);
  });

  it("fails on a 401 with what to fix, not retryable", async () => {
    const server = await startOpenAIServer(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
    const err = (await failure(
      runNode(llmNode, { config: { providers: [{ kind: "openai", model: "m" }], prompt: "hi" }, input: [{ json: {} }], credentials: credentialFor(server.url), http: loopback }),
    )) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/check the key in the openai.api credential/);
  });

  it("stops when the run is cancelled mid-stream", async () => {
    const controller = new AbortController();
    const server = await startOllamaServer(() => ({ tokens: ["a", "b", "c"], tokenDelayMs: 5, hang: true, onWrite: (i) => i === 2 && setTimeout(() => controller.abort(), 80) }));
    const err = await failure(
      runNode(llmNode, { config: { providers: [{ kind: "ollama", model: "m", baseUrl: server.url }], prompt: "hi" }, input: [{ json: {} }], http: loopback, signal: controller.signal }),
    );
    expect(err).toBeInstanceOf(NodeCancelledError);
  });
});

describe("LLM credentials", () => {
  const ctx = { http: loopback, signal: new AbortController().signal };

  it("tests an OpenAI key by listing models, and says to check a refused key", async () => {
    const server = await startOpenAIServer(() => ({ tokens: [] }));
    expect(await openAIApiCredential.test(credentialFor(server.url), ctx)).toBe(`Reached ${server.url}/v1: 1 model (gpt-test)`);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    const refusing = await startOpenAIServer(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
    await expect(openAIApiCredential.test(credentialFor(refusing.url), ctx)).rejects.toThrow(/refused the API key \(401\)/);
    expect(() => openAIApiCredential.parse({ apiKey: "" })).toThrow(/apiKey: the API key is required/);
  });

  it("tests an Ollama server by listing its models", async () => {
    const server = await startOllamaServer(() => ({ tokens: [] }));
    expect(await ollamaApiCredential.test({ baseUrl: server.url, apiKey: "proxy" }, ctx)).toBe(`Reached Ollama at ${server.url}: 1 model pulled (llama3.2:latest)`);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer proxy");
    await server.close();
    await expect(ollamaApiCredential.test({ baseUrl: server.url }, ctx)).rejects.toThrow(/Could not reach Ollama at .* \(connection refused\); .*ECONNREFUSED/);
  });
});
