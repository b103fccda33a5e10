import { isFinishedRunStatus, type RunEvent } from "@/nodes/_core/run-types";
import type { EventBus } from "@/runner/events";

const KEEP_ALIVE_MS = 15_000;

/**
 * A run's live view as server-sent events: first a `snapshot` of the run as stored, then the run's recent events
 * this process kept (what happened before the stream was opened and is in no stored row: streamed tokens, a quick
 * step's start), then each event as it happens, until the run finishes. The snapshot says how many kept events
 * follow (`replayed`), so a client that saw some of them live on an earlier connection starts those parts over.
 */
export function runEventStream<Snapshot extends { status: string }>(options: {
  events: EventBus;
  runId: string;
  snapshot: Snapshot;
  /** The run's end as stored now, for a run that ended between the snapshot and the subscription. */
  storedEnd: () => Promise<{ status: string; error: unknown } | null>;
  /** Called while the stream stays open, so the run's events keep coming to this process. */
  keepWatching: () => void;
  signal: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { events, runId, snapshot, storedEnd, keepWatching, signal } = options;
  const encoder = new TextEncoder();
  let closed = false;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
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
      const deliver = (event: RunEvent) => {
        send(event.type, event);
        if (event.type === "run.finished") close();
      };
      if (isFinishedRunStatus(snapshot.status)) {
        send("snapshot", { ...snapshot, replayed: 0 });
        return close();
      }
      // Read together with the subscription, in one tick: no event falls between the kept ones and the live ones.
      const kept = events.recent(runId);
      const off = events.subscribe(runId, deliver);
      const keepAlive = setInterval(() => {
        write(": keep-alive\n\n");
        keepWatching();
      }, KEEP_ALIVE_MS);
      cleanup = () => {
        off();
        clearInterval(keepAlive);
        signal.removeEventListener("abort", close);
      };
      signal.addEventListener("abort", close, { once: true });
      send("snapshot", { ...snapshot, replayed: kept.length });
      for (const event of kept) {
        if (closed) return;
        deliver(event);
      }
      if (closed) return;
      // The run may have finished between the snapshot and the subscription, its end not kept here.
      void storedEnd().then(
        (run) => {
          if (run && isFinishedRunStatus(run.status)) {
            send("run.finished", { type: "run.finished", runId, status: run.status, error: run.error, at: new Date().toISOString() });
            close();
          }
        },
        () => {},
      );
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}
