import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The request's id, for every log line written while serving it and for the answer's `x-request-id`: the one a
 * proxy in front sent (plain and short), or a new one.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers["x-request-id"];
  const id = typeof sent === "string" && /^[\w.:-]{1,64}$/.test(sent) ? sent : randomUUID();
  res.setHeader("x-request-id", id);
  return id;
}
