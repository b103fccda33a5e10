import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import type { Listener } from "../_kit/define-node";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { MemoryKeyValueStore, until } from "../../runner/node-testing";
import { SEEN_LIMIT, entryId, feedTriggerConfig, feedTriggerNode, nextSeen } from "./feed-trigger.node";
import { atom, feedServer, rss } from "./feed-test-server";

const cleanups: Listener[] = [];
afterEach(async () => {
  for (const listener of cleanups.splice(0)) await listener.close();
  await closeTestServers();
});

async function listen(config: Record<string, unknown>, { kv = new MemoryKeyValueStore(), allow = ["127.0.0.1"] } = {}) {
  const emitted: Item[][] = [];
  const controller = new AbortController();
  const listener = await feedTriggerNode.trigger!.listen!({
    config: feedTriggerConfig.parse(config),
    credentials: null,
    emit: async (items) => void emitted.push(items),
    signal: controller.signal,
    logger: pino({ level: "silent" }),
    kv,
    http: createHttpClient({ allow }),
    flow: { id: "flow", workspaceId: "ws" },
    node: { id: "feed", name: "Feed" },
  });
  cleanups.push(listener);
  return { emitted, kv };
}

describe("feed trigger", () => {
  it("RSS 2.0: the first check remembers, later checks emit only new entries, oldest first", async () => {
    const feed = await feedServer("application/rss+xml", rss([{ guid: "b", title: "Two" }, { guid: "a", title: "One" }]));
    const { emitted, kv } = await listen({ url: feed.url, intervalSeconds: 1 });
    expect(emitted).toEqual([]);
    expect(await kv.get("feed.seen:feed")).toEqual({ url: feed.url, seen: ["b", "a"] });

    feed.state.body = rss([{ guid: "c", title: "Three" }, { guid: "b", title: "Two" }, { guid: "a", title: "One" }]);
    await until(() => emitted.length === 1, "the new entry");
    expect(emitted[0]).toEqual([
      {
        json: {
          id: "c",
          title: "Three",
          link: "https://example.test/c",
          published: "2026-11-22T09:00:00.000Z",
          author: null,
          summary: "About Three",
          content: "About Three",
          categories: ["news"],
          feed: { title: "Test news", link: "https://example.test/" },
        },
      },
    ]);
    feed.state.body = rss([{ guid: "e", title: "Five" }, { guid: "d", title: "Four" }, { guid: "c", title: "Three" }]);
    await until(() => emitted.length === 2, "two more entries");
    expect(emitted[1]!.map((i) => i.json.id)).toEqual(["d", "e"]);
    const checks = feed.state.requests;
    await until(() => feed.state.requests > checks, "another check");
    expect(emitted).toHaveLength(2);
  });

  it("Atom: emits what is there on the first check when told to, then only what is new", async () => {
    const feed = await feedServer("application/atom+xml", atom([{ id: "urn:1", title: "first" }]));
    const { emitted } = await listen({ url: feed.url, intervalSeconds: 1, emitExisting: true });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]![0]!.json).toMatchObject({ id: "urn:1", title: "first", link: "https://example.test/a/first", author: "Ada", summary: "Sum first", feed: { title: "Atom log" } });
    feed.state.body = atom([{ id: "urn:2", title: "second" }, { id: "urn:1", title: "first" }]);
    await until(() => emitted.length === 2, "the second entry");
    expect(emitted[1]!.map((i) => i.json.id)).toEqual(["urn:2"]);
  });

  it("does not start runs again for entries seen before a restart", async () => {
    const feed = await feedServer("application/rss+xml", rss([{ guid: "a", title: "One" }]));
    const kv = new MemoryKeyValueStore();
    const first = await listen({ url: feed.url, intervalSeconds: 60, emitExisting: true }, { kv });
    expect(first.emitted).toHaveLength(1);
    const again = await listen({ url: feed.url, intervalSeconds: 60, emitExisting: true }, { kv });
    expect(again.emitted).toEqual([]);
  });

  it("refuses to start on a page that is not a feed, an error status or a private address, saying which", async () => {
    const page = await feedServer("text/html", "<html><body>hello</body></html>");
    const notFeed = await listen({ url: page.url }).then(() => null, (e: unknown) => e as Error);
    expect(notFeed).toBeInstanceOf(NodeConfigError);
    expect(notFeed?.message).toContain(`${page.url} is not an RSS or Atom feed`);

    page.state.status = 404;
    const missing = await listen({ url: page.url }).then(() => null, (e: unknown) => e as Error);
    expect(missing).toBeInstanceOf(NodeExternalError);
    expect(missing?.message).toBe(`The feed at ${page.url} answered 404; check the address`);

    const guarded = await listen({ url: page.url }, { allow: [] }).then(() => null, (e: unknown) => e as Error);
    expect(guarded?.message).toMatch(/127\.0\.0\.1/);
  });

  it("checks its config", () => {
    expect(feedTriggerConfig.safeParse({ url: "ftp://example.test/feed" }).error?.issues[0]?.message).toContain("http:// or https:// address of an RSS or Atom feed");
    expect(feedTriggerConfig.safeParse({ url: "https://example.test/feed", intervalSeconds: 0 }).success).toBe(false);
  });

  it("remembers a bounded number of ids, the current feed's always", () => {
    const old = Array.from({ length: SEEN_LIMIT }, (_, i) => `old-${i}`);
    const seen = nextSeen(["new-1", "new-2"], old);
    expect(seen).toHaveLength(SEEN_LIMIT);
    expect(seen.slice(0, 3)).toEqual(["new-1", "new-2", "old-0"]);
    const long = Array.from({ length: SEEN_LIMIT + 10 }, (_, i) => `e-${i}`);
    expect(nextSeen(long, old)).toEqual(long);
    expect(entryId({ title: "x", isoDate: "2026-01-01" })).toMatch(/^sha1:[0-9a-f]{40}$/);
  });
});
