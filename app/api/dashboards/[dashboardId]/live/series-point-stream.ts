import type { SeriesPointEvent } from "@/nodes/_core/dashboard";
import type { EventBus } from "@/runner/events";
import { sseStream } from "../../../sse-stream";

/**
 * A dashboard's live values as server-sent events: one `data:` line per point stored in one of its series, as
 * `{ series, at, value, data }`, until the client goes away.
 */
export function seriesPointStream({
  events,
  workspaceId,
  series,
  signal,
  counted,
}: {
  events: EventBus;
  workspaceId: string;
  series: readonly string[];
  signal: AbortSignal;
  counted?: () => () => void;
}): ReadableStream<Uint8Array> {
  const wanted = new Set(series);
  return sseStream({
    signal,
    counted,
    open: (channel) => {
      const off = events.subscribePoints(workspaceId, (point: SeriesPointEvent) => {
        if (wanted.has(point.series)) channel.send(null, { series: point.series, at: point.at, value: point.value, data: point.data });
      });
      // Opens the response at once, so the browser's EventSource reports the stream open before any point.
      channel.write(": live\n\n");
      return off;
    },
  });
}
