// Keeps this checkout's build current before `npm start`, `npm run worker` and `npm run cli` (and the test run,
// which starts with it): dependencies, the Prisma client, and the app and server builds. Only Node.js built-ins at
// the top level, so it works before node_modules exists. Provisioning a test machine (PostgreSQL, Redis,
// Mosquitto, Chromium, media tools) is scripts/provision-test-machine.mjs, which nothing here loads.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A setup step that cannot proceed; `message` says what to run to fix it. */
export class SetupError extends Error {
  name = "SetupError";
}

export const say = (message) => process.stdout.write(`[setup] ${message}\n`);

/**
 * Runs a command with inherited output and resolves with its exit code (never rejects on a non-zero exit,
 * so callers decide whether a failure stops everything).
 */
export function run(command, args, { env = process.env, cwd = projectRoot, stdio = "inherit" } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function runOrThrow(command, args, options) {
  const code = await run(command, args, options);
  if (code !== 0) throw new SetupError(`\`${[command, ...args].join(" ")}\` exited with code ${code}`);
}

const mtimeMs = (file) => (existsSync(file) ? statSync(file).mtimeMs : null);

/**
 * npm writes node_modules/.package-lock.json after every install, so it being older than package-lock.json
 * means someone changed the dependencies (pull, branch switch) since the last install.
 */
export function dependenciesAreStale() {
  const lock = mtimeMs(path.join(projectRoot, "package-lock.json"));
  const installed = mtimeMs(path.join(projectRoot, "node_modules", ".package-lock.json"));
  if (installed === null) return true;
  return lock !== null && installed < lock;
}

export async function ensureDependencies() {
  if (!dependenciesAreStale()) return false;
  say("node_modules is missing or older than package-lock.json: running npm ci");
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false" };
  // package-lock.json lists every platform's optional packages (a vitest check keeps it so), so npm ci installs
  // this platform's with no fallback; when it fails, its own output above says why.
  await runOrThrow("npm", ["ci"], { env });
  return true;
}

/** The generated client is gitignored, so a fresh clone (or a schema change) needs a generate before tsc/next. */
export function prismaClientIsStale() {
  const generated = mtimeMs(path.join(projectRoot, "server", "db", "generated", "client.ts"));
  if (generated === null) return true;
  const inputs = ["prisma/schema.prisma", "package-lock.json"].map((file) => mtimeMs(path.join(projectRoot, file)));
  return inputs.some((input) => input !== null && input > generated);
}

export async function generatePrismaClient({ force = false } = {}) {
  if (!force && !prismaClientIsStale()) return false;
  const script = path.join(projectRoot, "scripts", "prisma-generate.mjs");
  if (!existsSync(script)) throw new SetupError(`${path.relative(projectRoot, script)} is missing`);
  say("generating the Prisma client");
  await runOrThrow(process.execPath, [script]);
  return true;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}


const buildInputs = ["app", "server", "nodes", "runner", "prisma", "public", "types"];
const buildFiles = ["package-lock.json", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "prisma/schema.prisma"];
const stampFile = path.join(projectRoot, ".next", "streamware-sources.sha256");

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated" && entry.name !== "node_modules") yield* walk(full);
    } else if (!/\.test\.tsx?$/.test(entry.name)) {
      yield full;
    }
  }
}

/** A hash of what the build reads, so a rebuild happens exactly when something it depends on changed. */
function sourceHash() {
  const hash = createHash("sha256");
  const files = [...buildInputs.flatMap((dir) => [...walk(path.join(projectRoot, dir))]), ...buildFiles.map((f) => path.join(projectRoot, f))];
  for (const file of files.filter((f) => existsSync(f) && statSync(f).isFile()).sort()) {
    hash.update(path.relative(projectRoot, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/**
 * V8 settings for a server process (`entry`: "server" or "worker").
 * - Young generation: embedded mode is one person's machine, and a small one (2 MB semi-spaces) keeps the footprint
 *   down. With PostgreSQL the process serves a load, and a larger one (32 MB) cuts garbage-collection work per
 *   request for some tens of megabytes: with allocation sites not pretenured (below), the web process answered 5-10%
 *   more webhooks a second with history kept at 32 MB than at 16, at the same p99, and the same with failed runs only.
 * - No allocation-site pretenuring: V8 allocates the objects of a site straight into the old generation once most of
 *   them have outlived a young collection. Under a webhook load, sites on a request's path qualify (a request's
 *   objects outlive a young collection that comes while it is in flight); their objects then die soon after in the
 *   old generation, where full collections have to find them, and until then their pointers to young objects make
 *   every young collection visit them. Without it (webhook → set → respond, failed runs only, c20):
 *   full collections in 13 s 22 → 3, a young one 2.7 → 0.9 ms, 10,600 → 13,200 req/s, 0.116 → 0.079 ms of CPU a
 *   request; embedded 9,560 → 12,440 req/s. Queue-mode workers measured the same with and without; they run the same
 *   engine, so they get the same setting.
 * - One background thread for V8 instead of four: each thread that compiles or collects keeps its own malloc arena,
 *   tens of megabytes that are never handed back (about 75 MB at idle embedded, 20 MB for a queue-mode web process,
 *   with no loss of webhooks per second).
 * - A capped old generation (1 GB embedded, 1.5 GB for a queue-mode web process): below 2 GB V8 lets the heap grow
 *   less far past what is live before it collects, which under a webhook load keeps the process near 300-330 MB
 *   instead of 500 MB, for the same throughput.
 * Queue-mode workers run the flows, with their data and their code nodes' isolates: they keep V8's other defaults.
 * The Dockerfile and the files of deploy/ start their processes with the same flags.
 */
export function nodeMemoryFlags(env, entry = "server") {
  const noPretenuring = "--no-allocation-site-pretenuring";
  if (!env.DATABASE_URL) return ["--max-semi-space-size=2", "--v8-pool-size=1", "--max-old-space-size=1024", noPretenuring];
  const web = entry === "server" ? ["--v8-pool-size=1", "--max-old-space-size=1536"] : [];
  return ["--max-semi-space-size=32", ...web, noPretenuring];
}

/**
 * Environment for a server process's C library, beside nodeMemoryFlags. Embedded: glibc keeps freed blocks of
 * 128 KB and more inside its heap once such blocks have been freed (start-up reads files and compiles WebAssembly
 * with them); a fixed trim threshold makes it hand them back instead, about 15 MB at idle and 20-30 MB under
 * load, for the same webhooks per second. Other C libraries ignore the variable.
 */
export function nodeMemoryEnv(env) {
  return env.DATABASE_URL ? {} : { MALLOC_TRIM_THRESHOLD_: "65536" };
}

/**
 * The server processes (and the embedded database's thread), compiled to plain JavaScript so production runs without
 * a TypeScript loader.
 */
export const serverEntries = { server: "server/main.ts", worker: "server/worker.ts", cli: "server/cli.ts", "pglite-thread": "server/db/pglite-thread.mts" };
export const distDir = path.join(projectRoot, "dist");
export const builtEntry = (name) => path.join(distDir, `${name}.mjs`);

/** esbuild's options for the server bundles (also read by a test of what a server imports at start-up). */
export const serverBundleOptions = {
  entryPoints: serverEntries,
  outdir: distDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // Dependencies stay in node_modules, loaded by Node as they are (native addons, WebAssembly, Next itself).
  packages: "external",
  // Code loaded by a dynamic import() (queue mode's Redis and BullMQ) goes in a chunk of its own, loaded when
  // imported: bundled inline, its libraries would be imported at start-up by every process. Chunks sit beside
  // the entries, so code that finds the project from its own file's place finds it from either.
  splitting: true,
  chunkNames: "[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: "linked",
  logLevel: "warning",
};

async function bundleServer() {
  const { build } = await import("esbuild");
  // Chunks are named by their content: a rebuild starts from an empty folder, so none of an older build stays.
  rmSync(distDir, { recursive: true, force: true });
  await build(serverBundleOptions);
}

/** `next build` and the server bundle, unless the last successful build was made from exactly these sources. */
export async function buildIfStale() {
  const current = sourceHash();
  const outputs = [path.join(projectRoot, ".next", "BUILD_ID"), ...Object.keys(serverEntries).map(builtEntry), stampFile];
  const built = outputs.every((file) => existsSync(file)) && readFileSync(stampFile, "utf8") === current;
  if (built) return;
  say("building the app (next build) and the server");
  const code = await run(path.join(projectRoot, "node_modules", ".bin", "next"), ["build"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (code !== 0) throw new SetupError(`next build failed with code ${code}`);
  await bundleServer();
  writeFileSync(stampFile, current);
}
