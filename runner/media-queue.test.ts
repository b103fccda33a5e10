import { execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BinaryRef } from "../nodes/_kit/items";
import { runningPids } from "../nodes/transcode/ffmpeg";
import type { DbConnection } from "../server/db/connect";
import { createTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import type { RunEvent } from "../nodes/_core/run-types";
import type { RunSpec } from "../nodes/_core/run-types";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import { spawnWorkerProcess, workerClientIds, waitFor } from "./test-worker-process";

/**
 * Queue mode with a media queue: this process takes only runs (WORKER_QUEUES=runs), a real worker process takes
 * only media (WORKER_QUEUES=media), so a transcode step that finishes can only have run over there.
 */

// This file's own Redis database: it is flushed here, and no other test file uses index 6.
const REDIS_URL = testRedisUrlFor(6);
const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ffmpeg processes whose parent is `pid`. */
async function ffmpegChildren(pid: number): Promise<number[]> {
  const { stdout } = await exec("ps", ["-o", "pid=,comm=", "--ppid", String(pid)]).catch(() => ({ stdout: "" }));
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === "ffmpeg")
    .map(([p]) => Number(p));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

describe("media queue in queue mode", { timeout: 300_000 }, () => {
  let connection: DbConnection;
  let runtime: Runtime;
  let redis: Redis;
  let userId: string;
  let workspaceId: string;
  type MediaWorkerProcess = { child: ChildProcess; pid: number; tmp: string; output: () => string; exited: Promise<unknown> };
  let mediaWorkers: MediaWorkerProcess[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "streamware-media-test-"));
  const binaryDir = path.join(dataDir, "binary");
  /** Transcode work folders left in a media worker's temp folder (tsx keeps its cache there too). */
  const leftovers = (worker: MediaWorkerProcess) => readdirSync(worker.tmp).filter((name) => name.startsWith("streamware-transcode-"));
  const urlSecret = randomBytes(32).toString("base64");
  const inputs: Record<"short" | "long", BinaryRef> = {} as never;

  const db = () => connection.db;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    await redis.flushdb();
    connection = await createTestDatabase("postgres");
    runtime = await startTestRuntime({
      db: connection.db,
      role: "worker",
      redis: REDIS_URL,
      env: { WORKER_QUEUES: "runs", BINARY_DIR: binaryDir, NEXTAUTH_SECRET: urlSecret },
    });
    const { user, workspace } = await signInAs({ db: connection.db, name: "Media" });
    userId = user.id;
    workspaceId = workspace.id;
    const work = mkdtempSync(path.join(os.tmpdir(), "streamware-media-input-"));
    for (const [name, seconds, size] of [
      ["short", 2, "256x144"],
      ["long", 60, "320x240"],
    ] as const) {
      const file = path.join(work, `${name}.mp4`);
      await exec("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", `testsrc=size=${size}:rate=25`, "-f", "lavfi", "-i", "sine=frequency=440", "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", file]);
      inputs[name] = await runtime.binary.put(await readFile(file), { workspaceId, mimeType: "video/mp4", fileName: `${name}.mp4` });
    }
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const worker of mediaWorkers) worker.child.kill("SIGKILL");
    await Promise.all(mediaWorkers.map((w) => w.exited));
    mediaWorkers = [];
  });

  afterAll(async () => {
    await runtime?.close();
    await connection?.close();
    await redis?.flushdb().catch(() => {});
    redis?.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `npm run worker`'s entry with only the media queue, against this file's database, Redis and storage. */
  async function startMediaWorker(): Promise<MediaWorkerProcess> {
    if (connection.target.kind !== "postgres") throw new Error("worker processes need a PostgreSQL test database");
    // Its own temp folder: its transcodes work in there, so what they leave behind is seen.
    const tmp = mkdtempSync(path.join(dataDir, "media-tmp-"));
    const { child, output, exited: spawned } = spawnWorkerProcess({
      databaseUrl: connection.target.url,
      redisUrl: REDIS_URL,
      env: {
        TMPDIR: tmp,
        DATA_DIR: dataDir,
        BINARY_DIR: binaryDir,
        WORKER_QUEUES: "media",
        MEDIA_CONCURRENCY: "1",
        SHUTDOWN_GRACE_MS: "200",
        NEXTAUTH_SECRET: urlSecret,
      },
    });
    let gone = false;
    const exited = spawned.then(() => (gone = true));
    const worker = { child, pid: child.pid!, tmp, output, exited };
    const known = await workerClientIds(runtime.media!.queue);
    mediaWorkers.push(worker);
    await waitFor(
      "the media worker to start",
      async () => {
        if (gone) throw new Error(`the media worker exited while starting:\n${output()}`);
        return [...(await workerClientIds(runtime.media!.queue))].some((id) => !known.has(id));
      },
      150_000,
      output,
    );
    return worker;
  }

  /** Trigger → transcode, saved and activated; the run's trigger item carries the input video as a binary. */
  async function transcodeRun(name: string, input: BinaryRef, renditions: number[]): Promise<RunSpec> {
    const document = {
      schema: "streamware.flow/1",
      nodes: [
        { id: "trigger", name: "Start", type: "core.manual-trigger", config: {}, position: { x: 0, y: 0 } },
        {
          id: "transcode",
          name: "Transcode",
          type: "media.transcode",
          config: { segmentSeconds: 1, renditions: renditions.map((height) => ({ height, videoBitrateKbps: 300, audioBitrateKbps: 64 })) },
          position: { x: 200, y: 0 },
        },
      ],
      edges: [{ id: "e0", source: "trigger", target: "transcode" }],
    };
    const flow = await flowService.create({ db: db(), userId, workspaceId, name, document });
    await flowService.saveVersion({ db: db(), userId, workspaceId, flowId: flow.id, document, message: "first" });
    await activationService.activate({ db: db(), userId, workspaceId, flowId: flow.id });
    const spec = await runService.prepareManual({ db: db(), userId, workspaceId, flowId: flow.id, source: "active" });
    return { ...spec, triggerItems: [{ json: {}, binary: { data: input } }] };
  }

  /** Stores and queues a run, listening to its events from before it starts. */
  async function start(spec: RunSpec, events: RunEvent[]) {
    const runId = await runtime.executor.createQueued(spec);
    const off = runtime.events.subscribe(runId, (event) => events.push(event));
    await runtime.dispatcher.enqueue({ runId, workspaceId: spec.workspaceId });
    return { runId, off };
  }

  const transcoding = (events: RunEvent[], runId?: string) =>
    events.filter((e): e is RunEvent & { type: "step.progress" } => e.type === "step.progress" && (!runId || e.runId === runId) && String(e.progress.message).startsWith("Transcoding"));

  it("runs a transcode step in the media worker, relays its progress and stores its HLS", async () => {
    const worker = await startMediaWorker();
    const events: RunEvent[] = [];
    const { runId, off } = await start(await transcodeRun("Media ok", inputs.short, [144]), events);
    // While it transcodes, ffmpeg is the media worker's child, and this process runs none.
    let seenInWorker = false;
    const finished = runtime.waitForRun(runId, 60_000);
    let done = false;
    void finished.finally(() => (done = true));
    while (!done) {
      if ((await ffmpegChildren(worker.pid)).length > 0) {
        seenInWorker = true;
        expect(runningPids.size).toBe(0);
      }
      await sleep(20);
    }
    off();
    const end = await finished;
    expect(end.status, worker.output()).toBe("succeeded");
    expect(seenInWorker).toBe(true);
    expect(runningPids.size).toBe(0);

    const progress = events.filter((e) => e.type === "step.progress");
    expect(progress[0]).toMatchObject({ nodeId: "transcode", progress: { message: "Queued for a media worker" } });
    expect(transcoding(events).length).toBeGreaterThan(0);
    expect(transcoding(events)[0]!.progress).toHaveProperty("speed");
    expect(progress.at(-1)!.progress).toMatchObject({ percent: 100, message: "Done" });

    const run = await runService.get({ db: db(), userId, workspaceId, runId });
    const item = (run.output as { items: { out: { json: { hls: { playlistUrl: string; renditions: { height: number }[] } }; binary: { hls: BinaryRef } }[] } }).items.out[0]!;
    expect(item.json.hls.renditions.map((r) => r.height)).toEqual([144]);
    // Signed by the media worker with the shared secret: the same URL this process would serve.
    expect(item.json.hls.playlistUrl).toBe(runtime.binary.signedPath(workspaceId, item.binary.hls));
    const master = (await runtime.binary.read(workspaceId, `${item.binary.hls.id}/master.m3u8`)).toString("utf8");
    expect(master).toContain("#EXT-X-STREAM-INF");
    const segments = (await filesUnder(path.join(binaryDir, workspaceId, item.binary.hls.id))).filter((f) => f.endsWith(".ts"));
    expect(segments.length).toBeGreaterThan(0);
    expect(leftovers(worker)).toEqual([]);
  });

  it("cancelling the run kills ffmpeg in the media worker and leaves nothing behind", async () => {
    const worker = await startMediaWorker();
    const storedBefore = await filesUnder(binaryDir);
    const events: RunEvent[] = [];
    const { runId, off } = await start(await transcodeRun("Media cancel", inputs.long, [240, 360]), events);
    await waitFor("ffmpeg to report progress", () => transcoding(events, runId).length > 0, 60_000, worker.output);
    const [pid] = await waitFor("ffmpeg in the media worker", async () => {
      const pids = await ffmpegChildren(worker.pid);
      return pids.length ? pids : null;
    }, 10_000);
    expect(leftovers(worker)).toHaveLength(1);

    await runtime.cancel(runId);
    const end = await runtime.waitForRun(runId, 30_000);
    off();
    expect(end.status).toBe("cancelled");
    await waitFor(`ffmpeg ${pid} to be gone`, () => !alive(pid!), 10_000, worker.output);
    await waitFor("the media worker's temp folder to be removed", () => leftovers(worker).length === 0, 10_000, () => leftovers(worker).join(", "));
    expect(await filesUnder(binaryDir)).toEqual(storedBefore);
    expect(worker.child.exitCode).toBeNull();
  });

  // SIGTERM: the worker stops ffmpeg and puts the job back at once. SIGKILL: its lock lapses and BullMQ's stalled
  // check gives the job to the other worker (a second loss would fail the step instead of leaving it waiting).
  it.each(["SIGTERM", "SIGKILL"] as const)("a media worker stopped by %s mid-transcode: another one finishes the step", async (signal) => {
    const first = await startMediaWorker();
    const events: RunEvent[] = [];
    const { runId, off } = await start(await transcodeRun(`Media ${signal}`, inputs.long, [240]), events);
    await waitFor("ffmpeg to report progress", () => transcoding(events, runId).length > 0, 60_000, first.output);
    const [pid] = await waitFor("ffmpeg in the first media worker", async () => {
      const pids = await ffmpegChildren(first.pid);
      return pids.length ? pids : null;
    }, 10_000);
    const second = await startMediaWorker();
    first.child.kill(signal);
    await first.exited;
    if (signal === "SIGTERM") {
      expect(alive(pid!)).toBe(false);
      expect(leftovers(first)).toEqual([]);
    }
    const end = await runtime.waitForRun(runId, 60_000);
    off();
    expect(end.status, `${first.output()}\n${second.output()}`).toBe("succeeded");
    expect(leftovers(second)).toEqual([]);
    const run = await runService.get({ db: db(), userId, workspaceId, runId });
    expect(run.steps.find((step) => step.nodeId === "transcode")).toMatchObject({ status: "succeeded", attempt: 1 });
  });

  it("with MEDIA_CONCURRENCY=1 a second transcode waits for the first", async () => {
    await startMediaWorker();
    const events: RunEvent[] = [];
    const first = await start(await transcodeRun("Media first", inputs.short, [144]), events);
    await waitFor("the first transcode to start", () => transcoding(events, first.runId).length > 0, 60_000);
    const second = await start(await transcodeRun("Media second", inputs.short, [144]), events);
    const ends = await Promise.all([runtime.waitForRun(first.runId, 180_000), runtime.waitForRun(second.runId, 180_000)]);
    first.off();
    second.off();
    expect(ends.map((e) => e.status)).toEqual(["succeeded", "succeeded"]);

    // Progress is relayed in the order the media worker sent it: the second began after the first's last.
    const order = transcoding(events).map((e) => e.runId);
    expect(order.lastIndexOf(first.runId)).toBeLessThan(order.indexOf(second.runId));
    const jobs = await runtime.media!.queue.getJobs(["completed"]);
    const jobOf = (runId: string) => jobs.find((job) => job.data.run.id === runId)!;
    expect(jobOf(second.runId).processedOn!).toBeGreaterThanOrEqual(jobOf(first.runId).finishedOn!);
  });
});
