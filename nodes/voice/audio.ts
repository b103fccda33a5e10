import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { NodeCancelledError, NodeError } from "../_kit/errors";

/** What the recognizers take: 16 kHz, mono, 16-bit PCM. */
export const SAMPLE_RATE = 16_000;
/** Below this peak level the audio holds nothing a recognizer could hear. */
export const SILENCE_PEAK_DBFS = -50;

/** The audio itself is unusable (not audio, too long, silent); trying again with the same input cannot help. */
export class AudioInputError extends NodeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "BAD_INPUT", retryable: false, details });
  }
}

export interface ToolResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program with an argument array (no shell); the signal kills it. */
export function runTool({ command, args, signal, maxOutputBytes = 4 * 1024 * 1024 }: { command: string; args: string[]; signal: AbortSignal; maxOutputBytes?: number }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new NodeCancelledError());
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], signal, killSignal: "SIGKILL" });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= maxOutputBytes) out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      // Keep the tail: the reason for a failure is at the end.
      stderr = (stderr + chunk.toString("utf8")).slice(-8192);
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.name === "AbortError") reject(new NodeCancelledError());
      else if (err.code === "ENOENT") reject(new NodeError(`"${command}" is not installed on this server; install it (Debian: apt-get install ${command === "pocketsphinx_continuous" ? "pocketsphinx pocketsphinx-en-us" : "ffmpeg"})`, { code: "MISSING_TOOL", retryable: false }));
      else reject(err);
    });
    child.on("close", (code) => {
      if (signal.aborted) return reject(new NodeCancelledError());
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** The tool's last complaint, without the temporary file's path. */
function lastLine(text: string, file: string): string {
  const line = text.trim().split("\n").at(-1)?.trim() ?? "";
  return line.replaceAll(`${file}: `, "").replaceAll(file, "the file");
}

export interface ProbedAudio {
  format: string;
  codec: string;
  /** Unknown for streams that do not say (MediaRecorder's WebM). */
  durationSeconds: number | null;
}

/** Asks ffprobe what the file is; refuses files that are not media or carry no audio stream. */
export async function probeAudio({ file, signal, label }: { file: string; signal: AbortSignal; label: string }): Promise<ProbedAudio> {
  const result = await runTool({
    command: "ffprobe",
    args: ["-v", "error", "-show_entries", "stream=codec_type,codec_name:format=format_name,duration", "-of", "json", file],
    signal,
  });
  if (result.code !== 0) {
    throw new AudioInputError(`${label} is not an audio file ffmpeg can read (${lastLine(result.stderr, file) || `ffprobe exited with ${result.code}`}); send WAV, WebM/Opus, Ogg, MP3, M4A or FLAC.`);
  }
  const info = JSON.parse(result.stdout.toString("utf8") || "{}") as {
    streams?: { codec_type?: string; codec_name?: string }[];
    format?: { format_name?: string; duration?: string };
  };
  const streams = info.streams ?? [];
  const audio = streams.find((s) => s.codec_type === "audio");
  const format = info.format?.format_name ?? "unknown";
  if (!audio) {
    const found = streams.map((s) => s.codec_type ?? "unknown").join(", ") || "no streams";
    throw new AudioInputError(`${label} has no audio stream (${format}: ${found}); send a recording with sound.`, { format });
  }
  const duration = Number(info.format?.duration);
  return { format, codec: audio.codec_name ?? "unknown", durationSeconds: Number.isFinite(duration) ? duration : null };
}

/**
 * Decodes any input ffmpeg knows into 16 kHz mono 16-bit WAV. Decoding stops just past `maxSeconds`, so an
 * over-long stream costs no more than the limit before it is refused.
 */
export async function convertToWav({ input, output, maxSeconds, signal, probed, label }: { input: string; output: string; maxSeconds: number; signal: AbortSignal; probed: ProbedAudio; label: string }): Promise<void> {
  const result = await runTool({
    command: "ffmpeg",
    args: ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", input, "-map", "0:a:0", "-vn", "-t", String(maxSeconds + 1), "-ac", "1", "-ar", String(SAMPLE_RATE), "-sample_fmt", "s16", "-f", "wav", output],
    signal,
  });
  if (result.code !== 0) {
    throw new AudioInputError(`ffmpeg could not decode ${label} (${probed.format}, codec ${probed.codec}): ${lastLine(result.stderr, input) || `exit ${result.code}`}. Send WAV, WebM/Opus, Ogg, MP3, M4A or FLAC.`, {
      format: probed.format,
      codec: probed.codec,
    });
  }
}

export interface WavStats {
  durationSeconds: number;
  peakDbfs: number;
  rmsDbfs: number;
}

/** Where the samples start: after the RIFF header and every chunk before "data" (ffmpeg adds a LIST chunk). */
function dataChunkOffset(wav: Buffer): number {
  let at = 12;
  while (at + 8 <= wav.length) {
    const id = wav.toString("ascii", at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === "data") return at + 8;
    at += 8 + size + (size % 2);
  }
  throw new Error("The converted audio has no data chunk");
}

/** Duration and level of a 16 kHz mono 16-bit WAV written by `convertToWav`. */
export async function wavStats(file: string): Promise<WavStats> {
  const data = await readFile(file);
  const start = dataChunkOffset(data);
  const samples = Math.max(0, Math.floor((data.length - start) / 2));
  let peak = 0;
  let sumSquares = 0;
  for (let i = 0; i < samples; i++) {
    const s = data.readInt16LE(start + i * 2);
    const a = Math.abs(s);
    if (a > peak) peak = a;
    sumSquares += s * s;
  }
  const db = (v: number) => (v > 0 ? Math.round(20 * Math.log10(v / 32768) * 10) / 10 : -Infinity);
  return { durationSeconds: samples / SAMPLE_RATE, peakDbfs: db(peak), rmsDbfs: db(samples ? Math.sqrt(sumSquares / samples) : 0) };
}
