import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";
import { CLIENT_IP_HEADER } from "./services/audit-origin";

/** Names that stand for whole ranges in TRUSTED_PROXIES, as Express's "trust proxy" takes them. */
export const TRUSTED_PROXY_RANGES = ["loopback", "linklocal", "uniquelocal"] as const;

/** Whether `entry` is something TRUSTED_PROXIES may list: an address, a range (CIDR or netmask) or a range's name. */
export function isTrustedProxyEntry(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sets CLIENT_IP_HEADER on each request to the address of the client it came from, replacing whatever a client
 * sent under that name. The connection's own address, unless it is one of the `trusted` proxies: then the
 * X-Forwarded-For entry nearest to it that is not a trusted proxy, read from the right, as each proxy appends the
 * address it was reached from. A client can write anything at the left of X-Forwarded-For, and from a peer that is
 * not trusted the header is not read at all.
 */
export function clientAddressStamp(trusted: readonly string[]): (req: IncomingMessage) => void {
  const isTrusted = proxyAddr.compile([...trusted]);
  return (req) => {
    req.headers[CLIENT_IP_HEADER] = proxyAddr(req, isTrusted) ?? "";
  };
}
