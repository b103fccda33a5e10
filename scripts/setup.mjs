// Shared by `npm test` (scripts/test.mjs) and `npm start` (scripts/start.mjs): bring a fresh clone to a state
// where it can build and run, using nothing but Node.js built-ins, so it works before node_modules exists.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A setup step that cannot proceed; `message` says what to run to fix it. */
export class SetupError extends Error {
  name = "SetupError";
}

const say = (message) => process.stdout.write(`[setup] ${message}\n`);

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

async function runOrThrow(command, args, options) {
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

/** Like `run`, but collects stdout and stderr instead of showing them. */
function runQuietly(command, args, { env = process.env, cwd = projectRoot } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

export async function ensureDependencies() {
  if (!dependenciesAreStale()) return false;
  say("node_modules is missing or older than package-lock.json: running npm ci");
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false" };
  const ci = await runQuietly("npm", ["ci"], { env });
  if (ci.code === 0) {
    process.stdout.write(ci.output);
    return true;
  }
  // A lockfile written where the registry only carries this platform's builds has no entries for
  // the other platforms' optional packages (@next/swc-darwin-*, …), and npm ci refuses it as out of sync even
  // though npm install accepts it unchanged. --no-save keeps package.json and package-lock.json as they are.
  if (!/npm ci` can only install packages when your package\.json and package-lock\.json/.test(ci.output)) {
    process.stdout.write(ci.output);
    throw new SetupError(`npm ci exited with code ${ci.code}`);
  }
  const missing = ci.output.split("\n").filter((line) => line.includes("Missing:")).length;
  say(`npm ci finds package-lock.json out of sync (${missing} optional packages missing): running npm install --no-save`);
  await runOrThrow("npm", ["install", "--no-save"], { env });
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

export const isRoot = () => process.getuid?.() === 0;
export const isDebian = () => existsSync("/etc/debian_version");

let aptIndexFresh = false;

/** Installs Debian packages when we may (root on Debian); otherwise stops with the command a person should run. */
export async function aptInstall(packages, { why }) {
  const command = `apt-get update && apt-get install -y ${packages.join(" ")}`;
  if (!isDebian()) throw new SetupError(`${why}. Install ${packages.join(", ")} with your system's package manager.`);
  if (!isRoot()) throw new SetupError(`${why}. Run: sudo sh -c '${command}'`);
  say(`${why}: ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptIndexFresh) {
    await runOrThrow("apt-get", ["update"], { env });
    aptIndexFresh = true;
  }
  await runOrThrow("apt-get", ["install", "-y", ...packages], { env });
}

export function canConnect({ host, port, timeoutMs = 1000 }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real query, not only an open port: a starting server accepts connections before it accepts logins. */
async function queryPostgres(url) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitForPostgres(url, { timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    lastError = await queryPostgres(url);
    if (lastError === null) return null;
    // A wrong password or missing role will not fix itself by waiting.
    if (["28P01", "28000", "3D000"].includes(lastError.code)) return lastError;
    await sleep(500);
  }
  return lastError;
}

/** Debian clusters named "main", newest first, with the port each is configured for. */
function debianClusters() {
  if (!existsSync("/etc/postgresql")) return [];
  return readdirSync("/etc/postgresql")
    .filter((version) => existsSync(`/etc/postgresql/${version}/main/postgresql.conf`))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => {
      const conf = readFileSync(`/etc/postgresql/${version}/main/postgresql.conf`, "utf8");
      return { version, port: Number(conf.match(/^\s*port\s*=\s*(\d+)/m)?.[1] ?? 5432) };
    });
}

/**
 * Debian's fresh cluster asks TCP clients for a password; the test database URL has none, the same as this
 * project's machines. Only done for a cluster this script has just installed.
 */
function trustLoopbackLogins(version) {
  const hbaFile = `/etc/postgresql/${version}/main/pg_hba.conf`;
  const rules = "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n";
  writeFileSync(hbaFile, `# Added by scripts/setup.mjs for the test suite\n${rules}${readFileSync(hbaFile, "utf8")}`);
}

/** Makes sure a PostgreSQL answers queries at `url`, starting (or, as root on Debian, installing) one locally. */
export async function ensurePostgres({ url }) {
  const { hostname, port: rawPort } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const port = Number(rawPort || 5432);
  if ((await canConnect({ host, port })) && (await waitForPostgres(url, { timeoutMs: 5000 })) === null) return;

  const local = ["127.0.0.1", "localhost", "::1"].includes(host);
  if (!local) throw new SetupError(`PostgreSQL at ${host}:${port} does not answer; start it or set TEST_DATABASE_URL`);

  let clusters = debianClusters();
  let installedNow = false;
  if (clusters.length === 0) {
    await aptInstall(["postgresql"], { why: `nothing answers at ${host}:${port} and PostgreSQL is not installed` });
    installedNow = true;
    clusters = debianClusters();
  }
  const cluster = clusters.find((candidate) => candidate.port === port);
  if (!cluster) {
    const found = clusters.map(({ version, port: p }) => `${version}/main on ${p}`).join(", ") || "none";
    throw new SetupError(`no Debian PostgreSQL cluster is configured for port ${port} (found: ${found}); set TEST_DATABASE_URL`);
  }
  const { version } = cluster;
  if (installedNow) trustLoopbackLogins(version);

  const ctl = (action) => run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", action], { stdio: "ignore" });
  // pg_ctlcluster status: 0 running, 3 stopped.
  const running = (await ctl("status")) === 0;
  // A running server that fails the query is someone else's problem to look at, not to restart under them;
  // only a cluster installed just now (possibly started by the package before the pg_hba edit) is restarted.
  if (running && !installedNow) {
    const error = await queryPostgres(url);
    throw new SetupError(`PostgreSQL ${version} is running but ${url} fails: ${error?.message ?? "no answer"}`);
  }
  if (!isRoot()) {
    throw new SetupError(`PostgreSQL ${version} is installed but not running. Run: sudo pg_ctlcluster --skip-systemctl-redirect ${version} main start`);
  }
  say(`${running ? "restarting" : "starting"} PostgreSQL ${version} (Debian cluster "main" on port ${port})`);
  const code = await run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", running ? "restart" : "start"]);
  if (code !== 0) throw new SetupError(`pg_ctlcluster ${version} main start failed (code ${code}); see /var/log/postgresql/`);

  const error = await waitForPostgres(url, { timeoutMs: 30_000 });
  if (error) throw new SetupError(`PostgreSQL started but ${url} still fails: ${error.message}`);
}

/** A program on PATH, or null. */
function findProgram(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * Asks a Redis server for PONG with a hand-written RESP exchange (no client library needed before npm ci).
 * Resolves "ok", "auth" (it is Redis but wants other credentials), "loading" or "down".
 */
function pingRedis(url, { timeoutMs = 1000 } = {}) {
  const { hostname, port, username, password } = new URL(url);
  const bulk = (parts) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  const auth = password ? bulk(["AUTH", ...(username ? [decodeURIComponent(username)] : []), decodeURIComponent(password)]) : "";
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || 6379) });
    let reply = "";
    const done = (state) => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(timeoutMs, () => done("down"));
    socket.once("error", () => done("down"));
    // Something that is not Redis may answer in its own way and hang up.
    socket.once("close", () => done("down"));
    socket.once("connect", () => socket.write(auth + bulk(["PING"])));
    socket.on("data", (chunk) => {
      reply += chunk;
      if (reply.includes("+PONG")) done("ok");
      else if (/^-(NOAUTH|WRONGPASS|ERR invalid password|ERR AUTH)/m.test(reply)) done("auth");
      else if (/^-LOADING/m.test(reply)) done("loading");
    });
  });
}

async function waitForRedis(url, { timeoutMs, exited = () => false }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await pingRedis(url);
    if (state === "ok" || state === "auth" || exited() || Date.now() > deadline) return state;
    await sleep(100);
  }
}

/**
 * Makes sure a Redis answers for the tests and returns its URL: `url` itself when it answers, else a
 * redis-server this script starts on a free loopback port (installing it first as root on Debian). A server
 * started here keeps nothing on disk and is stopped when this process exits.
 */
export async function ensureRedis({ url }) {
  const { hostname, port: rawPort, pathname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const port = Number(rawPort || 6379);
  const state = await waitForRedis(url, { timeoutMs: 1000 });
  if (state === "ok") return url;
  if (state === "auth") throw new SetupError(`Redis at ${host}:${port} does not accept the credentials in ${url}; fix them or set TEST_REDIS_URL`);
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) throw new SetupError(`Redis at ${host}:${port} does not answer; start it or set TEST_REDIS_URL`);

  let server = findProgram("redis-server");
  if (!server) {
    await aptInstall(["redis-server"], { why: `nothing answers at ${host}:${port} and redis-server is not installed` });
    // The package may have started its own service on the default port.
    if ((await waitForRedis(url, { timeoutMs: 2000 })) === "ok") return url;
    server = findProgram("redis-server");
    if (!server) throw new SetupError("apt installed redis-server but it is not on PATH");
  }

  const ownPort = await freePort();
  const ownUrl = `redis://127.0.0.1:${ownPort}${pathname}`;
  say(`nothing answers at ${host}:${port}: starting ${server} on 127.0.0.1:${ownPort} for this run`);
  const child = spawn(server, ["--port", String(ownPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    cwd: os.tmpdir(),
    stdio: "ignore",
  });
  let exitCode = null;
  child.once("exit", (code, signal) => (exitCode = code ?? signal));
  child.once("error", (error) => (exitCode = error.message));
  // The tests run while this process waits for them; the server must not keep it alive afterwards.
  child.unref();
  process.once("exit", () => child.kill());
  const started = await waitForRedis(ownUrl, { timeoutMs: 10_000, exited: () => exitCode !== null });
  if (started !== "ok") {
    child.kill();
    throw new SetupError(`${server} did not answer on 127.0.0.1:${ownPort}${exitCode !== null ? ` (it exited: ${exitCode})` : ""}. Run it by hand to see why: ${server} --port ${ownPort}`);
  }
  return ownUrl;
}

/** Resolves true once something accepts TCP connections at host:port, false after `timeoutMs`. */
async function waitForPort({ host, port, timeoutMs, exited = () => false }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect({ host, port })) return true;
    if (exited() || Date.now() > deadline) return false;
    await sleep(100);
  }
}

/**
 * Makes sure an MQTT broker answers for the tests and returns its URL: `url` itself when it answers, else a
 * mosquitto this script starts on a free loopback port (installing it first as root on Debian).
 */
export async function ensureMosquitto({ url }) {
  const { hostname, port: rawPort } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const port = Number(rawPort || 1883);
  if (await waitForPort({ host, port, timeoutMs: 1000 })) return url;
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) throw new SetupError(`no MQTT broker answers at ${host}:${port}; start it or set TEST_MQTT_URL`);

  let broker = findProgram("mosquitto") ?? (existsSync("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : null);
  if (!broker) {
    await aptInstall(["mosquitto"], { why: `nothing answers at ${host}:${port} and mosquitto is not installed` });
    if (await waitForPort({ host, port, timeoutMs: 2000 })) return url;
    broker = findProgram("mosquitto") ?? (existsSync("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : null);
    if (!broker) throw new SetupError("apt installed mosquitto but it is not on PATH or in /usr/sbin");
  }

  const ownPort = await freePort();
  say(`nothing answers at ${host}:${port}: starting ${broker} on 127.0.0.1:${ownPort} for this run`);
  // Mosquitto 2 listens on loopback only when given a port on the command line and no config.
  const child = spawn(broker, ["-p", String(ownPort)], { cwd: os.tmpdir(), stdio: "ignore" });
  let exitCode = null;
  child.once("exit", (code, signal) => (exitCode = code ?? signal));
  child.once("error", (error) => (exitCode = error.message));
  child.unref();
  process.once("exit", () => child.kill());
  if (!(await waitForPort({ host: "127.0.0.1", port: ownPort, timeoutMs: 10_000, exited: () => exitCode !== null }))) {
    child.kill();
    throw new SetupError(`${broker} did not answer on 127.0.0.1:${ownPort}${exitCode !== null ? ` (it exited: ${exitCode})` : ""}. Run it by hand to see why: ${broker} -p ${ownPort}`);
  }
  return `mqtt://127.0.0.1:${ownPort}`;
}

/** The programs the media and speech nodes drive, with the Debian package that brings each. */
const mediaPrograms = [
  { program: "ffmpeg", pkg: "ffmpeg" },
  { program: "ffprobe", pkg: "ffmpeg" },
  { program: "pocketsphinx_continuous", pkg: "pocketsphinx" },
  { program: "espeak-ng", pkg: "espeak-ng" },
  { program: "sox", pkg: "sox" },
];
const pocketsphinxModel = "/usr/share/pocketsphinx/model/en-us/en-us";

/** ffmpeg for transcoding, pocketsphinx (and its English model) for offline speech; espeak-ng and sox make test audio. */
export async function ensureMediaTools() {
  const missing = new Set(mediaPrograms.filter(({ program }) => !findProgram(program)).map(({ pkg }) => pkg));
  if (!existsSync(pocketsphinxModel)) missing.add("pocketsphinx-en-us");
  if (missing.size === 0) return;
  await aptInstall([...missing], { why: `${[...missing].join(", ")} ${missing.size === 1 ? "is" : "are"} missing` });
  const still = mediaPrograms.filter(({ program }) => !findProgram(program)).map(({ program }) => program);
  if (still.length) throw new SetupError(`apt installed the media tools but ${still.join(", ")} ${still.length === 1 ? "is" : "are"} still not on PATH`);
}

export const chromiumPath = "/usr/bin/chromium";

/** Playwright cannot download its own browser here, so the e2e journeys drive Debian's Chromium. */
export async function ensureChromium() {
  if (existsSync(chromiumPath)) return;
  await aptInstall(["chromium"], { why: `${chromiumPath} is missing` });
  if (!existsSync(chromiumPath)) throw new SetupError(`apt installed chromium but ${chromiumPath} is still missing`);
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
 * V8's young generation for a server process. Embedded mode is one person's machine: a small one keeps the idle
 * footprint down. With PostgreSQL the process serves a load, and a large one cuts garbage-collection work per
 * request (about a tenth more webhooks per second) for some tens of megabytes.
 */
export function nodeMemoryFlags(env) {
  return env.DATABASE_URL ? ["--max-semi-space-size=32"] : ["--max-semi-space-size=2"];
}

/** The server processes, compiled to plain JavaScript so production runs without a TypeScript loader. */
export const serverEntries = { server: "server/main.ts", worker: "runner/worker.ts" };
export const distDir = path.join(projectRoot, "dist");
export const builtEntry = (name) => path.join(distDir, `${name}.mjs`);

async function bundleServer() {
  const { build } = await import("esbuild");
  await build({
    entryPoints: serverEntries,
    outdir: distDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // Dependencies stay in node_modules, loaded by Node as they are (native addons, WebAssembly, Next itself).
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node24",
    sourcemap: "linked",
    logLevel: "warning",
  });
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
