// `npm run bench:dashboard [-- --duration=<s>] [--baseline=<rev> | --no-baseline] [--db=embedded|postgres]
//                          [--widgets=20] [--rate=10] [--shots=<folder>]`
// A live dashboard in headless Chromium on the production build: 20 widgets (stat tiles and time series) fed by 20
// series, each series getting `rate` points a second through webhook-triggered flows with dashboard.publish
// nodes, for `duration` seconds (default 600). Measured meanwhile: frames per second (animation frames counted over
// 5-second windows, p50 and min), the page's JS heap and the renderer's RSS (start, end, slope), the server's RSS,
// and webhook call → value on screen (p50, p99). The same is measured for a baseline commit (default HEAD~1), built
// in a git worktree, in the same run. Prints `BENCH <name> <value> <unit>` lines; writes bench/results/dashboard.json.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "@playwright/test";
import pg from "pg";
import { freePort, projectRoot } from "../../scripts/keep-current.mjs";
import { chromiumPath, ensureChromium } from "../../scripts/provision-test-machine.mjs";
import { report, reportedFigures, rssTreeOf, writeReport } from "../lib/load.mjs";
import { UnusableBaseline, baselineCheckout, git, prepare } from "./checkout.mjs";
import { pageProbes, percentile, rendererPids, slopePerMinute } from "./measure.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const durationSec = Number(args.duration ?? 600);
const widgetCount = Number(args.widgets ?? 20);
const rate = Number(args.rate ?? 10);
const database = args.db ?? "embedded";
const baselineRev = "no-baseline" in args ? null : (args.baseline ?? "HEAD~1");
const postgresUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const viewport = { width: 1440, height: 1000 };
/** Frames are counted over windows this long; fps p50 and min are over the windows. */
const FRAME_WINDOW_MS = 5000;
/**
 * Memory is sampled this often. The heap is read after a full garbage collection (what the page keeps, not what it
 * has yet to free), a few milliseconds that the frame windows barely notice.
 */
const SAMPLE_MS = 10_000;
/** Load runs this long before anything is measured: first compiles, first queries, the chart libraries loaded. */
const WARMUP_MS = 15_000;
const children = new Set();

if (!Number.isFinite(durationSec) || durationSec < 10) throw new Error("--duration is in seconds, at least 10");
if (!["embedded", "postgres"].includes(database)) throw new Error("--db is embedded or postgres");
if (!(widgetCount >= 2 && widgetCount <= 50)) throw new Error("--widgets is between 2 and 50");
if (!(rate > 0 && rate <= 50)) throw new Error("--rate is points per second per series, at most 50");

const seriesName = (i) => `bench.s${String(i).padStart(2, "0")}`;
/** Series 0 is the marker: the page itself publishes to it and times each value until it shows. */
const MARKER = seriesName(0);

/** Stat tiles and time series in turn, four to a row of the 12-column grid. */
function benchWidgets() {
  return Array.from({ length: widgetCount }, (_, i) => ({
    id: `w${i}`,
    kind: i % 2 === 0 ? "stat" : "timeseries",
    title: `Series ${i}`,
    series: [seriesName(i)],
    layout: { x: (i % 4) * 3, y: Math.floor(i / 4) * 2, w: 3, h: 2 },
  }));
}

/** A webhook flow whose call carries one value per series in `body.v` and publishes each to its series. */
function publishingFlow({ hookPath, series }) {
  const nodes = [
    { id: "hook", type: "core.webhook", name: "Reading", position: { x: 0, y: 0 }, config: { path: hookPath, respond: "immediately" } },
    ...series.map((name, i) => ({
      id: `p${i}`,
      type: "dashboard.publish",
      name: `Publish ${name}`,
      position: { x: 300, y: i * 80 },
      config: { series: name, value: series.length === 1 ? "{{ body.n }}" : `{{ body.v[${i}] }}` },
    })),
  ];
  // Telemetry flows keep only failed runs: the points are kept as series, apart from runs.
  return { schema: "streamware.flow/1", nodes, edges: series.map((_, i) => ({ id: `e${i}`, source: "hook", target: `p${i}` })), settings: { keepRuns: "failed" } };
}

async function startServer({ root, label }) {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-dashboard-"));
  const env = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    NEXTAUTH_URL: url,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DEV_LOGIN: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    // The load is the point; the per-workspace webhook limit is not what is measured.
    WEBHOOK_RATE_LIMIT: "0",
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  let dbName = null;
  if (database === "postgres") {
    dbName = `streamware_bench_dashboard_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const target = new URL(postgresUrl);
    target.pathname = `/${dbName}`;
    env.DATABASE_URL = target.toString();
  }
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  children.add(child);
  child.on("exit", () => children.delete(child));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) throw new UnusableBaseline(`its server exited with ${child.exitCode}: ${stderr.trim().split("\n").at(-1)}`);
    if (i === 1200) {
      child.kill("SIGKILL");
      throw new Error(`the ${label} server at ${url} did not become healthy within 2 minutes`);
    }
    await sleep(100);
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: postgresUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}

/** Calls a tRPC procedure from the signed-in page, as the app does. */
async function trpc(page, kind, procedure, input) {
  const result = await page.evaluate(
    async ({ kind, procedure, input }) => {
      const payload = encodeURIComponent(JSON.stringify({ json: input ?? null }));
      const res =
        kind === "query"
          ? await fetch(`/api/trpc/${procedure}?input=${payload}`)
          : await fetch(`/api/trpc/${procedure}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) });
      const body = await res.json().catch(() => ({}));
      return res.ok && body.result ? { ok: true, data: body.result.data.json } : { ok: false, message: body.error?.json?.message ?? `HTTP ${res.status}` };
    },
    { kind, procedure, input },
  );
  if (!result.ok) throw new UnusableBaseline(`${procedure} answered: ${result.message}`);
  return result.data;
}

/**
 * Drives the other series from here: one call of the load flow every 1/rate s carries a value for each (a random
 * walk), on a fixed schedule that does not drift. Resolves with how many calls were made and failed.
 */
function driveLoad({ url, series }) {
  const values = series.map(() => 50);
  const state = { calls: 0, failed: 0, failures: {}, stopped: false };
  const failed = (why) => {
    state.failed++;
    state.failures[why] = (state.failures[why] ?? 0) + 1;
  };
  const done = (async () => {
    const start = performance.now();
    for (let i = 0; !state.stopped; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      for (let s = 0; s < values.length; s++) values[s] = Math.max(0, Math.min(100, values[s] + (Math.random() - 0.5) * 4));
      state.calls++;
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ v: values.map((v) => Math.round(v * 100) / 100) }) }).then(
        (res) => {
          if (!res.ok) failed(`HTTP ${res.status}`);
          return res.arrayBuffer();
        },
        (error) => failed(error.cause?.code ?? error.name),
      );
    }
  })();
  return {
    async stop() {
      state.stopped = true;
      await done;
      return state;
    },
  };
}

/** The page's JS heap in MB, after a full garbage collection when `collect`. */
async function heapMb(cdp, { collect = false } = {}) {
  if (collect) await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Math.round((metrics.find((m) => m.name === "JSHeapUsedSize").value / 1024 / 1024) * 10) / 10;
}

/** One checkout: start it, sign in, build the dashboard and its feeds, open it, and measure under load. */
async function measure({ browser, root, label, shots }) {
  const server = await startServer({ root, label });
  const context = await browser.newContext({ viewport });
  let load = null;
  try {
    const page = await context.newPage();
    await page.addInitScript(pageProbes);
    await page.goto(`${server.url}/signin`);
    await page.getByRole("textbox", { name: "Email" }).fill(`bench-${Date.now()}@example.test`);
    await page.getByRole("button", { name: "Sign in for development" }).click();
    await page.waitForURL(/\/w\//);
    const [workspace] = await trpc(page, "query", "workspace.list");
    const workspaceId = workspace.id;

    const hooks = {};
    for (const [name, series] of [["marker", [MARKER]], ["load", Array.from({ length: widgetCount - 1 }, (_, i) => seriesName(i + 1))]]) {
      const document = publishingFlow({ hookPath: `bench/${name}`, series });
      const flow = await trpc(page, "mutation", "flow.create", { workspaceId, name: `Bench ${name}`, document });
      await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
      const activated = await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
      hooks[name] = { path: activated.webhooks[0].url, series };
    }
    // One point in every series first, so every widget has something to show before the page opens.
    const first = await fetch(`${server.url}${hooks.load.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ v: hooks.load.series.map(() => 50) }) });
    if (!first.ok) throw new UnusableBaseline(`its webhook answered ${first.status}`);
    await fetch(`${server.url}${hooks.marker.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 0 }) });
    const dashboard = await trpc(page, "mutation", "dashboard.create", { workspaceId, name: "Bench", widgets: benchWidgets() });

    await page.goto(`${server.url}/w/${workspace.slug}/dashboards/${dashboard.id}`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: 60_000 });
    const regions = await page.locator("section[aria-label^='Series ']").count();
    if (regions !== widgetCount) throw new UnusableBaseline(`its dashboard page showed ${regions} of ${widgetCount} widgets`);
    await page.evaluate(({ selector, url }) => window.__bench.watchMarker({ selector, url }), {
      selector: `section[aria-label='Series 0'] [data-testid='stat-value']`,
      url: hooks.marker.path,
    });

    load = driveLoad({ url: `${server.url}${hooks.load.path}`, series: hooks.load.series });
    // The marker series gets its points from the page, on the same schedule as the others.
    await page.evaluate((everyMs) => {
      window.__benchMarker = setInterval(() => window.__bench.mark(), everyMs);
    }, 1000 / rate);
    await sleep(WARMUP_MS);

    // Points stored, read while measuring: what the server kept up with, beside what it was sent.
    const storedPoints = async () => (await trpc(page, "query", "dashboard.series", { workspaceId })).filter((s) => s.series.startsWith("bench.")).reduce((sum, s) => sum + s.points, 0);
    const storedBefore = await storedPoints();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const [renderer] = rendererPids();
    const startedAt = Date.now();
    const heapStart = await heapMb(cdp, { collect: true });
    const rendererStart = renderer ? rssTreeOf(renderer) : NaN;
    const serverStart = rssTreeOf(server.pid);
    const heap = [{ t: 0, v: heapStart }];
    const rss = [{ t: 0, v: rendererStart }];
    const fps = [];
    await page.evaluate(() => window.__bench.takeFrames());
    await page.evaluate(() => window.__bench.startFrames());
    let lastWindow = performance.now();
    let nextSample = SAMPLE_MS;
    let nextNote = 60_000;
    while (Date.now() - startedAt < durationSec * 1000) {
      await sleep(Math.min(FRAME_WINDOW_MS, durationSec * 1000 - (Date.now() - startedAt)));
      const frames = await page.evaluate(() => window.__bench.takeFrames());
      const now = performance.now();
      fps.push((frames * 1000) / (now - lastWindow));
      lastWindow = now;
      const t = Date.now() - startedAt;
      if (t >= nextSample) {
        heap.push({ t, v: await heapMb(cdp, { collect: true }) });
        if (renderer) rss.push({ t, v: rssTreeOf(renderer) });
        nextSample += SAMPLE_MS;
      }
      if (t >= nextNote) {
        process.stdout.write(`# ${label} ${Math.round(t / 1000)} s: ${fps.at(-1).toFixed(1)} fps, heap ${heap.at(-1).v} MB, renderer ${rss.at(-1).v} MB, server ${rssTreeOf(server.pid)} MB, load average ${os.loadavg()[0].toFixed(2)}\n`);
        nextNote += 60_000;
      }
    }
    const storedAfter = await storedPoints();
    const measuredSec = (Date.now() - startedAt) / 1000;
    await page.evaluate(() => window.__bench.stopFrames());
    await page.evaluate(() => clearInterval(window.__benchMarker));
    const driven = await load.stop();
    load = null;
    const serverEnd = rssTreeOf(server.pid);
    const heapEnd = await heapMb(cdp, { collect: true });
    const rendererEnd = renderer ? rssTreeOf(renderer) : NaN;
    heap.push({ t: Date.now() - startedAt, v: heapEnd });
    if (renderer) rss.push({ t: Date.now() - startedAt, v: rendererEnd });
    // The last marker calls still on their way get a moment to show.
    await sleep(2000);
    const marks = await page.evaluate(() => window.__bench.latencies());
    if (shots) await page.screenshot({ path: path.join(shots, `dashboard-${label}.png`) });

    const key = `dashboard.${label}`;
    const round = (value, digits = 1) => Number(value.toFixed(digits));
    report(`${key}.widgets`, regions, "widgets");
    report(`${key}.points_sent_per_second`, round(((driven.calls - driven.failed) * hooks.load.series.length + (marks.sent - marks.failed)) / (durationSec + WARMUP_MS / 1000)), "points/s");
    report(`${key}.points_stored_per_second`, round((storedAfter - storedBefore) / measuredSec), "points/s");
    report(`${key}.fps_p50`, round(percentile(fps, 50)), "fps");
    report(`${key}.fps_min`, round(Math.min(...fps)), "fps");
    report(`${key}.js_heap_start`, heapStart, "MB");
    report(`${key}.js_heap_end`, heapEnd, "MB");
    report(`${key}.js_heap_slope`, round(slopePerMinute(heap), 2), "MB/min");
    report(`${key}.renderer_rss_start`, rendererStart, "MB");
    report(`${key}.renderer_rss_end`, rendererEnd, "MB");
    report(`${key}.renderer_rss_slope`, round(slopePerMinute(rss), 2), "MB/min");
    report(`${key}.server_rss_start`, serverStart, "MB");
    report(`${key}.server_rss_end`, serverEnd, "MB");
    report(`${key}.webhook_to_screen_p50`, round(percentile(marks.values, 50)), "ms");
    report(`${key}.webhook_to_screen_p99`, round(percentile(marks.values, 99)), "ms");
    report(`${key}.webhook_to_screen_samples`, marks.values.length, "values");
    // A marker value replaced by the next before a frame drew it is not on screen: counted, not timed.
    report(`${key}.markers_not_shown`, marks.sent - marks.values.length, "values");
    if (driven.failed + marks.failed) {
      const why = { ...driven.failures };
      for (const [reason, n] of Object.entries(marks.failures)) why[reason] = (why[reason] ?? 0) + n;
      report(`${key}.failed_webhook_calls`, driven.failed + marks.failed, `calls (${Object.entries(why).map(([reason, n]) => `${reason}: ${n}`).join(", ")})`);
    }
    // Other work shares these cores: the 1-minute load average beside the figures says how much.
    report(`${key}.load_average_1m`, round(os.loadavg()[0], 2), "");
  } finally {
    await load?.stop();
    await context.close();
    await server.stop();
  }
}

async function main() {
  await ensureChromium();
  const targets = [];
  if (baselineRev) {
    try {
      const checkout = await baselineCheckout({ projectRoot, rev: baselineRev });
      targets.push({ label: "baseline", root: checkout.dir, name: `${baselineRev} = ${checkout.sha.slice(0, 7)} "${checkout.subject}"` });
    } catch (error) {
      if (!(error instanceof UnusableBaseline)) throw error;
      report("dashboard.baseline.not_run", 0, `(${baselineRev}: ${error.message})`);
    }
  }
  targets.push({ label: "current", root: projectRoot });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
  try {
    for (const target of targets) {
      // This checkout is named as it is when it is built, which may be a while after the bench started.
      if (target.label === "current") {
        const dirty = (await git(projectRoot, "status", "--porcelain", "--untracked-files=no")).length > 0;
        target.name = `${await git(projectRoot, "rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes" : ""}`;
      }
      process.stdout.write(`# ${target.label}: ${target.name}; ${widgetCount} widgets, ${rate} points/s per series, ${durationSec} s measured (${database})\n`);
      try {
        await prepare(target.root);
        await measure({ browser, root: target.root, label: target.label, shots: args.shots });
      } catch (error) {
        if (target.label !== "baseline") throw error;
        const reason = error instanceof UnusableBaseline ? error.message : String(error.message ?? error).split("\n")[0];
        report("dashboard.baseline.not_run", 0, `(${target.name} cannot run this bench: ${reason})`);
      }
    }
  } finally {
    await browser.close();
  }
  const figures = new Map(reportedFigures().map((f) => [f.name, f.value]));
  for (const [name, better] of [["fps_p50", "higher"], ["js_heap_end", "lower"], ["webhook_to_screen_p50", "lower"], ["webhook_to_screen_p99", "lower"]]) {
    const a = figures.get(`dashboard.current.${name}`);
    const b = figures.get(`dashboard.baseline.${name}`);
    if (a && b) report(`dashboard.current_vs_baseline.${name}`, Number((a / b).toFixed(2)), `x (${better} is better)`);
  }
  writeReport(path.join(projectRoot, "bench", "results", "dashboard.json"));
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(130);
  });
}

main().catch((error) => {
  process.stderr.write(`[bench:dashboard] ${error?.stack ?? error}\n`);
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
});
