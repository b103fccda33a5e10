import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { isPlainObject } from "../_kit/items";
import { COINGECKO_PRO_URL, COINGECKO_PUBLIC_URL, coingeckoGet, type CoingeckoAuth } from "./coingecko.credential";

const ID_LIST = /^\s*[a-z0-9][a-z0-9._-]*(\s*,\s*[a-z0-9][a-z0-9._-]*)*\s*$/;

const idList = (what: string, example: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(ID_LIST, `must be ${what} separated by commas, such as ${example}`)
    .transform((text) => [...new Set(text.split(",").map((id) => id.trim()))]);

export const cryptoPriceConfig = z.object({
  mode: z
    .enum(["price", "marketChart"])
    .default("price")
    .meta({ title: "Data", description: "Price: the latest price per coin. Market chart: prices, market caps and volumes over a period." }),
  coins: idList("CoinGecko coin ids", "bitcoin,ethereum").meta({
    title: "Coins",
    description: "CoinGecko API ids (shown on each coin's page), not ticker symbols: bitcoin, not BTC.",
    ...ui({ expression: true, placeholder: "bitcoin,ethereum" }),
  }),
  currencies: idList("currency codes", "usd,eur")
    .default(["usd"])
    .meta({ title: "Currencies", description: "Currencies to price in, such as usd, eur or btc.", ...ui({ expression: true, placeholder: "usd,eur" }) }),
  include24hChange: z.boolean().default(true).meta({ title: "24 h change (%)" }),
  includeMarketCap: z.boolean().default(false).meta({ title: "Market cap" }),
  include24hVolume: z.boolean().default(false).meta({ title: "24 h volume" }),
  days: z
    .union([z.number().int().min(1).max(3650), z.literal("max")])
    .default(7)
    .meta({ title: "Days", description: "Market chart only: how far back. 1 day gives 5-minute points, up to 90 days hourly, beyond that daily." }),
  baseUrl: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
    .optional()
    .meta({
      title: "Base URL",
      description: "Leave empty for CoinGecko itself (the credential's address, else the public API).",
      ...ui({ advanced: true }),
    }),
});

export type CryptoPriceConfig = z.output<typeof cryptoPriceConfig>;

function authOf(credentials: Record<string, string> | null): { auth: CoingeckoAuth | null; baseUrl?: string } {
  if (!credentials) return { auth: null };
  const { plan, apiKey, baseUrl } = credentials;
  if (!apiKey || (plan !== "demo" && plan !== "pro")) {
    throw new NodeConfigError("The CoinGecko credential needs a plan (demo or pro) and an API key; edit the credential");
  }
  return { auth: { plan, apiKey }, baseUrl: baseUrl || undefined };
}

const toIso = (seconds: unknown) => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null);

function unknownCoins(ids: string[]): NodeConfigError {
  const quoted = ids.map((id) => `"${id}"`).join(", ");
  return new NodeConfigError(
    `CoinGecko knows no coin with the id ${quoted}; use the API id from the coin's page on coingecko.com (such as "bitcoin"), not its ticker symbol`,
    { details: { unknownCoins: ids } },
  );
}

async function prices(args: { ctx: NodeContext<CryptoPriceConfig>; config: CryptoPriceConfig; auth: CoingeckoAuth | null; baseUrl: string }): Promise<Item[]> {
  const { ctx, config, auth, baseUrl } = args;
  const body = (await coingeckoGet({
    http: ctx.http,
    signal: ctx.signal,
    baseUrl,
    path: "/api/v3/simple/price",
    auth,
    query: {
      ids: config.coins.join(","),
      vs_currencies: config.currencies.join(","),
      include_24hr_change: String(config.include24hChange),
      include_market_cap: String(config.includeMarketCap),
      include_24hr_vol: String(config.include24hVolume),
      include_last_updated_at: "true",
    },
  })) as Record<string, unknown>;

  // CoinGecko leaves out ids it does not know instead of failing.
  const missing = config.coins.filter((id) => !isPlainObject(body[id]));
  if (missing.length) throw unknownCoins(missing);

  return config.coins.map((coin) => {
    const quote = body[coin] as Record<string, unknown>;
    const unpriced = config.currencies.filter((c) => typeof quote[c] !== "number");
    if (unpriced.length === config.currencies.length) {
      throw new NodeConfigError(`CoinGecko has no price of "${coin}" in ${unpriced.join(", ")}; use currency codes such as usd, eur or btc`, {
        details: { coin, currencies: unpriced },
      });
    }
    const per = (suffix: string) =>
      Object.fromEntries(config.currencies.filter((c) => typeof quote[`${c}${suffix}`] === "number").map((c) => [c, quote[`${c}${suffix}`]]));
    const json: Record<string, unknown> = { coin, price: per("") };
    if (config.include24hChange) json.change24hPercent = per("_24h_change");
    if (config.includeMarketCap) json.marketCap = per("_market_cap");
    if (config.include24hVolume) json.volume24h = per("_24h_vol");
    json.lastUpdatedAt = toIso(quote.last_updated_at);
    return { json };
  });
}

/** `[[ms, value], …]` as rows with ISO times. */
function series(points: unknown, name: string): Record<string, unknown>[] {
  if (!Array.isArray(points)) return [];
  return points.filter((p): p is [number, number] => Array.isArray(p) && typeof p[0] === "number").map(([ms, value]) => ({ time: new Date(ms).toISOString(), [name]: value }));
}

async function marketCharts(args: { ctx: NodeContext<CryptoPriceConfig>; config: CryptoPriceConfig; auth: CoingeckoAuth | null; baseUrl: string }): Promise<Item[]> {
  const { ctx, config, auth, baseUrl } = args;
  const out: Item[] = [];
  const pairs = config.coins.flatMap((coin) => config.currencies.map((currency) => ({ coin, currency })));
  for (const [index, { coin, currency }] of pairs.entries()) {
    let body: Record<string, unknown>;
    try {
      body = (await coingeckoGet({
        http: ctx.http,
        signal: ctx.signal,
        baseUrl,
        path: `/api/v3/coins/${encodeURIComponent(coin)}/market_chart`,
        auth,
        query: { vs_currency: currency, days: String(config.days) },
      })) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof NodeConfigError && err.details?.upstream === "coin not found") throw unknownCoins([coin]);
      throw err;
    }
    out.push({
      json: {
        coin,
        currency,
        days: config.days,
        prices: series(body.prices, "price"),
        marketCaps: series(body.market_caps, "marketCap"),
        volumes: series(body.total_volumes, "volume"),
      },
    });
    if (pairs.length > 1) ctx.progress({ percent: Math.round(((index + 1) / pairs.length) * 100), message: `${coin} in ${currency}` });
  }
  return out;
}

/** Prices and market charts from CoinGecko, with or without an API key. */
export const cryptoPriceNode = defineNode({
  type: "crypto.price",
  version: 1,
  name: "Crypto Price",
  description: "Latest prices, 24 h change and market charts of cryptocurrencies from CoinGecko.",
  category: "data",
  icon: "coins",
  credential: { type: "coingecko.api", required: false },
  config: cryptoPriceConfig,
  async execute({ input, ctx }) {
    const { auth, baseUrl: credentialBaseUrl } = authOf(ctx.credentials);
    const out: Item[] = [];
    for await (const { config } of eachItem({ input, ctx, evenIfEmpty: true })) {
      const baseUrl = config.baseUrl ?? credentialBaseUrl ?? (auth?.plan === "pro" ? COINGECKO_PRO_URL : COINGECKO_PUBLIC_URL);
      const fetched = config.mode === "price" ? await prices({ ctx, config, auth, baseUrl }) : await marketCharts({ ctx, config, auth, baseUrl });
      out.push(...fetched);
    }
    return out;
  },
});
