import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import net from "node:net";
import type { HttpClient } from "../_kit/context";
import { NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";

/** Playlists fetched and checked at most, master included. */
export const MAX_PLAYLISTS = 20;
/** Master → variant → nothing further: ffmpeg does not follow a master named inside a variant. */
const MAX_DEPTH = 2;
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Without the query string and credentials, which often carry tokens and keys. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Tags whose URI attribute names another playlist, which ffmpeg opens and reads on. */
const PLAYLIST_TAGS = ["#EXT-X-MEDIA:", "#EXT-X-I-FRAME-STREAM-INF:"];

interface PlaylistEntry {
  uri: string;
  playlist: boolean;
}

/** Every URI a playlist names, in order: the lines that are not tags and every tag's URI="..." attribute. */
function playlistEntries(text: string): { entries: PlaylistEntry[]; ended: boolean; master: boolean } {
  const entries: PlaylistEntry[] = [];
  let variantNext = false;
  let ended = false;
  let master = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith("#")) {
      entries.push({ uri: line, playlist: variantNext });
      variantNext = false;
      continue;
    }
    if (line.startsWith("#EXT-X-STREAM-INF:")) {
      variantNext = true;
      master = true;
    }
    if (line === "#EXT-X-ENDLIST" || /^#EXT-X-PLAYLIST-TYPE:\s*VOD$/i.test(line)) ended = true;
    const isPlaylistTag = PLAYLIST_TAGS.some((tag) => line.startsWith(tag));
    if (isPlaylistTag) master = true;
    for (const match of line.matchAll(/(?:^|[:,])\s*URI\s*=\s*"([^"]*)"/gi)) entries.push({ uri: match[1]!, playlist: isPlaylistTag });
  }
  return { entries, ended, master };
}

/**
 * Fetches an HLS playlist through the guarded client, and its variant and rendition playlists in turn, and checks
 * the host of every URI they name (variants, segments, keys, init sections) with the same address rules, before
 * ffmpeg opens any of it. Only http(s) URIs pass. Refuses with a config error naming the first refused URI.
 * Returns whether a media playlist is live (no end tag): its later segments are not known yet.
 */
export async function checkHlsPlaylist(args: { url: URL; http: HttpClient; signal: AbortSignal }): Promise<{ live: boolean }> {
  const { http: client, signal } = args;
  const hosts = new Map<string, Promise<unknown>>();
  const seen = new Set<string>();
  let live = false;

  const checkUri = async (uri: URL, from: URL) => {
    const named = `The HLS playlist ${describeUrl(from)} names ${describeUrl(uri)}`;
    if (uri.protocol !== "http:" && uri.protocol !== "https:") {
      throw new NodeConfigError(`${named}, which is not http(s) (${uri.protocol}); only http and https URIs are read from HLS playlists`, { details: { uri: describeUrl(uri) } });
    }
    const host = uri.hostname;
    if (!hosts.has(host)) hosts.set(host, client.checkHost(host));
    await hosts.get(host)!.catch((err: unknown) => {
      if (err instanceof NodeConfigError) throw new NodeConfigError(`${named}, which is refused: ${err.message}`, { details: { uri: describeUrl(uri), ...err.details } });
      throw err;
    });
  };

  const visit = async (url: URL, from: URL | null, depth: number): Promise<void> => {
    if (seen.has(url.href)) return;
    if (seen.size === MAX_PLAYLISTS) {
      throw new NodeConfigError(`The HLS playlist ${describeUrl(args.url)} leads to more than ${MAX_PLAYLISTS} playlists; give the URL of one variant playlist instead`);
    }
    seen.add(url.href);
    const where = describeUrl(url);
    const response = await client.request({ url: url.href, signal, maxResponseBytes: MAX_PLAYLIST_BYTES }).catch((err: unknown) => {
      if (signal.aborted) throw signal.reason;
      if (err instanceof NodeConfigError) throw from ? new NodeConfigError(`The HLS playlist ${describeUrl(from)} leads to ${where}, which is refused: ${err.message}`, { details: err.details }) : err;
      const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new NodeExternalError(`Could not open ${where}: ${cause}; check the URL and that the stream is live`, { retryable: !(err instanceof NodeError) || err.retryable });
    });
    if (response.status < 200 || response.status > 299) {
      throw new NodeExternalError(`${where} answered ${response.status}; check the URL`, { status: response.status, retryable: response.status >= 500 || response.status === 429 });
    }
    const text = response.body.toString("utf8");
    if (!text.trimStart().startsWith("#EXTM3U")) {
      throw new NodeConfigError(`${where} is not an HLS playlist (it does not start with #EXTM3U); check the URL`);
    }
    // Relative URIs resolve against where the playlist was finally served from, as ffmpeg resolves them.
    const base = new URL(response.url);
    const { entries, ended, master } = playlistEntries(text);
    if (!master && !ended) live = true;
    const playlists: URL[] = [];
    for (const entry of entries) {
      let uri: URL;
      try {
        uri = new URL(entry.uri, base);
      } catch {
        throw new NodeConfigError(`The HLS playlist ${describeUrl(base)} names "${entry.uri.split("?")[0]}", which is not a valid URI; check the playlist`);
      }
      await checkUri(uri, base);
      if (entry.playlist) playlists.push(uri);
    }
    if (depth + 1 < MAX_DEPTH) for (const next of playlists) await visit(next, base, depth + 1);
  };

  await visit(args.url, null, 0);
  return { live };
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"]);

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())));
}

export interface GuardProxy {
  /** `http://127.0.0.1:<port>`, for ffmpeg's `http_proxy`. */
  url: string;
  /** The first connection refused by the address rules, if any. */
  refusal(): NodeConfigError | undefined;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback that ffmpeg's every connection goes through (`http_proxy` in its environment: plain
 * http requests and the CONNECT tunnels of https): each host is checked with the address rules as it is dialled and
 * the connection goes to the address that was checked, so a redirect, a changed playlist, a live playlist's later
 * segments or a second DNS answer cannot lead ffmpeg to a refused address.
 */
export async function startGuardProxy(client: HttpClient): Promise<GuardProxy> {
  let refused: NodeConfigError | undefined;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  const resolve = async (host: string, shown: string): Promise<string | null> => {
    try {
      const addresses = await client.checkHost(host);
      return addresses[0] ?? null;
    } catch (err) {
      if (err instanceof NodeConfigError) refused ??= new NodeConfigError(`While reading the HLS stream, ffmpeg was led to ${shown}, which is refused: ${err.message}`, { details: { uri: shown, ...err.details } });
      return null;
    }
  };

  const server = http.createServer(async (req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      return res.writeHead(400).end();
    }
    if (target.protocol !== "http:") return res.writeHead(400).end();
    const address = await resolve(target.hostname, describeUrl(target));
    if (!address) return res.writeHead(403).end();
    const upstream = http.request(
      { host: address, port: Number(target.port || 80), method: req.method, path: `${target.pathname}${target.search}`, headers: withoutHopByHop(req.headers) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", track);
  server.on("connect", async (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    track(socket);
    socket.on("error", () => socket.destroy());
    let target: URL;
    try {
      target = new URL(`https://${req.url ?? ""}`);
    } catch {
      return socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    }
    const address = await resolve(target.hostname, `https://${target.host}`);
    if (!address) return socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    const upstream = net.connect(Number(target.port || 443), address, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    track(upstream);
    upstream.on("error", () => socket.destroy());
    socket.once("close", () => upstream.destroy());
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", done);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusal: () => refused,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** ffmpeg's environment with every http(s) connection sent through `proxy`, and no host exempted from it. */
export function proxiedEnv(proxy: GuardProxy): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, http_proxy: proxy.url };
  for (const name of ["no_proxy", "NO_PROXY", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]) delete env[name];
  return env;
}
