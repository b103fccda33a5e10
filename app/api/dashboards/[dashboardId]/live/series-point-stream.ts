import type { SeriesPointEvent } from "@/nodes/_core/dashboard";
import type { EventBus } from "@/runner/events";

const KEEP_ALIVE_MS = 15_000;

/**
 * A dashboard's live values as server-sent events: one `data:` line per point stored in one of its series, as
 * `{ series, at, value, data }`, until the client goes away.
 */
export function seriesPointStream({ events, workspaceId, series, signal }: { events: EventBus; workspaceId: string; series: readonly string[]; signal: AbortSignal }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const wanted = new Set(series);
  let closed = false;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      const off = events.subscribePoints(workspaceId, (point: SeriesPointEvent) => {
        if (wanted.has(point.series)) write(`data: ${JSON.stringify({ series: point.series, at: point.at, value: point.value, data: point.data })}\n\n`);
      });
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      cleanup = () => {
        off();
        clearInterval(keepAlive);
        signal.removeEventListener("abort", close);
      };
      if (signal.aborted) return close();
      signal.addEventListener("abort", close, { once: true });
      // Opens the response at once, so the browser's EventSource reports the stream open before any point.
      write(": live\n\n");
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}
