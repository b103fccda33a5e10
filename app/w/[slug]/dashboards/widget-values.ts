import { DEFAULT_WIDGET_SIZE, GRID_COLUMNS, type SeriesPointView, type Widget, type WidgetKind } from "@/nodes/_core/dashboard";

/** What a dashboard's widgets read: in the browser and in tests, no I/O. */

export const TIME_RANGES = [
  { key: "15m", label: "15 min", ms: 15 * 60_000 },
  { key: "1h", label: "1 h", ms: 60 * 60_000 },
  { key: "24h", label: "24 h", ms: 24 * 60 * 60_000 },
  { key: "7d", label: "7 d", ms: 7 * 24 * 60 * 60_000 },
] as const;
export type TimeRangeKey = (typeof TIME_RANGES)[number]["key"];


export const KIND_LABELS: Record<WidgetKind, string> = {
  stat: "Stat",
  timeseries: "Time series",
  table: "Table",
  text: "Text",
  status: "Status light",
  bar: "Bar chart",
  media: "Media player",
  abTest: "A/B experiment",
  weather: "Weather card",
  button: "Button",
  form: "Form",
  switch: "Switch",
  slider: "Slider",
  voice: "Hold to talk",
};

/** Where a new widget goes: the first row below every widget there is, at the left edge. */
export function placeNew({ widgets, kind }: { widgets: readonly Widget[]; kind: WidgetKind }): Widget["layout"] {
  const y = widgets.reduce((bottom, w) => Math.max(bottom, w.layout.y + w.layout.h), 0);
  const size = DEFAULT_WIDGET_SIZE[kind];
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

/** The WMO weather codes a forecast's `weather_code` holds, in words. */
const WEATHER_CODES: Record<number, string> = {
  0: "Clear sky",
  1: "Mainly clear",
  2: "Partly cloudy",
  3: "Overcast",
  45: "Fog",
  48: "Rime fog",
  51: "Light drizzle",
  53: "Drizzle",
  55: "Dense drizzle",
  56: "Freezing drizzle",
  57: "Dense freezing drizzle",
  61: "Light rain",
  63: "Rain",
  65: "Heavy rain",
  66: "Freezing rain",
  67: "Heavy freezing rain",
  71: "Light snow",
  73: "Snow",
  75: "Heavy snow",
  77: "Snow grains",
  80: "Light showers",
  81: "Showers",
  82: "Violent showers",
  85: "Snow showers",
  86: "Heavy snow showers",
  95: "Thunderstorm",
  96: "Thunderstorm with hail",
  99: "Thunderstorm with heavy hail",
};

/** A weather code in words; null for a code the table does not know. */
export function weatherConditions(code: unknown): string | null {
  return typeof code === "number" ? (WEATHER_CODES[code] ?? null) : null;
}

export interface WeatherCard {
  place: string | null;
  temperature: number | null;
  apparent: number | null;
  temperatureUnit: string;
  conditions: string | null;
  /** Other current readings with their units (humidity, wind, precipitation). */
  readings: { label: string; value: number; unit: string }[];
  days: { date: string; conditions: string | null; low: number | null; high: number | null }[];
}

const READINGS: Record<string, string> = {
  relative_humidity_2m: "Humidity",
  precipitation: "Precipitation",
  wind_speed_10m: "Wind",
};
const MAX_DAYS = 7;

/** What a weather card shows of the weather node's output: the place, now, and the next days' low and high. */
export function weatherCardOf(forecast: unknown): WeatherCard | null {
  const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isRecord(forecast)) return null;
  const current = isRecord(forecast.current) ? forecast.current : {};
  const units = isRecord(forecast.currentUnits) ? forecast.currentUnits : {};
  const dailyUnits = isRecord(forecast.dailyUnits) ? forecast.dailyUnits : {};
  const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const location = isRecord(forecast.location) ? forecast.location : {};
  const place = [text(location.name) || text(location.query), text(location.country)].filter(Boolean).join(", ") || null;
  const daily = Array.isArray(forecast.daily) ? forecast.daily.filter(isRecord) : [];
  const card: WeatherCard = {
    place,
    temperature: number(current.temperature_2m),
    apparent: number(current.apparent_temperature),
    temperatureUnit: text(units.temperature_2m) || text(dailyUnits.temperature_2m_max),
    conditions: weatherConditions(current.weather_code),
    readings: Object.entries(READINGS).flatMap(([key, label]) => {
      const value = number(current[key]);
      return value === null ? [] : [{ label, value, unit: text(units[key]) }];
    }),
    days: daily.slice(0, MAX_DAYS).map((day) => ({
      date: text(day.time),
      conditions: weatherConditions(day.weather_code),
      low: number(day.temperature_2m_min),
      high: number(day.temperature_2m_max),
    })),
  };
  if (card.temperature === null && card.conditions === null && card.readings.length === 0 && card.days.length === 0) return null;
  return card;
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
