import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { DbConnection } from "../server/db/connect";
import { createTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { QueueDispatcher, RUN_QUEUE } from "./queue-dispatch";
import type { RunSpec } from "../nodes/_core/run-types";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import { spawnWorkerProcess, workerClientIds, type WorkerProcess, waitFor } from "./test-worker-process";

/**
 * Queue mode end to end: real `npm run worker` processes on PostgreSQL and Redis, killed, terminated and left
 * without their Redis, while the runs they hold must still finish, each finished step exactly once.
 */

// This file's own Redis database: it is flushed here, and no other test file uses index 2.
const REDIS_URL = testRedisUrlFor(2);
const CONCURRENCY = 10;
const WORKERS_KEY = "streamware:workers";
const finishedStatuses = ["succeeded", "failed", "cancelled"] as const;

interface Hit {
  /** Arrival order at the counting server. */
  seq: number;
  path: string;
}

/** Counts requests by path: an HTTP request node calling it leaves one hit per real execution. */
async function startCountingServer() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ seq: hits.length, path: req.url ?? "" });
    // Answering a little later keeps requests in flight, so a killed worker likely dies in the middle of one.
    setTimeout(() => {
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    }, 10);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    hitsFor: (prefix: string) => hits.filter((hit) => hit.path.startsWith(prefix)),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Figures for a person reading the test output (how long recovery took); they are not asserted. */
function note(line: string): void {
  // eslint-disable-next-line no-console -- a figure for the reader, not a code path
  console.log(line);
}


// Worker processes start, die and resume here; on a busy machine that takes longer than the default minute.
describe("queue mode with worker processes", { timeout: 300_000 }, () => {
  let connection: DbConnection;
  let runtime: Runtime;
  let redis: Redis;
  let counter: Awaited<ReturnType<typeof startCountingServer>>;
  let userId: string;
  let workspaceId: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "streamware-queue-test-"));
  const workers: WorkerProcess[] = [];

  const db = () => connection.db;
  const queue = () => (runtime.dispatcher as QueueDispatcher).queue;
  const workerOutput = () => workers.map((w) => `worker ${w.pid}:\n${w.output() || "(no output)"}`).join("\n");

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    await redis.flushdb();
    connection = await createTestDatabase("postgres");
    if (connection.target.kind !== "postgres") throw new Error("worker processes need a PostgreSQL test database");
    counter = await startCountingServer();
    runtime = await startTestRuntime({ db: connection.db, role: "web", redis: REDIS_URL });
    expect(runtime.dispatcher).toBeInstanceOf(QueueDispatcher);
    const { user, workspace } = await signInAs({ db: connection.db, name: "Queue" });
    userId = user.id;
    workspaceId = workspace.id;
  });

  // Each test starts the workers it needs; whatever a failed test left running must not serve the next one.
  const killWorkers = async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
  };
  afterEach(killWorkers);

  afterAll(async () => {
    await killWorkers();
    await runtime?.close();
    await counter?.close();
    await connection?.close();
    await redis?.flushdb().catch(() => {});
    redis?.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Spawns `npm run worker` (the same command line) against this file's database and Redis. */
  async function startWorker(): Promise<WorkerProcess> {
    if (connection.target.kind !== "postgres") throw new Error("worker processes need a PostgreSQL test database");
    const worker = spawnWorkerProcess({
      databaseUrl: connection.target.url,
      redisUrl: REDIS_URL,
      env: { DATA_DIR: dataDir, WORKER_CONCURRENCY: String(CONCURRENCY), RECONCILE_INTERVAL_MS: "500", SHUTDOWN_GRACE_MS: "300" },
    });
    workers.push(worker);
    let gone = false;
    void worker.exited.then(() => (gone = true));
    // Ready when it sends heartbeats and BullMQ lists its run worker among the queue's clients.
    const known = await workerClientIds(queue());
    await waitFor(
      `worker ${worker.pid} to start`,
      async () => {
        if (gone) throw new Error(`worker ${worker.pid} exited while starting:\n${worker.output()}`);
        const alive = await redis.zrange(WORKERS_KEY, "0", "-1");
        return alive.some((id) => id.includes(`:${worker.pid}:`)) && [...(await workerClientIds(queue()))].some((id) => !known.has(id));
      },
      150_000,
      worker.output,
    );
    return worker;
  }

  /** Saves, activates and prepares a manual run of a flow, the way the Run button does. */
  async function activeFlow(name: string, nodes: { id: string; name: string; type: string; config: Record<string, unknown> }[]): Promise<RunSpec> {
    const document = {
      schema: "streamware.flow/1",
      nodes: nodes.map((node, i) => ({ ...node, position: { x: i * 200, y: 0 } })),
      edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: node.id })),
    };
    const flow = await flowService.create({ db: db(), userId, workspaceId, name, document });
    await flowService.saveVersion({ db: db(), userId, workspaceId, flowId: flow.id, document, message: "first" });
    await activationService.activate({ db: db(), userId, workspaceId, flowId: flow.id });
    return runService.prepareManual({ db: db(), userId, workspaceId, flowId: flow.id, source: "active" });
  }

  /** Trigger → HTTP request to the counting server (with the run id in the path) → delay → set. */
  const countingFlow = (name: string, prefix: string) =>
    activeFlow(name, [
      { id: "trigger", name: "Start", type: "core.manual-trigger", config: {} },
      { id: "count", name: "Count", type: "core.http-request", config: { method: "GET", url: `${counter.base}${prefix}{{ $runId }}` } },
      { id: "wait", name: "Wait", type: "core.delay", config: { ms: 30 } },
      { id: "finish", name: "Finish", type: "core.set", config: { fields: [{ name: "done", value: true }] } },
    ]);

  const runsOf = (runIds: string[]) =>
    db().run.findMany({ where: { id: { in: runIds } }, select: { id: true, status: true, workerId: true, finishedAt: true, error: true } });

  async function waitForRuns(runIds: string[], timeoutMs: number) {
    let last: Awaited<ReturnType<typeof runsOf>> = [];
    await waitFor(
      `${runIds.length} runs to finish`,
      async () => {
        last = await runsOf(runIds);
        return last.length === runIds.length && last.every((run) => (finishedStatuses as readonly string[]).includes(run.status));
      },
      timeoutMs,
      () => `${last.filter((run) => !(finishedStatuses as readonly string[]).includes(run.status)).length} unfinished\n${workerOutput()}`,
    );
    return last;
  }

  /** Every run has each of its nodes' steps once, and all succeeded. */
  async function expectStepsOnce(runIds: string[], nodeIds: string[]) {
    const repeated = await db().$queryRawUnsafe<{ runId: string; nodeId: string; n: bigint }[]>(
      `SELECT "runId", "nodeId", count(*) AS n FROM "Step" WHERE "runId" = ANY($1::text[]) GROUP BY 1, 2 HAVING count(*) > 1`,
      runIds,
    );
    expect(repeated).toEqual([]);
    const steps = await db().step.findMany({ where: { runId: { in: runIds } }, select: { runId: true, nodeId: true, status: true } });
    const byRun = new Map<string, string[]>();
    for (const step of steps) {
      expect(step.status, `${step.runId}/${step.nodeId}`).toBe("succeeded");
      byRun.set(step.runId, [...(byRun.get(step.runId) ?? []), step.nodeId]);
    }
    for (const runId of runIds) expect(byRun.get(runId)?.sort(), runId).toEqual([...nodeIds].sort());
  }

  it(
    "finishes every run, each step once, when a worker is killed in the middle of 200 runs",
    async () => {
      const [victim, survivor] = [await startWorker(), await startWorker()];
      const spec = await countingFlow("Killed worker", "/a/");
      const runIds = await Promise.all(Array.from({ length: 200 }, () => runtime.enqueue(spec)));

      await waitFor("60 runs to succeed", async () => (await db().run.count({ where: { id: { in: runIds }, status: "succeeded" } })) >= 60, 60_000, workerOutput);
      const killedAt = Date.now();
      victim.child.kill("SIGKILL");
      expect((await victim.exited).signal).toBe("SIGKILL");
      // The runs the dead worker held: claimed (the claim is one UPDATE) and not finished. Nothing else can take
      // them for seconds (its BullMQ lock and heartbeat must lapse first), so this is the state at its death.
      const held = await db().run.findMany({
        where: { id: { in: runIds }, status: "running", workerId: { contains: `:${victim.pid}:` } },
        select: { id: true },
      });
      // A step stored as finished by now is final: whoever resumes the run must not run it again. (A write still in flight
      // may land after this query; such a step is only treated as possibly repeated, which is the lenient side.)
      const storedAtKill = await db().step.findMany({
        where: { runId: { in: held.map((run) => run.id) }, nodeId: "count", status: { in: ["succeeded", "failed"] } },
        select: { runId: true },
      });
      // Requests the dead worker sent are in this process's socket buffers; the queries above let them be read.
      const hitsAtKill = counter.hits.length;
      const heldIds = new Set(held.map((run) => run.id));
      const storedIds = new Set(storedAtKill.map((step) => step.runId));
      expect(held.length, "the kill should catch the worker with runs in flight").toBeGreaterThan(0);
      expect(held.length).toBeLessThanOrEqual(CONCURRENCY);

      const runs = await waitForRuns(runIds, 90_000);
      const failed = runs.filter((run) => run.status !== "succeeded");
      expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
      // The survivor resumed what the victim held.
      for (const run of runs.filter((r) => heldIds.has(r.id))) expect(run.workerId).toContain(`:${survivor.pid}:`);
      expect(runs.filter((run) => run.workerId?.includes(`:${victim.pid}:`)).length, "the victim finished runs before it died").toBeGreaterThan(0);
      await expectStepsOnce(runIds, ["trigger", "count", "wait", "finish"]);

      // No finished step ran twice: a second execution of the HTTP node happens only for a run the victim held
      // when it died, whose step had run but was not stored yet; the first of the two came before the kill.
      const executions = new Map<string, Hit[]>();
      for (const hit of counter.hitsFor("/a/")) {
        const runId = hit.path.slice("/a/".length);
        executions.set(runId, [...(executions.get(runId) ?? []), hit]);
      }
      expect([...executions.keys()].sort()).toEqual([...runIds].sort());
      const repeated = [...executions].filter(([, hits]) => hits.length > 1);
      for (const [runId, hits] of repeated) {
        expect(heldIds.has(runId), `run ${runId} ran its HTTP step ${hits.length} times but the victim did not hold it`).toBe(true);
        expect(storedIds.has(runId), `run ${runId} ran its HTTP step again although the step was stored`).toBe(false);
        expect(hits.length).toBe(2);
        expect(hits[0]!.seq).toBeLessThan(hitsAtKill);
        expect(hits[1]!.seq).toBeGreaterThanOrEqual(hitsAtKill);
      }

      const lastHeld = Math.max(...runs.filter((run) => heldIds.has(run.id)).map((run) => run.finishedAt!.getTime()));
      const lastAny = Math.max(...runs.map((run) => run.finishedAt!.getTime()));
      note(
        `killed worker: ${held.length} runs held, ${repeated.length} HTTP steps repeated (run but not stored); ` +
          `its runs finished ${((lastHeld - killedAt) / 1000).toFixed(1)} s after the kill, all 200 after ${((lastAny - killedAt) / 1000).toFixed(1)} s`,
      );
    },
    180_000,
  );

  it(
    "re-queues runs from PostgreSQL after Redis lost them",
    async () => {
      const spec = await countingFlow("Flushed Redis", "/b/");
      const runIds = await Promise.all(Array.from({ length: 30 }, () => runtime.enqueue(spec)));
      // Waiting in the order of their workspace's backlog (see QueueDispatcher).
      expect(await Promise.all(runIds.map((id) => queue().getJobState(id)))).toEqual(runIds.map(() => "prioritized"));
      await redis.flushdb();
      expect(await queue().getJob(runIds[0]!)).toBeFalsy();

      await startWorker();
      const runs = await waitForRuns(runIds, 60_000);
      expect(runs.filter((run) => run.status !== "succeeded")).toEqual([]);
      await expectStepsOnce(runIds, ["trigger", "count", "wait", "finish"]);
      const perRun = runIds.map((runId) => counter.hitsFor(`/b/${runId}`).length);
      expect(perRun).toEqual(runIds.map(() => 1));
    },
    120_000,
  );

  it(
    "hands a run back on SIGTERM and another worker resumes it without repeating finished steps",
    async () => {
      const spec = await activeFlow("Terminated worker", [
        { id: "trigger", name: "Start", type: "core.manual-trigger", config: {} },
        { id: "before", name: "Before", type: "core.http-request", config: { method: "GET", url: `${counter.base}/c/before/{{ $runId }}` } },
        { id: "wait", name: "Wait", type: "core.delay", config: { ms: 3000 } },
        { id: "after", name: "After", type: "core.http-request", config: { method: "GET", url: `${counter.base}/c/after/{{ $runId }}` } },
      ]);
      const pair = [await startWorker(), await startWorker()];
      // A job left active by a worker that is gone comes back only through BullMQ's stalled-job check, seconds
      // later; a handed-back run must not take that path.
      const events = new QueueEvents(RUN_QUEUE, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }) });
      onTestFinished(() => events.close());
      const stalled: string[] = [];
      events.on("stalled", ({ jobId }) => stalled.push(jobId));
      await events.waitUntilReady();
      const runId = await runtime.enqueue(spec);

      // The delay is running once the step before it is stored.
      const before = await waitFor(
        "the step before the delay to be stored",
        () => db().step.findFirst({ where: { runId, nodeId: "before", status: "succeeded" }, select: { startedAt: true, finishedAt: true } }),
        30_000,
        workerOutput,
      );
      const { workerId } = await db().run.findUniqueOrThrow({ where: { id: runId }, select: { workerId: true } });
      const holder = pair.find((w) => workerId?.includes(`:${w.pid}:`));
      const other = pair.find((w) => w !== holder)!;
      expect(holder, `run held by ${workerId}`).toBeDefined();

      const terminatedAt = Date.now();
      holder!.child.kill("SIGTERM");
      const exit = await holder!.exited;
      expect(exit, holder!.output()).toEqual({ code: 0, signal: null });
      expect(holder!.output()).toContain("handing unfinished runs back to the queue");

      const [run] = await waitForRuns([runId], 30_000);
      expect(run!.status).toBe("succeeded");
      expect(run!.workerId).toContain(`:${other.pid}:`);
      await expectStepsOnce([runId], ["trigger", "before", "wait", "after"]);
      const stored = await db().step.findFirstOrThrow({ where: { runId, nodeId: "before" }, select: { startedAt: true, finishedAt: true } });
      expect(stored).toEqual(before);
      expect(counter.hitsFor(`/c/before/${runId}`)).toHaveLength(1);
      expect(counter.hitsFor(`/c/after/${runId}`)).toHaveLength(1);
      expect(stalled).not.toContain(runId);
      note(`terminated worker: run handed back and finished by the other worker ${((run!.finishedAt!.getTime() - terminatedAt) / 1000).toFixed(1)} s after SIGTERM (3 s of it the delay, run again)`);
    },
    120_000,
  );
});
