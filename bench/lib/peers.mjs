// Other workflow engines, run on this machine for side-by-side figures, on the same Node as our engine (the one
// running the benchmark: a supported Node, see scripts/node-runtime.mjs), so the comparison is fair.
// Installs are cached under node_modules/.cache/bench-peers/ (one folder per exact package set); each run gets
// its own temporary folder for settings and data, removed by `stop()`.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { n8nEnvironment, n8nWorkflows, nodeRedFlows, nodeRedSettings } from "./peer-flows.mjs";
import { freePort, projectRoot } from "../../scripts/keep-current.mjs";

/** The request body every peer flow is written for, and what each flow answers to it. */
export const benchPayload = { name: "bench", numbers: Array.from({ length: 100 }, (_, i) => i + 1) };
const expectedAnswers = {
  webhook_set: { ok: true, name: "bench" },
  webhook_code: { sum: 5050 },
};

const cacheRoot = path.join(projectRoot, "node_modules", ".cache", "bench-peers");

/** A peer that could not be installed, started or deployed; `message` says which step and shows its output. */
export class PeerError extends Error {
  name = "PeerError";
}

const say = (message) => process.stderr.write(`[peers] ${message}\n`);

/**
 * Starts Node-RED with two flows deployed:
 *   POST /nodered/webhook-set  — http in → change (builds `{ ok: true, name }`) → http response
 *   POST /nodered/webhook-code — http in → function (sums `payload.numbers`) → http response
 * Both are checked with `benchPayload` before this resolves.
 * @returns {Promise<Peer>}
 */
export async function startNodeRed({ tmpRoot = os.tmpdir() } = {}) {
  const install = await ensureInstalled({ name: "node-red", dependencies: { "node-red": "5" } });
  const dir = await mkdtemp(path.join(tmpRoot, "bench-nodered-"));
  try {
    const port = await freePort();
    const userDir = path.join(dir, "user");
    await mkdir(userDir);
    const settingsFile = path.join(dir, "settings.js");
    await writeFile(settingsFile, nodeRedSettings({ port, userDir }));
    const child = spawnPeer({
      node: install.node,
      args: [path.join(install.dir, "node_modules", "node-red", "red.js"), "--settings", settingsFile],
      cwd: dir,
      env: process.env,
    });
    const url = `http://127.0.0.1:${port}`;
    return await checkedPeer({
      name: "nodered",
      url,
      child,
      dir,
      flows: { webhook_set: `${url}/nodered/webhook-set`, webhook_code: `${url}/nodered/webhook-code` },
      ready: async () => {
        await waitUntilAnswering({ url: `${url}/flows`, child });
        const deployed = await fetch(`${url}/flows`, {
          method: "POST",
          headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full" },
          body: JSON.stringify(nodeRedFlows()),
          signal: AbortSignal.timeout(30_000),
        });
        if (!deployed.ok) throw new PeerError(`Node-RED refused the flows (${deployed.status}): ${await deployed.text()}`);
      },
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts n8n 2.41.1 with two published workflows:
 *   POST /n8n/webhook-set  — Webhook → Set (`ok: true`, `name`) → Respond to Webhook
 *   POST /n8n/webhook-code — Webhook → Code (sums `body.numbers`) → Respond to Webhook
 * The first install compiles sqlite3 (a couple of minutes). RSS figures for n8n should include its task-runner
 * child process (`rssTreeOf`).
 * @returns {Promise<Peer>}
 */
export async function startN8n({ tmpRoot = os.tmpdir() } = {}) {
  const install = await ensureInstalled({
    name: "n8n",
    // 2.41.3 has a dependency this registry lacks; 2.41.1 installs once linkedom is held at a version it carries.
    dependencies: { n8n: "2.41.1" },
    overrides: { linkedom: "0.18.14" },
    allowScripts: { sqlite3: true },
    // Install scripts of n8n's hundreds of dependencies mostly download things; only sqlite3 must be built.
    installArgs: ["--ignore-scripts"],
    afterInstall: async ({ dir, env }) => {
      say("building sqlite3 for n8n (about 80 s)");
      await npm({ args: ["rebuild", "sqlite3"], cwd: dir, env });
    },
  });
  const dir = await mkdtemp(path.join(tmpRoot, "bench-n8n-"));
  try {
    const port = await freePort();
    const env = {
      ...process.env,
      ...n8nEnvironment({ userFolder: dir, port, brokerPort: await freePort() }),
    };
    const n8n = path.join(install.dir, "node_modules", "n8n", "bin", "n8n");
    const workflows = n8nWorkflows();
    const workflowsFile = path.join(dir, "workflows.json");
    await writeFile(workflowsFile, JSON.stringify(workflows));
    await runCommand({
      command: install.node,
      args: [n8n, "import:workflow", `--input=${workflowsFile}`],
      cwd: dir,
      env,
      what: "n8n import:workflow",
    });
    for (const workflow of workflows) {
      await runCommand({
        command: install.node,
        args: [n8n, "publish:workflow", `--id=${workflow.id}`],
        cwd: dir,
        env,
        what: `n8n publish:workflow --id=${workflow.id}`,
      });
    }
    const child = spawnPeer({ node: install.node, args: [n8n, "start"], cwd: dir, env });
    const url = `http://127.0.0.1:${port}`;
    return await checkedPeer({
      name: "n8n",
      url,
      child,
      dir,
      flows: { webhook_set: `${url}/n8n/webhook-set`, webhook_code: `${url}/n8n/webhook-code` },
      ready: () => waitUntilAnswering({ url: `${url}/healthz/readiness`, child, timeoutMs: 180_000 }),
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * @typedef {object} Peer
 * @property {string} name   prefix for its figures (`nodered`, `n8n`)
 * @property {string} url    base URL, on 127.0.0.1
 * @property {number} pid    the peer's main process
 * @property {{ webhook_set: string, webhook_code: string }} flows  full URL of each flow, keyed by scenario
 * @property {() => string} log  the last 20 kB of its console output
 * @property {() => Promise<void>} stop  ends the process and removes its temporary folder; safe to call twice
 */

/**
 * A benchmark of a flow that answers wrongly measures nothing: check each one before loading it. Both peers
 * acknowledge a deploy before its routes are registered (Node-RED answers POST /flows, then starts the flows),
 * so a 404 is retried for a while.
 */
async function checkFlows(peer, { routeTimeoutMs = 30_000 } = {}) {
  for (const [scenario, url] of Object.entries(peer.flows)) {
    const deadline = Date.now() + routeTimeoutMs;
    let response;
    for (;;) {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(benchPayload),
        signal: AbortSignal.timeout(30_000),
      });
      if (response.status !== 404 || Date.now() > deadline) break;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const text = await response.text();
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = text;
    }
    const expected = expectedAnswers[scenario];
    const matches = Object.entries(expected).every(([key, value]) => answer?.[key] === value);
    if (!response.ok || !matches) {
      throw new PeerError(
        `${peer.name} ${scenario} answered ${response.status} ${text.slice(0, 500)}; expected ${JSON.stringify(expected)}`,
      );
    }
  }
}

/**
 * Installs `dependencies` for this Node into node_modules/.cache/bench-peers/<name>-<hash>/ unless that
 * folder is already complete. The install happens in a temporary sibling folder that is renamed into place only
 * once everything (including `afterInstall`) succeeded, so an interrupted install is never mistaken for a cache.
 */
async function ensureInstalled({ name, dependencies, overrides, allowScripts, installArgs = [], afterInstall }) {
  const manifest = {
    name: `bench-peer-${name}`,
    private: true,
    dependencies,
    ...(overrides && { overrides }),
    ...(allowScripts && { allowScripts }),
  };
  // Native modules (n8n's sqlite3) are built for one Node, so the Node is part of the key.
  const key = createHash("sha256").update(JSON.stringify({ manifest, installArgs, node: process.version })).digest("hex").slice(0, 12);
  const dir = path.join(cacheRoot, `${name}-${key}`);
  const node = process.execPath;
  const complete = (folder) => path.join(folder, ".installed");
  if (existsSync(complete(dir))) return { dir, node };

  await mkdir(cacheRoot, { recursive: true });
  await removeAbandonedStaging();
  const staging = await mkdtemp(path.join(cacheRoot, `.staging-${process.pid}-${name}-`));
  try {
    say(`installing ${Object.entries(manifest.dependencies).map(([pkg, range]) => `${pkg}@${range}`).join(", ")} for Node ${process.version}`);
    await writeFile(path.join(staging, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    await npm({ args: ["install", "--no-package-lock", "--loglevel=error", ...installArgs], cwd: staging, env });
    await afterInstall?.({ dir: staging, env });
    await writeFile(complete(staging), "");
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another run finished the same install first: theirs is as good as ours.
      if (!existsSync(complete(dir))) throw error;
      await rm(staging, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir, node };
}

/** A run killed mid-install leaves its staging folder behind; remove those whose process is gone. */
async function removeAbandonedStaging() {
  for (const entry of await readdir(cacheRoot)) {
    const pid = Number(/^\.staging-(\d+)-/.exec(entry)?.[1]);
    if (pid && !isAlive(pid)) await rm(path.join(cacheRoot, entry), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

const npm = ({ args, cwd, env }) => runCommand({ command: "npm", args, cwd, env, what: `npm ${args.join(" ")}` });

/** Runs a command to completion with its output captured; resolves with stdout, or throws with the output's tail. */
function runCommand({ command, args, cwd, env, what, timeoutMs = 20 * 60_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => reject(new PeerError(`${what} could not start: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new PeerError(`${what} failed (${signal ?? `exit code ${code}`}):\n${tail(output)}`));
    });
  });
}

const tail = (text, lines = 40) => text.trimEnd().split("\n").slice(-lines).join("\n");

const running = new Set();
let exitHookInstalled = false;

/** Starts a long-running peer with its output kept (the last part only) for error messages. */
function spawnPeer({ node, args, cwd, env }) {
  const child = spawn(node, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  child.output = "";
  const keep = (chunk) => {
    child.output = (child.output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.on("error", (error) => keep(`\n${error.message}\n`));
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Whatever ends this script (an uncaught error, process.exit), leave no peer listening behind it.
    process.once("exit", () => {
      for (const peer of running) peer.kill("SIGKILL");
    });
  }
  return child;
}

/**
 * The peer of a started process once `ready` resolves and its `flows` answer as expected; on any failure the
 * process is stopped and the error carries the tail of its output.
 */
async function checkedPeer({ name, url, child, dir, flows, ready }) {
  const peer = makePeer({ name, url, child, dir });
  try {
    await ready();
    peer.flows = flows;
    await checkFlows(peer);
    return peer;
  } catch (error) {
    await peer.stop();
    throw withOutput(error, child);
  }
}

function makePeer({ name, url, child, dir }) {
  let stopping;
  return {
    name,
    url,
    pid: child.pid,
    flows: {},
    log: () => child.output,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await child.exited;
          clearTimeout(timer);
        }
        running.delete(child);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

async function waitUntilAnswering({ url, child, timeoutMs = 60_000 }) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new PeerError(`the peer exited before answering ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new PeerError(`the peer did not answer ${url} within ${timeoutMs / 1000} s`);
}

function withOutput(error, child) {
  if (!(error instanceof PeerError) || !child.output) return error;
  return new PeerError(`${error.message}\nits output ended with:\n${tail(child.output)}`);
}
