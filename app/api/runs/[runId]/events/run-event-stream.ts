import { isFinishedRunStatus, type RunEvent } from "@/nodes/_core/run-types";
import type { EventBus } from "@/runner/events";
import { sseStream } from "../../../sse-stream";

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
  /** Counts the stream while it is open (see `sseStream`). */
  counted?: () => () => void;
}): ReadableStream<Uint8Array> {
  const { events, runId, snapshot, storedEnd, keepWatching, signal, counted } = options;
  return sseStream({
    signal,
    counted,
    onKeepAlive: keepWatching,
    open: (channel) => {
      const deliver = (event: RunEvent) => {
        channel.send(event.type, event);
        if (event.type === "run.finished") channel.close();
      };
      if (isFinishedRunStatus(snapshot.status)) {
        channel.send("snapshot", { ...snapshot, replayed: 0 });
        return channel.close();
      }
      // Read together with the subscription, in one tick: no event falls between the kept ones and the live ones.
      const kept = events.recent(runId);
      const off = events.subscribe(runId, deliver);
      channel.send("snapshot", { ...snapshot, replayed: kept.length });
      for (const event of kept) {
        if (channel.closed) return off;
        deliver(event);
      }
      if (channel.closed) return off;
      // The run may have finished between the snapshot and the subscription, its end not kept here.
      void storedEnd().then(
        (run) => {
          if (run && isFinishedRunStatus(run.status)) {
            channel.send("run.finished", { type: "run.finished", runId, status: run.status, error: run.error, at: new Date().toISOString() });
            channel.close();
          }
        },
        () => {},
      );
      return off;
    },
  });
}
