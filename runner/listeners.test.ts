import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, testClient, testMqttUrl, freePort, type OwnBroker } from "../nodes/mqtt/test-broker";
import type { Db } from "../server/db";
import { createTestDatabase, useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { LISTENER_LOCK_PREFIX } from "./listeners";
import type { Runtime } from "./runtime";
import { startTestServer, closeTestServers } from "../nodes/_kit/test-http-server";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import { spawnWorkerProcess } from "./test-worker-process";

const redisUrl = testRedisUrlFor(12);
const LOCK_MS = 1500;

type Owner = Awaited<ReturnType<typeof signInAs>>;

async function eventually<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** An MQTT trigger flow: trigger → set (tags each run with the message's topic). */
function mqttFlow(topics: string[], credential: string) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "mqtt", type: "mqtt.trigger", name: "On message", position: { x: 0, y: 0 }, config: { topics, qos: 1 }, credentials: { "mqtt.broker": { name: credential } } },
      { id: "tag", type: "core.set", name: "Tag", position: { x: 200, y: 0 }, config: { fields: [{ name: "seenTopic", value: "{{ topic }}" }] } },
    ],
    edges: [{ id: "e0", source: "mqtt", target: "tag" }],
  };
}

async function broker(owner: Owner, url: string): Promise<string> {
  const name = `Broker ${randomUUID().slice(0, 8)}`;
  await owner.caller.credential.create({ workspaceId: owner.workspace.id, name, type: "mqtt.broker", data: { url } });
  return name;
}

async function saveAndActivate(db: Db, owner: Owner, runtime: Runtime, document: unknown, flowId?: string): Promise<string> {
  const scope = { db, userId: owner.user.id, workspaceId: owner.workspace.id };
  const id = flowId ?? (await flowService.create({ ...scope, name: `Listener ${randomUUID().slice(0, 8)}`, document })).id;
  await flowService.saveVersion({ ...scope, flowId: id, document, message: "" });
  await activationService.activate({ ...scope, flowId: id });
  await runtime.triggersChanged(id);
  return id;
}

const listening = (runtime: Runtime, flowId: string) => runtime.listeners!.status().some((s) => s.flowId === flowId && s.state === "listening");

describe("long-lived triggers, embedded", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Owner;
  let own: OwnBroker | undefined;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Listeners" });
  });
  afterEach(() => own?.kill());
  afterAll(() => runtime?.close());

  it("runs the flow once per MQTT message, through the engine, and stops on deactivation", async () => {
    const db = database.db;
    const base = `streamware-test/${randomUUID()}`;
    const flowId = await saveAndActivate(db, owner, runtime, mqttFlow([`${base}/+/temp`], await broker(owner, testMqttUrl)));
    await eventually(() => listening(runtime, flowId), "the listener");
    const client = await testClient();
    for (const room of ["kitchen", "hall", "attic"]) await client.publishAsync(`${base}/${room}/temp`, JSON.stringify({ c: 20 }), { qos: 1 });
    const runs = await eventually(async () => {
      const found = await db.run.findMany({ where: { flowId, status: "succeeded" }, select: { trigger: true, input: true } });
      return found.length === 3 && found;
    }, "three runs");
    expect(runs.every((r) => r.trigger === "mqtt")).toBe(true);
    expect(runs.map((r) => (r.input as { json: { topic: string; payload: unknown } }[])[0]!.json.topic).sort()).toEqual([`${base}/attic/temp`, `${base}/hall/temp`, `${base}/kitchen/temp`]);

    await activationService.deactivate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await runtime.triggersChanged(flowId);
    expect(runtime.listeners!.status().filter((s) => s.flowId === flowId)).toEqual([]);
    await client.publishAsync(`${base}/kitchen/temp`, "after", { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.run.count({ where: { flowId } })).toBe(3);
    await client.endAsync();
  });

  it("follows a new version: the old topic stops, the new one starts runs of the new version", async () => {
    const db = database.db;
    const base = `streamware-test/${randomUUID()}`;
    const credential = await broker(owner, testMqttUrl);
    const flowId = await saveAndActivate(db, owner, runtime, mqttFlow([`${base}/old`], credential));
    await eventually(() => listening(runtime, flowId), "the first listener");
    await saveAndActivate(db, owner, runtime, mqttFlow([`${base}/new`], credential), flowId);
    await eventually(() => listening(runtime, flowId), "the second listener");
    const client = await testClient();
    await client.publishAsync(`${base}/old`, "old", { qos: 1 });
    await client.publishAsync(`${base}/new`, "new", { qos: 1 });
    const run = await eventually(() => db.run.findFirst({ where: { flowId, status: "succeeded" }, select: { input: true, flowVersion: { select: { number: true } } } }), "a run");
    expect(run.flowVersion?.number).toBe(2);
    expect((run.input as { json: { payload: unknown } }[])[0]!.json.payload).toBe("new");
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.run.count({ where: { flowId } })).toBe(1);
    await client.endAsync();
  });

  it("refuses to activate an invalid topic filter, saying which and why", async () => {
    const db = database.db;
    const credential = await broker(owner, testMqttUrl);
    for (const [filter, why] of [
      ["a/#/b", '"#" must be a whole level and the last one'],
      ["a+", '"+" must be a whole level'],
    ]) {
      const err = await saveAndActivate(db, owner, runtime, mqttFlow(["ok/#", filter!], credential)).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toContain(`"${filter}" is not a valid topic filter: ${why}`);
    }
  });

  it("keeps running flows after the broker is killed and started again", async () => {
    const db = database.db;
    own = await startMosquitto();
    const flowId = await saveAndActivate(db, owner, runtime, mqttFlow(["line/+/count"], await broker(owner, own.url)));
    await eventually(() => listening(runtime, flowId), "the listener");
    const before = await testClient(own.url);
    await before.publishAsync("line/1/count", "1", { qos: 1 });
    await eventually(() => db.run.count({ where: { flowId, status: "succeeded" } }), "the run before the restart");
    await before.endAsync(true);

    await own.kill();
    own = await startMosquitto(own.port);
    const after = await testClient(own.url);
    let sent = 0;
    const run = await eventually(async () => {
      const found = await db.run.findFirst({ where: { flowId, status: "succeeded", NOT: { input: { equals: [] } } }, orderBy: { queuedAt: "desc" }, select: { input: true } });
      const payload = (found?.input as { json: { payload: unknown } }[] | undefined)?.[0]?.json.payload;
      if (typeof payload === "string" && payload.startsWith("after")) return found;
      await after.publishAsync("line/1/count", `after ${++sent}`, { qos: 1 });
      return null;
    }, "a run after the restart");
    expect(run).toBeTruthy();
    await after.endAsync(true);
  });

  it("reports an unreachable broker as a failed listener with the reason, and shuts down promptly", async () => {
    const db = database.db;
    const port = await freePort();
    const flowId = await saveAndActivate(db, owner, runtime, mqttFlow(["x/#"], await broker(owner, `mqtt://127.0.0.1:${port}`)));
    const failed = await eventually(() => runtime.listeners!.status().find((s) => s.flowId === flowId && s.state === "failed"), "the failure");
    expect(failed.error).toContain(`Could not reach the MQTT broker at mqtt://127.0.0.1:${port} (connection refused)`);
    const other = await startTestRuntime({ db });
    await eventually(() => other.listeners!.status().some((s) => s.flowId === flowId && s.state === "failed"), "the second runtime's failure");
    await other.close();
    await activationService.deactivate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await runtime.triggersChanged(flowId);
  });
});

describe("long-lived triggers, queue mode: one listener per flow across processes", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  const workers: Runtime[] = [];
  let owner: Owner;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await redis.flushdb();
    const env = { LISTENER_LOCK_MS: String(LOCK_MS) };
    web = await startTestRuntime({ db: database.db, redis: redisUrl, env });
    for (let i = 0; i < 2; i++) workers.push(await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker", env }));
    owner = await signInAs({ db: database.db, name: "Queued" });
  });
  afterAll(async () => {
    await web?.close();
    for (const worker of workers) await worker.close();
    redis?.disconnect();
  });

  it("holds one subscription: each message runs once, and another worker takes over when the holder stops", async () => {
    const db = database.db;
    const base = `streamware-test/${randomUUID()}`;
    const flowId = await saveAndActivate(db, owner, web, mqttFlow([`${base}/#`], await broker(owner, testMqttUrl)));
    expect(web.listeners).toBeNull();
    const holder = await eventually(() => workers.find((w) => listening(w, flowId)), "a worker to listen");
    const other = workers.find((w) => w !== holder)!;
    expect(other.listeners!.status()).toEqual([]);
    expect(await redis.get(`${LISTENER_LOCK_PREFIX}${flowId}:mqtt`)).toBe(holder.workerId);

    const client = await testClient();
    for (let i = 0; i < 10; i++) await client.publishAsync(`${base}/n`, String(i), { qos: 1 });
    await eventually(async () => (await db.run.count({ where: { flowId, status: "succeeded" } })) === 10, "ten runs");
    // A second subscription would have started a second run for some message by now.
    await new Promise((r) => setTimeout(r, LOCK_MS));
    expect(await db.run.count({ where: { flowId } })).toBe(10);
    const payloads = (await db.run.findMany({ where: { flowId }, select: { input: true } })).map((r) => (r.input as { json: { payload: number } }[])[0]!.json.payload);
    expect(payloads.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    await holder.close();
    workers.splice(workers.indexOf(holder), 1);
    await eventually(() => listening(other, flowId), "the other worker to take over");
    expect(await redis.get(`${LISTENER_LOCK_PREFIX}${flowId}:mqtt`)).toBe(other.workerId);
    await client.publishAsync(`${base}/n`, "11", { qos: 1 });
    await eventually(async () => (await db.run.count({ where: { flowId, status: "succeeded" } })) === 11, "the run after the takeover");
    await client.endAsync();

    await activationService.deactivate({ db, userId: owner.user.id, workspaceId: owner.workspace.id, flowId });
    await web.triggersChanged(flowId);
    await eventually(() => !listening(other, flowId), "the listener to stop everywhere");
    expect(await redis.get(`${LISTENER_LOCK_PREFIX}${flowId}:mqtt`)).toBeNull();
  });
});

describe("long-lived triggers, queue mode: a worker process that dies", { timeout: 300_000 }, () => {
  const feedXml = (ids: string[]) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.test/</link><description>d</description>${ids.map((id) => `<item><title>${id}</title><guid>${id}</guid></item>`).join("")}</channel></rss>`;

  it("loses its lock when killed, and a live worker takes the listener over without repeating entries", async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    const connection = await createTestDatabase("postgres");
    if (connection.target.kind !== "postgres") throw new Error("a worker process needs a PostgreSQL test database");
    const entries = ["a"];
    const feed = await startTestServer((_req, res) => void res.writeHead(200, { "content-type": "application/rss+xml" }).end(feedXml([...entries].reverse())));
    const env = { LISTENER_LOCK_MS: String(LOCK_MS) };
    const web = await startTestRuntime({ db: connection.db, redis: redisUrl, env });
    const worker = spawnWorkerProcess({
      databaseUrl: connection.target.url,
      redisUrl,
      env: { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "streamware-listener-worker-")), LISTENER_LOCK_MS: String(LOCK_MS) },
    });
    const { child, exited } = worker;
    let survivor: Runtime | undefined;
    try {
      const owner = await signInAs({ db: connection.db, name: "Takeover" });
      const document = {
        schema: FLOW_SCHEMA_TAG,
        nodes: [{ id: "feed", type: "feed.trigger", name: "Feed", position: { x: 0, y: 0 }, config: { url: `${feed.url}/feed`, intervalSeconds: 1 } }],
        edges: [],
      };
      const flowId = await saveAndActivate(connection.db, owner, web, document);
      const lock = `${LISTENER_LOCK_PREFIX}${flowId}:feed`;
      await eventually(async () => (await redis.get(lock))?.includes(`:${child.pid}:`), `the worker process to hold the lock:\n${worker.output()}`, 3000);
      survivor = await startTestRuntime({ db: connection.db, redis: redisUrl, role: "worker", env });
      expect(survivor.listeners!.status()).toEqual([]);

      child.kill("SIGKILL");
      await exited;
      await eventually(() => listening(survivor!, flowId), "the live worker to take over");
      expect(await redis.get(lock)).toBe(survivor.workerId);
      entries.push("b");
      const run = await eventually(() => connection.db.run.findFirst({ where: { flowId, status: "succeeded" }, select: { trigger: true, input: true } }), "the run for the new entry");
      expect(run.trigger).toBe("feed");
      expect((run.input as { json: { id: string } }[]).map((i) => i.json.id)).toEqual(["b"]);
      // Entry "a" was seen by the dead worker; the new holder does not run it again.
      expect(await connection.db.run.count({ where: { flowId } })).toBe(1);
    } finally {
      child.kill("SIGKILL");
      await survivor?.close();
      await web.close();
      await closeTestServers();
      await connection.close();
      redis.disconnect();
    }
  });
});
