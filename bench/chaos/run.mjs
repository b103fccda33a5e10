// `npm run chaos [-- --only=<scenario>,…] [--duration=<s>] [--rate=<req/s>] [--outage=<s>]`
// Breaks a running queue-mode instance (one web process, two workers, its own PostgreSQL, Redis and Mosquitto on
// loopback) while steady webhook traffic goes on, one scenario at a time, and follows every accepted run to its end.
// Prints `BENCH chaos.<scenario>.<figure> <value> <unit>` lines and exits non-zero if an accepted run was lost.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { ensureSupportedNode } from "../../scripts/node-runtime.mjs";
import { buildIfStale, ensureDependencies, freePort, generatePrismaClient } from "../../scripts/keep-current.mjs";
import { report } from "../lib/load.mjs";
import { killChildren, runTsx, startEntry, stopProcess, waitHealthy } from "../lib/processes.mjs";
import { mosquittoBroker, postgresCluster, redisServer, smallDisk } from "./services.mjs";
import { startTraffic } from "./traffic.mjs";
import { startMqttWitness, startWitnessServer } from "./witness.mjs";

await ensureSupportedNode({ label: "chaos" });

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const durationSec = Number(args.duration ?? 15);
const rate = Number(args.rate ?? 30);
const outageMs = Number(args.outage ?? 4) * 1000;
/** How long after the traffic stops the accepted runs have to finish before the missing ones count as lost. */
const drainCapMs = 60_000;
const mqttTopic = "chaos/runs";

/**
 * Each scenario: the fault, which resolves once it is over (the part is back, or, for a killed worker, at once: the
 * other worker carries on), and what puts the instance back as it was for the next scenario.
 */
const scenarios = {
  "worker-kill": {
    what: "SIGKILL one of the two workers",
    async fault(sys) {
      sys.workers[0].kill("SIGKILL");
    },
    async restore(sys) {
      sys.workers[0] = sys.startWorker(1);
    },
  },
  "redis-restart": {
    what: `stop Redis for ${outageMs / 1000} s and start it again (its append-only file keeps the queue)`,
    async fault(sys) {
      await sys.redis.stop();
      await sleep(outageMs);
      await sys.redis.start();
    },
  },
  "redis-flush": {
    what: "FLUSHALL while a backlog waits (both workers frozen for 3 s): Redis loses every job, heartbeat and lock",
    async fault(sys) {
      // Frozen for less than a worker's heartbeat lifetime (5 s), so the flush, not a lost worker, is what they meet.
      for (const worker of sys.workers) worker.kill("SIGSTOP");
      try {
        await sleep(3000);
        await sys.redis.flush();
      } finally {
        for (const worker of sys.workers) worker.kill("SIGCONT");
      }
    },
  },
  "postgres-restart": {
    what: `stop PostgreSQL at once (as a crash) for ${outageMs / 1000} s and start it again`,
    async fault(sys) {
      await sys.postgres.stop();
      await sleep(outageMs);
      await sys.postgres.start();
    },
  },
  mosquitto: {
    what: `stop Mosquitto for ${outageMs / 1000} s while the flow publishes, and start it again`,
    async fault(sys) {
      await sys.mosquitto.stop();
      await sleep(outageMs);
      await sys.mosquitto.start();
    },
  },
  disk: {
    what: `fill the binary storage's filesystem for ${outageMs / 1000} s while the flow writes files, then free it`,
    async fault(sys) {
      sys.disk.fill();
      await sleep(outageMs);
      sys.disk.free();
    },
  },
};
/** The scenarios whose flow is webhook → witnessed HTTP step → set; the others have their own flows (seed.ts). */
const stepFlowScenarios = ["worker-kill", "redis-restart", "redis-flush", "postgres-restart"];

const only = args.only ? args.only.split(",") : Object.keys(scenarios);
for (const name of only) if (!scenarios[name]) throw new Error(`--only: no scenario "${name}"; the scenarios are ${Object.keys(scenarios).join(", ")}`);

// Undone in reverse order however the suite ends: processes, mounts, folders.
const cleanups = [];
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    killChildren();
    for (const step of cleanups.reverse()) await step().catch((err) => process.stderr.write(`[chaos] cleanup: ${err.message}\n`));
  })();
  return cleaning;
}
const say = (message) => process.stdout.write(`[chaos] ${message}\n`);

/** The stored state of the given runs: status, end, and what their steps say (retries, worker losses). */
async function runStates(db, runIds) {
  const { rows } = await db.query(
    `SELECT r.id, r.status::text AS status, extract(epoch FROM r."finishedAt") * 1000 AS "finishedMs",
            coalesce(sum(greatest(s.attempt - 1, 0)), 0)::int AS retries, coalesce(sum(s."workerLosses"), 0)::int AS losses
     FROM "Run" r LEFT JOIN "Step" s ON s."runId" = r.id WHERE r.id = ANY($1) GROUP BY r.id`,
    [runIds],
  );
  return new Map(rows.map((r) => [r.id, { ...r, finishedMs: r.finishedMs === null ? null : Number(r.finishedMs) }]));
}

/** Waits until every given run has finished, or the cap; a database that does not answer is asked again. */
async function drain(db, runIds, capMs) {
  const deadline = Date.now() + capMs;
  for (;;) {
    try {
      const states = await runStates(db, runIds);
      const open = runIds.filter((id) => states.get(id)?.finishedMs == null);
      if (open.length === 0 || Date.now() >= deadline) return states;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await sleep(250);
  }
}

async function runScenario(name, sys) {
  const scenario = scenarios[name];
  say(`${name}: ${scenario.what}, under ${rate} req/s for ${durationSec} s`);
  const target = `${sys.url}${sys.paths[`chaos-${name}`]}`;
  const traffic = startTraffic({ url: target, rate, body: JSON.stringify({ name: "chaos" }), contentType: "application/json" });
  const startedAt = Date.now();
  await sleep(durationSec * 350);
  await scenario.fault(sys);
  const faultEnd = Date.now();
  await sleep(Math.max(0, startedAt + durationSec * 1000 - Date.now()));
  const records = await traffic.stop();

  const accepted = records.filter((r) => r.status >= 200 && r.status < 300);
  const runIds = [...new Set(accepted.map((r) => r.runId).filter(Boolean))];
  const states = await drain(sys.db, runIds, drainCapMs);
  const finished = runIds.filter((id) => states.get(id)?.finishedMs != null);
  const unfinished = runIds.filter((id) => states.get(id)?.finishedMs == null);
  // Accepted without a run id to follow, or with one that has no row, or not finished in time: all lost.
  const lost = accepted.length - runIds.length + unfinished.length;
  const ids = new Set(runIds);
  const witnessed = name === "mosquitto" ? sys.mqttWitness : sys.witness;

  // Recovered: a request sent after the fault ended was accepted, and every run accepted before it ended finished.
  const firstAcceptedAfter = accepted.filter((r) => r.sentAt >= faultEnd).reduce((min, r) => Math.min(min, r.answeredAt), Infinity);
  const backlogEnd = accepted
    .filter((r) => r.sentAt < faultEnd)
    .reduce((max, r) => Math.max(max, states.get(r.runId)?.finishedMs ?? Infinity), faultEnd);
  const recoveredAt = Math.max(firstAcceptedAfter, backlogEnd);

  const figure = (key, value, unit) => report(`chaos.${name}.${key}`, value, unit);
  figure("accepted", accepted.length, "runs");
  figure("refused", records.filter((r) => r.status !== 0 && (r.status < 200 || r.status >= 300)).length, "requests");
  figure("unanswered", records.filter((r) => r.status === 0).length, "requests");
  figure("finished", finished.length, "runs");
  figure("failed", finished.filter((id) => states.get(id).status !== "succeeded").length, "runs");
  figure("lost", lost, "runs");
  figure("re_executed", witnessed.repeatsOf(ids), "steps");
  figure("retried", runIds.reduce((sum, id) => sum + (states.get(id)?.retries ?? 0), 0), "attempts");
  figure("worker_losses", runIds.reduce((sum, id) => sum + (states.get(id)?.losses ?? 0), 0), "steps");
  if (Number.isFinite(recoveredAt)) figure("recovery", Number(((recoveredAt - faultEnd) / 1000).toFixed(1)), "s");
  else say(`${name}: did not recover (no request accepted after the fault, or runs accepted before it never finished)`);
  if (unfinished.length) {
    const byStatus = Object.entries(Object.groupBy(unfinished, (id) => states.get(id)?.status ?? "no row")).map(([status, list]) => `${list.length} ${status} (${list.slice(0, 5).join(", ")})`);
    say(`${name}: runs accepted and never finished: ${byStatus.join("; ")}`);
  }
  await scenario.restore?.(sys);
  return lost;
}

async function main() {
  await ensureDependencies();
  await generatePrismaClient();
  await buildIfStale();

  const root = mkdtempSync(path.join(os.tmpdir(), "streamware-chaos-"));
  // PostgreSQL runs as its own user, which must reach its folder in here.
  chmodSync(root, 0o711);
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  const folder = (name) => {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  const redis = redisServer({ port: await freePort(), dir: folder("redis") });
  const postgres = postgresCluster({ port: await freePort(), dir: folder("postgres") });
  const mosquitto = mosquittoBroker({ port: await freePort(), dir: folder("mosquitto") });
  cleanups.push(() => redis.stop(), () => postgres.stop(), () => mosquitto.stop());
  await redis.start();
  await postgres.init();
  await postgres.start();
  await mosquitto.start();
  say(`own Redis ${redis.url}, PostgreSQL ${postgres.url}, Mosquitto ${mosquitto.url}`);

  let disk = null;
  if (only.includes("disk")) {
    disk = await smallDisk({ dir: path.join(root, "binary"), sizeMb: 64 });
    if (disk) cleanups.push(() => disk.unmount());
    else {
      say("disk: skipped, no small filesystem can be mounted here (it needs root for a tmpfs mount)");
      only.splice(only.indexOf("disk"), 1);
    }
  }

  const witness = await startWitnessServer({ delayMs: 100, blobBytes: 8 * 1024 });
  const mqttWitness = await startMqttWitness({ url: mosquitto.url, topic: mqttTopic });
  cleanups.push(() => witness.close(), () => mqttWitness.close());

  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query("CREATE DATABASE streamware");
  await admin.end();
  const databaseUrl = new URL(postgres.url);
  databaseUrl.pathname = "/streamware";

  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: folder("data"),
    BINARY_DIR: disk?.dir ?? folder("binary"),
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HTTP_ALLOW_HOSTS: "127.0.0.1",
    // The traffic is the point; neither the webhook limit nor retention may take runs away while they are counted.
    WEBHOOK_RATE_LIMIT: "0",
    RUN_RETENTION_DAYS: "0",
    RUN_RETENTION_PER_FLOW: "0",
  };
  const seeded = await runTsx("bench/chaos/seed.ts", {
    ...env,
    CHAOS_WITNESS_URL: witness.url,
    CHAOS_MQTT_URL: mosquitto.url,
    CHAOS_MQTT_TOPIC: mqttTopic,
    CHAOS_STEP_FLOWS: stepFlowScenarios.join(","),
  });

  const server = startEntry("server", env, "server");
  cleanups.push(() => stopProcess(server, 5000));
  const startWorker = (i) => {
    const worker = startEntry("worker", env, `worker ${i + 1}`);
    cleanups.push(() => stopProcess(worker, 5000));
    return worker;
  };
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  const workers = [startWorker(0), startWorker(1)];
  const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
  // The pool's idle clients see PostgreSQL go away too; the next query takes a new connection.
  db.on("error", () => {});
  cleanups.push(() => db.end());
  await sleep(3000);

  const sys = { url, paths: seeded.paths, db, redis, postgres, mosquitto, disk, witness, mqttWitness, workers, startWorker };
  let lost = 0;
  for (const name of only) {
    lost += await runScenario(name, sys);
    // The instance settles (a restarted worker starts, reconnections finish) before the next fault.
    await sleep(2000);
  }
  if (lost > 0) say(`${lost} accepted runs were lost`);
  return lost;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    say(`${signal}: stopping everything`);
    void cleanup().finally(() => process.exit(130));
  });
}

let code = 1;
try {
  code = (await main()) > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`[chaos] ${err?.stack ?? err}\n`);
} finally {
  await cleanup();
}
process.exit(code);
