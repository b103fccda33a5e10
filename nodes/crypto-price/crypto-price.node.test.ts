import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { failure, runNode } from "../../runner/node-testing";
import { coingeckoCredential } from "./coingecko.credential";
import { cryptoPriceNode } from "./crypto-price.node";
import { coingecko } from "./crypto-price-test-server";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await loopback.close();
});

async function run(args: { config: Record<string, unknown>; credentials?: Record<string, string> | null; input?: Item[] }) {
  return runNode(cryptoPriceNode, { config: args.config, credentials: args.credentials, input: args.input ?? [{ json: {} }], http: loopback });
}

describe("crypto.price", () => {
  it("asks /simple/price for the coins and currencies and gives one item per coin", async () => {
    const api = await coingecko();
    const { items } = await run({ config: { coins: "Bitcoin, ethereum", currencies: "usd,eur", includeMarketCap: true, baseUrl: api.server.url } });

    const { url, headers } = api.requests[0]!;
    expect(url.pathname).toBe("/api/v3/simple/price");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ids: "bitcoin,ethereum",
      vs_currencies: "usd,eur",
      include_24hr_change: "true",
      include_market_cap: "true",
      include_24hr_vol: "false",
      include_last_updated_at: "true",
    });
    expect(headers["x-cg-demo-api-key"]).toBeUndefined();
    expect(items.map((i) => i.json)).toEqual([
      {
        coin: "bitcoin",
        price: { usd: 67187.33, eur: 62104.88 },
        change24hPercent: { usd: 3.637278946773539, eur: 3.412031107744251 },
        marketCap: { usd: 1317802988326.25, eur: 1218118412740.71 },
        lastUpdatedAt: "2024-06-12T12:00:00.000Z",
      },
      {
        coin: "ethereum",
        price: { usd: 3542.71, eur: 3274.83 },
        change24hPercent: { usd: -1.2274412250519377, eur: -1.4478013690037413 },
        marketCap: { usd: 425601553312.33, eur: 393417611802.45 },
        lastUpdatedAt: "2024-06-12T11:59:58.000Z",
      },
    ]);
  });

  it("sends a Demo key as x-cg-demo-api-key and a Pro key as x-cg-pro-api-key", async () => {
    const demo = await coingecko({ demoKey: "CG-demo-123" });
    const { items } = await run({ config: { coins: "bitcoin", baseUrl: demo.server.url }, credentials: { plan: "demo", apiKey: "CG-demo-123" } });
    expect(items[0]!.json.price).toEqual({ usd: 67187.33 });
    expect(demo.requests[0]!.headers["x-cg-pro-api-key"]).toBeUndefined();

    const pro = await coingecko({ proKey: "CG-pro-456" });
    // The credential's base URL is used when the node sets none.
    await run({ config: { coins: "bitcoin" }, credentials: { plan: "pro", apiKey: "CG-pro-456", baseUrl: pro.server.url } });
    expect(pro.requests[0]!.headers["x-cg-pro-api-key"]).toBe("CG-pro-456");
  });

  it("fails with the key hint when CoinGecko refuses the key, not retryable", async () => {
    const api = await coingecko({ demoKey: "right" });
    const err = (await failure(run({ config: { coins: "bitcoin", baseUrl: api.server.url }, credentials: { plan: "demo", apiKey: "wrong" } }))) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("check the CoinGecko API key");
  });

  it("names unknown coin ids in a config error", async () => {
    const api = await coingecko();
    const err = await failure(run({ config: { coins: "bitcoin,bitcon,btc", baseUrl: api.server.url } }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain('CoinGecko knows no coin with the id "bitcon", "btc"');
    expect((err as NodeConfigError).details).toEqual({ unknownCoins: ["bitcon", "btc"] });
  });

  it("says so when a coin has no price in any requested currency", async () => {
    const api = await coingecko();
    const err = await failure(run({ config: { coins: "bitcoin", currencies: "usdollar", baseUrl: api.server.url } }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain('no price of "bitcoin" in usdollar');
  });

  it("turns 429 into a retryable external error that keeps Retry-After", async () => {
    const api = await coingecko({ rateLimited: true });
    const err = (await failure(run({ config: { coins: "bitcoin", baseUrl: api.server.url } }))) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.details?.retryAfter).toBe("30");
    expect(err.message).toContain("retry after 30 s");
    expect(err.message).toContain("exceeded the Rate Limit");
  });

  it("reads the market chart as rows of time and value", async () => {
    const api = await coingecko();
    const { items } = await run({ config: { mode: "marketChart", coins: "bitcoin", days: 2, baseUrl: api.server.url } });
    const { url } = api.requests[0]!;
    expect(url.pathname).toBe("/api/v3/coins/bitcoin/market_chart");
    expect(Object.fromEntries(url.searchParams)).toEqual({ vs_currency: "usd", days: "2" });
    const json = items[0]!.json as { coin: string; currency: string; prices: { time: string; price: number }[]; volumes: unknown[]; marketCaps: unknown[] };
    expect(json.coin).toBe("bitcoin");
    expect(json.currency).toBe("usd");
    expect(json.prices).toHaveLength(49);
    expect(json.prices[0]).toEqual({ time: "2024-06-10T12:00:00.000Z", price: 66900.12 });
    expect(json.volumes).toHaveLength(49);
    expect(json.marketCaps[0]).toEqual({ time: "2024-06-10T12:00:00.000Z", marketCap: expect.any(Number) });
  });

  it("names an unknown coin on the market chart too", async () => {
    const api = await coingecko();
    const err = await failure(run({ config: { mode: "marketChart", coins: "notacoin", baseUrl: api.server.url } }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain('no coin with the id "notacoin"');
  });

  it("refuses a coin list that is not ids before any request", async () => {
    const err = await failure(run({ config: { coins: "bitcoin; DROP" } }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain("Coins must be CoinGecko coin ids separated by commas");
  });

  it("tests a credential with /ping and reports a refused key", async () => {
    const api = await coingecko({ demoKey: "CG-ok" });
    const ctx = { http: loopback, signal: new AbortController().signal };
    await expect(coingeckoCredential.test({ plan: "demo", apiKey: "CG-ok", baseUrl: api.server.url }, ctx)).resolves.toBe(
      "CoinGecko demo key accepted by " + new URL(api.server.url).host + ": (V3) To the Moon!",
    );
    await expect(coingeckoCredential.test({ plan: "demo", apiKey: "CG-bad", baseUrl: api.server.url }, ctx)).rejects.toThrow(/API Key Missing/);
    expect(() => coingeckoCredential.parse({ plan: "free", apiKey: "x" })).toThrow(/plan/);
  });
});
