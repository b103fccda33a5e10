import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BinaryRef } from "../nodes/_kit/items";
import { createBinaryFileHandler } from "./binary-files";
import { LocalBinaryStore } from "./binary-store";
import { closeTestServers, startTestServer, type TestServer } from "../nodes/_kit/test-http-server";

const exec = promisify(execFile);
const WORKSPACE = "ws-media";
let dir: string;
let store: LocalBinaryStore;
let server: TestServer;
let hls: BinaryRef;
let mp4: BinaryRef;
let mp4Bytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "binary-files-test-"));
  store = new LocalBinaryStore(path.join(dir, "store"), { urlSecret: "the secret every process shares" });
  const work = path.join(dir, "work");
  await mkdir(path.join(work, "hls"), { recursive: true });
  await exec("ffmpeg", [
    "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3", "-c:v", "libx264", "-preset", "ultrafast",
    "-b:v", "300k", "-g", "25", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_filename", "hls/%v/segment_%04d.ts",
    "-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,name:0", "hls/%v/index.m3u8",
  ], { cwd: work });
  await exec("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", "clip.mp4"], { cwd: work });
  hls = await store.putFolder(path.join(work, "hls"), { workspaceId: WORKSPACE, mimeType: "application/vnd.apple.mpegurl", fileName: "master.m3u8" });
  mp4Bytes = await readFile(path.join(work, "clip.mp4"));
  mp4 = await store.put(mp4Bytes, { workspaceId: WORKSPACE, mimeType: "video/mp4", fileName: "clip.mp4" });
  const handle = createBinaryFileHandler({ store, logger: pino({ level: "silent" }) });
  server = await startTestServer((req, res) => {
    if (!handle(req, res)) res.writeHead(418).end();
  });
}, 60_000);

afterAll(async () => {
  await closeTestServers();
  await rm(dir, { recursive: true, force: true });
});

describe("serving stored files by signed URL", () => {
  it("serves the master playlist, the rendition playlist and segments by relative URL, with their types", async () => {
    const masterUrl = new URL(store.signedPath(WORKSPACE, hls), server.url);
    const master = await fetch(masterUrl);
    expect(master.status).toBe(200);
    expect(master.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const variant = (await master.text()).split("\n").find((l) => l && !l.startsWith("#"))!;
    const playlistUrl = new URL(variant, masterUrl);
    const playlist = await fetch(playlistUrl);
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const segments = (await playlist.text()).split("\n").filter((l) => l.endsWith(".ts"));
    expect(segments.length).toBe(3);
    const segment = await fetch(new URL(segments[0]!, playlistUrl));
    expect(segment.status).toBe(200);
    expect(segment.headers.get("content-type")).toBe("video/mp2t");
    expect((await segment.arrayBuffer()).byteLength).toBe(Number(segment.headers.get("content-length")));
  });

  it("serves an MP4 whole and by byte range", async () => {
    const url = new URL(store.signedPath(WORKSPACE, mp4), server.url);
    expect(url.pathname.endsWith("/clip.mp4")).toBe(true);
    const whole = await fetch(url);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await whole.arrayBuffer()).equals(mp4Bytes)).toBe(true);

    const part = await fetch(url, { headers: { range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${mp4Bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(mp4Bytes.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(mp4Bytes.subarray(-10))).toBe(true);
    const beyond = await fetch(url, { headers: { range: `bytes=${mp4Bytes.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${mp4Bytes.length}`);
  });

  it("refuses a bad token, another workspace, another object, another secret and paths out of the folder", async () => {
    const good = store.signedPath(WORKSPACE, hls);
    const [, , workspace, id, token, file] = good.split("/");
    const attempts = [
      `/files/${workspace}/${id}/${token!.slice(0, -2)}xx/${file}`,
      `/files/other-ws/${id}/${token}/${file}`,
      `/files/${workspace}/${mp4.id}/${token}/clip.mp4`,
      new LocalBinaryStore(path.join(dir, "store"), { urlSecret: "some other secret entirely" }).signedPath(WORKSPACE, hls),
      `/files/${workspace}/${id}/${token}/..%2F${mp4.id}`,
      `/files/${workspace}/${id}/${token}/0/../../${mp4.id}`,
      `/files/${workspace}/${id}/${token}/0/missing.ts`,
    ];
    for (const attempt of attempts) {
      const response = await fetch(new URL(attempt, server.url));
      expect({ attempt, status: response.status }).toEqual({ attempt, status: 404 });
    }
    expect((await fetch(new URL(good, server.url))).status).toBe(200);
    expect((await fetch(new URL(good, server.url), { method: "POST" })).status).toBe(405);
  });
});
