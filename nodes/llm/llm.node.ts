import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { chatWithFallback, DEFAULT_OLLAMA_URL, DEFAULT_OPENAI_URL, jsonSchemaValidator, type LlmProvider, type PromptImage } from "./llm-client";

/** Images sent with one prompt, and the size of each: they travel inside the request. */
export const IMAGES_MAX = 10;
export const IMAGE_MAX_BYTES = 20 * 1024 * 1024;

/** The item's images named in the config, read to be sent; a missing or non-image file is a config error naming it. */
async function imagesOf(args: { item: Item; names: string[]; ctx: NodeContext<LlmConfig>; index: number }): Promise<PromptImage[]> {
  const { item, names, ctx, index } = args;
  const images: PromptImage[] = [];
  for (const name of names) {
    const ref = item.binary?.[name];
    if (!ref) throw new NodeConfigError(`Item ${index} has no file "${name}" to send to the model${item.binary ? `; its files are ${Object.keys(item.binary).map((n) => `"${n}"`).join(", ")}` : ""}`);
    if (!ref.mimeType.startsWith("image/")) throw new NodeConfigError(`File "${name}" of item ${index} is ${ref.mimeType}, not an image`);
    const size = await ctx.binary.size(ctx.run.workspaceId, ref);
    if (size > IMAGE_MAX_BYTES) throw new NodeConfigError(`Image "${name}" of item ${index} is ${size} bytes; at most ${IMAGE_MAX_BYTES} are sent to a model`);
    images.push({ mimeType: ref.mimeType, data: await ctx.binary.read(ctx.run.workspaceId, ref) });
  }
  return images;
}

/** `{ a: { b: value } }` for the path a.b. */
function nested(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key, i) => ({ [key]: i === path.length - 1 ? value : inner }), {});
}

/** Tokens are sent to the live run view at most this often, gathered, rather than one event per token. */
export const TOKEN_FLUSH_MS = 50;

const provider = z.object({
  kind: z
    .enum(["openai", "ollama"])
    .default("openai")
    .meta({ title: "Provider", description: "OpenAI (or an OpenAI-compatible server) or Ollama.", ...ui({ optionLabels: { openai: "OpenAI", ollama: "Ollama" } }) }),
  model: z.string().trim().min(1, "name a model, such as gpt-4o-mini or llama3.2").meta({ title: "Model", ...ui({ expression: true }) }),
  baseUrl: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
    .optional()
    .meta({
      title: "Base URL",
      description: `Overrides the credential's. OpenAI: ${DEFAULT_OPENAI_URL} by default; an OpenAI-compatible server's ends in /v1. Ollama: ${DEFAULT_OLLAMA_URL} by default.`,
    }),
});

export const llmConfig = z.object({
  providers: z
    .array(provider)
    .min(1, "add a provider")
    .max(5, "at most 5 providers")
    .meta({
      title: "Providers",
      description: "Tried in order: when one fails (after its retries), the next is asked. OpenAI providers use the node's OpenAI credential, Ollama providers its Ollama credential (both optional for a server without keys).",
    }),
  system: z.string().default("").meta({ title: "System prompt", ...ui({ widget: "textarea", expression: true }) }),
  prompt: z
    .string()
    .min(1, "write a prompt")
    .meta({ title: "Prompt", ...ui({ widget: "textarea", expression: true, placeholder: "Summarize: {{ $json.text }}" }) }),
  images: z
    .array(z.string().trim().min(1))
    .max(IMAGES_MAX)
    .optional()
    .meta({ title: "Images", description: `The item's image files sent with the prompt, by name (such as "data"), for models that see images; up to ${IMAGES_MAX}.` }),
  temperature: z.number().min(0).max(2).optional().meta({ title: "Temperature", description: "0 for the most predictable replies; the model's default when empty." }),
  maxTokens: z.number().int().min(1).max(1_000_000).optional().meta({ title: "Max tokens", description: "The longest reply, in tokens." }),
  jsonSchema: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({
      title: "Reply JSON Schema",
      description: "Ask for JSON that fits this schema; a reply that does not fit is sent back once with what is wrong, then the step fails.",
      ...ui({ widget: "json" }),
    }),
  replyField: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "must be a field name, dots for nesting, such as \"output\"")
    .optional()
    .meta({
      title: "Also give the reply as",
      description: "A field (dots for nesting) that gets the reply too: the parsed JSON when a schema is given, else the text. Flows moved from n8n read `output`.",
      ...ui({ advanced: true }),
    }),
  timeoutMs: z.number().int().min(1000).max(600_000).default(120_000).meta({ title: "Timeout per request (ms)", ...ui({ advanced: true }) }),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(3)
    .meta({ title: "Attempts per provider", description: "On 429 and 5xx answers, waiting as long as Retry-After says (up to 30 s).", ...ui({ advanced: true }) }),
});

type LlmConfig = z.output<typeof llmConfig>;

/** Gathers streamed tokens and sends them as one progress event per TOKEN_FLUSH_MS. */
class TokenStream {
  private pending = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: NodeContext<LlmConfig>,
    private readonly item: number,
  ) {}

  push(delta: string): void {
    this.pending += delta;
    this.timer ??= setTimeout(() => this.flush(), TOKEN_FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.ctx.progress({ token: this.pending, item: this.item });
    this.pending = "";
  }

  /** What was streamed so far is thrown away (a retry, a reply sent back, the next provider). */
  restart(message: string): void {
    this.flush();
    this.ctx.progress({ message, restart: true, item: this.item });
  }
}

/** OpenAI providers take the node's credential (openai.api), Ollama providers its Ollama credential, if picked. */
function providersOf(config: LlmConfig, openai: Record<string, string> | null, ollama: Record<string, string> | null): LlmProvider[] {
  return config.providers.map((p) =>
    p.kind === "openai"
      ? { kind: "openai", model: p.model, baseUrl: p.baseUrl ?? (openai?.baseUrl || undefined), apiKey: openai?.apiKey, organization: openai?.organization || undefined }
      : { kind: "ollama", model: p.model, baseUrl: p.baseUrl ?? (ollama?.baseUrl || undefined), apiKey: ollama?.apiKey || undefined },
  );
}

export const llmNode = defineNode({
  type: "ai.llm",
  version: 1,
  name: "LLM",
  description: "Asks a language model (OpenAI, an OpenAI-compatible server or Ollama) for each item, streaming its reply; optionally as JSON checked against a schema.",
  category: "ai",
  icon: "sparkles",
  credential: { type: "openai.api", required: false },
  moreCredentials: ["ollama.api"],
  credentialUse: {
    "openai.api": { list: "providers", key: "kind", values: ["openai"] },
    "ollama.api": { list: "providers", key: "kind", values: ["ollama"] },
  },
  starter: { providers: [{ kind: "openai", model: "gpt-4o-mini" }] },
  config: llmConfig,
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { index, item, config } of eachItem({ input, ctx, evenIfEmpty: true })) {
      if (config.jsonSchema) jsonSchemaValidator(config.jsonSchema);
      const ollama = config.providers.some((p) => p.kind === "ollama") ? await ctx.credentialOf("ollama.api") : null;
      const providers = providersOf(config, ctx.credentials, ollama);
      if (providers.some((p) => p.kind === "openai" && !p.apiKey && (p.baseUrl ?? DEFAULT_OPENAI_URL) === DEFAULT_OPENAI_URL)) {
        throw new NodeConfigError(`Node "${ctx.node.name}" asks OpenAI without an API key: pick an OpenAI API credential, or give the provider the base URL of an OpenAI-compatible server`);
      }
      const tokens = new TokenStream(ctx, index);
      try {
        const answer = await chatWithFallback({
          providers,
          system: config.system,
          prompt: config.prompt,
          ...(config.images?.length ? { images: await imagesOf({ item, names: config.images, ctx, index }) } : {}),
          temperature: config.temperature,
          maxTokens: config.maxTokens,
          jsonSchema: config.jsonSchema,
          fetch: ctx.http.fetch,
          signal: ctx.signal,
          timeoutMs: config.timeoutMs,
          retry: { attempts: config.attempts },
          onToken: (delta) => tokens.push(delta),
          onUsage: (usage) => ctx.reportUsage(usage),
          onRestart: (reason) => tokens.restart(`Asking again: ${reason}`),
          onFallback: ({ provider: failed, index: at, error }) => {
            ctx.logger.warn({ provider: failed.kind, model: failed.model, err: error.message }, "LLM provider failed, trying the next");
            tokens.restart(`Provider ${at + 1} (${failed.kind} ${failed.model}) failed: ${error.message}; trying provider ${at + 2}`);
          },
        });
        tokens.flush();
        const reply = config.replyField ? nested(config.replyField.split("."), config.jsonSchema ? answer.json : answer.text) : {};
        out.push({
          json: {
            text: answer.text,
            ...(config.jsonSchema ? { json: answer.json } : {}),
            provider: answer.provider,
            model: answer.model,
            baseUrl: answer.baseUrl,
            providerIndex: answer.providerIndex,
            usage: { ...answer.usage, totalTokens: answer.usage.promptTokens + answer.usage.completionTokens },
            finishReason: answer.finishReason ?? null,
            ...(answer.failures.length ? { failures: answer.failures } : {}),
            ...reply,
          },
        });
      } finally {
        tokens.flush();
      }
    }
    return out;
  },
});
