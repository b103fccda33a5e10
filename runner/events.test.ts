import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeriesPointEvent } from "../nodes/_core/dashboard";
import type { RunEvent } from "../nodes/_core/run-types";
import { LocalEventBus, RecentEvents, RedisEventBus } from "./events";
import { testRedisUrl } from "../server/test-runtime";

const at = new Date(0).toISOString();
const token = (runId: string, t: string): RunEvent => ({ type: "step.progress", runId, nodeId: "ask", progress: { token: t }, at });
const finished = (runId: string): RunEvent => ({ type: "run.finished", runId, status: "succeeded", error: null, at });
const tokensOf = (events: readonly RunEvent[]) => events.flatMap((e) => (e.type === "step.progress" ? [e.progress.token] : []));

describe("recent events kept for late streams", () => {
  it("keeps the latest events of a run in order, up to the limit", () => {
    const recent = new RecentEvents({ perRun: 3 });
    for (const t of ["a", "b", "c", "d", "e"]) recent.add(token("r1", t));
    expect(tokensOf(recent.get("r1"))).toEqual(["c", "d", "e"]);
    expect(recent.get("nobody")).toEqual([]);
  });

  it("keeps at most so many runs, dropping the one least lately active", () => {
    const recent = new RecentEvents({ runs: 2 });
    recent.add(token("old", "a"));
    recent.add(token("busy", "a"));
    recent.add(token("old", "b"));
    recent.add(token("new", "a"));
    expect(recent.size).toBe(2);
    expect(tokensOf(recent.get("old"))).toEqual(["a", "b"]);
    expect(recent.get("busy")).toEqual([]);
    expect(tokensOf(recent.get("new"))).toEqual(["a"]);
  });

  it("drops a finished run's events once the time after its end has passed, and not before", () => {
    let now = 1_000;
    const recent = new RecentEvents({ keepAfterFinishMs: 60_000, now: () => now });
    recent.add(token("done", "a"));
    recent.add(finished("done"));
    recent.add(token("going", "a"));
    now += 59_999;
    expect(recent.get("done")).toHaveLength(2);
    now += 1;
    expect(recent.get("done")).toEqual([]);
    expect(recent.size).toBe(1);
    expect(tokensOf(recent.get("going"))).toEqual(["a"]);
  });

  it("a run that finished again later is kept for the time after its last end", () => {
    let now = 0;
    const recent = new RecentEvents({ keepAfterFinishMs: 100, now: () => now });
    recent.add(finished("twice"));
    now = 50;
    recent.add(finished("twice"));
    now = 100;
    expect(recent.get("twice")).toHaveLength(2);
    now = 150;
    expect(recent.get("twice")).toEqual([]);
  });

  it("the in-process bus keeps only shared events, and only when told to keep any", () => {
    const keeping = new LocalEventBus({ recent: new RecentEvents() });
    const plain = new LocalEventBus();
    for (const bus of [keeping, plain]) {
      bus.publish(token("shared", "a"), true);
      bus.publish(token("private", "a"), false);
    }
    expect(tokensOf(keeping.recent("shared"))).toEqual(["a"]);
    expect(keeping.recent("private")).toEqual([]);
    expect(plain.recent("shared")).toEqual([]);
  });
});

describe("recent events across processes over Redis", () => {
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    connections.push(redis);
    return redis;
  };
  let worker: RedisEventBus;
  let web: RedisEventBus;
  let plainWeb: RedisEventBus;
  let plainWebSubscriber: Redis;

  beforeAll(async () => {
    worker = new RedisEventBus(connect(), connect());
    web = new RedisEventBus(connect(), connect(), { recent: new RecentEvents() });
    plainWebSubscriber = connect();
    plainWeb = new RedisEventBus(connect(), plainWebSubscriber);
    for (const bus of [worker, web, plainWeb]) await bus.start();
  });
  afterAll(async () => {
    for (const bus of [worker, web, plainWeb]) await bus.close();
    for (const redis of connections) redis.disconnect();
  });

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(check()).toBe(true);
  }

  it("a keeping process has a run's shared events from before anyone there subscribed, then the live ones, each once", async () => {
    const runId = randomUUID();
    worker.publish(token(runId, "a"));
    worker.publish(token(runId, "b"));
    worker.publish(token(randomUUID(), "other run"));
    await until(() => web.recent(runId).length === 2);
    expect(plainWeb.recent(runId)).toEqual([]);

    const seen: RunEvent[] = [...web.recent(runId)];
    const off = web.subscribe(runId, (event) => seen.push(event));
    worker.publish(token(runId, "c"));
    worker.publish(finished(runId));
    await until(() => seen.length === 4);
    off();
    expect(tokensOf(seen)).toEqual(["a", "b", "c"]);
    expect(seen.at(-1)!.type).toBe("run.finished");
  });

  it("a process that keeps nothing still gets a run's events while it listens", async () => {
    const runId = randomUUID();
    const seen: RunEvent[] = [];
    const off = plainWeb.subscribe(runId, (event) => seen.push(event));
    // The subscription to the run's channel is asked for without waiting; a round trip on that connection follows it.
    await plainWebSubscriber.ping();
    worker.publish(token(runId, "a"));
    await until(() => seen.length === 1);
    off();
    expect(plainWeb.recent(runId)).toEqual([]);
  });

  it("events that are not shared stay in the process that ran the run", async () => {
    const runId = randomUUID();
    const local: RunEvent[] = [];
    const off = worker.subscribe(runId, (event) => local.push(event));
    worker.publish(token(runId, "private"), false);
    worker.publish(finished(runId));
    await until(() => web.recent(runId).length === 1);
    off();
    expect(tokensOf(local)).toEqual(["private"]);
    expect(web.recent(runId).map((e) => e.type)).toEqual(["run.finished"]);
  });

  it("series points reach their workspace's subscribers in other processes, while any of them listens", async () => {
    const [home, away] = [randomUUID(), randomUUID()];
    const point = (workspaceId: string, value: number): SeriesPointEvent => ({ workspaceId, series: "load", at: 0, value, data: null });
    const first: number[] = [];
    const second: number[] = [];
    const elsewhere: number[] = [];
    const offFirst = plainWeb.subscribePoints(home, (p) => first.push(p.value!));
    const offSecond = plainWeb.subscribePoints(home, (p) => second.push(p.value!));
    const offElsewhere = web.subscribePoints(away, (p) => elsewhere.push(p.value!));
    await plainWebSubscriber.ping();
    await until(() => {
      worker.publishPoints([point(away, 0)]);
      return elsewhere.length > 0;
    });

    worker.publishPoints([point(home, 1), point(away, 2)]);
    await until(() => second.length === 1 && elsewhere.at(-1) === 2);
    // One listener leaving keeps the process's subscription for the other.
    offFirst();
    worker.publishPoints([point(home, 3)]);
    await until(() => second.length === 2);
    offSecond();
    offElsewhere();
    expect({ first, second }).toEqual({ first: [1], second: [1, 3] });
  });
});
