// Provisions a machine for `npm test` (scripts/test.mjs): PostgreSQL (installing it and, for a cluster installed
// here, editing its pg_hba.conf), Redis, Mosquitto, Chromium for the e2e journeys, and the media tools. Only
// Node.js built-ins at the top level, so it works before node_modules exists. `npm start` never loads this file.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SetupError, freePort, run, runOrThrow, say } from "./keep-current.mjs";

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
  writeFileSync(hbaFile, `# Added by scripts/provision-test-machine.mjs for the test suite\n${rules}${readFileSync(hbaFile, "utf8")}`);
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

/**
 * The programs the media and speech nodes drive, and openssl, which issues the test SAML identity provider's
 * certificate (Node cannot), with the Debian package that brings each.
 */
const mediaPrograms = [
  { program: "ffmpeg", pkg: "ffmpeg" },
  { program: "ffprobe", pkg: "ffmpeg" },
  { program: "pocketsphinx_continuous", pkg: "pocketsphinx" },
  { program: "espeak-ng", pkg: "espeak-ng" },
  { program: "sox", pkg: "sox" },
  { program: "openssl", pkg: "openssl" },
];
const pocketsphinxModel = "/usr/share/pocketsphinx/model/en-us/en-us";

/** ffmpeg for transcoding, pocketsphinx (and its English model) for offline speech; espeak-ng and sox make test audio; openssl a test certificate. */
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

