import { GRID_COLUMNS, type SeriesPointView, type Widget, type WidgetKind } from "@/nodes/_core/dashboard";

/** What a dashboard's widgets read: in the browser and in tests, no I/O. */

export const TIME_RANGES = [
  { key: "15m", label: "15 min", ms: 15 * 60_000 },
  { key: "1h", label: "1 h", ms: 60 * 60_000 },
  { key: "24h", label: "24 h", ms: 24 * 60 * 60_000 },
  { key: "7d", label: "7 d", ms: 7 * 24 * 60 * 60_000 },
] as const;
export type TimeRangeKey = (typeof TIME_RANGES)[number]["key"];

/** The size a new widget of a kind starts at, in grid cells. */
export const DEFAULT_SIZE: Record<WidgetKind, { w: number; h: number }> = {
  stat: { w: 3, h: 2 },
  status: { w: 3, h: 2 },
  text: { w: 4, h: 3 },
  timeseries: { w: 6, h: 4 },
  table: { w: 6, h: 4 },
  bar: { w: 6, h: 4 },
};

export const KIND_LABELS: Record<WidgetKind, string> = {
  stat: "Stat",
  timeseries: "Time series",
  table: "Table",
  text: "Text",
  status: "Status light",
  bar: "Bar chart",
};

/** Where a new widget goes: the first row below every widget there is, at the left edge. */
export function placeNew({ widgets, kind }: { widgets: readonly Widget[]; kind: WidgetKind }): Widget["layout"] {
  const y = widgets.reduce((bottom, w) => Math.max(bottom, w.layout.y + w.layout.h), 0);
  const size = DEFAULT_SIZE[kind];
  return { x: 0, y, w: Math.min(size.w, GRID_COLUMNS), h: size.h };
}

/** Widgets in reading order (top to bottom, then left to right): how they stack on a narrow screen. */
export function readingOrder(widgets: readonly Widget[]): Widget[] {
  return [...widgets].sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);
}

/** A widget's field of a point's JSON: a dotted path ("reading.celsius", "items.0.name"); no path is the whole. */
export function fieldOf(data: unknown, path: string | undefined): unknown {
  if (!path) return data;
  let current = data;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** What a point says for a widget: its number, or the field of its JSON. */
export function pointValue(point: SeriesPointView, field: string | undefined): unknown {
  if (field) return fieldOf(point.data, field);
  return point.value ?? point.data;
}

/** A point's number for a chart: the value, or a numeric field of its JSON; null when there is none. */
export function pointNumber(point: SeriesPointView, field: string | undefined): number | null {
  const value = pointValue(point, field);
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}

const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const compactFormat = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** A value as a stat shows it: numbers grouped and rounded (compact past a million), anything else as text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "number") return Math.abs(value) >= 1_000_000 ? compactFormat.format(value) : numberFormat.format(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value);
}

export type StatusLevel = "ok" | "warning" | "failing" | "unknown";

const OK_WORDS = new Set(["ok", "up", "on", "online", "healthy", "pass", "passed", "success", "succeeded", "true", "yes", "green", "running", "open"]);
const WARNING_WORDS = new Set(["warn", "warning", "degraded", "slow", "pending", "amber", "yellow", "partial"]);
const FAILING_WORDS = new Set(["down", "off", "offline", "error", "fail", "failed", "failing", "critical", "false", "no", "red", "stopped", "closed"]);

/** A status light's colour from a value: a yes/no, a status word, or a number (0 is failing, anything else ok). */
export function statusOf(value: unknown): StatusLevel {
  if (typeof value === "boolean") return value ? "ok" : "failing";
  if (typeof value === "number") return value === 0 ? "failing" : "ok";
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (OK_WORDS.has(word)) return "ok";
    if (WARNING_WORDS.has(word)) return "warning";
    if (FAILING_WORDS.has(word)) return "failing";
  }
  return "unknown";
}

export interface TableView {
  columns: string[];
  rows: Record<string, unknown>[];
}

const MAX_TABLE_ROWS = 100;

/**
 * A table of records: when the latest point holds a list of records (at the widget's field), that list; otherwise
 * one row per point, newest first, with its time and its value or the fields of its JSON.
 */
export function tableOf({ points, field }: { points: readonly SeriesPointView[]; field: string | undefined }): TableView {
  const latest = points.at(-1);
  const list = latest ? pointValue(latest, field) : undefined;
  const isRecord = (row: unknown): row is Record<string, unknown> => row !== null && typeof row === "object" && !Array.isArray(row);
  let rows: Record<string, unknown>[];
  if (Array.isArray(list) && list.length > 0 && list.every(isRecord)) {
    rows = list.slice(0, MAX_TABLE_ROWS);
  } else {
    rows = points
      .slice(-MAX_TABLE_ROWS)
      .reverse()
      .map((point) => {
        const value = pointValue(point, field);
        return { time: new Date(point.at).toLocaleTimeString(), ...(isRecord(value) ? value : { value }) };
      });
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].slice(0, 12);
  return { columns, rows };
}

/** Points of a series within a range, oldest first, with a live point merged in once (same time, same point). */
export function withLivePoint({ points, point, fromMs }: { points: readonly SeriesPointView[]; point: SeriesPointView; fromMs: number }): SeriesPointView[] {
  const kept = points.filter((p) => p.at >= fromMs);
  if (kept.some((p) => p.at === point.at && p.value === point.value)) return kept;
  const next = [...kept, point];
  // Points arrive in order almost always; one that does not is put in its place.
  if (kept.length > 0 && point.at < kept.at(-1)!.at) next.sort((a, b) => a.at - b.at);
  return next;
}
