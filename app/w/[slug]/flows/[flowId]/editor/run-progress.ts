import type { NodeRunState } from "./editor-types";

/** What a `step.progress` event carries: percent and message, or an LLM's streamed `token` for item `item`. */
export interface ProgressUpdate {
  percent?: number;
  message?: string;
  token?: string;
  item?: number;
  /** What was streamed for the item so far is void (a retry, the next provider). */
  restart?: boolean;
  [k: string]: unknown;
}

/**
 * A running node's state after one progress event. Streamed tokens are appended to their item's text, which a
 * restart empties; an event of tokens only keeps the last percent and message, so a bar or a status does not
 * flicker away while text streams.
 */
export function withProgress(state: NodeRunState | undefined, update: ProgressUpdate): NodeRunState {
  const base: NodeRunState = state ?? { status: "running" };
  const { token, item, restart, ...rest } = update;
  const index = typeof item === "number" && Number.isInteger(item) && item >= 0 ? item : 0;
  let streams = base.streams;
  if (restart || typeof token === "string") {
    const next = [...(streams ?? [])];
    for (let i = 0; i < index; i++) next[i] ??= "";
    next[index] = (restart ? "" : (next[index] ?? "")) + (typeof token === "string" ? token : "");
    streams = next;
  }
  const tokensOnly = typeof token === "string" && rest.percent === undefined && rest.message === undefined;
  return { ...base, progress: tokensOnly ? base.progress : rest, streams };
}
