import { createHash } from "node:crypto";
import type Parser from "rss-parser";
import { z } from "zod";
import { onFirstUse } from "../_core/on-first-use";
import type { HttpClient } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { NodeCancelledError, NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";

/** How many entry ids a feed trigger remembers; a feed longer than this is remembered whole. */
export const SEEN_LIMIT = 500;
const MAX_FEED_BYTES = 10 * 1024 * 1024;
const ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1";

export const feedTriggerConfig = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'must be the http:// or https:// address of an RSS or Atom feed' })
    .meta({ title: "Feed URL", ...ui({ placeholder: "https://example.com/feed.xml" }) }),
  intervalSeconds: z.number().int().min(1).max(86_400).default(300).meta({ title: "Check every (seconds)" }),
  emitExisting: z
    .boolean()
    .default(false)
    .meta({ title: "Start with the entries already there", description: "Off: the first check only remembers what the feed holds, and later checks start runs for new entries." }),
});

type FeedEntry = Parser.Item & { id?: string; author?: string };

/** An entry's identity: its guid (RSS) or id (Atom), else its link, else a hash of its title and date. */
export function entryId(entry: FeedEntry): string {
  const id = entry.guid ?? entry.id ?? entry.link;
  if (id) return id;
  return `sha1:${createHash("sha1").update(`${entry.title ?? ""}\u0000${entry.isoDate ?? entry.pubDate ?? ""}`).digest("hex")}`;
}

/** The ids to remember after a check: this check's entries first, then older ones, up to the limit. */
export function nextSeen(current: string[], previous: string[], limit = SEEN_LIMIT): string[] {
  return [...new Set([...current, ...previous])].slice(0, Math.max(limit, current.length));
}

function toItem(feed: Parser.Output<FeedEntry>, entry: FeedEntry, id: string): Item {
  return {
    json: {
      id,
      title: entry.title ?? null,
      link: entry.link ?? null,
      published: entry.isoDate ?? entry.pubDate ?? null,
      author: entry.creator ?? entry.author ?? null,
      summary: entry.contentSnippet ?? entry.summary ?? null,
      content: entry.content ?? null,
      categories: entry.categories ?? [],
      ...(entry.enclosure ? { enclosure: entry.enclosure } : {}),
      feed: { title: feed.title ?? null, link: feed.link ?? null },
    },
  };
}

// The feed parser is loaded by the first feed fetched.
const feedParser = onFirstUse(async () => (await import("rss-parser")).default);

async function fetchFeed(args: { http: HttpClient; url: string; signal: AbortSignal; validators: Record<string, string> }): Promise<Parser.Output<FeedEntry> | null> {
  const { http, url, signal, validators } = args;
  const res = await http.request({ url, headers: { accept: ACCEPT, ...validators }, maxResponseBytes: MAX_FEED_BYTES, timeoutMs: 30_000, signal });
  if (res.status === 304) return null;
  if (res.status >= 400) throw new NodeExternalError(`The feed at ${url} answered ${res.status}; check the address`, { status: res.status });
  for (const [header, validator] of [["etag", "if-none-match"], ["last-modified", "if-modified-since"]] as const) {
    if (res.headers[header]) validators[validator] = res.headers[header];
  }
  const FeedParser = await feedParser.get();
  try {
    return await new FeedParser<Record<string, never>, FeedEntry>().parseString(res.body.toString("utf8"));
  } catch (err) {
    throw new NodeConfigError(`${url} is not an RSS or Atom feed (${(err as Error).message}); check the address`, { cause: err });
  }
}

/**
 * Checks an RSS or Atom feed on an interval and starts one run per check that found new entries, one item per
 * entry, oldest first. The ids it has seen are kept in the flow's key/value store, so a restart or another
 * worker taking over does not start runs for them again.
 */
export const feedTriggerNode = defineNode({
  type: "feed.trigger",
  version: 1,
  name: "RSS/Atom feed trigger",
  description: "Starts the flow with the new entries of an RSS or Atom feed, checked on an interval.",
  category: "trigger",
  icon: "rss",
  literalFields: Object.keys(feedTriggerConfig.shape),
  config: feedTriggerConfig,
  trigger: {
    kind: "feed",
    async listen({ config, emit, signal, logger, kv, http, node }) {
      const key = `feed.seen:${node.id}`;
      const validators: Record<string, string> = {};
      const check = async () => {
        const feed = await fetchFeed({ http, url: config.url, signal, validators });
        if (!feed) return;
        const entries = feed.items.map((entry) => ({ entry, id: entryId(entry) }));
        const state = await kv.get<{ url: string; seen: string[] }>(key);
        // A feed never checked before (or whose address changed) starts from what it holds now.
        const previous = state?.url === config.url ? state.seen : null;
        const known = previous && new Set(previous);
        const fresh = known ? entries.filter((e) => !known.has(e.id)) : config.emitExisting ? entries : [];
        // Feeds list the newest first; runs go oldest first.
        if (fresh.length) await emit(fresh.reverse().map((e) => toItem(feed, e.entry, e.id)));
        await kv.set(key, { url: config.url, seen: nextSeen(entries.map((e) => e.id), previous ?? []) });
      };
      await check();
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      let closed = false;
      const schedule = () => {
        timer = setTimeout(() => {
          running = check()
            .catch((err: unknown) => {
              if (!(err instanceof NodeCancelledError) && !signal.aborted) logger.warn({ err, url: config.url }, "feed check failed; trying again at the next interval");
            })
            .finally(() => {
              if (!signal.aborted && !closed) schedule();
            });
        }, config.intervalSeconds * 1000);
      };
      schedule();
      return {
        async close() {
          closed = true;
          clearTimeout(timer);
          await running;
        },
      };
    },
  },
  async execute({ input }) {
    return input;
  },
});
