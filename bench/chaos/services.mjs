// The chaos suite's own Redis, PostgreSQL and Mosquitto on free loopback ports, each in a temporary folder, and a
// small filesystem for binary storage: the suite stops and starts them at will, so it never touches the machine's.
import { execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";

const exec = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** Whether something accepts TCP connections on the loopback port. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

async function until(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** A long-running server process of ours; `stop` waits for its exit, `kill` is SIGKILL. */
function daemon(command, args, label) {
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  child.on("error", (err) => process.stderr.write(`[chaos] ${label} could not start: ${err.message}\n`));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    child,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000).then(() => child.kill("SIGKILL"))]);
      await exited;
    },
  };
}

/**
 * redis-server with an append-only file in `dir`, so a stop and start keeps the queue (as a production Redis
 * would); `flush` drops everything it holds instead.
 */
export function redisServer({ port, dir }) {
  let proc = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      proc = daemon("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"], "redis-server");
      await until(() => listening(port), "redis-server");
    },
    /** SIGTERM: Redis writes its append-only file and exits. */
    async stop() {
      await proc?.stop();
    },
    async flush() {
      const client = new Redis(this.url, { lazyConnect: true });
      await client.connect();
      await client.flushall();
      client.disconnect();
    },
  };
}

/** Runs a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses to run as root). */
function pgCommand(bin, args) {
  return isRoot ? exec("runuser", ["-u", "postgres", "--", bin, ...args]) : exec(bin, args);
}

async function postgresBin() {
  const { stdout } = await exec("pg_config", ["--bindir"]).catch(() => ({ stdout: "" }));
  const candidates = [stdout.trim(), ...(existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [])];
  const bin = candidates.find((dir) => dir && existsSync(path.join(dir, "pg_ctl")) && existsSync(path.join(dir, "initdb")));
  if (!bin) throw new Error("PostgreSQL's initdb and pg_ctl were not found (pg_config --bindir, /usr/lib/postgresql/*/bin)");
  return bin;
}

/**
 * A PostgreSQL cluster of our own in `dir`. `stop` is an immediate shutdown, as a crash would be: the next start
 * replays the write-ahead log. fsync is off (written files outlive the process, not the machine, which is all a
 * process crash needs) so the cluster costs the shared disk little; commits stay synchronous, or a crash would
 * lose the last ones the server already confirmed.
 */
export function postgresCluster({ port, dir }) {
  const data = path.join(dir, "data");
  let bin = null;
  const ctl = (args) => pgCommand(path.join(bin, "pg_ctl"), ["-D", data, ...args]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async init() {
      bin = await postgresBin();
      mkdirSync(data, { recursive: true });
      if (isRoot) {
        const { stdout } = await exec("id", ["-u", "postgres"]);
        const { stdout: group } = await exec("id", ["-g", "postgres"]);
        chownSync(dir, Number(stdout), Number(group));
        chownSync(data, Number(stdout), Number(group));
      }
      await pgCommand(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
      writeFileSync(
        path.join(data, "postgresql.auto.conf"),
        [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, "fsync = off", "full_page_writes = off", "max_connections = 200", ""].join("\n"),
      );
    },
    async start() {
      await ctl(["-l", path.join(dir, "postgres.log"), "-w", "-t", "60", "start"]);
      await until(async () => {
        const client = new pg.Client({ connectionString: this.url });
        try {
          await client.connect();
          await client.query("SELECT 1");
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => {});
        }
      }, "PostgreSQL");
    },
    async stop({ mode = "immediate" } = {}) {
      if (!bin || !existsSync(path.join(data, "postmaster.pid"))) return;
      await ctl(["-m", mode, "-w", "-t", "60", "stop"]).catch(() => {});
    },
  };
}

/** Mosquitto on a loopback port from a config of its own; nothing persists across a restart. */
export function mosquittoBroker({ port, dir }) {
  const config = path.join(dir, "mosquitto.conf");
  writeFileSync(config, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", ""].join("\n"));
  let proc = null;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      proc = daemon("mosquitto", ["-c", config], "mosquitto");
      await until(() => listening(port), "mosquitto");
    },
    async stop() {
      await proc?.stop();
    },
  };
}

/**
 * A small filesystem for binary storage: a tmpfs mounted at `dir` (needs root). `fill` writes a file until the
 * filesystem is full; `free` deletes it. Null when no filesystem can be mounted here.
 */
export async function smallDisk({ dir, sizeMb }) {
  mkdirSync(dir, { recursive: true });
  try {
    await exec("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
  } catch (err) {
    process.stderr.write(`[chaos] cannot mount a small filesystem at ${dir} (${err.message.trim().split("\n")[0]})\n`);
    return null;
  }
  const filler = path.join(dir, "filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "w");
      const chunk = Buffer.alloc(1 << 20);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if (err.code !== "ENOSPC") throw err;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    async unmount() {
      await exec("umount", [dir]).catch((err) => process.stderr.write(`[chaos] could not unmount ${dir}: ${err.message}\n`));
    },
  };
}
