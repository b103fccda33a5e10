import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode, TEST_WORKSPACE_ID } from "@/runner/node-testing";
import { transcodeNode } from "@/nodes/transcode/transcode.node";
import { LocalBinaryStore } from "@/runner/binary-store";
import { fileLinksOf } from "./data-model";

const exec = promisify(execFile);
let dir: string;
let store: LocalBinaryStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "file-links-test-"));
  store = new LocalBinaryStore(path.join(dir, "store"), { urlSecret: "a test secret of some length" });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("file links in the data view", () => {
  it("finds a real transcode's MP4, HLS playlists, thumbnails and audio as playable or linkable files", async () => {
    const source = path.join(dir, "clip.mp4");
    await exec("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", source]);
    const ref = await store.put(createReadStream(source), { workspaceId: TEST_WORKSPACE_ID, mimeType: "video/mp4", fileName: "clip.mp4" });
    const { items } = await runNode(transcodeNode, {
      binary: store,
      input: [{ json: {}, binary: { data: ref } }],
      config: { renditions: [{ height: 180, videoBitrateKbps: 300, audioBitrateKbps: 64 }], mp4: true, mp4Height: 180, thumbnails: "interval", thumbnailEverySeconds: 1, audio: "mp3" },
    });
    const item = items[0]!;
    const links = fileLinksOf(item);
    const byPath = Object.fromEntries(links.map((l) => [l.path, l]));

    const json = item.json as { mp4: { url: string }; hls: { playlistUrl: string }; audio: { url: string }; thumbnails: { url: string }[] };
    expect(byPath["mp4.url"]).toEqual({ path: "mp4.url", url: json.mp4.url, kind: "video" });
    expect(byPath["hls.playlistUrl"]).toEqual({ path: "hls.playlistUrl", url: json.hls.playlistUrl, kind: "hls" });
    expect(byPath["hls.renditions[0].playlistUrl"]?.kind).toBe("hls");
    expect(byPath["audio.url"]).toMatchObject({ url: json.audio.url, kind: "audio" });
    expect(json.thumbnails.length).toBeGreaterThan(0);
    expect(links.filter((l) => l.kind === "image").map((l) => l.url)).toEqual(json.thumbnails.map((t) => t.url));
    // Each is a URL the app serves for that object: the store accepts its token.
    for (const link of links) {
      const [, , workspaceId, id, token] = link.url.split("/");
      expect(store.verifyToken(workspaceId!, id!, token!)).toBe(true);
    }
  }, 120_000);

  it("ignores anything that is not this app's own signed file path", () => {
    const item = {
      json: {
        external: "https://example.test/files/ws/obj/token/a.mp4",
        protocolRelative: "//evil.test/files/ws/obj/token/a.mp4",
        script: "javascript:alert(1)//files/",
        escape: "/files/ws/obj/token/../../../etc/passwd",
        short: "/files/ws/obj",
        spaced: "/files/ws/obj/token/a b.mp4",
        fine: "/files/ws/obj/token/clip.mp4",
      },
    };
    expect(fileLinksOf(item)).toEqual([{ path: "fine", url: "/files/ws/obj/token/clip.mp4", kind: "video" }]);
    expect(fileLinksOf({ json: "/files/ws/obj/token/master.m3u8" })).toEqual([{ path: "", url: "/files/ws/obj/token/master.m3u8", kind: "hls" }]);
    expect(fileLinksOf({ json: { list: Array.from({ length: 80 }, () => "/files/ws/obj/token/x.bin") } })).toHaveLength(50);
  });
});
