import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeCancelledError, NodeConfigError, NodeError, NodeExternalError, NodeTimeoutError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { buildFfmpegArgs, OUTPUT, type TranscodePlan } from "./ffmpeg-args";
import { FfmpegFailure, lastLine, runTool } from "./ffmpeg";
import { proxiedEnv, type GuardProxy } from "./hls-guard";
import { resolveInput, saveTo, type ResolvedInput } from "./input";
import { Slots } from "./slots";
import { makeWorkFolder } from "./work-folders";

const rendition = z.object({
  height: z.number().int().min(144).max(2160).meta({ title: "Height (px)" }),
  videoBitrateKbps: z.number().int().min(100).max(50_000).meta({ title: "Video bitrate (kbit/s)" }),
  audioBitrateKbps: z.number().int().min(32).max(320).meta({ title: "Audio bitrate (kbit/s)" }),
});

const POSITIONS = ["top-left", "top-right", "bottom-left", "bottom-right"] as const;

export const transcodeConfig = z
  .object({
    source: z
      .enum(["binary", "file", "url"])
      .default("binary")
      .meta({ title: "Input", description: "A file attached to the input item, a file in TRANSCODE_INPUT_DIR, or an http(s), HLS (.m3u8) or rtmp(s) URL." }),
    binaryProperty: z.string().min(1).default("data").meta({ title: "Binary property", description: "The input item's attachment to transcode." }),
    filePath: z.string().default("").meta({ title: "File path", description: "Relative to TRANSCODE_INPUT_DIR.", ...ui({ expression: true }) }),
    url: z.string().default("").meta({ title: "URL", ...ui({ expression: true, placeholder: "https://media.example.com/talk.mp4" }) }),
    durationSeconds: z
      .number()
      .positive()
      .max(86_400)
      .optional()
      .meta({ title: "Duration limit (s)", description: "Transcode only this much; needed for live streams (RTMP), which never end." }),
    hls: z.boolean().default(true).meta({ title: "HLS ladder" }),
    renditions: z
      .array(rendition)
      .min(1)
      .max(6)
      .default([
        { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
        { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
      ])
      .meta({ title: "Renditions" }),
    segmentSeconds: z.number().int().min(1).max(30).default(4).meta({ title: "Segment length (s)", ...ui({ advanced: true }) }),
    mp4: z.boolean().default(false).meta({ title: "MP4" }),
    mp4Height: z.number().int().min(144).max(2160).optional().meta({ title: "MP4 height (px)", description: "Empty keeps the input's." }),
    thumbnails: z.enum(["none", "interval", "times"]).default("none").meta({ title: "Thumbnails" }),
    thumbnailEverySeconds: z.number().min(0.1).max(3600).default(10).meta({ title: "Thumbnail every (s)" }),
    thumbnailTimes: z.array(z.number().min(0)).max(500).default([]).meta({ title: "Thumbnail times (s)" }),
    thumbnailWidth: z.number().int().min(32).max(1920).default(320).meta({ title: "Thumbnail width (px)" }),
    audio: z.enum(["none", "mp3", "aac", "wav"]).default("none").meta({ title: "Extract audio" }),
    audioBitrateKbps: z.number().int().min(32).max(320).default(128).meta({ title: "Audio bitrate (kbit/s)" }),
    watermark: z.enum(["none", "text", "image"]).default("none").meta({ title: "Watermark" }),
    watermarkText: z.string().max(200).default("").meta({ title: "Watermark text", ...ui({ expression: true }) }),
    watermarkImageProperty: z.string().min(1).default("watermark").meta({ title: "Watermark image property", description: "The input item's attachment holding a PNG or JPEG." }),
    watermarkPosition: z.enum(POSITIONS).default("bottom-right").meta({ title: "Watermark position" }),
    watermarkFontSize: z.number().int().min(8).max(200).default(24).meta({ title: "Watermark font size", ...ui({ advanced: true }) }),
    timeoutSeconds: z.number().int().min(1).max(86_400).default(3600).meta({ title: "Time limit (s)", ...ui({ advanced: true }) }),
    maxDownloadMegabytes: z.number().int().min(1).max(100_000).default(2048).meta({ title: "Largest download (MB)", ...ui({ advanced: true }) }),
  })
  .superRefine((c, issues) => {
    const need = (ok: boolean, pathName: string, message: string) => {
      if (!ok) issues.addIssue({ code: "custom", path: [pathName], message });
    };
    need(c.source !== "file" || c.filePath.trim() !== "", "filePath", "is required when the input is a file");
    need(c.source !== "url" || c.url.trim() !== "", "url", "is required when the input is a URL");
    need(c.hls || c.mp4 || c.thumbnails !== "none" || c.audio !== "none", "hls", "choose at least one output: HLS, MP4, thumbnails or audio");
    need(c.thumbnails !== "times" || c.thumbnailTimes.length > 0, "thumbnailTimes", "list at least one time, or pick thumbnails every N seconds");
    need(c.watermark !== "text" || c.watermarkText.trim() !== "", "watermarkText", "is required for a text watermark");
  });

export type TranscodeConfig = z.output<typeof transcodeConfig>;

/** Transcodes running at once in this process (`ctx.limits.transcodeConcurrency`); each worker process has its own. */
export const transcodeSlots = new Slots();

const MIME = { mp3: "audio/mpeg", aac: "audio/aac", wav: "audio/wav" } as const;

/** Bad media is the input's fault: retrying the same bytes cannot help. */
class MediaInputError extends NodeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "BAD_INPUT", retryable: false, details });
  }
}

interface Probe {
  formatName: string;
  durationSeconds: number | null;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string } | null;
}

export const transcodeNode = defineNode({
  type: "media.transcode",
  version: 1,
  name: "Transcode",
  description: "Turns a video into an HLS ladder, MP4, thumbnails and audio with ffmpeg; the results are stored and served for players.",
  category: "media",
  icon: "film",
  // Queue mode: each step is a job on the media queue, for the media workers (MEDIA_CONCURRENCY each).
  queue: "media",
  config: transcodeConfig,
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { item, config } of eachItem({ input, ctx, evenIfEmpty: true })) out.push(await transcodeItem({ config, item, ctx }));
    return out;
  },
});

async function transcodeItem(args: { config: TranscodeConfig; item: Item; ctx: NodeContext<TranscodeConfig> }): Promise<Item> {
  const { config, item, ctx } = args;
  // One signal for cancel, the step's timeout and this node's own time limit.
  const controller = new AbortController();
  const abort = () => controller.abort(ctx.signal.reason instanceof NodeError ? ctx.signal.reason : new NodeCancelledError());
  if (ctx.signal.aborted) abort();
  ctx.signal.addEventListener("abort", abort, { once: true });
  const timer = setTimeout(() => controller.abort(new NodeTimeoutError(config.timeoutSeconds * 1000)), config.timeoutSeconds * 1000);
  const signal = controller.signal;

  if (transcodeSlots.running > 0) ctx.progress({ percent: 0, message: "Waiting for a free transcode slot" });
  let release: (() => void) | undefined;
  const work = await makeWorkFolder();
  let proxy: GuardProxy | undefined;
  try {
    release = await transcodeSlots.acquire({ signal, limit: ctx.limits.transcodeConcurrency });
    const started = Date.now();
    const source = await resolveInput({ config, item, ctx, work, signal });
    proxy = source.proxy;
    const probe = await probeInput({ source, work, signal });
    const durationSeconds = outputDuration({ config, probe });
    const plan = await planOutputs({ config, item, ctx, work, signal, source, probe });

    let percent = 0;
    await runTool({
      program: "ffmpeg",
      argv: buildFfmpegArgs(plan),
      cwd: work,
      signal,
      env: source.proxy && proxiedEnv(source.proxy),
      onProgress: (p) => {
        percent = Math.max(percent, Math.min(99, Math.floor((p.outTimeSeconds / durationSeconds) * 100)));
        ctx.progress({
          percent,
          message: `Transcoding: ${p.outTimeSeconds.toFixed(1)} of ${durationSeconds.toFixed(1)} s${p.speed ? ` at ${p.speed}x` : ""}`,
          speed: p.speed,
          fps: p.fps,
          outTimeSeconds: p.outTimeSeconds,
        });
      },
    }).catch((err: unknown) => {
      if (!(err instanceof FfmpegFailure)) throw err;
      const refused = source.proxy?.refusal();
      if (refused) throw refused;
      const reason = `ffmpeg could not transcode ${source.describe}: ${lastLine(err.stderr)}`;
      throw source.remote ? new NodeExternalError(reason, { details: { stderr: err.stderr.slice(-5) } }) : new MediaInputError(`${reason}; check the input's codecs and the outputs asked for`, { stderr: err.stderr.slice(-5) });
    });
    // ffmpeg skips a segment it cannot open and carries on; one it was refused makes the whole input refused.
    const refused = source.proxy?.refusal();
    if (refused) throw refused;
    const elapsedSeconds = (Date.now() - started) / 1000;
    ctx.progress({ percent: 99, message: "Storing the results" });
    const result = await storeOutputs({ config, ctx, work, signal, plan, durationSeconds });
    ctx.progress({ percent: 100, message: "Done" });
    return {
      json: {
        durationSeconds,
        elapsedSeconds,
        speed: Number((durationSeconds / Math.max(elapsedSeconds, 0.001)).toFixed(2)),
        source: {
          format: probe.formatName,
          width: probe.video?.width ?? null,
          height: probe.video?.height ?? null,
          videoCodec: probe.video?.codec ?? null,
          audioCodec: probe.audio?.codec ?? null,
        },
        ...result.json,
      },
      binary: result.binary,
    };
  } finally {
    release?.();
    await proxy?.close();
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", abort);
    await rm(work, { recursive: true, force: true });
  }
}

async function probeInput(args: { source: ResolvedInput; work: string; signal: AbortSignal }): Promise<Probe> {
  const { source, work, signal } = args;
  if (!source.remote) {
    const handle = await open(source.input.slice("file:".length));
    const head = Buffer.alloc(7);
    await handle.read(head, 0, 7, 0).finally(() => handle.close());
    if (head.toString("latin1") === "#EXTM3U") {
      throw new MediaInputError(`${source.describe} is an HLS playlist; give its URL instead, so its segments are fetched through the network rules`);
    }
  }
  const stdout = await runTool({
    program: "ffprobe",
    argv: ["-v", "error", ...source.inputOptions, "-print_format", "json", "-show_format", "-show_streams", source.input],
    cwd: work,
    signal,
    env: source.proxy && proxiedEnv(source.proxy),
  }).catch((err: unknown) => {
    if (!(err instanceof FfmpegFailure)) throw err;
    const refused = source.proxy?.refusal();
    if (refused) throw refused;
    const why = lastLine(err.stderr);
    if (source.remote) throw new NodeExternalError(`Could not open ${source.describe}: ${why}; check the URL and that the stream is live`);
    throw new MediaInputError(`${source.describe} is not a media file ffmpeg can read (${why}); pass a video or audio file`);
  });
  const parsed = JSON.parse(stdout) as {
    format?: { format_name?: string; duration?: string };
    streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; disposition?: { attached_pic?: number } }[];
  };
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === "audio");
  const duration = Number(parsed.format?.duration);
  return {
    formatName: parsed.format?.format_name ?? "unknown",
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null,
    video: video ? { codec: video.codec_name ?? "unknown", width: video.width ?? 0, height: video.height ?? 0 } : null,
    audio: audio ? { codec: audio.codec_name ?? "unknown" } : null,
  };
}

function outputDuration({ config, probe }: { config: TranscodeConfig; probe: Probe }): number {
  const known = probe.durationSeconds;
  if (known === null && config.durationSeconds === undefined) {
    throw new NodeConfigError("The input has no known duration (a live stream); set \"Duration limit\" to say how much of it to transcode");
  }
  return Math.min(known ?? Infinity, config.durationSeconds ?? Infinity);
}

async function planOutputs(args: {
  config: TranscodeConfig;
  item: Item;
  ctx: NodeContext<TranscodeConfig>;
  work: string;
  signal: AbortSignal;
  source: ResolvedInput;
  probe: Probe;
}): Promise<TranscodePlan> {
  const { config, item, ctx, work, signal, source, probe } = args;
  const wantsVideo = config.hls || config.mp4 || config.thumbnails !== "none";
  if (wantsVideo && !probe.video) {
    throw new MediaInputError(`${source.describe} has no video stream (${probe.formatName}); turn off HLS, MP4 and thumbnails, or pass a video`);
  }
  if (config.audio !== "none" && !probe.audio) {
    throw new MediaInputError(`${source.describe} has no audio stream to extract; set "Extract audio" to none`);
  }
  const plan: TranscodePlan = {
    input: source.input,
    inputOptions: [...source.inputOptions, ...(config.durationSeconds ? ["-t", String(config.durationSeconds)] : [])],
    hasAudio: probe.audio !== null,
    sourceHeight: probe.video?.height ?? 0,
  };
  if (config.hls) plan.hls = { segmentSeconds: config.segmentSeconds, renditions: config.renditions };
  if (config.mp4) plan.mp4 = { height: config.mp4Height, audioBitrateKbps: config.audioBitrateKbps };
  if (config.thumbnails !== "none") {
    await mkdir(path.join(work, OUTPUT.thumbnailsDir));
    plan.thumbnails =
      config.thumbnails === "interval"
        ? { everySeconds: config.thumbnailEverySeconds, width: config.thumbnailWidth }
        : { times: [...new Set(config.thumbnailTimes)].sort((a, b) => a - b), width: config.thumbnailWidth };
  }
  if (config.audio !== "none") plan.audio = { format: config.audio, bitrateKbps: config.audioBitrateKbps };
  if (config.watermark === "text") {
    await writeFile(path.join(work, "watermark.txt"), config.watermarkText);
    plan.watermark = { kind: "text", textFile: "watermark.txt", fontSize: config.watermarkFontSize, position: config.watermarkPosition };
  } else if (config.watermark === "image") {
    const ref = item.binary?.[config.watermarkImageProperty];
    if (!ref) throw new NodeConfigError(`The input item has no binary "${config.watermarkImageProperty}" for the watermark image; attach a PNG or JPEG or change "Watermark image property"`);
    await saveTo({ body: await ctx.binary.stream(ctx.run.workspaceId, ref), file: path.join(work, "watermark"), signal });
    plan.watermark = { kind: "image", file: "file:watermark", position: config.watermarkPosition };
  }
  return plan;
}

/** Stores every output, or none: what was stored before a failure or a cancel is deleted again. */
async function storeOutputs(args: {
  config: TranscodeConfig;
  ctx: NodeContext<TranscodeConfig>;
  work: string;
  signal: AbortSignal;
  plan: TranscodePlan;
  durationSeconds: number;
}): Promise<{ json: Record<string, unknown>; binary: Record<string, BinaryRef> }> {
  const { config, ctx, work, signal, plan, durationSeconds } = args;
  const workspaceId = ctx.run.workspaceId;
  const binary: Record<string, BinaryRef> = {};
  const json: Record<string, unknown> = {};
  const url = (ref: BinaryRef | string) => ctx.binary.signedPath(workspaceId, ref);
  const keep = async (name: string, put: () => Promise<BinaryRef>) => {
    signal.throwIfAborted();
    binary[name] = await put();
    return binary[name];
  };
  try {
    if (plan.hls) {
      const ref = await keep("hls", () => ctx.binary.putFolder(path.join(work, OUTPUT.hlsDir), { workspaceId, mimeType: "application/vnd.apple.mpegurl", fileName: OUTPUT.hlsMaster }));
      json.hls = {
        playlistUrl: url(ref),
        renditions: plan.hls.renditions.map((r, i) => ({ ...r, playlistUrl: url(`${ref.id}/${i}/index.m3u8`) })),
      };
    }
    if (plan.mp4) {
      const ref = await keep("mp4", () => ctx.binary.put(createReadStream(path.join(work, OUTPUT.mp4)), { workspaceId, mimeType: "video/mp4", fileName: OUTPUT.mp4 }));
      json.mp4 = { url: url(ref), size: ref.size };
    }
    if (plan.thumbnails) {
      const files = (await readdir(path.join(work, OUTPUT.thumbnailsDir))).sort();
      const ref = await keep("thumbnails", () => ctx.binary.putFolder(path.join(work, OUTPUT.thumbnailsDir), { workspaceId, mimeType: "image/jpeg" }));
      const times = plan.thumbnails.times?.filter((t) => t <= durationSeconds) ?? files.map((_, i) => i * config.thumbnailEverySeconds);
      json.thumbnails = files.map((file, i) => ({ timeSeconds: times[i] ?? null, id: `${ref.id}/${file}`, url: url(`${ref.id}/${file}`) }));
    }
    if (plan.audio) {
      const { format } = plan.audio;
      const file = OUTPUT.audio[format];
      const ref = await keep("audio", () => ctx.binary.put(createReadStream(path.join(work, file)), { workspaceId, mimeType: MIME[format], fileName: file }));
      json.audio = { url: url(ref), format, size: ref.size };
    }
    signal.throwIfAborted();
    return { json, binary };
  } catch (err) {
    await Promise.all(Object.values(binary).map((ref) => ctx.binary.delete(workspaceId, ref).catch(() => {})));
    throw signal.aborted ? signal.reason : err;
  }
}
