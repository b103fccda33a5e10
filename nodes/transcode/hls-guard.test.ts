import { execFile } from "node:child_process";
import type http from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { closeTestServers, startTestServer, type TestServer } from "../_kit/test-http-server";
import { NodeConfigError, NodeError } from "../_kit/errors";
import { runNode, TEST_WORKSPACE_ID } from "../../runner/node-testing";
import { runningPids } from "./ffmpeg";
import { transcodeNode } from "./transcode.node";

// 127.0.0.1 is allowed and plays the media host; 127.0.0.2 (loopback too, not allowed) plays the private target.
const ALLOW = ["127.0.0.1"];
const exec = promisify(execFile);
let dir: string;
let store: LocalBinaryStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "hls-guard-test-"));
  store = new LocalBinaryStore(path.join(dir, "store"), { urlSecret: "a test secret of some length" });
  // A 2 s VOD playlist of 1 s segments, video and audio.
  await exec("ffmpeg", [
    "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
    "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
    "-hls_segment_filename", path.join(dir, "segment_%03d.ts"), path.join(dir, "index.m3u8"),
  ]);
}, 60_000);

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Seen {
  url: string;
  userAgent: string;
}

/** The refused target: it records every request that reaches it. */
async function privateTarget(): Promise<{ server: TestServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startTestServer((req, res) => {
    seen.push({ url: req.url!, userAgent: req.headers["user-agent"] ?? "" });
    res.writeHead(200).end("secret");
  }, "127.0.0.2");
  return { server, seen };
}

/** The media host: `routes` answers by path, the rest is served from the made VOD; it records who asked for what. */
async function mediaHost(routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>): Promise<{ server: TestServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startTestServer(async (req, res) => {
    const pathname = new URL(req.url!, "http://x").pathname;
    seen.push({ url: req.url!, userAgent: req.headers["user-agent"] ?? "" });
    const route = routes[pathname];
    if (route) return route(req, res);
    const body = await readFile(path.join(dir, path.basename(pathname))).catch(() => null);
    if (!body) return res.writeHead(404).end();
    res.writeHead(200).end(body);
  });
  return { server, seen };
}

const playlist = (text: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { "content-type": "application/vnd.apple.mpegurl" }).end(text);
};

const ffmpegAsked = (seen: Seen[]) => seen.filter((s) => s.userAgent.startsWith("Lavf"));

async function refusal(url: string, config: Record<string, unknown> = {}): Promise<NodeError> {
  const err = await runNode(transcodeNode, { binary: store, allowHosts: ALLOW, config: { source: "url", url, hls: false, audio: "aac", ...config } }).then(
    () => {
      throw new Error("the transcode did not fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeError);
  expect(runningPids.size).toBe(0);
  return err as NodeError;
}

describe("HLS playlists are checked before ffmpeg opens them", () => {
  it("refuses a segment on a refused host, naming it without its query string, before ffmpeg starts", async () => {
    const target = await privateTarget();
    const media = await mediaHost({
      "/index.m3u8": playlist(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nsegment_000.ts\n#EXTINF:1,\n${target.server.url}/latest/meta-data/seg.ts?token=s3cret\n#EXT-X-ENDLIST\n`),
    });
    const err = await refusal(`${media.server.url}/index.m3u8`);
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toMatch(
      new RegExp(`^The HLS playlist ${media.server.url}/index.m3u8 names ${target.server.url}/latest/meta-data/seg.ts, which is refused: Refused to connect to 127.0.0.2 \\(loopback\\)`),
    );
    expect(err.message).not.toContain("s3cret");
    expect(JSON.stringify(err.details)).not.toContain("s3cret");
    expect(target.seen).toEqual([]);
    expect(media.seen.map((s) => s.url)).toEqual(["/index.m3u8"]);
    expect(ffmpegAsked(media.seen)).toEqual([]);
  }, 30_000);

  it("follows a master playlist into its variants and renditions and refuses what they lead to", async () => {
    const target = await privateTarget();
    const media = await mediaHost({
      "/master.m3u8": playlist(`#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nvariants/low.m3u8\n`),
      "/variants/low.m3u8": playlist(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n../segment_000.ts\n#EXTINF:1,\n${target.server.url}/seg.ts\n#EXT-X-ENDLIST\n`),
      "/audio-master.m3u8": playlist(
        `#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/en.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a"\nindex.m3u8\n`,
      ),
      "/audio/en.m3u8": playlist(`#EXTM3U\n#EXT-X-MAP:URI="${target.server.url}/init.mp4"\n#EXTINF:1,\nen.aac\n#EXT-X-ENDLIST\n`),
    });
    const variant = await refusal(`${media.server.url}/master.m3u8`);
    expect(variant).toBeInstanceOf(NodeConfigError);
    expect(variant.message).toMatch(new RegExp(`^The HLS playlist ${media.server.url}/variants/low.m3u8 names ${target.server.url}/seg.ts, which is refused: `));
    expect(media.seen.map((s) => s.url)).toEqual(["/master.m3u8", "/variants/low.m3u8"]);

    const rendition = await refusal(`${media.server.url}/audio-master.m3u8`);
    expect(rendition.message).toMatch(new RegExp(`^The HLS playlist ${media.server.url}/audio/en.m3u8 names ${target.server.url}/init.mp4, which is refused: `));
    expect(target.seen).toEqual([]);
    expect(ffmpegAsked(media.seen)).toEqual([]);
  }, 30_000);

  it("refuses a key on a refused host, and URIs that are not http(s)", async () => {
    const target = await privateTarget();
    const media = await mediaHost({
      "/keyed.m3u8": playlist(`#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="${target.server.url}/key?k=s3cret",IV=0x00000000000000000000000000000001\n#EXTINF:1,\nsegment_000.ts\n#EXT-X-ENDLIST\n`),
      "/file.m3u8": playlist(`#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n`),
      "/crypto.m3u8": playlist(`#EXTM3U\n#EXTINF:1,\ncrypto+file:///etc/passwd\n#EXT-X-ENDLIST\n`),
      "/data.m3u8": playlist(`#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="data:text/plain;base64,AAAAAAAAAAAAAAAAAAAAAA=="\n#EXTINF:1,\nsegment_000.ts\n#EXT-X-ENDLIST\n`),
    });
    const key = await refusal(`${media.server.url}/keyed.m3u8`);
    expect(key).toBeInstanceOf(NodeConfigError);
    expect(key.message).toMatch(new RegExp(`^The HLS playlist ${media.server.url}/keyed.m3u8 names ${target.server.url}/key, which is refused: `));
    expect(key.message).not.toContain("s3cret");
    expect(target.seen).toEqual([]);

    for (const [name, protocol] of [["file", "file:"], ["crypto", "crypto+file:"], ["data", "data:"]]) {
      const err = await refusal(`${media.server.url}/${name}.m3u8`);
      expect(err).toBeInstanceOf(NodeConfigError);
      expect(err.message).toContain(`which is not http(s) (${protocol}); only http and https URIs are read from HLS playlists`);
    }
    expect(ffmpegAsked(media.seen)).toEqual([]);
  }, 30_000);

  it("refuses a live playlist without a duration limit before ffmpeg starts", async () => {
    const media = await mediaHost({ "/live.m3u8": playlist(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nsegment_000.ts\n`) });
    const err = await refusal(`${media.server.url}/live.m3u8`);
    expect(err.message).toBe(`${media.server.url}/live.m3u8 is a live HLS playlist, which may never end; set "Duration limit" to say how much of it to transcode`);
    expect(ffmpegAsked(media.seen)).toEqual([]);
  }, 30_000);
});

describe("ffmpeg's own connections go through the same rules", () => {
  it("refuses a segment that redirects to a refused host once ffmpeg follows it", async () => {
    const target = await privateTarget();
    const media = await mediaHost({
      "/index.m3u8": playlist(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nmoved/segment_000.ts\n#EXTINF:1,\nsegment_001.ts\n#EXT-X-ENDLIST\n`),
      "/moved/segment_000.ts": (_req, res) => res.writeHead(302, { location: `${target.server.url}/segment_000.ts` }).end(),
    });
    const err = await refusal(`${media.server.url}/index.m3u8`);
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toMatch(new RegExp(`^While reading the HLS stream, ffmpeg was led to ${target.server.url}/segment_000.ts, which is refused: Refused to connect to 127.0.0.2 \\(loopback\\)`));
    expect(ffmpegAsked(media.seen).map((s) => s.url)).toContain("/moved/segment_000.ts");
    expect(target.seen).toEqual([]);
  }, 30_000);

  it("refuses a playlist that names other segments to ffmpeg than to the check", async () => {
    const target = await privateTarget();
    const clean = `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nsegment_000.ts\n#EXT-X-ENDLIST\n`;
    const hostile = `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${target.server.url}/segment_000.ts\n#EXT-X-ENDLIST\n`;
    const media = await mediaHost({ "/index.m3u8": (req, res) => playlist(req.headers["user-agent"]?.startsWith("Lavf") ? hostile : clean)(req, res) });
    const err = await refusal(`${media.server.url}/index.m3u8`);
    expect(err.message).toMatch(new RegExp(`^While reading the HLS stream, ffmpeg was led to ${target.server.url}/segment_000.ts, which is refused: `));
    expect(target.seen).toEqual([]);
  }, 30_000);

  it("still transcodes a clean VOD playlist, ffmpeg reading it through the checked proxy", async () => {
    const media = await mediaHost({});
    const { items } = await runNode(transcodeNode, { binary: store, allowHosts: ALLOW, config: { source: "url", url: `${media.server.url}/index.m3u8`, hls: false, audio: "aac" } });
    expect(items[0]!.json.source).toMatchObject({ format: "hls", videoCodec: "h264", audioCodec: "aac" });
    expect(Number(items[0]!.json.durationSeconds)).toBeCloseTo(2, 0);
    expect((await store.size(TEST_WORKSPACE_ID, items[0]!.binary!.audio!)) > 0).toBe(true);
    // Checked once by the node, then read by ffmpeg: both segments reached by ffmpeg.
    expect(media.seen.filter((s) => !s.userAgent.startsWith("Lavf")).map((s) => s.url)).toEqual(["/index.m3u8"]);
    expect(ffmpegAsked(media.seen).map((s) => s.url)).toEqual(expect.arrayContaining(["/index.m3u8", "/segment_000.ts", "/segment_001.ts"]));
    expect(runningPids.size).toBe(0);
  }, 60_000);
});
