import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedRateLimiter, type Allowance } from "../runner/rate-limits";
import { CLIENT_IP_HEADER } from "./services/audit-origin";
import { SHARE_ACTS_PER_MINUTE, SHARE_REQUESTS_PER_MINUTE, shareActLimiter, shareRateLimiter } from "./share-settings";
import { signInLimit } from "./sign-in-limit";
import { testRedisUrlFor } from "./test-runtime";

const redisUrl = testRedisUrlFor(4);

/**
 * A web process's sign-in door and the limiters of its share link routes: its own Redis connection and limiters,
 * as each process has.
 */
async function webProcess(points: number) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // Until its connection is ready, a process counts in its own memory (see the test of Redis away below).
  await redis.ping();
  const runtime = { rateLimiter: (name: string, allowance: Allowance) => sharedRateLimiter({ name, allowance, redis }) };
  const limit = signInLimit(runtime.rateLimiter("sign-in", { perSecond: points / 60, burst: points }));
  const server: Server = createServer((req, res) => {
    req.headers[CLIENT_IP_HEADER] = String(req.headers["x-test-ip"]);
    void limit(req, res).then((refused) => {
      if (!refused) res.writeHead(200).end("signed in");
    });
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shareRequests: shareRateLimiter(runtime),
    shareActs: shareActLimiter(runtime),
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      redis.disconnect();
    },
  };
}

describe("limits across web processes", () => {
  let one: Awaited<ReturnType<typeof webProcess>>;
  let two: Awaited<ReturnType<typeof webProcess>>;
  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    [one, two] = await Promise.all([webProcess(5), webProcess(5)]);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  const attempt = (process: { url: string }, ip: string) => fetch(`${process.url}/api/auth/callback/credentials`, { method: "POST", headers: { "x-test-ip": ip } });

  it("hold an address to one allowance of sign-ins, whichever web process each attempt reaches", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await attempt(i % 2 ? two : one, "203.0.113.7")).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const refused = await attempt(one, "203.0.113.7");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/^Too many sign-in attempts from this address; wait \d+ s and try again\.$/) });
    // Another address has its own allowance; a page that is not a sign-in is not counted.
    expect((await attempt(two, "198.51.100.4")).status).toBe(200);
    expect((await fetch(`${one.url}/api/auth/session`, { headers: { "x-test-ip": "203.0.113.7" } })).status).toBe(200);
  });

  it("hold an address to one allowance under share links, whichever web process each request reaches", async () => {
    const alternate = async (limiter: "shareRequests" | "shareActs", times: number, key: string) => {
      const allowed: boolean[] = [];
      for (let i = 0; i < times; i++) allowed.push((await (i % 2 ? two : one)[limiter].take(key)).allowed);
      return allowed;
    };
    const acts = await alternate("shareActs", SHARE_ACTS_PER_MINUTE + 2, "ip:203.0.113.8");
    expect(acts.filter(Boolean)).toHaveLength(SHARE_ACTS_PER_MINUTE);
    expect(acts.slice(SHARE_ACTS_PER_MINUTE)).toEqual([false, false]);
    // Requests to shared dashboards have their own allowance, which the control uses above did not spend.
    const requests = await alternate("shareRequests", SHARE_REQUESTS_PER_MINUTE + 2, "ip:203.0.113.8");
    expect(requests.filter(Boolean)).toHaveLength(SHARE_REQUESTS_PER_MINUTE);
    expect(requests.slice(SHARE_REQUESTS_PER_MINUTE)).toEqual([false, false]);
  });

  it("count in memory when embedded, and let everything through when turned off", async () => {
    const embedded = sharedRateLimiter({ name: "embedded", allowance: { perSecond: 2 / 60, burst: 2 }, redis: null });
    const taken = [await embedded.take("k"), await embedded.take("k"), await embedded.take("k")];
    expect(taken.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(taken[2]).toMatchObject({ limit: 2, remaining: 0, retryAfter: expect.any(Number) });
    const off = sharedRateLimiter({ name: "off", allowance: { perSecond: 0, burst: 0 }, redis: null });
    for (let i = 0; i < 5; i++) expect((await off.take("k")).allowed).toBe(true);
  });

  it("keep counting in each process's memory while Redis is away, rather than waiting for it", async () => {
    // Port 1 on loopback refuses connections: a Redis that is down.
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: null, lazyConnect: true });
    down.on("error", () => {});
    const limiter = sharedRateLimiter({ name: "insured", allowance: { perSecond: 1 / 60, burst: 1 }, redis: down });
    expect((await limiter.take("k")).allowed).toBe(true);
    expect((await limiter.take("k")).allowed).toBe(false);
    down.disconnect();
  });
});
