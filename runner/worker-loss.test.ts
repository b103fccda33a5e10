import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { idempotencyKey } from "../nodes/_kit/idempotency";
import type { DbConnection } from "../server/db/connect";
import { createTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { RunStore } from "../server/services/run-store";
import { QueueDispatcher } from "./queue-dispatch";
import type { RunSpec } from "../nodes/_core/run-types";
import type { Runtime } from "./runtime";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import { spawnWorkerProcess, workerClientIds, type WorkerProcess, waitFor } from "./test-worker-process";

/**
 * Queue mode when workers are lost in a step: real `npm run worker` processes killed or frozen (SIGSTOP) while a
 * step of theirs is in flight. A re-run step counts its attempt and keeps its idempotency key, a step that keeps
 * losing its worker fails its run, and a cancel ends a run whose worker is stuck.
 */

// This file's own Redis database: it is flushed here, and no other test file uses index 14.
const REDIS_URL = testRedisUrlFor(14);
const WORKERS_KEY = "streamware:workers";
const MAX_LOSSES = 2;

interface Hit {
  path: string;
  idempotencyKey: string | undefined;
}

/**
 * Records each request with its Idempotency-Key. Requests under /hold/ get no answer until `release`, those under
 * /once/ only the first time (later ones are answered at once); the rest are answered at once.
 */
async function startHoldingServer() {
  const hits: Hit[] = [];
  const held: http.ServerResponse[] = [];
  const answer = (res: http.ServerResponse) => {
    res.setHeader("content-type", "application/json");
    res.end('{"ok":true}');
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    const seenBefore = hits.some((hit) => hit.path === url);
    hits.push({ path: url, idempotencyKey: req.headers["idempotency-key"] as string | undefined });
    if (url.startsWith("/hold/") || (url.startsWith("/once/") && !seenBefore)) held.push(res);
    else answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hitsFor: (prefix: string) => hits.filter((hit) => hit.path.startsWith(prefix)),
    release: () => held.splice(0).forEach((res) => (res.writableEnded || res.destroyed ? undefined : answer(res))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


describe("queue mode when workers are lost in a step", { timeout: 300_000 }, () => {
  let connection: DbConnection;
  let runtime: Runtime;
  let redis: Redis;
  let server: Awaited<ReturnType<typeof startHoldingServer>>;
  let userId: string;
  let workspaceId: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "streamware-worker-loss-test-"));
  const workers: WorkerProcess[] = [];

  const db = () => connection.db;
  const queue = () => (runtime.dispatcher as QueueDispatcher).queue;
  const workerOutput = () => workers.map((w) => `worker ${w.pid}:\n${w.output() || "(no output)"}`).join("\n");

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    await redis.flushdb();
    connection = await createTestDatabase("postgres");
    server = await startHoldingServer();
    runtime = await startTestRuntime({ db: connection.db, role: "web", redis: REDIS_URL });
    const { user, workspace } = await signInAs({ db: connection.db, name: "WorkerLoss" });
    userId = user.id;
    workspaceId = workspace.id;
  });

  const killWorkers = async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
  };
  afterEach(async () => {
    await killWorkers();
    server.release();
  });

  afterAll(async () => {
    await killWorkers();
    await runtime?.close();
    await server?.close();
    await connection?.close();
    await redis?.flushdb().catch(() => {});
    redis?.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<WorkerProcess> {
    if (connection.target.kind !== "postgres") throw new Error("worker processes need a PostgreSQL test database");
    const worker = spawnWorkerProcess({
      databaseUrl: connection.target.url,
      redisUrl: REDIS_URL,
      env: { DATA_DIR: dataDir, RECONCILE_INTERVAL_MS: "500", SHUTDOWN_GRACE_MS: "300", RUN_MAX_WORKER_LOSSES: String(MAX_LOSSES) },
    });
    workers.push(worker);
    let gone = false;
    void worker.exited.then(() => (gone = true));
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

  const runOf = (runId: string) => db().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, workerId: true, error: true, finishedAt: true } });
  const stepOf = (runId: string, nodeId: string) =>
    db().step.findUnique({ where: { runId_nodeId: { runId, nodeId } }, select: { status: true, attempt: true, workerLosses: true, error: true } });

  /** Waits until this worker holds the run and has started the step (stored as running) and sent its request. */
  async function waitForStepOn(worker: WorkerProcess, { runId, nodeId, prefix, hits, attempt }: { runId: string; nodeId: string; prefix: string; hits: number; attempt: number }) {
    await waitFor(
      `worker ${worker.pid} to run attempt ${attempt} of "${nodeId}"`,
      async () => {
        const [run, step] = await Promise.all([runOf(runId), stepOf(runId, nodeId)]);
        return run.workerId?.includes(`:${worker.pid}:`) && step?.status === "running" && step.attempt === attempt && server.hitsFor(prefix).length === hits;
      },
      90_000,
      workerOutput,
    );
  }

  async function waitForEnd(runId: string) {
    return waitFor(
      "the run to end",
      async () => {
        const run = await runOf(runId);
        return ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
      },
      90_000,
      workerOutput,
    );
  }

  it("never moves a cancelled run again, nor lets a replaced worker write its steps, whatever it writes later", async () => {
    const spec = await activeFlow("Late writes", [{ id: "trigger", name: "Start", type: "core.manual-trigger", config: {} }]);
    const runId = await runtime.executor.createQueued(spec);
    // Not this test runtime's own id: it hands back runs stored as running under its id that it does not run.
    const holder = "worker-that-holds-it";
    await db().run.update({ where: { id: runId }, data: { status: "running", workerId: holder, startedAt: new Date() } });
    const store = new RunStore(db());
    const at = new Date();
    const step = { workspaceId, runId, nodeId: "trigger", nodeName: "Start", nodeType: "core.manual-trigger", attempt: 1, input: null, output: null };
    const stepRow = { ...step, status: "succeeded" as const, inputTruncated: false, outputTruncated: false, outputRef: null, error: null, startedAt: at, finishedAt: at, durationMs: 0 };
    await store.saveStep({ ...stepRow, writerId: "replaced-worker" });
    expect(await stepOf(runId, "trigger")).toBeNull();
    await store.saveStep({ ...stepRow, writerId: holder });
    expect(await stepOf(runId, "trigger")).toMatchObject({ status: "succeeded" });

    expect(await runService.markCancelled({ db: db(), runId })).toBe("running");
    const row = await db().run.findUniqueOrThrow({ where: { id: runId } });
    for (const status of ["running", "succeeded"] as const) {
      await store.saveRun({ ...row, status, workerId: holder, finishedAt: null, output: null, error: null, document: null });
      expect((await runOf(runId)).status).toBe("cancelled");
    }
  });

  it("runs a step again after its worker is killed, counting the attempt and sending the same Idempotency-Key", async () => {
    const spec = await activeFlow("Re-run after loss", [
      { id: "trigger", name: "Start", type: "core.manual-trigger", config: {} },
      { id: "pay", name: "Pay", type: "core.http-request", config: { method: "POST", url: `${server.base}/once/{{ $runId }}`, bodyMode: "json", body: { amount: 1 } } },
      { id: "done", name: "Done", type: "core.set", config: { fields: [{ name: "done", value: true }] } },
    ]);
    const first = await startWorker();
    const runId = await runtime.enqueue(spec);
    await waitForStepOn(first, { runId, nodeId: "pay", prefix: `/once/${runId}`, hits: 1, attempt: 1 });
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await startWorker();
    const run = await waitForEnd(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.workerId).toContain(`:${second.pid}:`);
    expect(await stepOf(runId, "pay")).toMatchObject({ status: "succeeded", attempt: 2, workerLosses: 1 });
    expect(await stepOf(runId, "done")).toMatchObject({ status: "succeeded", attempt: 1, workerLosses: 0 });
    const hits = server.hitsFor(`/once/${runId}`);
    expect(hits.map((hit) => hit.idempotencyKey)).toEqual([idempotencyKey(runId, "pay", 0), idempotencyKey(runId, "pay", 0)]);
    // What the run view shows.
    const view = await runService.get({ db: db(), userId, workspaceId, runId });
    expect(view.steps.find((step) => step.nodeId === "pay")).toMatchObject({ attempt: 2, workerLosses: 1 });
  });

  it(`fails a run whose step loses its worker ${MAX_LOSSES} times, naming the step, instead of taking down more workers`, async () => {
    const spec = await activeFlow("Poison", [
      { id: "trigger", name: "Start", type: "core.manual-trigger", config: {} },
      { id: "hang", name: "Hang", type: "core.http-request", config: { url: `${server.base}/hold/{{ $runId }}`, timeoutMs: 300_000 } },
      { id: "after", name: "After", type: "core.set", config: { fields: [{ name: "done", value: true }] } },
    ]);
    let runId: string | undefined;
    for (let loss = 1; loss <= MAX_LOSSES; loss++) {
      const worker = await startWorker();
      runId ??= await runtime.enqueue(spec);
      await waitForStepOn(worker, { runId, nodeId: "hang", prefix: `/hold/${runId}`, hits: loss, attempt: loss });
      worker.child.kill("SIGKILL");
      await worker.exited;
    }

    const last = await startWorker();
    const run = await waitForEnd(runId!);
    expect(run.status).toBe("failed");
    const error = run.error as { message: string; code: string };
    expect(error.code).toBe("WORKER_LOST");
    expect(error.message).toContain(`Node "Hang" was running when its worker was lost`);
    expect(error.message).toContain(`RUN_MAX_WORKER_LOSSES is ${MAX_LOSSES}`);
    expect(await stepOf(runId!, "hang")).toMatchObject({ status: "failed", attempt: MAX_LOSSES, workerLosses: MAX_LOSSES });
    expect(await stepOf(runId!, "after")).toBeNull();
    // The last worker failed the run without running the step again, and it is still alive.
    expect(server.hitsFor(`/hold/${runId}`)).toHaveLength(MAX_LOSSES);
    expect(last.child.exitCode).toBeNull();
    expect(await runService.orphans({ db: db(), liveWorkers: [], queuedBefore: new Date(), limit: 1000 })).not.toContainEqual(expect.objectContaining({ id: runId }));
  });

  it("cancels a run whose worker is stuck in a step, and it stays cancelled when that worker comes back or dies", async () => {
    const spec = await activeFlow("Stuck", [
      { id: "trigger", name: "Start", type: "core.manual-trigger", config: {} },
      { id: "stuck", name: "Stuck", type: "core.http-request", config: { url: `${server.base}/hold/{{ $runId }}` } },
      { id: "after", name: "After", type: "core.http-request", config: { url: `${server.base}/after/{{ $runId }}` } },
    ]);
    const worker = await startWorker();
    const runId = await runtime.enqueue(spec);
    await waitForStepOn(worker, { runId, nodeId: "stuck", prefix: `/hold/${runId}`, hits: 1, attempt: 1 });

    // Frozen: it hears nothing and answers nothing, like a worker whose event loop a step blocks.
    worker.child.kill("SIGSTOP");
    await runtime.cancel(runId);
    const cancelled = await runOf(runId);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "CANCELLED" } });
    expect(cancelled.finishedAt).not.toBeNull();
    expect(await stepOf(runId, "stuck")).toMatchObject({ status: "cancelled" });

    // It comes back, its request is answered: whatever it does then, the run stays cancelled and goes no further.
    worker.child.kill("SIGCONT");
    server.release();
    await waitFor("the worker to let go of the run's job", async () => !(await queue().getJob(runId)), 60_000, workerOutput);
    expect(await runOf(runId)).toEqual(cancelled);
    expect(server.hitsFor(`/after/${runId}`)).toEqual([]);

    worker.child.kill("SIGKILL");
    await worker.exited;
    await startWorker();
    expect(await runService.orphans({ db: db(), liveWorkers: [], queuedBefore: new Date(), limit: 1000 })).not.toContainEqual(expect.objectContaining({ id: runId }));
    const claim = await runService.claim({ db: db(), runId, workerId: "another", liveWorkers: [], versionDocument: async () => spec.document });
    expect(claim).toBeNull();
    expect(await runOf(runId)).toEqual(cancelled);
  });
});
