import { createHash } from "node:crypto";

/**
 * The idempotency key of one item of one step: the same each time the step runs again in that run (a retry, or a
 * re-execution after its worker was lost), different in every other step, item and run. Hashed, so it is a valid
 * header value whatever the ids contain.
 */
export function idempotencyKey(runId: string, nodeId: string, itemIndex: number): string {
  return createHash("sha256").update(`${runId}\u0000${nodeId}\u0000${itemIndex}`).digest("hex").slice(0, 32);
}
