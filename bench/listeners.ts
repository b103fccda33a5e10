// Long-lived triggers: MQTT message → run started (embedded and queue mode), and how long a listener takes to
// move to another worker after its holder stops (frees the lock) or dies (the lock lapses).
// Usage: node --no-node-snapshot --import tsx bench/listeners.ts [--messages=200]
// Needs PostgreSQL (BENCH_DATABASE_URL), Redis (BENCH_REDIS_URL) and an MQTT broker (BENCH_MQTT_URL).
// Prints `BENCH <name> <value> <unit>` lines.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import pg from "pg";
import pino from "pino";
import { median, quantile } from "simple-statistics";
import { applyMigrations } from "../prisma/migrate";
import { createSecretBox } from "../server/crypto/secret-box";
import { connectDb, type DbConnection } from "../server/db/connect";
import { parseEnv } from "../server/env";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { activationService } from "../server/services/activation-service";
import { credentialService } from "../server/services/credential-service";
import { flowService } from "../server/services/flow-service";
import { userService } from "../server/services/user-service";
import { workspaceService } from "../server/services/workspace-service";
import { LISTENER_LOCK_PREFIX } from "../runner/listeners";
import { Runtime, type RuntimeRole } from "../runner/runtime";
import { runnerStorage } from "../server/runner-storage";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const messages = Number(args.messages ?? 200);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const mqttUrl = process.env.BENCH_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const lockMs = Number(args.lockMs ?? 3000);
const box = createSecretBox({ currentKey: randomBytes(32).toString("base64") });

const report = (name: string, value: number, unit: string) => process.stdout.write(`BENCH ${name} ${value.toFixed(1)} ${unit}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function until<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function runtime(connection: DbConnection, role: RuntimeRole, queue: boolean): Promise<Runtime> {
  const config = parseEnv({
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "streamware-bench-listeners-")),
    LISTENER_LOCK_MS: String(lockMs),
    HTTP_ALLOW_HOSTS: "127.0.0.1,localhost",
    LOG_LEVEL: "silent",
    ...(queue ? { REDIS_URL: redisUrl } : {}),
  });
  const started = await Runtime.create({ storage: runnerStorage({ db: connection.db, secretBox: () => box }), config, role, logger: pino({ level: "silent" }) });
  await started.start();
  return started;
}

async function activateMqttFlow(connection: DbConnection, web: Runtime, scope: { userId: string; workspaceId: string }, topic: string): Promise<string> {
  const db = connection.db;
  const credential = `Broker ${randomUUID().slice(0, 8)}`;
  await credentialService.create({ db, box, ...scope, name: credential, type: "mqtt.broker", data: { url: mqttUrl } });
  const document = {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "mqtt", type: "mqtt.trigger", name: "On message", position: { x: 0, y: 0 }, config: { topics: [topic], qos: 1 }, credentials: { "mqtt.broker": { name: credential } } },
      { id: "tag", type: "core.set", name: "Tag", position: { x: 200, y: 0 }, config: { fields: [{ name: "n", value: "{{ payload.n }}" }] } },
    ],
    edges: [{ id: "e0", source: "mqtt", target: "tag" }],
  };
  const flow = await flowService.create({ db, ...scope, name: `Bench ${topic}`, document });
  await flowService.saveVersion({ db, ...scope, flowId: flow.id, document, message: "" });
  await activationService.activate({ db, ...scope, flowId: flow.id });
  await web.triggersChanged(flow.id);
  return flow.id;
}

/** Publishes one message at a time (QoS 1) and takes the time from publishing to the run's start in the database. */
async function latency(mode: string, connection: DbConnection, listeners: Runtime[], flowId: string, topic: string): Promise<void> {
  await until(() => listeners.some((r) => r.listeners?.status().some((s) => s.flowId === flowId && s.state === "listening")), "the listener");
  const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 });
  const samples: number[] = [];
  for (let n = 0; n < messages; n++) {
    const sentAt = Date.now();
    await client.publishAsync(topic, JSON.stringify({ n }), { qos: 1 });
    const run = await until(
      () => connection.db.run.findFirst({ where: { flowId, startedAt: { not: null }, input: { path: ["0", "json", "payload", "n"], equals: n } }, select: { startedAt: true } }),
      `run ${n}`,
    );
    samples.push(run.startedAt!.getTime() - sentAt);
  }
  await client.endAsync();
  report(`mqtt-message-to-run-started-${mode}-median`, median(samples), "ms");
  report(`mqtt-message-to-run-started-${mode}-p99`, quantile(samples, 0.99), "ms");
}

async function main(): Promise<void> {
  const name = `streamware_bench_listeners_${randomUUID().replaceAll("-", "")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const connection = await connectDb({ kind: "postgres", url: url.toString() });
  const redis = new Redis(redisUrl);
  try {
    await applyMigrations({ adapterFactory: connection.adapterFactory });
    await redis.flushdb();
    const user = await userService.signIn({ db: connection.db, identity: { provider: "dev", email: `bench-${randomUUID().slice(0, 8)}@example.test`, name: "Bench" } });
    const [workspace] = await workspaceService.listForUser({ db: connection.db, userId: user.id });
    const scope = { userId: user.id, workspaceId: workspace!.id };

    const embedded = await runtime(connection, "web", false);
    const embeddedTopic = `bench/${randomUUID()}`;
    const embeddedFlowId = await activateMqttFlow(connection, embedded, scope, embeddedTopic);
    await latency("embedded", connection, [embedded], embeddedFlowId, embeddedTopic);
    await activationService.deactivate({ db: connection.db, ...scope, flowId: embeddedFlowId });
    await embedded.close();

    const web = await runtime(connection, "web", true);
    const workers = [await runtime(connection, "worker", true), await runtime(connection, "worker", true)];
    const topic = `bench/${randomUUID()}`;
    const flowId = await activateMqttFlow(connection, web, scope, topic);
    await latency("queue", connection, workers, flowId, topic);

    // A holder that stops frees its lock; the other worker notices at its next attempt.
    const listens = (r: Runtime) => r.listeners!.status().some((s) => s.flowId === flowId && s.state === "listening");
    const holder = workers.find(listens)!;
    const other = workers.find((w) => w !== holder)!;
    let stoppedAt = Date.now();
    await holder.close();
    await until(() => listens(other), "the takeover");
    report("listener-takeover-after-stop", Date.now() - stoppedAt, "ms");

    // A holder that dies keeps its lock until it lapses. Here its renewals are switched off, which is what Redis sees
    // of a dead process; runner/listeners.test.ts proves the same with a worker process killed by SIGKILL.
    const lock = `${LISTENER_LOCK_PREFIX}${flowId}:mqtt`;
    const third = await runtime(connection, "worker", true);
    const dying = other;
    (dying as unknown as { listeners: { tick: () => Promise<void> } }).listeners.tick = async () => {};
    stoppedAt = Date.now();
    await until(() => listens(third), "the takeover from a dead holder");
    report("listener-takeover-after-death", Date.now() - stoppedAt, "ms");
    report("listener-lock-ms", lockMs, "ms");
    if ((await redis.get(lock)) !== third.workerId) throw new Error("the lock is not held by the worker that took over");
    await dying.close();
    await third.close();
    await web.close();
  } finally {
    redis.disconnect();
    await connection.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
