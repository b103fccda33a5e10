import { execFile, spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { closeTestServers, startTestServer } from "../_kit/test-http-server";
import { NodeCancelledError, NodeConfigError, NodeError, NodeExternalError, NodeTimeoutError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { runNode, TEST_WORKSPACE_ID, type RunNodeResult } from "../../runner/node-testing";
import { freePort } from "../mqtt/test-broker";
import { runningPids } from "./ffmpeg";
import { transcodeNode, transcodeSlots } from "./transcode.node";
import { removeStaleWorkFolders } from "./work-folders";

const exec = promisify(execFile);
let dir: string;
let storeRoot: string;
let store: LocalBinaryStore;
let short: BinaryRef;
let long: BinaryRef;

/** A 720p test pattern with a sine tone, made by ffmpeg itself. */
async function makeVideo(file: string, seconds: number, audio = true): Promise<void> {
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=1280x720:rate=25:duration=${seconds}`];
  if (audio) args.push("-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`, "-c:a", "aac");
  args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", file);
  await exec("ffmpeg", args);
}

async function ffprobe(file: string): Promise<{ streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration: string } }> {
  const { stdout } = await exec("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file]);
  return JSON.parse(stdout);
}

/** The stored files of the test workspace, relative to it. */
async function storedFiles(): Promise<string[]> {
  const root = path.join(storeRoot, TEST_WORKSPACE_ID);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Processes whose working directory is `folder`. */
async function pidsWorkingIn(folder: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const cwds = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/cwd`).catch(() => null)));
  return pids.filter((_, i) => cwds[i] === folder).map(Number);
}

/** Exited: no such process, or a zombie not yet reaped. */
const gone = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat === null || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
};

const allWorkFolders = async () => (await readdir(os.tmpdir())).filter((name) => name.startsWith("streamware-transcode-"));
/** This process's work folders: other processes on the machine (parallel test files) transcode at the same time. */
const workFolders = async () => (await allWorkFolders()).filter((name) => name.startsWith(`streamware-transcode-${process.pid}-`));

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const err = await promise.then(
    () => {
      throw new Error("the transcode did not fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeError);
  return err as NodeError;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "transcode-test-"));
  storeRoot = path.join(dir, "store");
  store = new LocalBinaryStore(storeRoot, { urlSecret: "a test secret of some length" });
  await makeVideo(path.join(dir, "short.mp4"), 4);
  await makeVideo(path.join(dir, "long.mp4"), 40);
  short = await store.put(createReadStream(path.join(dir, "short.mp4")), { workspaceId: TEST_WORKSPACE_ID, mimeType: "video/mp4", fileName: "short.mp4" });
  long = await store.put(createReadStream(path.join(dir, "long.mp4")), { workspaceId: TEST_WORKSPACE_ID, mimeType: "video/mp4", fileName: "long.mp4" });
}, 120_000);

afterEach(async () => {
  await closeTestServers();
  delete process.env.TRANSCODE_INPUT_DIR;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const inputs = new Set<string>();
/** Keeps the inputs' files apart from what a transcode stored. */
async function outputsStored(): Promise<string[]> {
  for (const ref of [short, long]) inputs.add(ref.id);
  return (await storedFiles()).filter((f) => !inputs.has(f));
}

describe("transcoding a video", () => {
  let result: RunNodeResult;
  let item: Item;

  beforeAll(async () => {
    result = await runNode(transcodeNode, {
      binary: store,
      input: [{ json: {}, binary: { data: short } }],
      config: {
        renditions: [
          { height: 720, videoBitrateKbps: 2000, audioBitrateKbps: 128 },
          { height: 360, videoBitrateKbps: 600, audioBitrateKbps: 64 },
        ],
        segmentSeconds: 2,
        mp4: true,
        mp4Height: 480,
        thumbnails: "interval",
        thumbnailEverySeconds: 1,
        audio: "mp3",
        watermark: "text",
        watermarkText: "Streamware: 'live' 100%",
      },
    });
    item = result.items[0]!;
  }, 180_000);

  it("writes a two-rendition HLS ladder with a master playlist that names each rendition relatively", async () => {
    const folder = path.join(storeRoot, TEST_WORKSPACE_ID, item.binary!.hls!.id);
    const master = await readFile(path.join(folder, "master.m3u8"), "utf8");
    expect(master).toContain("RESOLUTION=1280x720");
    expect(master).toContain("RESOLUTION=640x360");
    expect(master.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual(["0/index.m3u8", "1/index.m3u8"]);
    for (const [name, height] of [["0", 720], ["1", 360]] as const) {
      const playlist = await readFile(path.join(folder, name, "index.m3u8"), "utf8");
      const segments = playlist.split("\n").filter((l) => l.endsWith(".ts"));
      expect(segments).toEqual(["segment_0000.ts", "segment_0001.ts"]);
      expect(playlist).toContain("#EXT-X-ENDLIST");
      const probe = await ffprobe(path.join(folder, name, segments[0]!));
      expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["video", "h264"], ["audio", "aac"]]);
      expect(probe.streams[0]!.height).toBe(height);
    }
    expect(item.binary!.hls!.mimeType).toBe("application/vnd.apple.mpegurl");
    const hls = item.json.hls as { playlistUrl: string; renditions: { playlistUrl: string }[] };
    expect(hls.playlistUrl).toBe(store.signedPath(TEST_WORKSPACE_ID, item.binary!.hls!));
    expect(hls.playlistUrl.endsWith("/master.m3u8")).toBe(true);
    expect(hls.renditions[1]!.playlistUrl).toBe(new URL("1/index.m3u8", `http://h${hls.playlistUrl}`).pathname);
  });

  it("writes an MP4 at the asked height, thumbnails every second and the audio as MP3", async () => {
    const mp4 = await ffprobe(path.join(storeRoot, TEST_WORKSPACE_ID, item.binary!.mp4!.id));
    expect(mp4.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["video", "h264"], ["audio", "aac"]]);
    expect([mp4.streams[0]!.width, mp4.streams[0]!.height]).toEqual([854, 480]);
    expect(Number(mp4.format.duration)).toBeCloseTo(4, 0);

    const thumbnails = item.json.thumbnails as { timeSeconds: number; id: string }[];
    expect(thumbnails.map((t) => t.timeSeconds)).toEqual([0, 1, 2, 3]);
    const thumb = await ffprobe(path.join(storeRoot, TEST_WORKSPACE_ID, thumbnails[0]!.id));
    expect([thumb.streams[0]!.codec_name, thumb.streams[0]!.width, thumb.streams[0]!.height]).toEqual(["mjpeg", 320, 180]);

    const audio = await ffprobe(path.join(storeRoot, TEST_WORKSPACE_ID, item.binary!.audio!.id));
    expect(audio.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["audio", "mp3"]]);
    expect(item.binary!.audio!.mimeType).toBe("audio/mpeg");
    expect(item.json.source).toEqual({ format: "mov,mp4,m4a,3gp,3g2,mj2", width: 1280, height: 720, videoCodec: "h264", audioCodec: "aac" });
  });

  it("reports progress with a rising percent, speed and fps, ending at 100", () => {
    const percents = result.progress.map((p) => p.percent!);
    expect(percents.length).toBeGreaterThan(2);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(result.progress.some((p) => typeof p.speed === "number" && typeof p.fps === "number" && p.percent! > 0 && p.percent! < 100)).toBe(true);
  });
});

describe("inputs", () => {
  it("reads a file inside TRANSCODE_INPUT_DIR and refuses paths outside it", async () => {
    const inputDir = path.join(dir, "inputs");
    await mkdir(inputDir, { recursive: true });
    await writeFile(path.join(inputDir, "clip.mp4"), await readFile(path.join(dir, "short.mp4")));
    process.env.TRANSCODE_INPUT_DIR = inputDir;
    const { items } = await runNode(transcodeNode, { binary: store, config: { source: "file", filePath: "clip.mp4", hls: false, thumbnails: "times", thumbnailTimes: [3, 0.5, 9] } });
    expect((items[0]!.json.thumbnails as { timeSeconds: number }[]).map((t) => t.timeSeconds)).toEqual([0.5, 3]);

    const outside = await failure(runNode(transcodeNode, { binary: store, config: { source: "file", filePath: "../short.mp4" } }));
    expect(outside).toBeInstanceOf(NodeConfigError);
    expect(outside.message).toBe('"../short.mp4" is outside TRANSCODE_INPUT_DIR; only files inside that folder may be read');
    const missing = await failure(runNode(transcodeNode, { binary: store, config: { source: "file", filePath: "nope.mp4" } }));
    expect(missing.message).toBe('There is no file "nope.mp4" in TRANSCODE_INPUT_DIR; check the name (it is relative to that folder)');
    delete process.env.TRANSCODE_INPUT_DIR;
    const unset = await failure(runNode(transcodeNode, { binary: store, config: { source: "file", filePath: "clip.mp4" } }));
    expect(unset.message).toContain("needs TRANSCODE_INPUT_DIR");
  }, 120_000);

  it("downloads an HTTP URL through the guarded client, and refuses loopback unless allowed", async () => {
    const bytes = await readFile(path.join(dir, "short.mp4"));
    const server = await startTestServer((req, res) => {
      if (req.url === "/gone.mp4") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "video/mp4" }).end(bytes);
    });
    const refused = await failure(runNode(transcodeNode, { binary: store, config: { source: "url", url: `${server.url}/clip.mp4`, hls: false, audio: "wav" } }));
    expect(refused).toBeInstanceOf(NodeConfigError);
    expect(refused.message).toContain("127.0.0.1 (loopback)");
    const { items } = await runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url: `${server.url}/clip.mp4`, hls: false, audio: "wav" } });
    expect((await ffprobe(path.join(storeRoot, TEST_WORKSPACE_ID, items[0]!.binary!.audio!.id))).streams[0]!.codec_name).toBe("pcm_s16le");

    const gone = await failure(runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url: `${server.url}/gone.mp4` } }));
    expect(gone).toBeInstanceOf(NodeExternalError);
    expect(gone.message).toBe(`${server.url}/gone.mp4 answered 404; check the URL`);
  }, 120_000);

  it("reads an HLS URL with ffmpeg itself after checking its host", async () => {
    const first = await runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: short } }], config: { segmentSeconds: 2, renditions: [{ height: 240, videoBitrateKbps: 300, audioBitrateKbps: 64 }] } });
    const folder = path.join(storeRoot, TEST_WORKSPACE_ID, first.items[0]!.binary!.hls!.id);
    const server = await startTestServer(async (req, res) => {
      res.writeHead(200).end(await readFile(path.join(folder, req.url!.slice(1))).catch(() => ""));
    });
    const refused = await failure(runNode(transcodeNode, { binary: store, config: { source: "url", url: `${server.url}/master.m3u8`, hls: false, audio: "aac" } }));
    expect(refused.message).toContain("loopback");
    const { items } = await runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url: `${server.url}/master.m3u8`, hls: false, audio: "aac" } });
    expect(items[0]!.json.source).toMatchObject({ format: "hls", audioCodec: "aac" });
    expect((await ffprobe(path.join(storeRoot, TEST_WORKSPACE_ID, items[0]!.binary!.audio!.id))).streams[0]!.codec_name).toBe("aac");
  }, 120_000);
});

/** Whether something listens on a loopback TCP port, read from the kernel's table: connecting would use up a one-client server. */
async function listening(port: number): Promise<boolean> {
  const table = await readFile("/proc/net/tcp", "utf8");
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1] === local && fields[3] === "0A";
  });
}

/** An RTMP server on loopback: ffmpeg in listen mode streams a test pattern with a tone, in real time, to the one client that connects. */
async function serveRtmp(seconds: number): Promise<{ url: string; done: Promise<void>; stop(): void }> {
  const port = await freePort();
  const url = `rtmp://127.0.0.1:${port}/live/test`;
  const child = spawn(
    "ffmpeg",
    ["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-f", "lavfi", "-i", "sine", "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-c:a", "aac", "-f", "flv", "-listen", "1", url],
    { stdio: "ignore" },
  );
  const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let exited = false;
  void done.then(() => (exited = true));
  while (!(await listening(port))) {
    if (exited) throw new Error(`the RTMP test server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, done, stop: () => void child.kill("SIGKILL") };
}

describe("RTMP input", () => {
  it("records a live stream once, for the duration limit, into an HLS ladder; refuses a private host and a missing limit before connecting", async () => {
    const source = await serveRtmp(8);
    try {
      const foldersBefore = await workFolders();
      // Both are refused before ffmpeg starts: the server serves one client, and it is still there for the run below.
      const refused = await failure(runNode(transcodeNode, { binary: store, config: { source: "url", url: source.url, durationSeconds: 3 } }));
      expect(refused).toBeInstanceOf(NodeConfigError);
      expect(refused.message).toContain("127.0.0.1 (loopback)");
      const unlimited = await failure(runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url: source.url } }));
      expect(unlimited).toBeInstanceOf(NodeConfigError);
      expect(unlimited.message).toBe(`${source.url} is a live RTMP stream, which never ends; set "Duration limit" to say how much of it to transcode`);
      expect(await listening(Number(new URL(source.url).port))).toBe(true);

      const { items, progress } = await runNode(transcodeNode, {
        binary: store,
        allowHosts: ["127.0.0.1"],
        config: {
          source: "url",
          url: source.url,
          durationSeconds: 3,
          segmentSeconds: 1,
          renditions: [
            { height: 240, videoBitrateKbps: 400, audioBitrateKbps: 64 },
            { height: 144, videoBitrateKbps: 150, audioBitrateKbps: 48 },
          ],
        },
      });
      const item = items[0]!;
      expect(item.json.source).toEqual({ format: "flv", width: 320, height: 240, videoCodec: "h264", audioCodec: "aac" });
      expect(item.json.durationSeconds).toBeCloseTo(3, 0);
      expect(progress.some((p) => p.message?.startsWith(`Recording ${source.url}: `))).toBe(true);

      const folder = path.join(storeRoot, TEST_WORKSPACE_ID, item.binary!.hls!.id);
      const master = await readFile(path.join(folder, "master.m3u8"), "utf8");
      expect(master).toContain("RESOLUTION=320x240");
      expect(master).toContain("RESOLUTION=192x144");
      for (const [name, height] of [["0", 240], ["1", 144]] as const) {
        const playlist = await readFile(path.join(folder, name, "index.m3u8"), "utf8");
        expect(playlist).toContain("#EXT-X-ENDLIST");
        const seconds = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
        expect(seconds).toBeGreaterThan(2.5);
        expect(seconds).toBeLessThan(3.5);
        const segment = playlist.split("\n").find((l) => l.endsWith(".ts"))!;
        const probe = await ffprobe(path.join(folder, name, segment));
        expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["video", "h264"], ["audio", "aac"]]);
        expect(probe.streams[0]!.height).toBe(height);
      }
      expect(runningPids.size).toBe(0);
      expect(await workFolders()).toEqual(foldersBefore);
    } finally {
      source.stop();
      await source.done;
    }
  }, 120_000);

  it("says clearly that nobody serves the stream, and leaves no process or folder behind", async () => {
    const before = await outputsStored();
    const foldersBefore = await workFolders();
    const url = `rtmp://127.0.0.1:${await freePort()}/live/nobody`;
    const err = await failure(runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url, durationSeconds: 3 } }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toMatch(new RegExp(`^Could not open ${url}: .*Connection refused; check the URL and that the stream is live$`));
    expect(runningPids.size).toBe(0);
    expect(await workFolders()).toEqual(foldersBefore);
    expect(await outputsStored()).toEqual(before);
  }, 60_000);
});

describe("bad input harms nothing stored", () => {
  it("explains non-media input, a missing attachment, an unreachable URL and an audio-less input", async () => {
    const before = await outputsStored();
    const text = await store.put(Buffer.from("this is not a video\n".repeat(100)), { workspaceId: TEST_WORKSPACE_ID, mimeType: "text/plain", fileName: "notes.txt" });
    inputs.add(text.id);
    const notMedia = await failure(runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: text } }] }));
    expect(notMedia.code).toBe("BAD_INPUT");
    expect(notMedia.message).toMatch(/^the binary "data" \(notes\.txt\) is not a media file ffmpeg can read \(.*Invalid data found when processing input\); pass a video or audio file$/);

    const playlist = await store.put(Buffer.from("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n"), { workspaceId: TEST_WORKSPACE_ID, mimeType: "application/vnd.apple.mpegurl" });
    inputs.add(playlist.id);
    expect((await failure(runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: playlist } }] }))).message).toContain("is an HLS playlist; give its URL instead");

    const noAttachment = await failure(runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { video: short } }] }));
    expect(noAttachment.message).toBe('The input item has no binary "data" to transcode; it has "video". Set "Binary property" to the attachment that holds the video.');

    const closed = await startTestServer((_req, res) => res.end());
    await closed.close();
    const unreachable = await failure(runNode(transcodeNode, { binary: store, allowHosts: ["127.0.0.1"], config: { source: "url", url: `${closed.url}/live.m3u8` } }));
    expect(unreachable).toBeInstanceOf(NodeExternalError);
    expect(unreachable.message).toMatch(new RegExp(`^Could not open ${closed.url}/live.m3u8: connect ECONNREFUSED 127.0.0.1:${closed.port}; check the URL and that the stream is live$`));

    await makeVideo(path.join(dir, "silent.mp4"), 1, false);
    const silent = await store.put(await readFile(path.join(dir, "silent.mp4")), { workspaceId: TEST_WORKSPACE_ID, mimeType: "video/mp4" });
    inputs.add(silent.id);
    const noAudio = await failure(runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: silent } }], config: { hls: false, audio: "mp3" } }));
    expect(noAudio.message).toBe('the binary "data" has no audio stream to extract; set "Extract audio" to none');

    expect(() => transcodeNode.config.parse({ source: "url" })).toThrow(/is required when the input is a URL/);
    expect(await outputsStored()).toEqual(before);
  }, 120_000);
});

describe("stopping", () => {
  it("cancel kills ffmpeg, removes the work folder and stores nothing", async () => {
    const before = await outputsStored();
    const foldersBefore = await workFolders();
    const controller = new AbortController();
    const pids = new Set<number>();
    const run = runNode(transcodeNode, {
      binary: store,
      signal: controller.signal,
      input: [{ json: {}, binary: { data: long } }],
      config: { mp4: true, thumbnails: "interval", thumbnailEverySeconds: 1, audio: "mp3" },
    });
    // Cancel once ffmpeg is under way and has written some output.
    while (pids.size === 0 || (await workFolders()).length === foldersBefore.length) {
      for (const pid of runningPids) pids.add(pid);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    controller.abort();
    const err = await failure(run);
    expect(err).toBeInstanceOf(NodeCancelledError);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    expect(runningPids.size).toBe(0);
    expect(await workFolders()).toEqual(foldersBefore);
    expect(await outputsStored()).toEqual(before);
    expect(transcodeSlots.running).toBe(0);
  }, 120_000);

  it("a process killed outright leaves ffmpeg running in its work folder; the next process stops it and removes the folder, leaving running processes alone", async () => {
    // A separate process transcoding from TRANSCODE_INPUT_DIR, killed with SIGKILL while ffmpeg works.
    const inputDir = path.join(dir, "killed-inputs");
    await mkdir(inputDir, { recursive: true });
    await writeFile(path.join(inputDir, "long.mp4"), await readFile(path.join(dir, "long.mp4")));
    const script = `
      const { runNode } = require(${JSON.stringify(path.resolve(import.meta.dirname, "../../runner/node-testing.ts"))});
      const { transcodeNode } = require(${JSON.stringify(path.resolve(import.meta.dirname, "transcode.node.ts"))});
      void runNode(transcodeNode, { config: { source: "file", filePath: "long.mp4", mp4: true } });`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, TRANSCODE_INPUT_DIR: inputDir }, stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const host = os.hostname().replace(/[^A-Za-z0-9.]/g, "_");
    const mine = (name: string) => name.startsWith(`streamware-transcode-${child.pid}-${host}-`);
    let left: string | undefined;
    for (let i = 0; !left; i++) {
      if (child.exitCode !== null || i > 1200) throw new Error("the transcoding process ended before it made a work folder");
      await new Promise((r) => setTimeout(r, 50));
      // Kill once ffmpeg has written into the folder.
      const folder = (await allWorkFolders()).find(mine);
      if (folder && (await readdir(path.join(os.tmpdir(), folder))).includes("hls")) left = folder;
    }
    child.kill("SIGKILL");
    await exited;
    expect((await allWorkFolders()).filter(mine)).toEqual([left]);
    // ffmpeg outlives its killed parent, still working in the folder.
    const orphans = await pidsWorkingIn(path.join(os.tmpdir(), left));
    expect(orphans.length).toBe(1);

    // Another machine's folder and a running process's folder, with names of the same shape.
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    const running = await mkdtemp(path.join(os.tmpdir(), `streamware-transcode-${sleeper.pid}-${host}-`));
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), `streamware-transcode-${child.pid}-another.machine-`));
    try {
      const { folders: removed, stopped } = await removeStaleWorkFolders();
      expect(removed).toContain(left);
      expect(removed).not.toContain(path.basename(running));
      expect(removed).not.toContain(path.basename(elsewhere));
      expect(stopped).toEqual(expect.arrayContaining(orphans));
      for (let i = 0; !(await Promise.all(orphans.map(gone))).every(Boolean); i++) {
        if (i > 200) throw new Error(`ffmpeg ${orphans.join(", ")} still runs`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await allWorkFolders()).filter(mine)).toEqual([]);
      expect(await allWorkFolders()).toEqual(expect.arrayContaining([path.basename(running), path.basename(elsewhere)]));
    } finally {
      sleeper.kill("SIGKILL");
      await rm(running, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 120_000);

  it("stops at its time limit with a timeout error", async () => {
    const err = await failure(runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: long } }], config: { timeoutSeconds: 1 } }));
    expect(err).toBeInstanceOf(NodeTimeoutError);
    expect(runningPids.size).toBe(0);
  }, 60_000);
});

describe("concurrency", () => {
  it("runs one transcode at a time with TRANSCODE_CONCURRENCY=1: the second waits for the first", async () => {
    const events: string[] = [];
    const config = { hls: false, audio: "mp3" as const, durationSeconds: 6 };
    const run = (name: string) =>
      runNode(transcodeNode, {
        binary: store,
        input: [{ json: {}, binary: { data: long } }],
        config,
        limits: { transcodeConcurrency: 1 },
      }).then((r) => {
        events.push(`${name} done`);
        return r;
      });
    const first = run("first");
    while (transcodeSlots.running === 0) await new Promise((r) => setTimeout(r, 20));
    const second = run("second");
    let sawQueued = false;
    let most = 0;
    while (events.length < 2) {
      if (transcodeSlots.queued === 1) sawQueued = true;
      most = Math.max(most, runningPids.size);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sawQueued).toBe(true);
    expect(most).toBe(1);
    expect(events).toEqual(["first done", "second done"]);
    const waited = (await second).progress;
    expect(waited[0]).toEqual({ percent: 0, message: "Waiting for a free transcode slot" });
    await first;
  }, 120_000);
});
