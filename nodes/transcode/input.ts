import { createWriteStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { NodeContext } from "../_kit/context";
import { NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { FfmpegFailure, lastLine, runTool } from "./ffmpeg";
import { checkHlsPlaylist, startGuardProxy, type GuardProxy } from "./hls-guard";

// Getting the transcode's input: a binary of the item, a file in TRANSCODE_INPUT_DIR, or an http(s), HLS or
// rtmp(s) URL, each checked against the same rules as the rest of the node's I/O before ffmpeg sees it.

const NETWORK_TIMEOUT_US = "15000000";

/** The parts of the transcode's config that say where its input comes from. */
export interface InputConfig {
  source: "binary" | "file" | "url";
  binaryProperty: string;
  filePath: string;
  url: string;
  durationSeconds?: number;
  maxDownloadMegabytes: number;
}

export interface ResolvedInput {
  input: string;
  inputOptions: string[];
  /** ffmpeg reads it over the network itself (HLS); the rest is a local file by then. */
  remote: boolean;
  describe: string;
  /** The proxy every connection of ffmpeg and ffprobe goes through, for a remote input. */
  proxy?: GuardProxy;
}

/** Copies a stream into a file, refusing it past `limit` bytes. */
export async function saveTo(args: { body: NodeJS.ReadableStream; file: string; signal: AbortSignal; limit?: number; tooLarge?: () => Error }): Promise<void> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (args.limit !== undefined && size > args.limit) return done(args.tooLarge!());
      done(null, chunk);
    },
  });
  await pipeline(args.body as Readable, counter, createWriteStream(args.file), { signal: args.signal }).catch((err: unknown) => {
    if (args.signal.aborted) throw args.signal.reason;
    throw err;
  });
}

export async function resolveInput(args: { config: InputConfig; item: Item; ctx: NodeContext; work: string; signal: AbortSignal }): Promise<ResolvedInput> {
  const { config, item, ctx, work, signal } = args;
  const local = path.join(work, "input");
  if (config.source === "binary") {
    const ref = item.binary?.[config.binaryProperty];
    if (!ref) {
      const present = Object.keys(item.binary ?? {});
      throw new NodeConfigError(
        `The input item has no binary "${config.binaryProperty}" to transcode; ${present.length ? `it has ${present.map((p) => `"${p}"`).join(", ")}` : "it carries no files"}. Set "Binary property" to the attachment that holds the video.`,
      );
    }
    await saveTo({ body: await ctx.binary.stream(ctx.run.workspaceId, ref), file: local, signal });
    return localInput(local, `the binary "${config.binaryProperty}"${ref.fileName ? ` (${ref.fileName})` : ""}`);
  }
  if (config.source === "file") {
    const root = process.env.TRANSCODE_INPUT_DIR;
    if (!root) throw new NodeConfigError("Reading files from the server needs TRANSCODE_INPUT_DIR, the folder files may be read from; set it, or pass the video as a binary or a URL");
    const realRoot = await realpath(root).catch(() => {
      throw new NodeConfigError(`TRANSCODE_INPUT_DIR (${root}) does not exist; create it or point it at the folder of input files`);
    });
    const wanted = path.resolve(realRoot, config.filePath);
    const real = await realpath(wanted).catch(() => {
      throw new NodeConfigError(`There is no file "${config.filePath}" in TRANSCODE_INPUT_DIR; check the name (it is relative to that folder)`);
    });
    if (!real.startsWith(realRoot + path.sep)) {
      throw new NodeConfigError(`"${config.filePath}" is outside TRANSCODE_INPUT_DIR; only files inside that folder may be read`);
    }
    if (!(await stat(real)).isFile()) throw new NodeConfigError(`"${config.filePath}" is not a file`);
    return localInput(real, `the file "${config.filePath}"`);
  }
  return resolveUrl({ config, ctx, local, signal });
}

function localInput(file: string, describe: string): ResolvedInput {
  // Only the local file itself: a playlist inside it cannot make ffmpeg open other files or the network.
  return { input: `file:${file}`, inputOptions: ["-protocol_whitelist", "file"], remote: false, describe };
}

async function resolveUrl(args: { config: InputConfig; ctx: NodeContext; local: string; signal: AbortSignal }): Promise<ResolvedInput> {
  const { config, ctx, local, signal } = args;
  let url: URL;
  try {
    url = new URL(config.url.trim());
  } catch {
    throw new NodeConfigError(`"${config.url}" is not a valid URL; write a full address such as https://media.example.com/talk.mp4`);
  }
  const where = `${url.protocol}//${url.host}${url.pathname}`;
  if (!["http:", "https:", "rtmp:", "rtmps:"].includes(url.protocol)) {
    throw new NodeConfigError(`Only http(s), HLS and rtmp(s) URLs can be transcoded, not ${url.protocol}`);
  }
  const rtmp = url.protocol === "rtmp:" || url.protocol === "rtmps:";
  if (rtmp && config.durationSeconds === undefined) {
    throw new NodeConfigError(`${where} is a live RTMP stream, which never ends; set "Duration limit" to say how much of it to transcode`);
  }
  // The same address rules as every HTTP request: ffmpeg connects by itself, so the host is checked first.
  const addresses = await ctx.http.checkHost(url.hostname);
  if (rtmp) return recordStream({ url, addresses, where, seconds: config.durationSeconds!, ctx, local, signal });
  const isHls = url.pathname.toLowerCase().endsWith(".m3u8");
  if (isHls) {
    // A playlist names further playlists, segments and keys, anywhere: all of them are checked before ffmpeg starts,
    // so a refused one fails with a clear error and nothing is sent to it.
    ctx.progress({ percent: 0, message: `Checking the playlists of ${where}` });
    const { live } = await checkHlsPlaylist({ url, http: ctx.http, signal });
    if (live && config.durationSeconds === undefined) {
      throw new NodeConfigError(`${where} is a live HLS playlist, which may never end; set "Duration limit" to say how much of it to transcode`);
    }
    // ffmpeg then reads them itself, every connection through a proxy that applies the same rules as it dials
    // (redirects, a playlist served differently the second time, a live playlist's later segments, a changed DNS
    // answer). A live playlist's later segments are only checked then: a refused one ends the transcode part-way.
    const proxy = await startGuardProxy(ctx.http);
    return {
      input: url.toString(),
      // HLS over http(s) only: no file:, data: or other protocols, whatever the playlists name.
      inputOptions: ["-protocol_whitelist", "http,https,tls,tcp,crypto,httpproxy", "-rw_timeout", NETWORK_TIMEOUT_US],
      remote: true,
      describe: where,
      proxy,
    };
  }
  // A plain file over HTTP is fetched through the guarded client (every redirect and connection checked), then
  // read locally, where ffmpeg can also seek (an MP4 whose index is at the end).
  ctx.progress({ percent: 0, message: `Downloading ${where}` });
  const response = await ctx.http.fetch(url, { signal }).catch((err: unknown) => {
    if (signal.aborted) throw signal.reason;
    if (err instanceof NodeError) throw err;
    throw new NodeExternalError(`Could not reach ${where}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}; check the URL and that the server is up`);
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new NodeExternalError(`${where} answered ${response.status}; check the URL`, { status: response.status, retryable: response.status >= 500 || response.status === 429 });
  }
  const limit = config.maxDownloadMegabytes * 1024 * 1024;
  await saveTo({
    body: Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
    file: local,
    signal,
    limit,
    tooLarge: () => new NodeExternalError(`${where} is larger than ${config.maxDownloadMegabytes} MB; raise "Largest download" or use a smaller file`, { retryable: false }),
  });
  return localInput(local, where);
}

/**
 * Records a live RTMP stream into the work folder as it comes (no re-encoding), for `seconds`, then treats it as
 * a local file: one connection to the source, and the probe sees exactly what is transcoded. Probing the stream
 * and then opening it again for ffmpeg would need a second session, which a source serving one client refuses.
 */
async function recordStream(args: {
  url: URL;
  addresses: string[];
  where: string;
  seconds: number;
  ctx: NodeContext;
  local: string;
  signal: AbortSignal;
}): Promise<ResolvedInput> {
  const { url, addresses, where, seconds, ctx, local, signal } = args;
  const target = new URL(url);
  // Plain RTMP connects to the address that was checked, so a second DNS answer cannot point elsewhere; RTMPS
  // keeps the name for the TLS handshake.
  const address = addresses[0];
  if (url.protocol === "rtmp:" && address) target.hostname = net.isIPv6(address) ? `[${address}]` : address;
  ctx.progress({ percent: 0, message: `Recording ${where}` });
  await runTool({
    program: "ffmpeg",
    argv: [
      "-hide_banner", "-nostdin", "-y", "-v", "error", "-progress", "pipe:1", "-stats_period", "0.5",
      "-protocol_whitelist", "rtmp,rtmps,tcp,tls", "-rw_timeout", NETWORK_TIMEOUT_US,
      "-i", target.toString(),
      "-t", String(seconds), "-c", "copy", "-f", "flv", `file:${local}`,
    ],
    cwd: path.dirname(local),
    signal,
    onProgress: (p) => ctx.progress({ percent: 0, message: `Recording ${where}: ${p.outTimeSeconds.toFixed(1)} of ${seconds} s`, outTimeSeconds: p.outTimeSeconds }),
  }).catch((err: unknown) => {
    if (!(err instanceof FfmpegFailure)) throw err;
    throw new NodeExternalError(`Could not open ${where}: ${lastLine(err.stderr)}; check the URL and that the stream is live`, { details: { stderr: err.stderr.slice(-5) } });
  });
  return localInput(local, where);
}
