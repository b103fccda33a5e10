import { ServiceError } from "./service-error";

/** The position after which the next page of a run list starts, and the list it belongs to. */
export interface RunCursor {
  workspaceId: string;
  /** The flow the list was filtered by; null for the workspace's whole list. */
  flowId: string | null;
  queuedAt: Date;
  runId: string;
}

const unknownCursor = () =>
  new ServiceError({
    code: "BAD_REQUEST",
    message: "Unknown cursor: pass the nextCursor of this same list (same workspace and flow), or leave the cursor out to start from the newest run.",
  });

/**
 * An opaque keyset cursor (queued time and run id, the list's order) that names the list it came from. It needs no
 * lookup of the run it points after, so a page still follows when that run was deleted meanwhile, and a cursor of
 * another workspace's (or flow's) list is refused exactly like a made-up one: it tells nothing about that run.
 */
export function encodeRunCursor(cursor: RunCursor): string {
  const { workspaceId, flowId, queuedAt, runId } = cursor;
  return Buffer.from(JSON.stringify([workspaceId, flowId, queuedAt.getTime(), runId])).toString("base64url");
}

/** The cursor's position in this list; BAD_REQUEST "Unknown cursor" when it is malformed or of another list. */
export function decodeRunCursor({ cursor, workspaceId, flowId }: { cursor: string; workspaceId: string; flowId: string | null }): { queuedAt: Date; runId: string } {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw unknownCursor();
  }
  if (!Array.isArray(fields) || fields.length !== 4) throw unknownCursor();
  const [ownWorkspace, ownFlow, time, runId] = fields as unknown[];
  if (ownWorkspace !== workspaceId || ownFlow !== flowId) throw unknownCursor();
  if (typeof time !== "number" || !Number.isSafeInteger(time) || typeof runId !== "string" || runId.length === 0) throw unknownCursor();
  const queuedAt = new Date(time);
  if (Number.isNaN(queuedAt.getTime())) throw unknownCursor();
  return { queuedAt, runId };
}
