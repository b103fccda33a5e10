import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { MAX_WEBHOOK_BODY_BYTES, webhookConfig } from "../webhook/webhook.node";
import { audioOf, transcribeRecording } from "./transcribe";
import { checkVoiceConfig, DEFAULT_MAX_AUDIO_BYTES, voiceFields } from "./voice-config";

export const voiceTriggerConfig = z
  .object({
    ...webhookConfig.shape,
    path: webhookConfig.shape.path.meta({ title: "Path", description: "Audio is uploaded to /hooks/<workspace>/<path> (raw audio or multipart form data).", ...ui({ placeholder: "voice/kitchen" }) }),
    respond: webhookConfig.shape.respond.unwrap().default("lastNode"),
    maxBodyBytes: z
      .number()
      .int()
      .min(1)
      .max(MAX_WEBHOOK_BODY_BYTES)
      .default(DEFAULT_MAX_AUDIO_BYTES)
      .meta({ title: "Largest upload (bytes)", description: "Uploads and browser recordings above this are refused.", ...ui({ advanced: true }) }),
    binaryProperty: z
      .string()
      .max(100)
      .default("")
      .meta({ title: "Audio property", description: "The multipart field that holds the audio; empty: the first audio file.", ...ui({ advanced: true }) }),
    ...voiceFields,
  })
  .superRefine(checkVoiceConfig);

export type VoiceTriggerConfig = z.output<typeof voiceTriggerConfig>;

/**
 * Starts the flow with a spoken command: audio uploaded to /hooks/<workspace>/<path> (the webhook path: token or HMAC check,
 * size limit, rate limit) or recorded in the browser (hold to talk). The run's first item is the transcription
 * and the command understood, with what arrived under `request` and the audio kept as binary.
 */
export const voiceTriggerNode = defineNode({
  type: "voice.trigger",
  version: 1,
  name: "Voice command",
  description: "Starts the flow when audio is uploaded to /hooks/<workspace>/<path> or recorded in the browser, with the transcription and the recognized command.",
  category: "trigger",
  icon: "mic",
  trigger: { kind: "webhook" },
  credential: { type: "openai.api", required: false },
  // Routing and the upload limit are decided before a run exists, so they cannot depend on one.
  literalFields: Object.keys(webhookConfig.shape),
  config: voiceTriggerConfig,
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { item, config } of eachItem({ input, ctx })) {
      const audio = audioOf(item, config.binaryProperty);
      const result = await transcribeRecording({ ctx, config, ref: audio.ref, label: `The audio ("${audio.name}")` });
      out.push({ json: { ...result, request: item.json }, binary: item.binary });
    }
    ctx.progress({ percent: 100, message: "Done" });
    return out;
  },
});
