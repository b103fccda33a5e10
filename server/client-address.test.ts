import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sharedRateLimiter } from "../runner/rate-limits";
import { clientAddressStamp } from "./client-address";
import { parseEnv } from "./env";
import { CLIENT_IP_HEADER } from "./services/audit-origin";
import { signInLimit } from "./sign-in-limit";

/** The client address chosen for a request that came from `peer` with these headers, under TRUSTED_PROXIES=`trusted`. */
function clientOf({ trusted, peer, headers = {} }: { trusted: string; peer: string; headers?: Record<string, string> }): string {
  const req = { headers: { ...headers }, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
  clientAddressStamp(parseEnv({ TRUSTED_PROXIES: trusted }).TRUSTED_PROXIES)(req);
  return String(req.headers[CLIENT_IP_HEADER]);
}

describe("the client's address", () => {
  it("is the connection's own when no proxy is trusted, whatever the request claims", () => {
    const claims = { "x-forwarded-for": "203.0.113.9", [CLIENT_IP_HEADER]: "203.0.113.10" };
    expect(clientOf({ trusted: "", peer: "198.51.100.7", headers: claims })).toBe("198.51.100.7");
    expect(clientOf({ trusted: "", peer: "10.0.0.5", headers: claims })).toBe("10.0.0.5");
  });

  it("is the right-most address in X-Forwarded-For that is not a trusted proxy, when the connection is from one", () => {
    const trusted = "10.0.0.0/8";
    expect(clientOf({ trusted, peer: "10.0.0.5", headers: { "x-forwarded-for": "203.0.113.9" } })).toBe("203.0.113.9");
    // Behind two proxies (a load balancer, then an ingress), each appending the address it was reached from.
    expect(clientOf({ trusted, peer: "10.0.0.5", headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.7" } })).toBe("203.0.113.9");
    // Without the header, the proxy itself.
    expect(clientOf({ trusted, peer: "10.0.0.5" })).toBe("10.0.0.5");
    // When every address is a trusted proxy, the farthest one.
    expect(clientOf({ trusted, peer: "10.0.0.5", headers: { "x-forwarded-for": "10.1.1.1, 10.0.0.7" } })).toBe("10.1.1.1");
    // An IPv4 peer on a dual-stack socket, and IPv6 proxies.
    expect(clientOf({ trusted, peer: "::ffff:10.0.0.5", headers: { "x-forwarded-for": "203.0.113.9" } })).toBe("203.0.113.9");
    expect(clientOf({ trusted: "fd00::/8", peer: "fd00::2", headers: { "x-forwarded-for": "2001:db8::7" } })).toBe("2001:db8::7");
  });

  it("trusts the named ranges and a list of them", () => {
    const headers = { "x-forwarded-for": "203.0.113.9" };
    expect(clientOf({ trusted: "loopback", peer: "127.0.0.1", headers })).toBe("203.0.113.9");
    expect(clientOf({ trusted: "loopback", peer: "::1", headers })).toBe("203.0.113.9");
    expect(clientOf({ trusted: "loopback", peer: "10.0.0.5", headers })).toBe("10.0.0.5");
    expect(clientOf({ trusted: "uniquelocal", peer: "172.20.1.4", headers })).toBe("203.0.113.9");
    expect(clientOf({ trusted: "192.0.2.1, 10.0.0.0/255.0.0.0", peer: "192.0.2.1", headers: { "x-forwarded-for": "203.0.113.9, 10.4.0.1" } })).toBe("203.0.113.9");
  });

  it("cannot be chosen by the client", () => {
    const trusted = "10.0.0.0/8";
    // A client that reaches the server directly, not through the proxy: its header is not read.
    expect(clientOf({ trusted, peer: "198.51.100.7", headers: { "x-forwarded-for": "10.0.0.9, 203.0.113.9" } })).toBe("198.51.100.7");
    // Through the proxy, whatever the client wrote (even addresses of trusted proxies) is left of what the proxy appended.
    expect(clientOf({ trusted, peer: "10.0.0.5", headers: { "x-forwarded-for": "192.0.2.66, 10.0.0.9, 198.51.100.7" } })).toBe("198.51.100.7");
    // The header the server sets is replaced, whoever sent it.
    expect(clientOf({ trusted, peer: "10.0.0.5", headers: { [CLIENT_IP_HEADER]: "192.0.2.66", "x-forwarded-for": "198.51.100.7" } })).toBe("198.51.100.7");
  });

  it("is refused at start-up when TRUSTED_PROXIES lists something that is not an address or range", () => {
    expect(() => parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal, 10.0.0.0/33" })).toThrow(
      /TRUSTED_PROXIES\.1: "proxy\.internal" is not an address, a CIDR range such as 10\.0\.0\.0\/8, or one of loopback, linklocal, uniquelocal\n {2}TRUSTED_PROXIES\.2: "10\.0\.0\.0\/33"/,
    );
    expect(parseEnv({}).TRUSTED_PROXIES).toEqual([]);
  });
});

describe("the sign-in limit per address behind a proxy", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** The web server's front as server/main.ts builds it: the client's address stamped, then the sign-in limit. */
  async function front(trusted: string): Promise<(clientClaims: Record<string, string>) => Promise<number>> {
    const stamp = clientAddressStamp(parseEnv({ TRUSTED_PROXIES: trusted }).TRUSTED_PROXIES);
    const limit = signInLimit(sharedRateLimiter({ name: "sign-in", allowance: { perSecond: 2 / 3600, burst: 2 }, redis: null }));
    server = createServer((req, res) => {
      stamp(req);
      void limit(req, res).then((refused) => {
        if (!refused) res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/callback/credentials`;
    return async (headers) => (await fetch(url, { method: "POST", headers })).status;
  }

  it("gives each client behind a trusted proxy its own allowance", async () => {
    // The test connects from loopback: a proxy on the same host.
    const attempt = await front("loopback");
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await attempt({ "x-forwarded-for": "203.0.113.1" }));
    expect(statuses).toEqual([200, 200, 429]);
    // Another client of the proxy is not held back; nor is the first one let through by claiming another address first.
    expect(await attempt({ "x-forwarded-for": "203.0.113.2" })).toBe(200);
    expect(await attempt({ "x-forwarded-for": "192.0.2.9, 203.0.113.1" })).toBe(429);
  });

  it("holds a client that is not a trusted proxy to its own address, whatever it claims", async () => {
    const attempt = await front("10.0.0.0/8");
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await attempt({ "x-forwarded-for": `203.0.113.${i}`, [CLIENT_IP_HEADER]: `198.51.100.${i}` }));
    expect(statuses).toEqual([200, 200, 429]);
  });
});
