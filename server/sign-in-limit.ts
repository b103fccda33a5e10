import type { IncomingMessage, ServerResponse } from "node:http";
import type { SharedRateLimiter } from "../runner/rate-limits";
import { CLIENT_IP_HEADER } from "./services/audit-origin";

/** Sign-in attempts: the forms and callbacks that take a password, a code or an assertion by POST. */
const SIGN_IN = /^\/api\/auth\/(callback|signin)\//;

/**
 * Holds sign-in attempts to an allowance per address (SIGN_IN_RATE_LIMIT_PER_MINUTE), counted across web processes
 * in queue mode. Answers a request over its allowance with 429 and Retry-After and returns true; false to let the
 * request through.
 */
export function signInLimit(limiter: SharedRateLimiter) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "POST" || !SIGN_IN.test(req.url ?? "")) return false;
    const ip = String(req.headers[CLIENT_IP_HEADER] ?? "") || "unknown";
    const decision = await limiter.take(`ip:${ip}`);
    if (decision.allowed) return false;
    res.writeHead(429, { "content-type": "application/json", "retry-after": String(decision.retryAfter) });
    res.end(JSON.stringify({ error: `Too many sign-in attempts from this address; wait ${decision.retryAfter} s and try again.` }));
    return true;
  };
}
