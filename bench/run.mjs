// `npm run bench [-- --duration=<s>] [--peers=n8n] [--modes=embedded,queue]`
// Our server under autocannon load on loopback, in embedded mode (PGlite, in-process runner) and in
// PostgreSQL + Redis mode (BullMQ workers), then the peers (Node-RED; n8n with --peers=n8n) doing the same
// flows in the same run. Prints `BENCH <name> <value> <unit>` lines and writes bench/results/bench.json.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import pg from "pg";
import { ensureSupportedNode } from "../scripts/node-runtime.mjs";
import { buildIfStale, ensureDependencies, freePort, generatePrismaClient, projectRoot } from "../scripts/keep-current.mjs";
import { report, reportedFigures, rssOf, runLoad } from "./lib/load.mjs";
import { children, killChildren, runTsx, startEntry as start, stopProcess as stop, waitHealthy } from "./lib/processes.mjs";
import { benchPayload } from "./lib/peers.mjs";

// Our engine and the peers (started from here) all run on this one supported Node.
await ensureSupportedNode({ label: "bench" });

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const durationSec = Number(args.duration ?? 10);
const modes = (args.modes ?? "embedded,queue").split(",");
const connectionCounts = [20, 50];
const syncFlows = { "webhook-set": "webhook_set", "webhook-set-failed-only": "webhook_set_failed_only", "webhook-code": "webhook_code" };
const postgresUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
/** Runs `work` while sampling the process's memory; resolves with the work's result and the peak. */
async function withPeakRss(pids, work) {
  const peaks = new Map(pids.map((pid) => [pid, rssOf(pid)]));
  const timer = setInterval(() => {
    for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid), rssOf(pid)));
  }, 250);
  try {
    return { result: await work(), peaks };
  } finally {
    clearInterval(timer);
  }
}

async function queueCounts(client, flowName) {
  const { rows } = await client.query(
    `SELECT count(r.id)::int AS runs, count(r."finishedAt")::int AS finished, min(r."queuedAt") AS first, max(r."finishedAt") AS last
     FROM "Run" r JOIN "Flow" f ON f.id = r."flowId" WHERE f.name = $1`,
    [flowName],
  );
  return rows[0];
}

async function benchMode(mode) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "streamware-bench-"));
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // The load is the point here; the per-workspace webhook limit would cut it off.
    WEBHOOK_RATE_LIMIT: "0",
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  let client;
  let database;
  if (mode === "queue") {
    database = `streamware_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const target = new URL(postgresUrl);
    target.pathname = `/${database}`;
    env.DATABASE_URL = target.toString();
    env.REDIS_URL = redisUrl;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
  }
  const seeded = await runTsx("bench/lib/seed.ts", env);
  const server = start("server", env, "server");
  const loadSeconds = {};
  try {
    await waitHealthy(url);
    if (mode === "queue") {
      client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
    }
    await sleep(2000);
    report(`streamware.${mode}.rss_idle`, rssOf(server.pid), "MB");

    for (const [flow, name] of Object.entries(syncFlows)) {
      const target = { url: `${url}${seeded.paths[flow]}`, method: "POST", body: benchPayload };
      await runLoad({ ...target, connections: 20, durationSec: 2 });
      // One connection: the latency a single caller sees, without queueing behind other requests.
      const single = await runLoad({ ...target, connections: 1, durationSec: Math.max(3, Math.round(durationSec / 2)) });
      // autocannon's latencies are whole milliseconds; with one connection the time per request is exact.
      report(`streamware.${mode}.${name}.c1.latency`, Number((1000 / single.rps).toFixed(3)), "ms");
      for (const connections of connectionCounts) {
        const before = client ? await queueCounts(client, flow) : null;
        const { result, peaks } = await withPeakRss([server.pid], () => runLoad({ ...target, connections, durationSec }));
        loadSeconds[flow] = (loadSeconds[flow] ?? 0) + durationSec;
        report(`streamware.${mode}.${name}.c${connections}.rps`, result.rps, "req/s");
        report(`streamware.${mode}.${name}.c${connections}.p50`, result.p50, "ms");
        report(`streamware.${mode}.${name}.c${connections}.p99`, result.p99, "ms");
        if (result.errors || result.non2xx) report(`streamware.${mode}.${name}.c${connections}.failed_requests`, result.errors + result.non2xx, "requests");
        report(`streamware.${mode}.rss_load.${name}.c${connections}`, peaks.get(server.pid), "MB");
        if (client) {
          const after = await queueCounts(client, flow);
          report(`streamware.${mode}.${name}.c${connections}.runs_persisted`, Math.round((after.runs - before.runs) / durationSec), "runs/s");
        }
      }
    }

    const asyncTarget = { url: `${url}${seeded.paths["async-3"]}`, method: "POST", body: benchPayload };
    if (mode === "queue") {
      for (const workerCount of [1, 2]) {
        const workers = Array.from({ length: workerCount }, (_, i) => start("worker", { ...env, WORKER_CONCURRENCY: "100" }, `worker ${i + 1}`));
        await sleep(3000);
        const before = await queueCounts(client, "async-3");
        const startedAt = Date.now();
        const { result, peaks } = await withPeakRss([server.pid, ...workers.map((w) => w.pid)], () => runLoad({ ...asyncTarget, connections: 20, durationSec }));
        // The queue drains after the load stops; the rate counts every run accepted, until the last one finished.
        let after = await queueCounts(client, "async-3");
        for (let i = 0; i < 240 && after.finished < after.runs; i++) {
          await sleep(500);
          after = await queueCounts(client, "async-3");
        }
        const completed = after.finished - before.finished;
        const seconds = completed > 0 ? (new Date(after.last).getTime() - startedAt) / 1000 : durationSec;
        report(`streamware.queue.async_3.w${workerCount}.accepted_rps`, result.rps, "req/s");
        report(`streamware.queue.async_3.w${workerCount}.p99`, result.p99, "ms");
        report(`streamware.queue.async_3.w${workerCount}.runs_completed`, Math.round(completed / seconds), "runs/s");
        if (after.finished < after.runs) report(`streamware.queue.async_3.w${workerCount}.unfinished`, after.runs - after.finished, "runs");
        workers.forEach((w, i) => report(`streamware.queue.async_3.w${workerCount}.rss_worker${i + 1}`, peaks.get(w.pid), "MB"));
        report(`streamware.queue.async_3.w${workerCount}.rss_web`, peaks.get(server.pid), "MB");
        await Promise.all(workers.map(stop));
      }
    } else {
      const { result } = await withPeakRss([server.pid], () => runLoad({ ...asyncTarget, connections: 20, durationSec }));
      loadSeconds["async-3"] = durationSec;
      report(`streamware.embedded.async_3.accepted_rps`, result.rps, "req/s");
      report(`streamware.embedded.async_3.p99`, result.p99, "ms");
      await sleep(3000);
    }
  } finally {
    await client?.end();
    await stop(server);
  }
  if (mode === "embedded") {
    // PGlite has one opener: the runs are counted once the server is gone.
    const counts = await runTsx("bench/lib/count-runs.ts", env);
    for (const [flow, seconds] of Object.entries(loadSeconds)) {
      const name = syncFlows[flow] ?? "async_3";
      report(`streamware.embedded.${name}.runs_persisted`, Math.round(counts[flow].runs / seconds), "runs/s");
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  if (database) {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

function runPeers() {
  return new Promise((resolve) => {
    const peerArgs = [`--duration=${durationSec}`, ...(args.peers ? [`--peers=${args.peers}`] : [])];
    const child = spawn(process.execPath, ["bench/peers.mjs", ...peerArgs], { cwd: projectRoot, stdio: ["ignore", "inherit", "inherit"] });
    children.add(child);
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
}

function compare(peerFigures) {
  const ours = new Map(reportedFigures().map((f) => [f.name, f.value]));
  const theirs = new Map(peerFigures.map((f) => [f.name, f.value]));
  for (const mode of modes) {
    for (const [peerFlow, ourFlow] of [["webhook_set", "webhook_set"], ["webhook_set", "webhook_set_failed_only"], ["webhook_code", "webhook_code"]]) {
      for (const c of connectionCounts) {
        const a = ours.get(`streamware.${mode}.${ourFlow}.c${c}.rps`);
        for (const peer of ["nodered", "n8n"]) {
          const b = theirs.get(`${peer}.${peerFlow}.c${c}.rps`);
          if (a && b) report(`compare.${mode}.${ourFlow}.c${c}.rps_vs_${peer}`, Number((a / b).toFixed(2)), "x");
        }
      }
    }
    const set = ours.get(`streamware.${mode}.webhook_set.c1.latency`);
    const code = ours.get(`streamware.${mode}.webhook_code.c1.latency`);
    if (set !== undefined && code !== undefined) report(`streamware.${mode}.code_node_added.c1.latency`, Number((code - set).toFixed(3)), "ms");
  }
}

async function main() {
  await ensureDependencies();
  await generatePrismaClient();
  await buildIfStale();
  for (const mode of modes) await benchMode(mode);
  if (args.peers !== "none") await runPeers();
  let peerFigures = [];
  try {
    peerFigures = JSON.parse(readFileSync(path.join(projectRoot, "bench/results/peers.json"), "utf8"));
  } catch {
    process.stderr.write("[bench] no peer figures to compare with\n");
  }
  compare(peerFigures);
  const file = path.join(projectRoot, "bench/results/bench.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify([...reportedFigures(), ...peerFigures], null, 2)}\n`);
  process.stdout.write(`[bench] figures written to ${path.relative(projectRoot, file)}\n`);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

main().catch(async (err) => {
  process.stderr.write(`[bench] ${err?.stack ?? err}\n`);
  killChildren();
  process.exit(1);
});
