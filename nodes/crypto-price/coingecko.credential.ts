import { z } from "zod";
import type { HttpClient } from "../_kit/context";
import { defineCredential } from "../_kit/define-credential";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import { isPlainObject } from "../_kit/items";

export const COINGECKO_PUBLIC_URL = "https://api.coingecko.com";
export const COINGECKO_PRO_URL = "https://pro-api.coingecko.com";

export const coingeckoCredential = defineCredential({
  type: "coingecko.api",
  name: "CoinGecko API key",
  description: "A Demo (free) or Pro key for the CoinGecko API; Demo keys raise the public rate limit.",
  fields: z.object({
    plan: z.enum(["demo", "pro"]).default("demo").meta({ title: "Plan", description: "Demo keys go to api.coingecko.com, Pro keys to pro-api.coingecko.com." }),
    apiKey: z.string().trim().min(1, "the key is required").meta({ title: "API key" }),
    baseUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
      .optional()
      .meta({ title: "Base URL", description: "Leave empty for the plan's own address; set it for a proxy or mirror of the API." }),
  }),
  secretFields: ["apiKey"],
  async test({ data, ctx }) {
    const baseUrl = data.baseUrl ?? (data.plan === "pro" ? COINGECKO_PRO_URL : COINGECKO_PUBLIC_URL);
    const body = await coingeckoGet({ http: ctx.http, signal: ctx.signal, baseUrl, path: "/api/v3/ping", auth: { plan: data.plan, apiKey: data.apiKey } });
    const says = isPlainObject(body) && typeof body.gecko_says === "string" ? `: ${body.gecko_says}` : "";
    return `CoinGecko ${data.plan} key accepted by ${new URL(baseUrl).host}${says}`;
  },
});

export interface CoingeckoAuth {
  plan: "demo" | "pro";
  apiKey: string;
}

/** CoinGecko's two key kinds travel in differently named headers. */
export function authHeaders(auth: CoingeckoAuth | null): Record<string, string> {
  if (!auth) return {};
  return auth.plan === "pro" ? { "x-cg-pro-api-key": auth.apiKey } : { "x-cg-demo-api-key": auth.apiKey };
}

/** CoinGecko explains refusals as {"error": "..."} or {"status": {"error_code", "error_message"}}. */
function upstreamMessage(body: unknown): string {
  if (!isPlainObject(body)) return typeof body === "string" ? body.slice(0, 200) : "";
  if (typeof body.error === "string") return body.error;
  if (isPlainObject(body.status) && typeof body.status.error_message === "string") return body.status.error_message;
  return "";
}

/** A GET to the CoinGecko API through the SSRF-safe client; failures keep CoinGecko's status, message and Retry-After. */
export async function coingeckoGet(args: {
  http: HttpClient;
  signal: AbortSignal;
  baseUrl: string;
  path: string;
  query?: Record<string, string>;
  auth: CoingeckoAuth | null;
}): Promise<unknown> {
  const { http, signal, baseUrl, path, query, auth } = args;
  const url = new URL(path, baseUrl);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  const response = await http.request({ url: url.toString(), headers: { accept: "application/json", ...authHeaders(auth) }, timeoutMs: 15_000, signal });
  const text = response.body.toString("utf8");
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Proxies in front of the API answer HTML on errors; the text is kept as is.
  }
  const where = `${url.origin}${url.pathname}`;
  if (response.status === 404) {
    const message = upstreamMessage(body);
    throw new NodeConfigError(`CoinGecko has nothing at ${where}${message ? ` (${message})` : ""}; check the base URL`, { details: { url: where, upstream: message } });
  }
  if (response.status >= 400) {
    const message = upstreamMessage(body);
    const retryAfter = response.headers["retry-after"];
    const hint =
      response.status === 429
        ? `; the rate limit is reached${retryAfter ? `, retry after ${retryAfter} s` : ""} (an API key raises it)`
        : response.status === 401 || response.status === 403 || (response.status === 400 && /key/i.test(message))
          ? "; check the CoinGecko API key and its plan (Demo keys go to api.coingecko.com, Pro keys to pro-api.coingecko.com)"
          : "";
    throw new NodeExternalError(`CoinGecko answered ${response.status}${message ? `: ${message}` : ""}${hint}`, {
      status: response.status,
      retryable: response.status >= 500 || response.status === 429,
      details: { url: where, body, retryAfter },
    });
  }
  if (!isPlainObject(body)) {
    throw new NodeExternalError(`CoinGecko at ${url.origin} did not answer with a JSON object; check the base URL`, { status: response.status, retryable: false });
  }
  return body;
}
