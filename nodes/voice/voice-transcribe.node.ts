import { defineNode } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { audioOf, transcribeRecording } from "./transcribe";
import { voiceTranscribeConfig } from "./voice-config";

/**
 * Transcribes the audio an earlier node passed on (an upload, a recording, a file) and matches it to the declared
 * intents: `{ text, confidence, intent, entities, understoodBy, language, provider, durationSeconds }`.
 */
export const voiceTranscribeNode = defineNode({
  type: "voice.transcribe",
  version: 1,
  name: "Transcribe voice",
  description: "Turns audio into text, offline or with Whisper, and recognizes declared commands (intent and entities).",
  category: "ai",
  icon: "audio-lines",
  credential: { type: "openai.api", required: false },
  config: voiceTranscribeConfig,
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { item, index, config } of eachItem({ input, ctx })) {
      const audio = audioOf(item, config.binaryProperty);
      const label = input.length > 1 ? `The audio of item ${index + 1} ("${audio.name}")` : `The audio ("${audio.name}")`;
      const result = await transcribeRecording({ ctx, config, ref: audio.ref, label });
      out.push({ json: { ...result }, ...(item.binary ? { binary: item.binary } : {}) });
    }
    ctx.progress({ percent: 100, message: "Done" });
    return out;
  },
});
