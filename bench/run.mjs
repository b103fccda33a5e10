// `npm run bench [-- --duration=<s>] [--warmup=<s>] [--peers=n8n|none] [--modes=embedded,queue] [--workers=1,2,3] [--scraper=5]`
// Our server under autocannon load on loopback, in embedded mode (PGlite, in-process runner) and in
// PostgreSQL + Redis mode (BullMQ workers, the async flow with each number of workers, with the CPU each process
// used), then the peers (Node-RED; n8n with --peers=n8n) doing the same flows in the same run. In each mode the
// sync webhook flow also runs with and without a Prometheus scraper (`--scraper` scrapes a second; 0 skips it).
// Each sync flow reports the CPU it took per request (ours: the web process and PostgreSQL; a peer: its processes).
// Prints `BENCH <name> <value> <unit>` lines and writes bench/results/bench.json.
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
import { cpuMeter, cpuSecondsOf, report, reportedFigures, rssOf, runLoad } from "./lib/load.mjs";
import { children, killChildren, runTsx, startEntry as start, stopProcess as stop, waitHealthy } from "./lib/processes.mjs";
import { benchPayload } from "./lib/peers.mjs";

// Our engine and the peers (started from here) all run on this one supported Node.
await ensureSupportedNode({ label: "bench" });

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const durationSec = Number(args.duration ?? 10);
// Each flow's unreported load before its figures, ours and the peers' alike (bench/peers.mjs): Node-RED needs about
// 10 s to settle, and so does our code flow, failed runs only: five rounds of 5 s from a cold start made 8,400 →
// 11,400 → 9,900 → 12,400 → 14,500 req/s.
const warmupSec = Number(args.warmup ?? 10);
const modes = (args.modes ?? "embedded,queue").split(",");
const connectionCounts = [20, 50];
const workerCounts = (args.workers ?? "1,2,3").split(",").map(Number);
const scrapesPerSecond = Number(args.scraper ?? 5);
const metricsToken = randomBytes(24).toString("base64url");
const syncFlows = {
  "webhook-set": "webhook_set",
  "webhook-set-failed-only": "webhook_set_failed_only",
  "webhook-code": "webhook_code",
  "webhook-code-failed-only": "webhook_code_failed_only",
};
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

/** The PostgreSQL backends serving the bench database: the web's and the workers' pools, and the bench's own connection. */
async function backendPids(client) {
  const { rows } = await client.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
  return rows.map((row) => row.pid);
}

/** The Redis server's process id, when it runs on this machine (its /proc entry is readable); null otherwise. */
async function redisProcessId() {
  const redis = new Redis(redisUrl);
  try {
    const pid = Number(/^process_id:(\d+)/m.exec(await redis.info("server"))?.[1]);
    return pid && cpuSecondsOf(pid) !== null ? pid : null;
  } finally {
    redis.disconnect();
  }
}

/**
 * The CPU each process used from the start of the load until the queue drained, in cores (CPU seconds a second):
 * the web process, each worker, the database's backends, Redis, this bench (the load generator), the machine's
 * busy cores (of all users) and what else ran on it; and the CPU milliseconds a completed run took in each part.
 */
function reportCpu(name, { cores, machine, seconds }, completed) {
  const round = (value) => Number(value.toFixed(2));
  const workerCores = Object.entries(cores).filter(([part]) => part.startsWith("worker"));
  for (const [part, value] of Object.entries(cores)) report(`${name}.cpu_${part}`, round(value), "cores");
  const workers = workerCores.reduce((sum, [, value]) => sum + value, 0);
  report(`${name}.cpu_workers`, round(workers), "cores");
  const ours = Object.values(cores).reduce((sum, value) => sum + value, 0);
  report(`${name}.cpu_machine`, round(machine), `cores of ${os.availableParallelism()}`);
  report(`${name}.cpu_other`, round(Math.max(0, machine - ours)), "cores");
  if (completed > 0) {
    const perRun = (value) => round((value * seconds * 1000) / completed);
    report(`${name}.cpu_ms_per_run.web`, perRun(cores.web), "ms");
    report(`${name}.cpu_ms_per_run.workers`, perRun(workers), "ms");
    report(`${name}.cpu_ms_per_run.postgres`, perRun(cores.postgres), "ms");
    if (cores.redis !== undefined) report(`${name}.cpu_ms_per_run.redis`, perRun(cores.redis), "ms");
  }
}

/** One scrape of `target` (Prometheus's text format, with the metrics token): its time in ms, or null when it failed. */
async function scrapeOnce(target) {
  const began = performance.now();
  try {
    const answer = await fetch(target, { headers: { authorization: `Bearer ${metricsToken}` } });
    await answer.text();
    return answer.ok ? performance.now() - began : null;
  } catch {
    return null;
  }
}

/**
 * Scrapes each of `targets` `perSecond` times a second, one scrape at a time per target as Prometheus does, until
 * stopped; answers each target's scrape times in ms.
 */
function startScraper(targets, perSecond) {
  let stopped = false;
  const timings = targets.map(() => []);
  let failures = 0;
  const loops = targets.map(async (target, i) => {
    while (!stopped) {
      const began = performance.now();
      const ms = await scrapeOnce(target);
      if (ms === null) failures++;
      else timings[i].push(ms);
      await sleep(Math.max(0, 1000 / perSecond - (performance.now() - began)));
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { timings, failures };
    },
  };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * What one scrape of `target` costs the scraped process `pid`: its CPU over `count` scrapes back to back, less its
 * CPU at rest over as long (the mean of 2 s before and 2 s after), per scrape; and the scrapes' median time. Many
 * scrapes in a row, so that the process's own background work (timers, garbage collection) weighs little.
 */
async function scrapeCost({ target, pid, count = 200 }) {
  const restRate = async () => {
    const before = cpuSecondsOf(pid);
    await sleep(2000);
    return (cpuSecondsOf(pid) - before) / 2;
  };
  // The first scrapes load the route's code.
  for (let i = 0; i < 10; i++) await scrapeOnce(target);
  const restBefore = await restRate();
  const cpuBefore = cpuSecondsOf(pid);
  const began = performance.now();
  const timings = [];
  for (let i = 0; i < count; i++) {
    const ms = await scrapeOnce(target);
    if (ms !== null) timings.push(ms);
  }
  const seconds = (performance.now() - began) / 1000;
  const used = cpuSecondsOf(pid) - cpuBefore;
  const rest = (restBefore + (await restRate())) / 2;
  return { cpuMs: ((used - rest * seconds) * 1000) / count, ms: percentile(timings, 50), failures: count - timings.length };
}

/**
 * What a scrape of the web process's /api/metrics (and, in queue mode, of an idle worker's /metrics, which reads
 * the queues from Redis) costs and takes at rest; then the sync webhook flow at 20 connections without and with a
 * scraper of both, in alternating rounds so that a drift of the machine falls on both, beside how far the rounds
 * without a scraper differ among themselves, and the scrapes' time under that load.
 */
async function scraperComparison({ mode, url, env, server, target }) {
  const rounds = 3;
  const targets = [`${url}/api/metrics`];
  let worker = null;
  if (mode === "queue") {
    const workerPort = await freePort();
    worker = start("worker", { ...env, WORKER_HTTP_PORT: String(workerPort) }, "scraped worker");
    targets.push(`http://127.0.0.1:${workerPort}/metrics`);
    for (let i = 0; i < 300 && !(await fetch(targets[1]).then((answer) => answer.status === 401, () => false)); i++) await sleep(100);
  }
  const pids = [server.pid, ...(worker ? [worker.pid] : [])];
  const costs = [];
  for (const [i, scraped] of targets.entries()) costs.push(await scrapeCost({ target: scraped, pid: pids[i] }));
  const runs = { without: [], with: [] };
  const loaded = [];
  let failures = costs.reduce((sum, cost) => sum + cost.failures, 0);
  for (let round = 0; round < rounds; round++) {
    runs.without.push(await runLoad({ ...target, connections: 20, durationSec }));
    const scraper = startScraper(targets, scrapesPerSecond);
    runs.with.push(await runLoad({ ...target, connections: 20, durationSec }));
    const scraped = await scraper.stop();
    loaded.push(scraped.timings);
    failures += scraped.failures;
  }
  if (worker) await stop(worker);
  const name = `streamware.${mode}.scraper.webhook_set.c20`;
  const change = (a, b) => Number((((b - a) / a) * 100).toFixed(1));
  const figures = Object.fromEntries(
    Object.entries(runs).map(([key, results]) => [key, { rps: Math.round(mean(results.map((r) => r.rps))), p99: Number(mean(results.map((r) => r.p99)).toFixed(1)) }]),
  );
  report(`${name}.rps_without`, figures.without.rps, "req/s");
  report(`${name}.rps_with`, figures.with.rps, "req/s");
  report(`${name}.rps_change`, change(figures.without.rps, figures.with.rps), "%");
  const withoutRps = runs.without.map((r) => r.rps);
  report(`${name}.rps_spread_without`, Number((((Math.max(...withoutRps) - Math.min(...withoutRps)) / figures.without.rps) * 100).toFixed(1)), "%");
  report(`${name}.p99_without`, figures.without.p99, "ms");
  report(`${name}.p99_with`, figures.with.p99, "ms");
  report(`${name}.p99_change`, change(figures.without.p99, figures.with.p99), "%");
  report(`streamware.${mode}.scraper.rate`, scrapesPerSecond * targets.length, "scrapes/s");
  if (failures) report(`streamware.${mode}.scraper.failed_scrapes`, failures, "scrapes");
  targets.forEach((_, i) => {
    const part = i === 0 ? "" : ".worker";
    const underLoad = loaded.flatMap((timings) => timings[i]);
    report(`streamware.${mode}.metrics${part}.scrape_ms`, Number(costs[i].ms.toFixed(2)), "ms");
    report(`streamware.${mode}.metrics${part}.scrape_cpu_ms`, Number(costs[i].cpuMs.toFixed(2)), "ms");
    report(`streamware.${mode}.metrics${part}.scrape_ms_under_load`, Number(percentile(underLoad, 50).toFixed(2)), "ms");
    report(`streamware.${mode}.metrics${part}.scrape_ms_under_load_p99`, Number(percentile(underLoad, 99).toFixed(2)), "ms");
  });
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
    // The figures count each flow's runs in the database; pruning past the per-flow limit would take some away.
    RUN_RETENTION_PER_FLOW: "0",
    METRICS_TOKEN: metricsToken,
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
      if (warmupSec > 0) await runLoad({ ...target, connections: 20, durationSec: warmupSec });
      // One connection: the latency a single caller sees, without queueing behind other requests.
      const single = await runLoad({ ...target, connections: 1, durationSec: Math.max(3, Math.round(durationSec / 2)) });
      // autocannon's latencies are whole milliseconds; with one connection the time per request is exact.
      report(`streamware.${mode}.${name}.c1.latency`, Number((1000 / single.rps).toFixed(3)), "ms");
      for (const connections of connectionCounts) {
        const before = client ? await queueCounts(client, flow) : null;
        const cpu = await cpuMeter(async () => ({ web: [server.pid], ...(client && { postgres: await backendPids(client) }) }));
        const { result, peaks } = await withPeakRss([server.pid], () => runLoad({ ...target, connections, durationSec }));
        const used = await cpu.stop();
        loadSeconds[flow] = (loadSeconds[flow] ?? 0) + durationSec;
        report(`streamware.${mode}.${name}.c${connections}.rps`, result.rps, "req/s");
        report(`streamware.${mode}.${name}.c${connections}.p50`, result.p50, "ms");
        report(`streamware.${mode}.${name}.c${connections}.p99`, result.p99, "ms");
        if (result.errors || result.non2xx) report(`streamware.${mode}.${name}.c${connections}.failed_requests`, result.errors + result.non2xx, "requests");
        report(`streamware.${mode}.rss_load.${name}.c${connections}`, peaks.get(server.pid), "MB");
        // CPU per answered request: the web process (with the embedded database in it), and PostgreSQL's backends.
        const perRequest = (cores) => Number(((cores * used.seconds * 1000) / Math.max(1, result.requests)).toFixed(3));
        report(`streamware.${mode}.${name}.c${connections}.cpu_ms_per_request.web`, perRequest(used.cores.web), "ms");
        if (used.cores.postgres !== undefined) report(`streamware.${mode}.${name}.c${connections}.cpu_ms_per_request.postgres`, perRequest(used.cores.postgres), "ms");
        if (client) {
          const after = await queueCounts(client, flow);
          report(`streamware.${mode}.${name}.c${connections}.runs_persisted`, Math.round((after.runs - before.runs) / durationSec), "runs/s");
        }
      }
    }

    if (scrapesPerSecond > 0) await scraperComparison({ mode, url, env, server, target: { url: `${url}${seeded.paths["webhook-set"]}`, method: "POST", body: benchPayload } });

    const asyncTarget = { url: `${url}${seeded.paths["async-3"]}`, method: "POST", body: benchPayload };
    if (mode === "queue") {
      const redisPid = await redisProcessId();
      for (const workerCount of workerCounts) {
        const workers = Array.from({ length: workerCount }, (_, i) => start("worker", { ...env, WORKER_CONCURRENCY: "100" }, `worker ${i + 1}`));
        await sleep(3000);
        const before = await queueCounts(client, "async-3");
        const name = `streamware.queue.async_3.w${workerCount}`;
        const cpu = await cpuMeter(async () => ({
          web: [server.pid],
          ...Object.fromEntries(workers.map((w, i) => [`worker${i + 1}`, [w.pid]])),
          postgres: await backendPids(client),
          ...(redisPid && { redis: [redisPid] }),
          bench: [process.pid],
        }));
        const startedAt = Date.now();
        const { result, peaks } = await withPeakRss([server.pid, ...workers.map((w) => w.pid)], () => runLoad({ ...asyncTarget, connections: 20, durationSec }));
        // The queue drains after the load stops; the rate counts every run accepted, until the last one finished.
        let after = await queueCounts(client, "async-3");
        for (let i = 0; i < 240 && after.finished < after.runs; i++) {
          await sleep(500);
          after = await queueCounts(client, "async-3");
        }
        const used = await cpu.stop();
        const completed = after.finished - before.finished;
        const seconds = completed > 0 ? (new Date(after.last).getTime() - startedAt) / 1000 : durationSec;
        report(`${name}.accepted_rps`, result.rps, "req/s");
        report(`${name}.p99`, result.p99, "ms");
        report(`${name}.runs_completed`, Math.round(completed / seconds), "runs/s");
        if (after.finished < after.runs) report(`${name}.unfinished`, after.runs - after.finished, "runs");
        workers.forEach((w, i) => report(`${name}.rss_worker${i + 1}`, peaks.get(w.pid), "MB"));
        report(`${name}.rss_web`, peaks.get(server.pid), "MB");
        reportCpu(name, used, completed);
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
    const peerArgs = [`--duration=${durationSec}`, `--warmup=${warmupSec}`, ...(args.peers ? [`--peers=${args.peers}`] : [])];
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
    // Each flow against the peers' flow that does the same work (they keep no history, so have no failed-only kind).
    for (const ourFlow of Object.values(syncFlows)) {
      const peerFlow = ourFlow.replace(/_failed_only$/, "");
      for (const c of connectionCounts) {
        const a = ours.get(`streamware.${mode}.${ourFlow}.c${c}.rps`);
        for (const peer of ["nodered", "n8n"]) {
          const b = theirs.get(`${peer}.${peerFlow}.c${c}.rps`);
          if (a && b) report(`compare.${mode}.${ourFlow}.c${c}.rps_vs_${peer}`, Number((a / b).toFixed(2)), "x");
          const ourP99 = ours.get(`streamware.${mode}.${ourFlow}.c${c}.p99`);
          const theirP99 = theirs.get(`${peer}.${peerFlow}.c${c}.p99`);
          if (ourP99 && theirP99) report(`compare.${mode}.${ourFlow}.c${c}.p99_vs_${peer}`, Number((ourP99 / theirP99).toFixed(2)), "x");
          // Ours counts the database's CPU too (the peers keep no history, so have none).
          const ourCpu = (ours.get(`streamware.${mode}.${ourFlow}.c${c}.cpu_ms_per_request.web`) ?? 0) + (ours.get(`streamware.${mode}.${ourFlow}.c${c}.cpu_ms_per_request.postgres`) ?? 0);
          const theirCpu = theirs.get(`${peer}.${peerFlow}.c${c}.cpu_ms_per_request`);
          if (ourCpu && theirCpu) report(`compare.${mode}.${ourFlow}.c${c}.cpu_per_request_vs_${peer}`, Number((ourCpu / theirCpu).toFixed(2)), "x");
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
