"use client";

import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";

/** Line colours for up to six series, then again: readable on light and dark. */
export const SERIES_COLORS = ["#6366f1", "#10b981", "#f59e0b", "#0ea5e9", "#f43f5e", "#8b5cf6"];

export interface ChartSeries {
  name: string;
  /** Oldest first; times in ms. */
  points: { at: number; value: number | null }[];
}

const DARK = "(prefers-color-scheme: dark)";

function subscribeToScheme(change: () => void): () => void {
  const query = window.matchMedia(DARK);
  query.addEventListener("change", change);
  return () => query.removeEventListener("change", change);
}

/** Whether the page is dark now: canvas colours are chosen in code, not by the page's CSS. */
function usePrefersDark(): boolean {
  return useSyncExternalStore(subscribeToScheme, () => window.matchMedia(DARK).matches, () => false);
}

/** Every series on one time axis: uPlot draws columns that share their x values. */
function aligned(series: readonly ChartSeries[]): AlignedData {
  if (series.length === 0) return [[]];
  const tables = series.map((s): AlignedData => [s.points.map((p) => p.at), s.points.map((p) => p.value)]);
  return tables.length === 1 ? tables[0]! : uPlot.join(tables);
}

/**
 * A time-series chart of one or more series (uPlot, canvas): it fills its box and follows its size, the colour
 * scheme and new points without being made again.
 */
export default function TimeseriesChart({ series, unit, from, to }: { series: readonly ChartSeries[]; unit?: string; from: number; to: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = usePrefersDark();
  const names = series.map((s) => s.name).join("\n");
  const data = useMemo(() => aligned(series), [series]);
  const latest = useRef({ data, from, to });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const axis = dark ? "#94a3b8" : "#475569";
    const grid = dark ? "rgba(148, 163, 184, 0.15)" : "rgba(100, 116, 139, 0.15)";
    const options: Options = {
      width: Math.max(element.clientWidth, 50),
      height: Math.max(element.clientHeight, 50),
      // Times are in ms (uPlot's default is seconds).
      ms: 1,
      legend: { show: names.includes("\n") },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: () => [latest.current.from, latest.current.to] } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 56, values: (_, ticks) => ticks.map((t) => `${Number(t.toPrecision(6))}${unit ? ` ${unit}` : ""}`) },
      ],
      series: [
        {},
        ...names.split("\n").map((label, i) => ({
          label,
          stroke: SERIES_COLORS[i % SERIES_COLORS.length],
          width: 2,
          fill: names.includes("\n") ? undefined : `${SERIES_COLORS[0]}22`,
          spanGaps: true,
          points: { size: 5 },
        })),
      ],
    };
    const plot = new uPlot(options, latest.current.data, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 50), height: Math.max(element.clientHeight - (plot.root.querySelector(".u-legend")?.clientHeight ?? 0), 50) }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [names, unit, dark]);

  useEffect(() => {
    latest.current = { data, from, to };
    chart.current?.setData(data);
  }, [data, from, to]);

  return <div ref={box} className="h-full w-full overflow-hidden text-xs text-slate-700 dark:text-slate-300" />;
}
