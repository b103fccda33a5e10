"use client";

import { useEffect, useMemo, useState } from "react";
import { countItems, portsOf } from "./data-view/data-model";
import type { RunEvent, RunSnapshotEvent, RunStatus } from "@/nodes/_core/run-types";
import type { NodeRunState } from "./editor-types";
import { withProgress, type ProgressUpdate } from "./run-progress";

export interface WatchedRun {
  runId: string;
  status: RunStatus;
  error: { message: string } | null;
  nodes: ReadonlyMap<string, NodeRunState>;
  /** Bumped when the run finishes, so stored step data is read again. */
  finishedAt: string | null;
}

/**
 * A run's state per node, from its live events: the stored snapshot first, then each step as it starts, reports
 * progress and finishes. A finished run's stream is just its snapshot, so past runs are shown the same way.
 */
export function useRunWatch(runId: string | null): WatchedRun | null {
  const [run, setRun] = useState<WatchedRun | null>(null);
  const initial = useMemo<WatchedRun | null>(() => (runId ? { runId, status: "queued", error: null, nodes: new Map(), finishedAt: null } : null), [runId]);

  useEffect(() => {
    if (!initial) return;
    const runId = initial.runId;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let finished = false;
    const update = (fn: (run: WatchedRun) => WatchedRun) => setRun((current) => fn(current && current.runId === runId ? current : initial));
    const setNode = (nodeId: string, fn: (state: NodeRunState | undefined) => NodeRunState) =>
      update((current) => {
        const nodes = new Map(current.nodes);
        nodes.set(nodeId, fn(nodes.get(nodeId)));
        return { ...current, nodes };
      });
    // The server sends each event's data as JSON of the shared contract (nodes/_core/run-types.ts).
    const parse = (event: Event): unknown => JSON.parse((event as MessageEvent<string>).data);
    const parseEvent = <Type extends RunEvent["type"]>(event: Event) => parse(event) as Extract<RunEvent, { type: Type }>;

    const connect = () => {
      const events = new EventSource(`/api/runs/${runId}/events`);
      source = events;
      events.addEventListener("snapshot", (event) => {
        attempts = 0;
        const snapshot = parse(event) as RunSnapshotEvent;
        const nodes = new Map<string, NodeRunState>();
        for (const step of snapshot.steps) {
          nodes.set(step.nodeId, { status: step.status, durationMs: step.durationMs ?? undefined, error: step.error, itemCount: countItems(portsOf(step.output).ports) });
        }
        // When the server's kept events follow the snapshot, the text streamed so far comes again with them: what an
        // earlier connection built up is dropped rather than appended to twice.
        const replayed = (snapshot.replayed ?? 0) > 0;
        update((current) => ({
          runId,
          status: snapshot.status,
          error: snapshot.error,
          // Steps seen live before the snapshot was read stay; the snapshot fills in the rest.
          nodes: new Map([...nodes, ...[...current.nodes].filter(([id]) => !nodes.has(id)).map(([id, state]): [string, NodeRunState] => [id, replayed ? { ...state, streams: undefined } : state])]),
          finishedAt: snapshot.finishedAt,
        }));
        if (snapshot.finishedAt) {
          finished = true;
          events.close();
        }
      });
      events.addEventListener("run.started", () => update((current) => ({ ...current, status: "running" })));
      events.addEventListener("step.started", (event) => {
        const data = parseEvent<"step.started">(event);
        setNode(data.nodeId, () => ({ status: "running", attempt: data.attempt }));
      });
      events.addEventListener("step.progress", (event) => {
        const data = parseEvent<"step.progress">(event);
        setNode(data.nodeId, (state) => withProgress(state, (data.progress ?? {}) as ProgressUpdate));
      });
      events.addEventListener("step.finished", (event) => {
        const data = parseEvent<"step.finished">(event);
        setNode(data.nodeId, () => ({ status: data.status, durationMs: data.durationMs, error: data.error, itemCount: data.itemCount }));
      });
      events.addEventListener("run.finished", (event) => {
        const data = parseEvent<"run.finished">(event);
        finished = true;
        update((current) => ({ ...current, status: data.status, error: data.error, finishedAt: data.at }));
        events.close();
      });
      events.onerror = () => {
        // A run started a moment ago may not be stored yet (quick runs are held briefly), so the stream is not found
        // at first; it is asked for again for a while. A stream that ends with the run needs nothing more.
        if (finished) return events.close();
        if (events.readyState !== EventSource.CLOSED) return;
        if (attempts++ < 40) retry = setTimeout(connect, 250);
      };
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [initial]);

  return run && run.runId === runId ? run : initial;
}
