import type { ChatResponse as OllamaChatResponse } from "ollama/browser";
import { z } from "zod";
import { onFirstUse } from "../_core/on-first-use";
import { describeConfigIssues } from "../_kit/define-node";
import { NodeCancelledError, NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";
import { unreachableError } from "../_kit/network-errors";

// The SDKs are loaded by the first request that needs one: a server whose flows ask no model keeps neither.
const openaiSdk = onFirstUse(() => import("openai"));
const ollamaSdk = onFirstUse(() => import("ollama/browser"));

/** Whether `err` is the OpenAI SDK's error with an HTTP status; without the SDK loaded, nothing can be. */
function isOpenAIError(err: unknown): err is InstanceType<typeof import("openai").APIError> {
  const sdk = openaiSdk.loaded();
  return sdk !== undefined && err instanceof sdk.APIError;
}

/**
 * Chat completions from OpenAI (or any server speaking its Chat Completions API) and Ollama, streamed, through
 * the official SDKs with their own retries off: retries (429 and 5xx, honouring Retry-After), the structured
 * output check and the fallback from one provider to the next are ours, so they are the same for both kinds.
 */

export type ProviderKind = "openai" | "ollama";

export interface LlmProvider {
  kind: ProviderKind;
  /** OpenAI: defaults to https://api.openai.com/v1. Ollama: defaults to http://127.0.0.1:11434. */
  baseUrl?: string;
  /** OpenAI: the API key. Ollama: a bearer token, for an Ollama behind an authenticating proxy. */
  apiKey?: string;
  /** OpenAI only. */
  organization?: string;
  model: string;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface RetryPolicy {
  /** Attempts per provider, the first included. */
  attempts: number;
  /** Backoff before retry n is about `baseDelayMs * 2^(n-1)`, jittered, when the server gives no Retry-After. */
  baseDelayMs: number;
  /** The longest wait; a Retry-After asking for more ends the attempts with this provider. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
export const DEFAULT_OPENAI_URL = "https://api.openai.com/v1";
export const DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434";

/** An image sent with the prompt, for models that see images. */
export interface PromptImage {
  mimeType: string;
  data: Buffer;
}

export interface ChatRequest {
  provider: LlmProvider;
  system?: string;
  prompt: string;
  images?: PromptImage[];
  temperature?: number;
  maxTokens?: number;
  /** The reply must be JSON fitting this JSON Schema; a reply that does not fit is sent back once with the error. */
  jsonSchema?: Record<string, unknown>;
  /** The guarded fetch of the node context (`ctx.http.fetch`), so the SSRF rules apply to the SDKs. */
  fetch: typeof globalThis.fetch;
  signal: AbortSignal;
  onToken?: (delta: string) => void;
  /** Called for every completion the provider answered (a structured reply sent back counts twice). */
  onUsage?: (usage: LlmUsage & { provider: ProviderKind; model: string }) => void;
  /** Called before each request after the first to this provider (a retry, or a structured reply sent back). */
  onRestart?: (reason: string) => void;
  retry?: Partial<RetryPolicy>;
  /** Per request; a request still streaming after this fails (and may be retried). */
  timeoutMs?: number;
}

export interface ChatResult {
  text: string;
  /** The parsed reply, when a JSON Schema was given. */
  json?: unknown;
  usage: LlmUsage;
  provider: ProviderKind;
  model: string;
  finishReason?: string;
}

interface Completion {
  text: string;
  usage: LlmUsage;
  finishReason?: string;
}

type Message = { role: "system" | "user" | "assistant"; content: string; images?: PromptImage[] };

const DEFAULT_TIMEOUT_MS = 120_000;

/** Where a provider is, for messages: "OpenAI at https://api.openai.com/v1". */
export function describeProvider(provider: LlmProvider): string {
  return `${provider.kind === "openai" ? "OpenAI" : "Ollama"} at ${baseUrlOf(provider)}`;
}

function baseUrlOf(provider: LlmProvider): string {
  return (provider.baseUrl?.trim() || (provider.kind === "openai" ? DEFAULT_OPENAI_URL : DEFAULT_OLLAMA_URL)).replace(/\/+$/, "");
}

const validators = new WeakMap<object, z.ZodType>();

/** The JSON Schema as a zod validator; a schema zod cannot read is a config error that says why. */
export function jsonSchemaValidator(schema: Record<string, unknown>): z.ZodType {
  let validator = validators.get(schema);
  if (!validator) {
    try {
      validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (err) {
      throw new NodeConfigError(`The JSON Schema for the reply cannot be used: ${(err as Error).message}; write a JSON Schema (draft 2020-12) such as {"type":"object","properties":{…}}`, { cause: err });
    }
    validators.set(schema, validator);
  }
  return validator;
}

/** What is wrong with a structured reply, or the parsed value; a fenced ```json block is read as its content. */
export function checkStructuredReply(text: string, validator: z.ZodType): { ok: true; value: unknown } | { ok: false; problem: string } {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : text);
  } catch (err) {
    return { ok: false, problem: `the reply is not valid JSON (${(err as Error).message})` };
  }
  const parsed = validator.safeParse(value);
  if (!parsed.success) return { ok: false, problem: `the reply does not fit the JSON Schema: ${describeConfigIssues(parsed.error.issues)}` };
  return { ok: true, value: parsed.data };
}

/** One provider: streamed, retried on 429 and 5xx, and (with a JSON Schema) checked, with one second chance. */
export async function chat(request: ChatRequest): Promise<ChatResult> {
  const { provider, signal } = request;
  if (!provider.model?.trim()) throw new NodeConfigError(`${describeProvider(provider)} needs a model name, such as ${provider.kind === "openai" ? "gpt-4o-mini" : "llama3.2"}`);
  if (provider.kind === "openai" && !provider.apiKey && baseUrlOf(provider) === DEFAULT_OPENAI_URL) {
    throw new NodeConfigError("OpenAI needs an API key: pick an OpenAI credential with the key from platform.openai.com, or set a base URL of an OpenAI-compatible server");
  }
  const validator = request.jsonSchema ? jsonSchemaValidator(request.jsonSchema) : undefined;
  const messages: Message[] = [];
  if (request.system?.trim()) messages.push({ role: "system", content: request.system });
  messages.push({ role: "user", content: request.prompt, ...(request.images?.length ? { images: request.images } : {}) });

  const total: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  const ask = async (): Promise<Completion> => {
    const completion = await withRetries(request, () => complete(request, messages));
    total.promptTokens += completion.usage.promptTokens;
    total.completionTokens += completion.usage.completionTokens;
    request.onUsage?.({ ...completion.usage, provider: provider.kind, model: provider.model });
    return completion;
  };

  let completion = await ask();
  const result = (json?: unknown): ChatResult => ({
    text: completion.text,
    ...(validator ? { json } : {}),
    usage: total,
    provider: provider.kind,
    model: provider.model,
    finishReason: completion.finishReason,
  });
  if (!validator) return result();

  let check = checkStructuredReply(completion.text, validator);
  if (check.ok) return result(check.value);
  const firstProblem = check.problem;
  messages.push(
    { role: "assistant", content: completion.text },
    {
      role: "user",
      content: `Your reply could not be used: ${firstProblem}. Answer again with only a JSON value that fits this JSON Schema, without any other text:\n${JSON.stringify(request.jsonSchema)}`,
    },
  );
  if (signal.aborted) throw abortReason(signal);
  request.onRestart?.(`structured reply sent back: ${firstProblem}`);
  completion = await ask();
  check = checkStructuredReply(completion.text, validator);
  if (check.ok) return result(check.value);
  throw new NodeExternalError(
    `${describeProvider(provider)} (${provider.model}) twice gave a reply that is not what the JSON Schema asks for; ${check.problem}. Make the prompt say what to return, simplify the schema, or use a model that follows JSON Schemas`,
    { retryable: false, details: { provider: provider.kind, model: provider.model, problem: check.problem, firstProblem, reply: completion.text.slice(0, 2000) } },
  );
}

export interface FallbackRequest extends Omit<ChatRequest, "provider"> {
  providers: LlmProvider[];
  /** Called when a provider failed and the next is tried. */
  onFallback?: (failure: { provider: LlmProvider; index: number; error: NodeError }) => void;
}

export interface FallbackResult extends ChatResult {
  /** The position in the chain of the provider that answered. */
  providerIndex: number;
  baseUrl: string;
  /** The providers that failed before it, with why. */
  failures: { provider: ProviderKind; model: string; baseUrl: string; error: string }[];
}

/** Tries each provider in turn (each after its own retries) until one answers; a cancel stops at once. */
export async function chatWithFallback(request: FallbackRequest): Promise<FallbackResult> {
  const { providers, onFallback, ...rest } = request;
  if (providers.length === 0) throw new NodeConfigError("No provider is set up: add at least one (OpenAI or Ollama) with a model");
  const failures: FallbackResult["failures"] = [];
  const errors: NodeError[] = [];
  for (const [index, provider] of providers.entries()) {
    try {
      const answer = await chat({ ...rest, provider });
      return { ...answer, providerIndex: index, baseUrl: baseUrlOf(provider), failures };
    } catch (err) {
      if (request.signal.aborted || err instanceof NodeCancelledError) throw request.signal.aborted ? abortReason(request.signal) : err;
      const error = err instanceof NodeError ? err : new NodeExternalError((err as Error).message, { cause: err });
      errors.push(error);
      failures.push({ provider: provider.kind, model: provider.model, baseUrl: baseUrlOf(provider), error: error.message });
      if (index < providers.length - 1) onFallback?.({ provider, index, error });
    }
  }
  if (errors.length === 1) throw errors[0]!;
  const last = errors[errors.length - 1]!;
  throw new NodeExternalError(`Every provider failed: ${failures.map((f, i) => `${i + 1}. ${f.provider} ${f.model}: ${f.error}`).join(" ")}`, {
    status: last instanceof NodeExternalError ? last.status : undefined,
    retryable: errors.some((e) => e.retryable),
    details: { failures },
  });
}

async function withRetries(request: ChatRequest, attempt: () => Promise<Completion>): Promise<Completion> {
  const policy = { ...DEFAULT_RETRY, ...request.retry };
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RetryableStatus) || n >= policy.attempts) throw err instanceof RetryableStatus ? err.error : err;
      const wait = err.retryAfterMs ?? Math.round(policy.baseDelayMs * 2 ** (n - 1) * (0.5 + Math.random()));
      if (wait > policy.maxDelayMs) {
        throw new NodeExternalError(`${err.error.message}; it asked to wait ${Math.ceil(wait / 1000)} s, longer than the ${Math.ceil(policy.maxDelayMs / 1000)} s this node waits`, {
          status: err.error.status,
          details: { ...err.error.details, retryAfterMs: wait },
        });
      }
      request.onRestart?.(`retry ${n + 1} of ${policy.attempts} after ${err.error.status}, waiting ${wait} ms`);
      await sleep(wait, request.signal);
    }
  }
}

/** A 429 or 5xx answer: retried by `withRetries`, surfaced as `error` when the attempts are spent. */
class RetryableStatus extends Error {
  constructor(
    readonly error: NodeExternalError,
    readonly retryAfterMs: number | undefined,
  ) {
    super(error.message);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The engine aborts a step with the error that ended it (a timeout); a plain abort is a cancel. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof NodeError ? signal.reason : new NodeCancelledError();
}

/** Milliseconds from `retry-after-ms` (OpenAI's) or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** One streamed request; failures come out as NodeErrors (or RetryableStatus for 429 and 5xx). */
async function complete(request: ChatRequest, messages: Message[]): Promise<Completion> {
  const { provider, signal } = request;
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const attemptSignal = AbortSignal.any([signal, timeout]);
  let lastResponse: Response | undefined;
  // Every request of the SDK goes through the guarded fetch and stops on cancel or timeout, mid-stream too.
  const fetch: typeof globalThis.fetch = async (input, init) => {
    lastResponse = await request.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, attemptSignal]) : attemptSignal });
    return lastResponse;
  };
  try {
    return provider.kind === "openai" ? await completeOpenAI(request, messages, fetch, attemptSignal) : await completeOllama(request, messages, fetch);
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    if (timeout.aborted) {
      throw new NodeExternalError(`${describeProvider(provider)} did not finish answering within ${timeoutMs} ms; raise the timeout or ask for a shorter reply`, {
        details: { provider: provider.kind, model: provider.model, timeoutMs },
      });
    }
    throw classify(provider, err, lastResponse);
  }
}

async function completeOpenAI(request: ChatRequest, messages: Message[], fetch: typeof globalThis.fetch, signal: AbortSignal): Promise<Completion> {
  const { provider } = request;
  const baseURL = baseUrlOf(provider);
  const { default: OpenAI } = await openaiSdk.get();
  const client = new OpenAI({
    baseURL,
    // Nothing is read from the process environment: a flow uses only what its credential and config say.
    apiKey: provider.apiKey || "none",
    adminAPIKey: null,
    organization: provider.organization || null,
    project: null,
    // A local OpenAI-compatible server without a key gets no Authorization header at all.
    defaultHeaders: provider.apiKey ? undefined : { Authorization: null },
    fetch,
    maxRetries: 0,
    timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const stream = await client.chat.completions.create(
    {
      model: provider.model,
      // Images go beside the text as data URLs, the form every OpenAI-compatible vision model takes.
      messages: messages.map((m) =>
        m.role === "user" && m.images
          ? { role: "user" as const, content: [{ type: "text" as const, text: m.content }, ...m.images.map((image) => ({ type: "image_url" as const, image_url: { url: `data:${image.mimeType};base64,${image.data.toString("base64")}` } }))] }
          : { role: m.role, content: m.content },
      ),
      stream: true,
      stream_options: { include_usage: true },
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      // OpenAI's reasoning models refuse max_tokens; compatible servers (vLLM, llama.cpp, LM Studio) know only it.
      ...(request.maxTokens !== undefined ? (baseURL === DEFAULT_OPENAI_URL ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }) : {}),
      ...(request.jsonSchema ? { response_format: { type: "json_schema" as const, json_schema: { name: "reply", schema: request.jsonSchema } } } : {}),
    },
    { signal },
  );
  let text = "";
  let finishReason: string | undefined;
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  for await (const chunk of stream) {
    const choice = chunk.choices?.[0];
    const delta = choice?.delta?.content;
    if (delta) {
      text += delta;
      request.onToken?.(delta);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    if (chunk.usage) {
      usage.promptTokens = chunk.usage.prompt_tokens ?? 0;
      usage.completionTokens = chunk.usage.completion_tokens ?? 0;
    }
  }
  // The SDK ends a stream quietly when its request is aborted; an aborted reply is not a whole one.
  if (signal.aborted) throw signal.reason;
  return { text, usage, finishReason };
}

async function completeOllama(request: ChatRequest, messages: Message[], fetch: typeof globalThis.fetch): Promise<Completion> {
  const { provider } = request;
  const { Ollama } = await ollamaSdk.get();
  const client = new Ollama({
    host: baseUrlOf(provider),
    fetch,
    headers: provider.apiKey ? { Authorization: `Bearer ${provider.apiKey}` } : undefined,
  });
  const options: Record<string, number> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  const stream = await client.chat({
    model: provider.model,
    messages: messages.map((m) => ({ role: m.role, content: m.content, ...(m.images ? { images: m.images.map((image) => image.data.toString("base64")) } : {}) })),
    stream: true,
    options,
    ...(request.jsonSchema ? { format: request.jsonSchema } : {}),
  });
  let text = "";
  let last: OllamaChatResponse | undefined;
  for await (const part of stream) {
    const delta = part.message?.content;
    if (delta) {
      text += delta;
      request.onToken?.(delta);
    }
    last = part;
  }
  if (!last?.done) throw new NodeExternalError(`${describeProvider(provider)} ended its reply before saying it was done; check the server's logs`, { details: { provider: "ollama", model: provider.model } });
  return { text, usage: { promptTokens: last.prompt_eval_count ?? 0, completionTokens: last.eval_count ?? 0 }, finishReason: last.done_reason || undefined };
}

/** Upstream failures as errors that say what to fix; 429 and 5xx come back wrapped for a retry. */
function classify(provider: LlmProvider, err: unknown, lastResponse: Response | undefined): Error {
  const refusal = findNodeError(err);
  if (refusal) return refusal;
  const where = describeProvider(provider);
  const status = isOpenAIError(err) ? err.status : (err as { status_code?: number }).status_code;
  const upstream = upstreamMessage(err);
  const details = { provider: provider.kind, model: provider.model, status, upstream };
  if (status === undefined) {
    const unreachable = unreachableError({ err, target: where, details });
    if (unreachable) return unreachable;
    if (err instanceof SyntaxError || /parse|JSON/i.test(upstream)) {
      return new NodeExternalError(`${where} sent a reply that is not a ${provider.kind === "openai" ? "Chat Completions" : "chat"} stream (${upstream}); check that the base URL points at the API`, {
        retryable: false,
        details,
        cause: err,
      });
    }
    return new NodeExternalError(`${where} failed: ${upstream}`, { details, cause: err });
  }
  const headers = isOpenAIError(err) && err.headers ? err.headers : lastResponse?.headers;
  if (status === 429 || status >= 500) {
    const what = status === 429 ? "is rate limiting requests (429)" : `answered ${status}`;
    return new RetryableStatus(new NodeExternalError(`${where} ${what}: ${upstream}`, { status, details, cause: err }), retryAfterMs(headers));
  }
  const fix =
    status === 401
      ? `refused the ${provider.kind === "openai" ? "API key" : "bearer token"} (401): check the key in the ${provider.kind}.api credential`
      : status === 403
        ? "refused access (403): the key may lack access to this model or organization"
        : status === 404
          ? provider.model
            ? `does not know model "${provider.model}" or this API path (404): check the model name and the base URL`
            : "has no such API path (404): check the base URL"
          : `refused the request (${status})`;
  return new NodeExternalError(`${where} ${fix}: ${upstream}`, { status, retryable: false, details, cause: err });
}

function findNodeError(err: unknown): NodeError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NodeError) return e;
  }
  return undefined;
}

function upstreamMessage(err: unknown): string {
  if (isOpenAIError(err)) {
    const body = err.error as { message?: string } | undefined;
    return (body?.message ?? err.message).slice(0, 500);
  }
  return String((err as Error)?.message ?? err).slice(0, 500);
}

/** The models a provider offers, to prove a credential works: OpenAI's `GET /models`, Ollama's `GET /api/tags`. */
export async function listModels({ provider, fetch, signal }: { provider: Omit<LlmProvider, "model">; fetch: typeof globalThis.fetch; signal: AbortSignal }): Promise<string[]> {
  const described = { ...provider, model: "" };
  let lastResponse: Response | undefined;
  const tracked: typeof globalThis.fetch = async (input, init) => {
    lastResponse = await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return lastResponse;
  };
  try {
    if (provider.kind === "openai") {
      const { default: OpenAI } = await openaiSdk.get();
      const client = new OpenAI({
        baseURL: baseUrlOf(described),
        apiKey: provider.apiKey || "none",
        adminAPIKey: null,
        organization: provider.organization || null,
        project: null,
        defaultHeaders: provider.apiKey ? undefined : { Authorization: null },
        fetch: tracked,
        maxRetries: 0,
      });
      const page = await client.models.list({ signal });
      return page.data.map((m) => m.id);
    }
    const { Ollama } = await ollamaSdk.get();
    const client = new Ollama({ host: baseUrlOf(described), fetch: tracked, headers: provider.apiKey ? { Authorization: `Bearer ${provider.apiKey}` } : undefined });
    return (await client.list()).models.map((m) => m.name);
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    const classified = classify(described, err, lastResponse);
    throw classified instanceof RetryableStatus ? classified.error : classified;
  }
}
