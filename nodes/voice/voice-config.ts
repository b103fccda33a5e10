import { z } from "zod";
import { ui } from "../_kit/define-node";
import { compileIntents } from "./patterns";

/**
 * The default keeps an open-vocabulary offline transcription (about one second of CPU per second of audio
 * here) to half a minute of a core; commands take a few seconds. The ceiling bounds what one run may cost.
 */
export const DEFAULT_MAX_SECONDS = 30;
export const MAX_SECONDS_CEILING = 300;
/** 300 s of Opus from a browser is well under 5 MB; a WAV upload of the same is about 10 MB at 16 kHz. */
export const DEFAULT_MAX_AUDIO_BYTES = 10 * 1024 * 1024;

const intentSchema = z.object({
  name: z.string().min(1).max(100).meta({ title: "Intent", ...ui({ placeholder: "lights.set" }) }),
  patterns: z
    .array(z.string().min(1).max(500))
    .min(1)
    .meta({ title: "Patterns", description: "Words, {slot}, (on|off):name to keep the spoken choice, [optional words].", ...ui({ placeholder: "turn (on|off):state the {room} lights" }) }),
});

const slotSchema = z.object({
  name: z.string().min(1).max(64).meta({ title: "Slot" }),
  values: z.array(z.string().min(1).max(100)).max(500).default([]).meta({ title: "Values", description: "The values the slot may take; none means any words (not with the offline grammar)." }),
});

/** Fields every voice node shares: how to transcribe, and which commands to understand. */
export const voiceFields = {
  provider: z
    .enum(["offline", "whisper"])
    .default("offline")
    .meta({ title: "Transcription", description: "Offline: pocketsphinx on this server, no network. Whisper: any OpenAI-compatible /audio/transcriptions endpoint." }),
  offlineMode: z
    .enum(["grammar", "keywords", "open"])
    .default("grammar")
    .meta({
      title: "Offline recognition",
      description: "Grammar: hears only the declared commands, and hears them well. Keywords: hears only the listed phrases. Open: general English (often mis-hears short commands).",
    }),
  keywords: z.array(z.string().min(1).max(100)).max(500).default([]).meta({ title: "Keywords", description: "Phrases to spot in keyword mode." }),
  model: z.string().min(1).max(200).default("whisper-1").meta({ title: "Whisper model" }),
  baseUrl: z
    .url()
    .optional()
    .meta({ title: "Whisper base URL", description: "Of an OpenAI-compatible API (ending in /v1); empty: the credential's, else OpenAI.", ...ui({ placeholder: "http://whisper.local:8000/v1", advanced: true }) }),
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/, "must be an ISO-639-1 code such as \"en\"")
    .optional()
    .meta({ title: "Language", description: "Whisper only; the offline model is English.", ...ui({ advanced: true }) }),
  maxSeconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_SECONDS_CEILING)
    .default(DEFAULT_MAX_SECONDS)
    .meta({ title: "Longest audio (seconds)", ...ui({ advanced: true }) }),
  intents: z.array(intentSchema).max(200).default([]).meta({ title: "Intents", description: "Commands to recognize; the first whose pattern matches the whole text wins." }),
  slots: z.array(slotSchema).max(100).default([]).meta({ title: "Slots" }),
  llmFallback: z
    .object({
      provider: z.enum(["openai", "ollama"]).default("openai").meta({ title: "LLM provider" }),
      model: z.string().min(1).max(200).meta({ title: "LLM model", ...ui({ placeholder: "gpt-4o-mini" }) }),
      baseUrl: z.url().optional().meta({ title: "LLM base URL", ...ui({ advanced: true }) }),
    })
    .optional()
    .meta({ title: "LLM fallback", description: "Asks an LLM for the intent when no pattern matches; it may only answer with a declared intent." }),
};

/** Patterns, slots and the mode must fit together; checked when the flow is saved, not when someone speaks. */
export function checkVoiceConfig(config: { intents: { name: string; patterns: string[] }[]; slots: { name: string; values: string[] }[]; offlineMode: string; provider: string; keywords: string[] }, ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  config.intents.forEach((intent, i) => {
    if (names.has(intent.name)) ctx.addIssue({ code: "custom", path: ["intents", i, "name"], message: `intent "${intent.name}" is declared twice` });
    names.add(intent.name);
  });
  try {
    compileIntents(config.intents, config.slots);
  } catch (err) {
    ctx.addIssue({ code: "custom", path: ["intents"], message: (err as Error).message });
  }
  if (config.provider === "offline" && config.offlineMode === "grammar" && config.intents.length === 0) {
    ctx.addIssue({ code: "custom", path: ["intents"], message: "the offline grammar is built from the intents' patterns; declare at least one, or pick keywords or open recognition" });
  }
  if (config.provider === "offline" && config.offlineMode === "keywords" && config.keywords.length === 0) {
    ctx.addIssue({ code: "custom", path: ["keywords"], message: "keyword spotting needs at least one keyword" });
  }
}

export const voiceTranscribeConfig = z
  .object({
    binaryProperty: z
      .string()
      .max(100)
      .default("")
      .meta({ title: "Audio property", description: "The input item's binary property that holds the audio; empty: the first audio one." }),
    ...voiceFields,
  })
  .superRefine(checkVoiceConfig);

export type VoiceConfig = z.output<typeof voiceTranscribeConfig>;
