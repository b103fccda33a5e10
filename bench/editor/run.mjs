// `npm run bench:editor [-- --nodes=500 --edges=600 --repeat=3] [--url=http://localhost:3000]`
// The editor in headless Chromium with a generated flow: time to interactive, and frames per second while
// dragging a node and while panning. A 10-node flow is measured the same way in the same run as the baseline.
// Starts its own server (embedded, fresh data folder, the production build) unless --url names a running one
// with development sign-in. Prints `BENCH <name> <value> <unit>` lines and writes bench/results/editor.json.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "@playwright/test";
import { buildIfStale, chromiumPath, ensureChromium, ensureDependencies, freePort, generatePrismaClient, projectRoot } from "../../scripts/setup.mjs";
import { report, writeReport } from "../lib/load.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const nodeCount = Number(args.nodes ?? 500);
const edgeCount = Number(args.edges ?? 600);
const repeat = Number(args.repeat ?? 3);
const viewport = { width: 1280, height: 800 };

/** A deterministic pseudo-random sequence, so every run measures the same flow. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

/**
 * A manual trigger feeding `nodes - 1` set nodes on a grid: a chain through all of them (so every node is
 * reachable) plus extra forward edges up to `edges`, never a cycle.
 */
export function generateFlow({ nodes, edges }) {
  const next = random(42);
  const columns = Math.ceil(Math.sqrt(nodes * 2));
  const flowNodes = Array.from({ length: nodes }, (_, i) => ({
    id: `n${i}`,
    type: i === 0 ? "core.manual-trigger" : "core.set",
    name: i === 0 ? "Start" : `Set ${i}`,
    position: { x: (i % columns) * 260, y: Math.floor(i / columns) * 140 },
    config: i === 0 ? {} : { fields: [{ name: `field${i}`, value: `{{ $json.value }}` }] },
  }));
  const flowEdges = [];
  const seen = new Set();
  const add = (source, target) => {
    const key = `${source}>${target}`;
    if (seen.has(key)) return false;
    seen.add(key);
    flowEdges.push({ id: `e${flowEdges.length}`, source: `n${source}`, target: `n${target}` });
    return true;
  };
  for (let i = 1; i < nodes && flowEdges.length < edges; i++) add(i - 1, i);
  while (flowEdges.length < edges) {
    const source = 1 + Math.floor(next() * (nodes - 2));
    const target = source + 1 + Math.floor(next() * Math.min(20, nodes - source - 1));
    add(source, target);
  }
  return { schema: "streamware.flow/1", nodes: flowNodes, edges: flowEdges };
}

async function startServer() {
  await ensureDependencies();
  await generatePrismaClient();
  await buildIfStale();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-editor-"));
  const url = `http://localhost:${port}`;
  const child = spawn(process.execPath, [path.join(projectRoot, "scripts", "start.mjs")], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DEV_LOGIN: "true",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    await sleep(100);
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls a tRPC procedure from the signed-in page, as the editor does. */
function trpc(page, kind, procedure, input) {
  return page.evaluate(
    async ({ kind, procedure, input }) => {
      const payload = encodeURIComponent(JSON.stringify({ json: input ?? null }));
      const res =
        kind === "query"
          ? await fetch(`/api/trpc/${procedure}?input=${payload}`)
          : await fetch(`/api/trpc/${procedure}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) });
      const body = await res.json();
      if (!res.ok || !body.result) throw new Error(`${procedure}: ${body.error?.json?.message ?? res.status}`);
      return body.result.data.json;
    },
    { kind, procedure, input },
  );
}

/** Counts animation frames in the page between `start` and `stop`; frames are what the user sees. */
const frameCounter = () => {
  const state = { running: false, frames: [] };
  const tick = (t) => {
    if (!state.running) return;
    state.frames.push(t);
    requestAnimationFrame(tick);
  };
  window.__frames = {
    start() {
      state.frames = [];
      state.running = true;
      requestAnimationFrame(tick);
    },
    stop() {
      state.running = false;
      const f = state.frames;
      const gaps = f.slice(1).map((t, i) => t - f[i]).sort((a, b) => a - b);
      const seconds = (f.at(-1) - f[0]) / 1000;
      return { fps: (f.length - 1) / seconds, p95FrameMs: gaps[Math.floor(gaps.length * 0.95)] ?? 0, longestFrameMs: gaps.at(-1) ?? 0 };
    },
  };
};

/** Moves the mouse from `from` to `to` in `steps` moves while the button is held, one move per frame. */
async function dragAcross(page, from, to, steps) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.evaluate(() => window.__frames.start());
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
  }
  const result = await page.evaluate(() => window.__frames.stop());
  await page.mouse.up();
  return result;
}

/** One load of the editor: time to interactive, then a node drag and a pan. */
async function measure({ browser, url, storageState, flowUrl }) {
  const context = await browser.newContext({ viewport, storageState });
  const page = await context.newPage();
  await page.addInitScript(frameCounter);
  await page.goto(`${url}${flowUrl}`);
  // Interactive: the nodes are on the canvas and a click on one selects it.
  const node = page.locator(".react-flow__node").first();
  await node.waitFor({ state: "visible", timeout: 60_000 });
  await node.click();
  await page.locator(".react-flow__node.selected").first().waitFor({ timeout: 30_000 });
  const interactiveMs = await page.evaluate(() => performance.now());
  const rendered = await page.locator(".react-flow__node").count();

  const box = await node.boundingBox();
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const drag = await dragAcross(page, start, { x: start.x + 300, y: start.y + 200 }, 90);

  // Pan by dragging empty canvas: the top-left corner of the pane, clear of nodes after fitting the view.
  const pane = await page.locator(".react-flow__pane").boundingBox();
  const from = { x: pane.x + pane.width - 40, y: pane.y + pane.height - 40 };
  const pan = await dragAcross(page, from, { x: from.x - 500, y: from.y - 300 }, 90);
  await context.close();
  return { interactiveMs, rendered, drag, pan };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  await ensureChromium();
  const server = args.url ? { url: args.url, stop: async () => {} } : await startServer();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
  try {
    const signIn = await browser.newContext({ viewport });
    const page = await signIn.newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByRole("textbox", { name: "Email" }).fill(`bench-${Date.now()}@example.test`);
    await page.getByRole("button", { name: "Sign in for development" }).click();
    await page.waitForURL(/\/w\//);
    const [workspace] = await trpc(page, "query", "workspace.list");
    const storageState = await signIn.storageState();

    for (const [label, size] of [
      ["baseline 10 nodes", { nodes: 10, edges: 12 }],
      [`${nodeCount} nodes`, { nodes: nodeCount, edges: edgeCount }],
    ]) {
      const flow = await trpc(page, "mutation", "flow.create", { workspaceId: workspace.id, name: `Bench ${label}`, document: generateFlow(size) });
      const flowUrl = `/w/${workspace.slug}/flows/${flow.id}`;
      // The first load warms the server's compiled pages; the figures come from the loads after it.
      await measure({ browser, url: server.url, storageState, flowUrl });
      const runs = [];
      for (let i = 0; i < repeat; i++) runs.push(await measure({ browser, url: server.url, storageState, flowUrl }));
      const key = label.replace(/\s+/g, "_");
      report(`editor.${key}.time_to_interactive`, Math.round(median(runs.map((r) => r.interactiveMs))), "ms");
      report(`editor.${key}.nodes_rendered`, median(runs.map((r) => r.rendered)), "nodes");
      report(`editor.${key}.drag_fps`, Number(median(runs.map((r) => r.drag.fps)).toFixed(1)), "fps");
      report(`editor.${key}.drag_p95_frame`, Number(median(runs.map((r) => r.drag.p95FrameMs)).toFixed(1)), "ms");
      report(`editor.${key}.pan_fps`, Number(median(runs.map((r) => r.pan.fps)).toFixed(1)), "fps");
      report(`editor.${key}.pan_p95_frame`, Number(median(runs.map((r) => r.pan.p95FrameMs)).toFixed(1)), "ms");
    }
    await signIn.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  writeReport(path.join(projectRoot, "bench", "results", "editor.json"));
}

await main();
