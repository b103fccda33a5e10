import { readFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { startTestServer } from "../_kit/test-http-server";

// __dirname rather than import.meta: Playwright loads this module as CommonJS for the browser journeys.
const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const recordedPrices = JSON.parse(fixture("simple-price-bitcoin-ethereum.json")) as Record<string, Record<string, number>>;

/**
 * CoinGecko's API on loopback from recorded answers: /simple/price leaves out unknown ids and fields not asked
 * for, as the real one does; market_chart answers 404 for unknown coins; a key, when set, is checked by header.
 */
export async function coingecko(options: { demoKey?: string; proKey?: string; rateLimited?: boolean } = {}) {
  const requests: { url: URL; headers: http.IncomingHttpHeaders }[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url!, "http://coingecko.test");
    requests.push({ url, headers: req.headers });
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(body);
    };
    if (options.rateLimited) return send(429, fixture("rate-limited.json"), { "retry-after": "30" });
    if (options.demoKey && req.headers["x-cg-demo-api-key"] !== options.demoKey) return send(401, fixture("invalid-api-key.json"));
    if (options.proKey && req.headers["x-cg-pro-api-key"] !== options.proKey) return send(401, fixture("invalid-api-key.json"));
    if (url.pathname === "/api/v3/ping") return send(200, fixture("ping.json"));
    if (url.pathname === "/api/v3/simple/price") {
      const q = url.searchParams;
      const want = (suffix: string, flag: string | null) => (suffix === "" || flag === "true" ? [suffix] : []);
      const suffixes = [
        ...want("", null),
        ...want("_market_cap", q.get("include_market_cap")),
        ...want("_24h_vol", q.get("include_24hr_vol")),
        ...want("_24h_change", q.get("include_24hr_change")),
      ];
      const answer: Record<string, Record<string, number>> = {};
      for (const id of q.get("ids")!.split(",")) {
        const recorded = recordedPrices[id];
        if (!recorded) continue;
        const quote: Record<string, number> = {};
        for (const currency of q.get("vs_currencies")!.split(",")) {
          for (const suffix of suffixes) if (recorded[`${currency}${suffix}`] !== undefined) quote[`${currency}${suffix}`] = recorded[`${currency}${suffix}`]!;
        }
        if (q.get("include_last_updated_at") === "true") quote.last_updated_at = recorded.last_updated_at!;
        answer[id] = quote;
      }
      return send(200, JSON.stringify(answer));
    }
    const chart = /^\/api\/v3\/coins\/([^/]+)\/market_chart$/.exec(url.pathname);
    if (chart) {
      if (chart[1] === "bitcoin" && url.searchParams.get("vs_currency") === "usd") return send(200, fixture("market-chart-bitcoin-usd-2d.json"));
      return send(404, fixture("coin-not-found.json"));
    }
    send(404, JSON.stringify({ error: "Not Found" }));
  };
  const server = await startTestServer(handler);
  return { server, requests };
}
