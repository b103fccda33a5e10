import type { NodeContext } from "../_kit/context";
import { chat } from "../llm/llm-client";
import { compileIntents, entityValues, normalizeText, type IntentMatcher } from "./patterns";
import type { VoiceConfig } from "./voice-config";

export interface Meaning {
  intent: string | null;
  entities: Record<string, string>;
  by: "pattern" | "llm" | null;
}

const matchers = new WeakMap<object, IntentMatcher>();

function matcherFor(config: VoiceConfig): IntentMatcher {
  let matcher = matchers.get(config.intents);
  if (!matcher) {
    matcher = compileIntents(config.intents, config.slots);
    matchers.set(config.intents, matcher);
  }
  return matcher;
}

/** The JSON the LLM must answer with: one of the declared intents (or none) and string entities. */
function replySchema(config: VoiceConfig, entities: Map<string, string[]>): Record<string, unknown> {
  const properties = Object.fromEntries([...entities].map(([name, allowed]) => [name, allowed.length ? { type: "string", enum: allowed } : { type: "string" }]));
  return {
    type: "object",
    properties: {
      intent: { anyOf: [{ type: "string", enum: config.intents.map((i) => i.name) }, { type: "null" }] },
      entities: { type: "object", properties, additionalProperties: false },
    },
    required: ["intent", "entities"],
    additionalProperties: false,
  };
}

function describeIntents(config: VoiceConfig, entities: Map<string, string[]>): string {
  const intents = config.intents.map((i) => `- ${i.name}: ${i.patterns.map((p) => `"${p}"`).join(", ")}`).join("\n");
  const values = [...entities].map(([name, allowed]) => `- ${name}: ${allowed.length ? allowed.map((v) => `"${v}"`).join(", ") : "any words"}`).join("\n");
  return `Intents with example patterns ({slot} is a slot, (a|b):name an entity taking one of the choices, [x] optional):\n${intents}\n\nEntities and their allowed values:\n${values || "(none)"}`;
}

/**
 * The intent of a transcribed command: the first declared pattern that matches, else (when set up) what an
 * LLM says, held to the declared intents and slot values; else none.
 */
export async function understand({ ctx, config, text }: { ctx: NodeContext; config: VoiceConfig; text: string }): Promise<Meaning> {
  if (config.intents.length === 0 || !normalizeText(text)) return { intent: null, entities: {}, by: null };
  const matched = matcherFor(config).match(text);
  if (matched) return { intent: matched.intent, entities: matched.entities, by: "pattern" };
  const fallback = config.llmFallback;
  if (!fallback) return { intent: null, entities: {}, by: null };

  const entities = entityValues(config.intents, config.slots);
  const result = await chat({
    provider: {
      kind: fallback.provider,
      model: fallback.model,
      baseUrl: fallback.baseUrl ?? (fallback.provider === "openai" ? ctx.credentials?.baseUrl || undefined : undefined),
      apiKey: fallback.provider === "openai" ? ctx.credentials?.apiKey : undefined,
    },
    system:
      "You map a spoken command to one of the declared intents. Answer only with JSON {\"intent\": <name or null>, \"entities\": {<slot>: <value>}}. " +
      "Use null when the command fits no intent. Entity values must be among a slot's allowed values when it lists them.\n\n" +
      describeIntents(config, entities),
    prompt: text,
    temperature: 0,
    jsonSchema: replySchema(config, entities),
    fetch: ctx.http.fetch,
    signal: ctx.signal,
  });
  const reply = result.json as { intent: string | null; entities: Record<string, string> };
  if (!reply.intent) return { intent: null, entities: {}, by: null };
  // Listed values are reported as listed; a value the entity does not allow is dropped, not trusted.
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.entities)) {
    const allowed = entities.get(name);
    if (!allowed) continue;
    if (allowed.length === 0) kept[name] = value;
    else {
      const listed = allowed.find((v) => normalizeText(v) === normalizeText(value));
      if (listed) kept[name] = listed;
    }
  }
  return { intent: reply.intent, entities: kept, by: "llm" };
}
