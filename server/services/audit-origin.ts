import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingHttpHeaders } from "node:http";

/** Where a request came from, as the audit log records it. */
export interface AuditOrigin {
  ip: string | null;
  userAgent: string | null;
  /**
   * Who the request acts as when that is not the signed-in user the services are called for: a REST API request
   * acts as its API key, so every event it causes names the key (services still check the key's creator's role).
   */
  actor?: { kind: "apiKey"; id: string };
}

/**
 * The request being served, for the audit events its mutation writes: the tRPC handler runs each call inside
 * `withAuditOrigin`, so services record the address and user agent without every signature carrying them. Work
 * outside a request (the CLI, workers, retention) has none, and its events say so by leaving both empty.
 */
const origins = new AsyncLocalStorage<AuditOrigin>();

export function withAuditOrigin<T>(origin: AuditOrigin, work: () => T): T {
  return origins.run(origin, work);
}

export function currentAuditOrigin(): AuditOrigin | undefined {
  return origins.getStore();
}

/** The header the web server sets to the connection's own address, replacing whatever a client sent under it. */
export const CLIENT_IP_HEADER = "x-streamware-client-ip";

const MAX_USER_AGENT = 512;

export function auditOriginOf(headers: Pick<Headers, "get">): AuditOrigin {
  const ip = headers.get(CLIENT_IP_HEADER);
  const userAgent = headers.get("user-agent");
  return { ip: ip ? ip.replace(/^::ffff:/, "") : null, userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null };
}

/** The same, from a Node request's headers (the lean paths served before Next.js). */
export function auditOriginOfNode(headers: IncomingHttpHeaders): AuditOrigin {
  return auditOriginOf({ get: (name: string) => [headers[name.toLowerCase()]].flat()[0] ?? null });
}
