import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { NodeContext } from "../_kit/context";
import { NodeCancelledError, NodeConfigError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { AudioInputError, SILENCE_PEAK_DBFS, convertToWav, probeAudio, wavStats } from "./audio";
import { transcribeOffline, transcribeWhisper } from "./engines";
import { understand } from "./understand";
import type { VoiceConfig } from "./voice-config";

/** What a voice node puts out for each recording. */
export interface VoiceResult {
  text: string;
  confidence: number | null;
  intent: string | null;
  entities: Record<string, string>;
  /** How the intent was found: a declared pattern, the LLM fallback, or not at all. */
  understoodBy: "pattern" | "llm" | null;
  language: string | null;
  provider: "offline" | "whisper";
  durationSeconds: number;
}

const AUDIO_NAMES = ["audio", "data", "file", "recording"];

/** The item's audio: the named binary property, else the first audio one, else the only one. */
export function audioOf(item: Item, property: string): { name: string; ref: BinaryRef } {
  const binary = item.binary ?? {};
  const names = Object.keys(binary);
  if (property) {
    const ref = binary[property];
    if (!ref) {
      throw new NodeConfigError(`The input item has no binary property "${property}"${names.length ? ` (it has ${names.map((n) => `"${n}"`).join(", ")})` : " (it has no binary data)"}; set "Audio property" to one it has`);
    }
    return { name: property, ref };
  }
  const pick =
    names.find((n) => /^(audio|video)\//.test(binary[n]!.mimeType)) ?? AUDIO_NAMES.find((n) => binary[n]) ?? (names.length === 1 ? names[0] : undefined);
  if (!pick) {
    throw new AudioInputError(
      names.length ? `The input item has several binary properties (${names.join(", ")}) and none is audio; set "Audio property"` : "The input item carries no audio; record or upload a file, or pass one from an earlier node",
    );
  }
  return { name: pick, ref: binary[pick]! };
}

/**
 * One recording, end to end: from binary storage to a temporary folder, probed (is it audio at all, is it too
 * long), decoded to 16 kHz mono WAV with ffmpeg, checked for silence, transcribed, and matched to an intent.
 */
export async function transcribeRecording({ ctx, config, ref, label }: { ctx: NodeContext; config: VoiceConfig; ref: BinaryRef; label: string }): Promise<VoiceResult> {
  const { signal } = ctx;
  const dir = await mkdtemp(path.join(os.tmpdir(), "streamware-voice-"));
  try {
    const input = path.join(dir, "input");
    await pipeline((await ctx.binary.stream(ctx.run.workspaceId, ref)) as Readable, createWriteStream(input), { signal });
    ctx.progress({ percent: 5, message: "Checking the audio" });
    const probed = await probeAudio({ file: input, signal, label });
    const tooLong = (seconds: number) =>
      new AudioInputError(`${label} is ${seconds.toFixed(1)} s long; this node takes at most ${config.maxSeconds} s ("Longest audio"). Send a shorter recording.`, {
        durationSeconds: seconds,
        maxSeconds: config.maxSeconds,
      });
    if (probed.durationSeconds !== null && probed.durationSeconds > config.maxSeconds + 0.5) throw tooLong(probed.durationSeconds);

    ctx.progress({ percent: 15, message: "Converting to 16 kHz mono WAV" });
    const wav = path.join(dir, "audio.wav");
    await convertToWav({ input, output: wav, maxSeconds: config.maxSeconds, signal, probed, label });
    const stats = await wavStats(wav);
    // Streams that do not state their length (a browser's WebM) are measured after decoding.
    if (stats.durationSeconds > config.maxSeconds + 0.5) throw tooLong(stats.durationSeconds);
    if (stats.durationSeconds < 0.1) throw new AudioInputError(`${label} holds no sound to transcribe (${stats.durationSeconds.toFixed(2)} s); record again.`);
    if (stats.peakDbfs < SILENCE_PEAK_DBFS) {
      const level = Number.isFinite(stats.peakDbfs) ? `loudest ${stats.peakDbfs} dBFS` : "not a single sample above zero";
      throw new AudioInputError(`${label} is silent (${level}); check the microphone and record again.`, { peakDbfs: stats.peakDbfs });
    }

    ctx.progress({ percent: 30, message: config.provider === "offline" ? "Transcribing offline" : "Transcribing with Whisper" });
    let transcript;
    if (config.provider === "offline") {
      transcript = await transcribeOffline({ wav, workDir: dir, mode: config.offlineMode, intents: config.intents, slots: config.slots, keywords: config.keywords, signal });
    } else {
      const apiKey = ctx.credentials?.apiKey;
      if (!apiKey) throw new NodeConfigError("Whisper transcription needs an openai.api credential with an API key; pick one in the node's settings");
      transcript = await transcribeWhisper({
        wav,
        apiKey,
        baseUrl: config.baseUrl ?? (ctx.credentials?.baseUrl || undefined),
        model: config.model,
        language: config.language,
        http: ctx.http,
        signal,
      });
    }

    ctx.progress({ percent: 85, message: "Understanding the command" });
    const meaning = await understand({ ctx, config, text: transcript.text });
    return {
      text: transcript.text,
      confidence: transcript.confidence,
      intent: meaning.intent,
      entities: meaning.entities,
      understoodBy: meaning.by,
      language: transcript.language,
      provider: config.provider,
      durationSeconds: Math.round(stats.durationSeconds * 100) / 100,
    };
  } catch (err) {
    // Whatever was under way when the run was cancelled (a copy, a tool, a request) ends as a cancel.
    if (signal.aborted && !(err instanceof NodeCancelledError)) throw new NodeCancelledError();
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
