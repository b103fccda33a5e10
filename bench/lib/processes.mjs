// The processes a benchmark starts: the compiled server and workers, one-shot TypeScript helpers, and the set of
// everything still running, so an error or Ctrl-C stops it all.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { builtEntry, nodeMemoryEnv, nodeMemoryFlags, projectRoot } from "../../scripts/keep-current.mjs";

const tsxArgs = ["--no-node-snapshot", "--import", "tsx"];

/** Every child started here and not yet exited. */
export const children = new Set();

/** Starts a compiled entry (`server`, `worker`) as `npm start` and `npm run worker` do; its last stderr is shown if it fails. */
export function startEntry(entry, env, label) {
  const child = spawn(process.execPath, ["--no-node-snapshot", ...nodeMemoryFlags(env, entry), builtEntry(entry)], { cwd: projectRoot, env: { ...env, ...nodeMemoryEnv(env) }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  child.on("exit", (code) => {
    children.delete(child);
    if (code && code !== 0 && !child.stopping) process.stderr.write(`[bench] ${label} exited with ${code}:\n${stderr}\n`);
  });
  children.add(child);
  return child;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopProcess(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stopping = true;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(graceMs).then(() => child.kill("SIGKILL"))]);
  await exited;
}

/** Kills every child still running (on an error or a signal, when there is no time to be gentle). */
export function killChildren() {
  for (const child of children) child.kill("SIGKILL");
}

/** Runs a TypeScript helper to its end and resolves with the JSON of its last output line. */
export function runTsx(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsxArgs, script], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "inherit"] });
    children.add(child);
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => {
      children.delete(child);
      if (code === 0) resolve(JSON.parse(out.trim().split("\n").at(-1)));
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

export async function waitHealthy(url) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`the server at ${url} did not become healthy`);
}
