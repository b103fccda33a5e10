import dns from "node:dns";
import net, { type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import type { Dispatcher } from "undici";
import type { HttpClient, HttpRequest, HttpResponse } from "../nodes/_kit/context";
import { NodeCancelledError, NodeConfigError, NodeError, NodeExternalError } from "../nodes/_kit/errors";
import { unreachableError } from "../nodes/_kit/network-errors";
import { ConfigError } from "../nodes/_core/config-error";
import { onFirstUse } from "../nodes/_core/on-first-use";

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_REDIRECTS = 5;

export interface HttpClientOptions {
  /** Host names, IP addresses and CIDR ranges that may be reached although private (`HTTP_ALLOW_HOSTS`). */
  allow?: string[];
  /** Defaults for requests that do not set their own. */
  maxResponseBytes?: number;
  timeoutMs?: number;
}

export interface SafeHttpClient extends HttpClient {
  /** Closes pooled connections, at shutdown and after tests. */
  close(): Promise<void>;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

interface AllowList {
  names: ReadonlySet<string>;
  ranges: ReadonlyArray<[Address, number]>;
}

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;
const GLOBAL_UNICAST_V6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse("2000::"), 3];
const METADATA_V4 = "169.254.169.254";

const RANGE_LABELS: Record<string, string> = {
  loopback: "loopback",
  private: "private",
  linkLocal: "link-local",
  uniqueLocal: "unique-local",
  unspecified: "unspecified",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  broadcast: "broadcast",
};

/** Parses `HTTP_ALLOW_HOSTS`: comma-separated host names, IP addresses and CIDR ranges. */
export function httpAllowListFromEnv(value?: string): string[] {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  parseAllowList(entries);
  return entries;
}

function parseAllowList(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const ranges: [Address, number][] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.includes("/")) {
      if (!ipaddr.isValidCIDR(entry)) {
        throw new ConfigError(`HTTP_ALLOW_HOSTS: "${raw}" is not a CIDR range; write ranges such as 10.0.0.0/8 or fd00::/8`);
      }
      ranges.push(unmapRange(ipaddr.parseCIDR(entry)));
      continue;
    }
    const literal = entry.replace(/^\[(.*)\]$/, "$1");
    if (net.isIP(literal)) {
      const address = ipaddr.process(literal);
      ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
      continue;
    }
    if (!HOST_NAME.test(entry)) {
      throw new ConfigError(`HTTP_ALLOW_HOSTS: "${raw}" is not a host name, IP address or CIDR range (leave out schemes and ports)`);
    }
    names.add(withoutTrailingDot(entry));
  }
  return { names, ranges };
}

/** `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8; addresses are compared in their IPv4 form. */
function unmapRange([address, bits]: [Address, number]): [Address, number] {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

function withoutTrailingDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

function isAllowedName(allow: AllowList, hostname: string): boolean {
  return allow.names.has(withoutTrailingDot(hostname.toLowerCase()));
}

function isAllowedAddress(allow: AllowList, address: Address): boolean {
  return allow.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/** Why an address may not be reached, or null when it is a public unicast address. */
function blockedRange(address: Address): string | null {
  if (address.kind() === "ipv4") {
    const range = address.range();
    if (range === "unicast") return null;
    if (address.toString() === METADATA_V4) return "link-local, cloud metadata";
    return RANGE_LABELS[range] ?? "reserved";
  }
  const range = address.range();
  // Only 2000::/3 is handed out for the public internet; the rest (IPv4-compatible ::/96 included) stays refused.
  if (range === "unicast" && address.match(GLOBAL_UNICAST_V6)) return null;
  return RANGE_LABELS[range] ?? "reserved";
}

class RefusedDestinationError extends NodeConfigError {
  constructor(args: { host: string; address: string; range: string }) {
    const target = args.host === args.address ? args.address : `${args.host} (${args.address})`;
    super(
      `Refused to connect to ${target} (${args.range}): requests to private, loopback and link-local addresses are blocked; allow the host with HTTP_ALLOW_HOSTS`,
      { details: { host: args.host, address: args.address, range: args.range } },
    );
  }
}

/** Refuses an address unless it is public or allowed; `host` is what the URL named. */
function checkAddress(allow: AllowList, host: string, literal: string): void {
  const address = ipaddr.process(literal);
  if (isAllowedAddress(allow, address)) return;
  const range = blockedRange(address);
  if (range) throw new RefusedDestinationError({ host, address: address.toString(), range });
}

/**
 * Checks every address a name resolves to as the socket connects, so what was checked is what is dialled and a
 * name cannot resolve to a public address for a check and a private one for the connection.
 */
function guardedLookup(allow: AllowList): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      let permitted = addresses;
      if (!isAllowedName(allow, hostname)) {
        const refusals: NodeError[] = [];
        permitted = addresses.filter((entry) => {
          try {
            checkAddress(allow, hostname, entry.address);
            return true;
          } catch (refusal) {
            refusals.push(refusal as NodeError);
            return false;
          }
        });
        if (permitted.length === 0) return callback(refusals[0] ?? new NodeExternalError(`${hostname} has no addresses`), "", 0);
      }
      if (options.all) return callback(null, permitted);
      const first = permitted[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function parseUrl(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new NodeConfigError(`"${raw}" is not a valid URL; write a full address such as https://api.example.com/items`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new NodeConfigError(`Only http: and https: URLs can be requested, not ${url.protocol}`, { details: { url: describeUrl(url) } });
  }
  return url;
}

/** A Location the server sent is the server's mistake, not the node's set-up. */
function redirectTarget(location: string, from: URL): URL {
  try {
    return parseUrl(location, from);
  } catch (err) {
    throw new NodeExternalError(`${describeUrl(from)} redirected to "${location}", which cannot be followed: ${(err as Error).message}`, {
      retryable: false,
      details: { url: describeUrl(from), location },
    });
  }
}

/** Without the query string and credentials, which often carry secrets. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** IP literals never reach the lookup hook, so they are checked before the request is made. */
function checkLiteralHost(allow: AllowList, url: URL): void {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (net.isIP(host)) checkAddress(allow, host, host);
}

const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location", "transfer-encoding"];
const ORIGIN_BOUND_HEADERS = ["authorization", "proxy-authorization", "cookie", "host"];

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

function flattenHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Drops a body not worth reading; the abort error `destroy()` raises on it has no one to reach. */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

async function readLimited(args: { body: Dispatcher.ResponseData["body"]; limit: number; url: URL; status: number }): Promise<Buffer> {
  const { body, limit, url, status } = args;
  const tooLarge = () =>
    new NodeExternalError(`The response from ${describeUrl(url)} is larger than ${limit} bytes; ask for less data or raise the response size limit`, {
      retryable: false,
      details: { url: describeUrl(url), status, maxResponseBytes: limit },
    });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      discard(body);
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

/** An HTTP client that only reaches public addresses unless told otherwise, checked on every hop and every connect. */
export function createHttpClient(options: HttpClientOptions = {}): SafeHttpClient {
  const allow = parseAllowList(options.allow ?? []);
  // undici (megabytes of code) is loaded by the first request a node makes, with the agent that checks its connects.
  const connection = onFirstUse(async () => {
    const { Agent, fetch, request } = await import("undici");
    return { agent: new Agent({ connect: { lookup: guardedLookup(allow), timeout: 10_000 } }), fetch, request };
  });
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultMaxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? defaultTimeoutMs;
    const limit = req.maxResponseBytes ?? defaultMaxBytes;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;

    let url = parseUrl(req.url);
    let method = (req.method ?? "GET").toUpperCase();
    let headers = { ...(req.headers ?? {}) };
    let body = req.body;

    try {
      const { agent, request: send } = await connection.get();
      for (let redirects = 0; ; redirects++) {
        checkLiteralHost(allow, url);
        signal.throwIfAborted();
        const response = await send(url, { dispatcher: agent, method: method as Dispatcher.HttpMethod, headers, body, signal });
        const status = response.statusCode;
        const location = response.headers.location;

        if (req.followRedirects !== false && isRedirect(status) && typeof location === "string") {
          await response.body.dump();
          if (redirects === MAX_REDIRECTS) {
            throw new NodeExternalError(`${describeUrl(url)} redirected more than ${MAX_REDIRECTS} times; request the final address directly`, {
              retryable: false,
              details: { url: describeUrl(url), status },
            });
          }
          const next = redirectTarget(location, url);
          if (status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST") {
            method = "GET";
            body = undefined;
            headers = withoutHeaders(headers, BODY_HEADERS);
          }
          if (next.origin !== url.origin) headers = withoutHeaders(headers, ORIGIN_BOUND_HEADERS);
          url = next;
          continue;
        }

        const length = Number(response.headers["content-length"]);
        if (Number.isFinite(length) && length > limit) {
          discard(response.body);
          throw new NodeExternalError(`The response from ${describeUrl(url)} is ${length} bytes, more than the limit of ${limit}; ask for less data or raise the response size limit`, {
            retryable: false,
            details: { url: describeUrl(url), status, maxResponseBytes: limit },
          });
        }
        const data = await readLimited({ body: response.body, limit, url, status });
        return { status, headers: flattenHeaders(response.headers), body: data, url: url.toString() };
      }
    } catch (err) {
      throw classify({ err, url, method, timeoutMs, callerSignal: req.signal, timeout });
    }
  }

  /**
   * A WHATWG fetch for SDKs (OpenAI, Ollama) that stream: the same connect-time address check, literal
   * addresses checked on every hop, redirects followed by hand so each target is checked too.
   */
  const safeFetch: typeof globalThis.fetch = async (input, init) => {
    let url = parseUrl(input instanceof Request ? input.url : String(input));
    const request = input instanceof Request ? input : undefined;
    let requestInit: RequestInit = { ...init, method: init?.method ?? request?.method, headers: init?.headers ?? request?.headers, body: init?.body ?? request?.body, signal: init?.signal ?? request?.signal };
    if (requestInit.body instanceof FormData) {
      // The global FormData is not the npm undici's class, which would send it as the text "[object FormData]";
      // encoded here into multipart bytes with their boundary, it goes as is (SDK file uploads).
      const encoded = new Response(requestInit.body);
      const headers = new Headers(requestInit.headers);
      headers.set("content-type", encoded.headers.get("content-type")!);
      requestInit = { ...requestInit, headers, body: Buffer.from(await encoded.arrayBuffer()) };
    }
    const { agent, fetch: send } = await connection.get();
    for (let redirects = 0; ; redirects++) {
      checkLiteralHost(allow, url);
      const response = (await send(url, { ...(requestInit as object), redirect: "manual", dispatcher: agent } as never).catch((err: unknown) => {
        // fetch reports every failure as "fetch failed"; the refusal that caused it says what to fix.
        throw (err as { cause?: unknown }).cause instanceof NodeError ? (err as { cause: NodeError }).cause : err;
      })) as unknown as Response;
      const location = response.headers.get("location");
      if (!isRedirect(response.status) || !location || redirects === MAX_REDIRECTS) return response;
      await response.body?.cancel();
      const method = (requestInit.method ?? "GET").toUpperCase();
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        requestInit = { ...requestInit, method: "GET", body: undefined };
      }
      url = redirectTarget(location, url);
    }
  };

  async function checkHost(raw: string): Promise<string[]> {
    const host = raw.replace(/^\[(.*)\]$/, "$1");
    if (net.isIP(host)) {
      checkAddress(allow, host, host);
      return [host];
    }
    let addresses: dns.LookupAddress[];
    try {
      addresses = await dns.promises.lookup(host, { all: true });
    } catch (err) {
      throw (
        unreachableError({ err, target: host, details: { host } }) ??
        new NodeExternalError(`${host} could not be resolved: ${(err as Error).message}; check the host name`, { details: { host }, cause: err })
      );
    }
    if (!isAllowedName(allow, host)) for (const entry of addresses) checkAddress(allow, host, entry.address);
    return addresses.map((entry) => entry.address);
  }

  return {
    request,
    fetch: safeFetch,
    checkHost,
    close: async () => {
      await connection.loaded()?.agent.close();
    },
  };
}

function classify(args: { err: unknown; url: URL; method: string; timeoutMs: number; callerSignal?: AbortSignal; timeout: AbortSignal }): Error {
  const { err, url, method, timeoutMs, callerSignal, timeout } = args;
  if (err instanceof NodeError) return err;
  const target = `${method} ${describeUrl(url)}`;
  if (callerSignal?.aborted) {
    return callerSignal.reason instanceof Error ? callerSignal.reason : new NodeCancelledError();
  }
  if (timeout.aborted) {
    return new NodeExternalError(`${target} timed out after ${timeoutMs} ms`, { details: { url: describeUrl(url), timeoutMs }, cause: err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const reason = err instanceof Error ? err.message : String(err);
  if (code === "UND_ERR_INVALID_ARG") {
    return new NodeConfigError(`${target} could not be sent: ${reason}`, { details: { url: describeUrl(url) }, cause: err });
  }
  return (
    unreachableError({ err, target: url.host, raw: target, details: { url: describeUrl(url) } }) ??
    new NodeExternalError(`${target} failed: ${reason}`, { details: { url: describeUrl(url), code }, cause: err })
  );
}
