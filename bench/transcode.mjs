// `node bench/transcode.mjs [--seconds=30] [--runs=2]`
// Transcode speed through the transcode node (runNode, the real ffmpeg): a 720p testsrc + sine input to a
// one-rendition and a three-rendition HLS ladder. Prints `BENCH <name> <value> <unit>` lines; the figure is how
// many seconds of video are transcoded per second of wall time (x real time), the best of the runs. The baseline,
// measured in the same run: bare ffmpeg with the very argument list the node builds, so the difference is what the
// node adds (probing, progress, storing the outputs).
import { execFile, spawn } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

if (!process.execArgv.some((a) => a.includes("tsx"))) {
  // The node is TypeScript: run this script again with the TypeScript loader.
  const child = spawn(process.execPath, ["--import", "tsx", ...process.argv.slice(1)], { stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main() {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
  const seconds = Number(args.seconds ?? 30);
  const runs = Number(args.runs ?? 2);
  const { LocalBinaryStore } = await import("../runner/binary-store.ts");
  const { runNode, TEST_WORKSPACE_ID } = await import("../runner/node-testing.ts");
  const { transcodeNode } = await import("../nodes/transcode/transcode.node.ts");
  const { buildFfmpegArgs } = await import("../nodes/transcode/ffmpeg-args.ts");

  const dir = mkdtempSync(path.join(os.tmpdir(), "streamware-bench-transcode-"));
  try {
    const input = path.join(dir, "input.mp4");
    await promisify(execFile)("ffmpeg", [
      "-v", "error", "-f", "lavfi", "-i", `testsrc=size=1280x720:rate=30:duration=${seconds}`,
      "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", input,
    ]);
    const store = new LocalBinaryStore(path.join(dir, "store"));
    const ref = await store.put(createReadStream(input), { workspaceId: TEST_WORKSPACE_ID, mimeType: "video/mp4" });
    const ladders = {
      "1-rendition": [{ height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 }],
      "3-rendition": [
        { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
        { height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96 },
        { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 64 },
      ],
    };
    console.log(`# ${seconds} s of 720p30 testsrc + sine, ${os.cpus().length} cores, best of ${runs}`);
    for (const [name, renditions] of Object.entries(ladders)) {
      let baseline = 0;
      for (let i = 0; i < runs; i++) {
        const work = mkdtempSync(path.join(dir, "bare-"));
        const argv = buildFfmpegArgs({ input, inputOptions: [], hasAudio: true, sourceHeight: 720, hls: { segmentSeconds: 4, renditions } });
        const started = process.hrtime.bigint();
        await promisify(execFile)("ffmpeg", argv, { cwd: work, maxBuffer: 64 * 1024 * 1024 });
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(`# ${name} bare ffmpeg run ${i + 1}: ${wall.toFixed(2)} s wall, ${(seconds / wall).toFixed(2)}x real time`);
        baseline = Math.max(baseline, seconds / wall);
        rmSync(work, { recursive: true, force: true });
      }
      console.log(`BENCH transcode-720p-hls-${name}-bare-ffmpeg ${baseline.toFixed(2)} x-realtime`);
      let best = 0;
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const { items } = await runNode(transcodeNode, { binary: store, input: [{ json: {}, binary: { data: ref } }], config: { renditions } });
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        const speed = items[0].json.durationSeconds / wall;
        console.log(`# ${name} run ${i + 1}: ${wall.toFixed(2)} s wall, ${speed.toFixed(2)}x real time`);
        best = Math.max(best, speed);
        await store.delete(TEST_WORKSPACE_ID, items[0].binary.hls);
      }
      console.log(`BENCH transcode-720p-hls-${name} ${best.toFixed(2)} x-realtime`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
