/** What ffmpeg is asked to make, in the work folder, from one input. Paths are relative to the work folder. */
export interface TranscodePlan {
  input: string;
  /** Input options placed before `-i` (protocol limits, time-outs, a duration cap). */
  inputOptions: string[];
  hasAudio: boolean;
  sourceHeight: number;
  hls?: { segmentSeconds: number; renditions: { height: number; videoBitrateKbps: number; audioBitrateKbps: number }[] };
  mp4?: { height?: number; videoBitrateKbps?: number; audioBitrateKbps: number };
  thumbnails?: { everySeconds?: number; times?: number[]; width: number };
  audio?: { format: "mp3" | "aac" | "wav"; bitrateKbps: number };
  watermark?:
    | { kind: "text"; textFile: string; fontSize: number; position: Position }
    | { kind: "image"; file: string; position: Position };
}

export type Position = "top-left" | "top-right" | "bottom-left" | "bottom-right";

export const OUTPUT = {
  hlsDir: "hls",
  hlsMaster: "master.m3u8",
  mp4: "video.mp4",
  thumbnailsDir: "thumbnails",
  audio: { mp3: "audio.mp3", aac: "audio.aac", wav: "audio.wav" },
} as const;

const MARGIN = 16;

function textPosition(position: Position): string {
  const x = position.endsWith("left") ? `${MARGIN}` : `w-tw-${MARGIN}`;
  const y = position.startsWith("top") ? `${MARGIN}` : `h-th-${MARGIN}`;
  return `x=${x}:y=${y}`;
}

function overlayPosition(position: Position): string {
  const x = position.endsWith("left") ? `${MARGIN}` : `W-w-${MARGIN}`;
  const y = position.startsWith("top") ? `${MARGIN}` : `H-h-${MARGIN}`;
  return `x=${x}:y=${y}`;
}

/** Picks the frames at or just after each time, the first frame standing for time 0. */
function selectTimes(times: number[]): string {
  return times.map((t) => `gte(t\\,${t})*(isnan(prev_t)+lt(prev_t\\,${t}))`).join("+");
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The ffmpeg argument array for a plan: one decode of the input, a filter graph that watermarks once and splits
 * the picture for each output, H.264/AAC for video, keyframes on segment boundaries so every rendition's segments
 * line up, and machine-readable progress on stdout.
 */
export function buildFfmpegArgs(plan: TranscodePlan): string[] {
  const argv = ["-hide_banner", "-nostdin", "-y", "-v", "error", "-progress", "pipe:1", "-stats_period", "0.5"];
  argv.push(...plan.inputOptions, "-i", plan.input);
  if (plan.watermark?.kind === "image") argv.push("-i", plan.watermark.file);

  const videoOutputs: string[] = [];
  plan.hls?.renditions.forEach((_, i) => videoOutputs.push(`hls${i}`));
  if (plan.mp4) videoOutputs.push("mp4");
  if (plan.thumbnails) videoOutputs.push("thumbs");

  const filters: string[] = [];
  if (videoOutputs.length) {
    let base = "[0:v:0]";
    if (plan.watermark?.kind === "text") {
      filters.push(`${base}drawtext=textfile=${plan.watermark.textFile}:fontsize=${plan.watermark.fontSize}:fontcolor=white@0.85:box=1:boxcolor=black@0.4:boxborderw=6:${textPosition(plan.watermark.position)}[marked]`);
      base = "[marked]";
    } else if (plan.watermark?.kind === "image") {
      filters.push(`${base}[1:v:0]overlay=${overlayPosition(plan.watermark.position)}[marked]`);
      base = "[marked]";
    }
    filters.push(`${base}split=${videoOutputs.length}${videoOutputs.map((name) => `[${name}_in]`).join("")}`);
    plan.hls?.renditions.forEach((r, i) => filters.push(`[hls${i}_in]scale=-2:${even(r.height)},format=yuv420p[hls${i}]`));
    if (plan.mp4) {
      const height = plan.mp4.height ? even(plan.mp4.height) : even(plan.sourceHeight);
      filters.push(`[mp4_in]scale=-2:${height},format=yuv420p[mp4]`);
    }
    if (plan.thumbnails) {
      const pick = plan.thumbnails.times ? `select='${selectTimes(plan.thumbnails.times)}'` : `fps=1/${plan.thumbnails.everySeconds}`;
      filters.push(`[thumbs_in]${pick},scale=${even(plan.thumbnails.width)}:-2[thumbs]`);
    }
  }
  if (filters.length) argv.push("-filter_complex", filters.join(";"));

  const h264 = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main"];

  if (plan.hls) {
    const { renditions, segmentSeconds } = plan.hls;
    renditions.forEach((_, i) => {
      argv.push("-map", `[hls${i}]`);
      if (plan.hasAudio) argv.push("-map", "0:a:0");
    });
    argv.push(...h264, "-force_key_frames", `expr:gte(t,n_forced*${segmentSeconds})`, "-sc_threshold", "0");
    renditions.forEach((r, i) => {
      argv.push(`-b:v:${i}`, `${r.videoBitrateKbps}k`, `-maxrate:v:${i}`, `${Math.round(r.videoBitrateKbps * 1.07)}k`, `-bufsize:v:${i}`, `${r.videoBitrateKbps * 2}k`);
      if (plan.hasAudio) argv.push(`-b:a:${i}`, `${r.audioBitrateKbps}k`);
    });
    if (plan.hasAudio) argv.push("-c:a", "aac", "-ac", "2");
    const streamMap = renditions.map((_, i) => (plan.hasAudio ? `v:${i},a:${i},name:${i}` : `v:${i},name:${i}`)).join(" ");
    argv.push(
      "-f", "hls",
      "-hls_time", String(segmentSeconds),
      "-hls_playlist_type", "vod",
      "-hls_segment_filename", `${OUTPUT.hlsDir}/%v/segment_%04d.ts`,
      "-master_pl_name", OUTPUT.hlsMaster,
      "-var_stream_map", streamMap,
      `${OUTPUT.hlsDir}/%v/index.m3u8`,
    );
  }

  if (plan.mp4) {
    argv.push("-map", "[mp4]");
    if (plan.hasAudio) argv.push("-map", "0:a:0", "-c:a", "aac", "-b:a", `${plan.mp4.audioBitrateKbps}k`, "-ac", "2");
    argv.push(...h264);
    argv.push(...(plan.mp4.videoBitrateKbps ? ["-b:v", `${plan.mp4.videoBitrateKbps}k`] : ["-crf", "23"]));
    argv.push("-movflags", "+faststart", OUTPUT.mp4);
  }

  if (plan.thumbnails) {
    argv.push("-map", "[thumbs]", "-fps_mode", "vfr", "-q:v", "3", `${OUTPUT.thumbnailsDir}/thumb_%04d.jpg`);
  }

  if (plan.audio) {
    argv.push("-map", "0:a:0", "-vn");
    if (plan.audio.format === "mp3") argv.push("-c:a", "libmp3lame", "-b:a", `${plan.audio.bitrateKbps}k`);
    else if (plan.audio.format === "aac") argv.push("-c:a", "aac", "-b:a", `${plan.audio.bitrateKbps}k`, "-f", "adts");
    else argv.push("-c:a", "pcm_s16le");
    argv.push(OUTPUT.audio[plan.audio.format]);
  }
  return argv;
}
