// `npm run bench:editor [-- --nodes=500 --edges=600 --repeat=5] [--url=http://localhost:3000] [--shots=folder]`
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
import { buildIfStale, ensureDependencies, freePort, generatePrismaClient, projectRoot } from "../../scripts/keep-current.mjs";
import { chromiumPath, ensureChromium } from "../../scripts/provision-test-machine.mjs";
import { report, writeReport } from "../lib/load.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const nodeCount = Number(args.nodes ?? 500);
const edgeCount = Number(args.edges ?? 600);
const repeat = Number(args.repeat ?? 5);
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
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (i === 1200) {
      child.kill("SIGKILL");
      throw new Error(`the server at ${url} did not become healthy within 2 minutes`);
    }
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

/**
 * Installed before the page's own scripts: counts animation frames between `start` and `stop` (frames are what the
 * user sees), and finds a point where a click lands on a node or on empty canvas (nothing drawn over it).
 */
const pageProbes = () => {
  const state = { running: false, frames: [] };
  const tick = (t) => {
    if (!state.running) return;
    state.frames.push(t);
    requestAnimationFrame(tick);
  };
  const hits = (x, y, selector) => document.elementFromPoint(x, y)?.closest(".react-flow__node, .react-flow__pane, .react-flow__minimap, .react-flow__panel, button, aside, header")?.matches(selector) ?? false;
  window.__bench = {
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
    /** The centre of the node nearest the middle of the canvas whose centre a click reaches, or null. */
    clickableNode() {
      const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
      if (!pane) return null;
      const middle = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
      let best = null;
      for (const node of document.querySelectorAll(".react-flow__node")) {
        const r = node.getBoundingClientRect();
        const p = { x: r.x + r.width / 2, y: r.y + r.height / 2, id: node.dataset.id };
        if (r.width === 0 || document.elementFromPoint(p.x, p.y)?.closest(".react-flow__node") !== node) continue;
        const d = Math.hypot(p.x - middle.x, p.y - middle.y);
        if (!best || d < best.d) best = { ...p, d };
      }
      return best;
    },
    /** A point of empty canvas from which a drag by (dx, dy) stays on the canvas, or null. */
    emptyCanvas(dx, dy) {
      const pane = document.querySelector(".react-flow__pane").getBoundingClientRect();
      for (let y = pane.bottom - 20; y > pane.top + 20; y -= 10) {
        for (let x = pane.right - 20; x > pane.left + 20; x -= 10) {
          if (hits(x, y, ".react-flow__pane") && x + dx > pane.left && y + dy > pane.top) return { x, y };
        }
      }
      return null;
    },
  };
};

const frame = (page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));

/** Moves the mouse from `from` to `to` in `steps` moves while the button is held, one move per frame. */
async function dragAcross(page, from, to, steps) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  // A few pixels first, so the drag has begun (React Flow starts a drag past a small threshold) before counting.
  await page.mouse.move(from.x + 4, from.y + 4);
  await frame(page);
  await page.evaluate(() => window.__bench.start());
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + 4 + ((to.x - from.x) * i) / steps, from.y + 4 + ((to.y - from.y) * i) / steps);
    await frame(page);
  }
  const result = await page.evaluate(() => window.__bench.stop());
  await page.mouse.up();
  return result;
}

/**
 * One load of the editor. Time to interactive: from navigation start until the flow is on the canvas and a click
 * on a node has visibly selected it (the time of the frame that shows the selection, by the page's clock). Then a
 * node drag and a pan of empty canvas, each with the frames counted while the mouse moves.
 */
async function measure({ browser, url, storageState, flowUrl, shot, onlyFailure = false }) {
  const context = await browser.newContext({ viewport, storageState });
  const page = await context.newPage();
  await page.addInitScript(pageProbes);
  try {
    await page.goto(`${url}${flowUrl}`, { waitUntil: "commit" });
    const target = await (await page.waitForFunction(() => window.__bench.clickableNode(), null, { polling: "raf", timeout: 60_000 })).jsonValue();
    const shownMs = await page.evaluate(() => performance.now());
    await page.mouse.click(target.x, target.y);
    const interactiveMs = await (
      await page.waitForFunction((id) => document.querySelector(`.react-flow__node.selected[data-id="${id}"]`) && performance.now(), target.id, { polling: "raf", timeout: 30_000 })
    ).jsonValue();
    const rendered = await page.locator(".react-flow__node").count();
    if (shot && !onlyFailure) await page.screenshot({ path: `${shot}-loaded.png` });

    // A person looks before they drag; the moves below measure dragging, not the panel that just opened.
    await page.waitForTimeout(500);
    // Selecting opens the node panel beside the canvas, so the node is dragged from where it is now, towards the
    // middle of the narrower canvas: a drag that reached the canvas's edge would auto-pan instead.
    const { node, pane } = await page.evaluate((id) => {
      const rect = (el) => el.getBoundingClientRect().toJSON();
      return { node: rect(document.querySelector(`.react-flow__node[data-id="${id}"]`)), pane: rect(document.querySelector(".react-flow__pane")) };
    }, target.id);
    const grab = { x: node.x + node.width / 2, y: node.y + node.height / 2 };
    const towards = { x: pane.x + pane.width / 2 - grab.x, y: pane.y + pane.height / 2 - grab.y };
    const length = Math.hypot(towards.x, towards.y) || 1;
    const reach = Math.min(pane.width, pane.height) / 3;
    const drag = await dragAcross(page, grab, { x: grab.x + (towards.x / length) * reach, y: grab.y + (towards.y / length) * reach }, 90);
    // The drag selected the node: Escape clears it, so the pan below is not over a side panel that just opened.
    await page.keyboard.press("Escape");
    const from = await page.evaluate(() => window.__bench.emptyCanvas(-400, -250));
    if (!from) throw new Error("no empty canvas to pan from");
    const pan = await dragAcross(page, from, { x: from.x - 400, y: from.y - 250 }, 90);
    if (shot && !onlyFailure) await page.screenshot({ path: `${shot}-panned.png` });

    // The editor opens a big flow at a readable zoom, so only part of it is drawn. The hardest case is the whole
    // flow in view (the Fit View button): every node drawn, then panned.
    await page.getByRole("button", { name: "Fit View" }).click();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    const renderedWhole = await page.locator(".react-flow__node").count();
    const fromWhole = await page.evaluate(() => window.__bench.emptyCanvas(-200, -120));
    if (!fromWhole) throw new Error("no empty canvas to pan from with the whole flow in view");
    const panWhole = await dragAcross(page, fromWhole, { x: fromWhole.x - 200, y: fromWhole.y - 120 }, 90);
    return { shownMs, interactiveMs, rendered, drag, pan, renderedWhole, panWhole };
  } catch (error) {
    if (shot) await page.screenshot({ path: `${shot}-failed.png` }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
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
      const document = generateFlow(size);
      const flow = await trpc(page, "mutation", "flow.create", { workspaceId: workspace.id, name: `Bench ${label}`, document });
      const flowUrl = `/w/${workspace.slug}/flows/${flow.id}`;
      // Every load opens the same document: the drag of the load before it was saved as a draft.
      const reset = () => trpc(page, "mutation", "flow.saveDraft", { workspaceId: workspace.id, flowId: flow.id, document });
      // The first load warms the server's compiled pages; the figures come from the loads after it.
      const shot = args.shots ? path.join(args.shots, label.replace(/\s+/g, "-")) : undefined;
      await measure({ browser, url: server.url, storageState, flowUrl, shot });
      const runs = [];
      for (let i = 0; i < repeat; i++) {
        await reset();
        const run = await measure({ browser, url: server.url, storageState, flowUrl, shot: shot && `${shot}-${i + 1}`, onlyFailure: true });
        const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
        process.stdout.write(
          `# ${label} #${i + 1}: shown ${Math.round(run.shownMs)} ms, interactive ${Math.round(run.interactiveMs)} ms, drag ${run.drag.fps.toFixed(1)} fps (p95 ${run.drag.p95FrameMs.toFixed(1)} ms, longest ${run.drag.longestFrameMs.toFixed(0)} ms), pan ${run.pan.fps.toFixed(1)} fps (p95 ${run.pan.p95FrameMs.toFixed(1)} ms, longest ${run.pan.longestFrameMs.toFixed(0)} ms), whole flow (${run.renderedWhole} nodes) pan ${run.panWhole.fps.toFixed(1)} fps, load average ${load}\n`,
        );
        runs.push(run);
      }
      const key = label.replace(/\s+/g, "_");
      report(`editor.${key}.first_shown`, Math.round(median(runs.map((r) => r.shownMs))), "ms");
      report(`editor.${key}.time_to_interactive`, Math.round(median(runs.map((r) => r.interactiveMs))), "ms");
      report(`editor.${key}.nodes_rendered`, median(runs.map((r) => r.rendered)), "nodes");
      report(`editor.${key}.drag_fps`, Number(median(runs.map((r) => r.drag.fps)).toFixed(1)), "fps");
      report(`editor.${key}.drag_p95_frame`, Number(median(runs.map((r) => r.drag.p95FrameMs)).toFixed(1)), "ms");
      report(`editor.${key}.pan_fps`, Number(median(runs.map((r) => r.pan.fps)).toFixed(1)), "fps");
      report(`editor.${key}.pan_p95_frame`, Number(median(runs.map((r) => r.pan.p95FrameMs)).toFixed(1)), "ms");
      report(`editor.${key}.whole_flow_nodes_rendered`, median(runs.map((r) => r.renderedWhole)), "nodes");
      report(`editor.${key}.whole_flow_pan_fps`, Number(median(runs.map((r) => r.panWhole.fps)).toFixed(1)), "fps");
      report(`editor.${key}.whole_flow_pan_p95_frame`, Number(median(runs.map((r) => r.panWhole.p95FrameMs)).toFixed(1)), "ms");
      // Other work shares these cores: the 1-minute load average beside the figures says how much.
      report(`editor.${key}.load_average_1m`, Number(os.loadavg()[0].toFixed(2)), "");
    }
    await signIn.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  writeReport(path.join(projectRoot, "bench", "results", "editor.json"));
}

await main();
