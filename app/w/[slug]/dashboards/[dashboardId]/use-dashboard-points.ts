"use client";

import { hashKey, useQueries, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { MAX_WIDGET_SERIES, type SeriesPointView, type SeriesPoints } from "@/nodes/_core/dashboard";
import { isCustomRange, rangeFromQuery, rangeToQuery, rangeWindow, withLivePoint, type TimeRange } from "../widget-values";
import { useDashboardReads } from "./dashboard-reads";
import type { DashboardSource } from "./dashboard-source";
import type { WidgetData } from "./widget-views";

/** How many points a chart asks for over any range: more than a wide screen has pixels for. */
const MAX_POINTS = 1000;

/** Every points query's series in one map; at module scope so that it is the same function each render. */
function combinePoints(results: readonly { data?: SeriesPoints[]; error: { message: string } | null }[]) {
  const points = new Map<string, readonly SeriesPointView[]>();
  for (const result of results) for (const s of result.data ?? []) points.set(s.series, s.points);
  return { points, error: results.find((r) => r.error)?.error?.message ?? null };
}

export type LiveState = "connecting" | "live" | "reconnecting";

/** The address of the page with a range in its query string, in place of the one there was. */
function addressWith(range: TimeRange): string {
  const url = new URL(window.location.href);
  for (const name of ["range", "from", "to"]) url.searchParams.delete(name);
  for (const [name, value] of Object.entries(rangeToQuery(range))) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The points of every series a dashboard shows over the chosen range, kept current: a preset range moves with the
 * clock each minute (a custom one stays put), and points published while the page is open arrive over the
 * dashboard's live stream and are added to what was read when they fall in the range, without asking again. The
 * range is read from and written to the page's query string, so the address shows what the page shows.
 */
export function useDashboardPoints({
  source,
  series,
  savedSeries,
}: {
  /** Where the dashboard is shown: a member's workspace or a share link. */
  source: DashboardSource;
  /** Every series the widgets on screen show. */
  series: readonly string[];
  /** The series of the dashboard as stored: the live stream sends the points of these. */
  savedSeries: readonly string[];
}): {
  data: WidgetData;
  live: LiveState;
  error: string | null;
  range: TimeRange;
  chooseRange: (range: TimeRange) => void;
} {
  const reads = useDashboardReads(source);
  const queryClient = useQueryClient();
  const params = useSearchParams();
  // A preset range ends now: when it is chosen, and again each minute.
  const [{ range, now }, setView] = useState<{ range: TimeRange; now: number }>(() => {
    const at = Date.now();
    return { range: rangeFromQuery({ params, now: at }), now: at };
  });
  const custom = isCustomRange(range);
  useEffect(() => {
    if (custom) return;
    const tick = setInterval(() => setView((view) => ({ ...view, now: Date.now() })), 60_000);
    return () => clearInterval(tick);
  }, [custom]);
  const chooseRange = useCallback((next: TimeRange) => {
    setView({ range: next, now: Date.now() });
    window.history.replaceState(window.history.state, "", addressWith(next));
  }, []);
  const { from, to } = rangeWindow({ range, now });
  // Live points past a custom range's end are not its points.
  const liveTo = custom ? to : Infinity;

  const seriesKey = [...new Set(series)].sort().join("\n");
  const inputs = useMemo(() => {
    const names = seriesKey ? seriesKey.split("\n") : [];
    // A points query takes a bounded number of series; a dashboard with more asks in several.
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += MAX_WIDGET_SERIES) chunks.push(names.slice(i, i + MAX_WIDGET_SERIES));
    return chunks.map((chunk) => ({ workspaceId: reads.workspaceId ?? "", series: chunk, from: new Date(from).toISOString(), to: new Date(to).toISOString(), maxPoints: MAX_POINTS }));
  }, [seriesKey, reads, from, to]);
  const read = useQueries({ queries: inputs.map((input) => reads.points(input)), combine: combinePoints });
  const known = useQuery(reads.series());

  // The stream is opened once per dashboard; what it adds goes to the queries of the moment.
  const current = useRef({ inputs, from, to: liveTo });
  useEffect(() => {
    current.current = { inputs, from, to: liveTo };
  }, [inputs, from, liveTo]);
  // The server reads which series to send when the stream opens: a saved change of series opens it again.
  const streamKey = [...new Set(savedSeries)].sort().join("\n");
  const [stream, setStream] = useState<{ key: string; state: LiveState }>({ key: streamKey, state: "connecting" });
  const live = stream.key === streamKey ? stream.state : "connecting";
  useEffect(() => {
    const stream = new EventSource(reads.liveUrl);
    // The points each read was given live, added again to what it brings back whenever it is read again: a read in
    // flight may have started before a point was stored, and a preset range's read ends where the range ended when
    // it was asked, so neither brings back the points that came live since.
    type LivePoint = { series: string; point: SeriesPointView };
    const liveOf = new Map<string, LivePoint[]>();
    /** Adds the points to a read's series, in one change of the read's data. */
    const addLive = (key: QueryKey, lives: readonly LivePoint[]) =>
      queryClient.setQueryData(key, (old: SeriesPoints[] | undefined) => {
        if (!old) return old;
        let next = old;
        for (const { series, point } of lives) {
          const known = next.find((s) => s.series === series);
          const points = withLivePoint({ points: known?.points ?? [], point, fromMs: current.current.from, toMs: current.current.to });
          // Outside the range: nothing changes, and nothing draws again.
          if (points === known?.points || points.length === 0) continue;
          next = known ? next.map((s) => (s === known ? { ...s, points } : s)) : [...next, { series, points }];
        }
        return next;
      });
    const stopWatching = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "removed") liveOf.delete(event.query.queryHash);
      // What a read brought back, not what was added here (which says `manual`).
      if (event.type !== "updated" || event.action.type !== "success" || event.action.manual) return;
      const kept = liveOf.get(event.query.queryHash);
      if (kept) addLive(event.query.queryKey, kept);
    });
    stream.onopen = () => {
      setStream({ key: streamKey, state: "live" });
      // Points published while no stream was open (between the first read and the first open, or while it
      // reconnected) are read again rather than lost.
      void queryClient.invalidateQueries({ queryKey: reads.pointsKey() });
      void queryClient.invalidateQueries({ queryKey: reads.series().queryKey });
    };
    stream.onerror = () => setStream({ key: streamKey, state: "reconnecting" });
    stream.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as { series: string; at: number | string; value: number | null; data?: unknown };
      const live = { series: message.series, point: { at: typeof message.at === "number" ? message.at : Date.parse(message.at), value: message.value, data: message.data ?? undefined } };
      for (const input of current.current.inputs) {
        if (!input.series.includes(message.series)) continue;
        const key = reads.pointsKey(input);
        const hash = hashKey(key);
        liveOf.set(hash, [...(liveOf.get(hash) ?? []).slice(-(MAX_POINTS - 1)), live]);
        addLive(key, [live]);
      }
    };
    return () => {
      stream.close();
      stopWatching();
    };
  }, [reads, streamKey, queryClient]);

  const data = useMemo<WidgetData>(() => {
    const { points } = read;
    const last = new Map<string, SeriesPointView>();
    const units = new Map<string, string | null>();
    for (const s of known.data ?? []) {
      units.set(s.series, s.unit);
      // A custom range that ended shows what it held, not what came after it.
      if (s.lastAt && s.lastAt <= liveTo) last.set(s.series, { at: new Date(s.lastAt).getTime(), value: s.last.value, data: s.last.data ?? undefined });
    }
    // A preset chart's right edge follows the newest point when it is newer than the range's end.
    const newest = custom ? to : Math.max(to, ...[...points.values()].map((p) => p.at(-1)?.at ?? 0));
    return { points, last, units, from, to: newest };
  }, [read, known.data, from, to, liveTo, custom]);

  return { data, live, error: read.error ?? known.error?.message ?? null, range, chooseRange };
}
