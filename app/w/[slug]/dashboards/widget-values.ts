import { DEFAULT_WIDGET_SIZE, GRID_COLUMNS, type SeriesPointView, type Widget, type WidgetKind } from "@/nodes/_core/dashboard";

/** What a dashboard's widgets read: in the browser and in tests, no I/O. */

export const TIME_RANGES = [
  { key: "15m", label: "15 min", ms: 15 * 60_000 },
  { key: "1h", label: "1 h", ms: 60 * 60_000 },
  { key: "24h", label: "24 h", ms: 24 * 60 * 60_000 },
  { key: "7d", label: "7 d", ms: 7 * 24 * 60 * 60_000 },
] as const;
export type TimeRangeKey = (typeof TIME_RANGES)[number]["key"];

/**
 * What a dashboard shows: the last stretch of a preset, which moves with the clock, or a custom span from one
 * moment to another (ms), which stays where it was put.
 */
export type TimeRange = { key: TimeRangeKey } | { from: number; to: number };

export const DEFAULT_TIME_RANGE: TimeRange = { key: "1h" };

/** The longest custom range, in days: a chart of a longer one would average away everything it could show. */
export const MAX_CUSTOM_RANGE_DAYS = 366;
/** The shortest custom range: a chart needs some width of time to draw. */
export const MIN_CUSTOM_RANGE_MS = 60_000;
/** How far past now a custom range may end: a clock a little ahead of the server's still picks "now". */
const FUTURE_SLACK_MS = 60_000;

const DAY_MS = 86_400_000;

export const isCustomRange = (range: TimeRange): range is { from: number; to: number } => "from" in range;

/** The moments a range covers at `now`: a preset ends now, a custom range where it was set. */
export function rangeWindow({ range, now }: { range: TimeRange; now: number }): { from: number; to: number } {
  if (isCustomRange(range)) return { from: range.from, to: range.to };
  return { from: now - TIME_RANGES.find((r) => r.key === range.key)!.ms, to: now };
}

/** A moment as a datetime-local input shows it, in the browser's time zone, to the minute. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A datetime-local input's text as a moment (read in the browser's time zone); null when it is not one. */
export function fromLocalInput(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(text)) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

export type CustomRangeCheck = { ok: true; range: { from: number; to: number } } | { ok: false; field: "from" | "to"; message: string };

/** Checks a custom range as typed in the picker's two fields; a refusal names the field and what to change. */
export function checkCustomRange({ from, to, now }: { from: string; to: string; now: number }): CustomRangeCheck {
  const fromMs = fromLocalInput(from);
  if (fromMs === null) return { ok: false, field: "from", message: "Enter the date and time the range starts." };
  const toMs = fromLocalInput(to);
  if (toMs === null) return { ok: false, field: "to", message: "Enter the date and time the range ends." };
  if (fromMs > now) return { ok: false, field: "from", message: "The start is in the future: pick a moment up to now." };
  if (toMs > now + FUTURE_SLACK_MS) return { ok: false, field: "to", message: "The end is in the future: pick a moment up to now (a preset follows the clock)." };
  if (toMs <= fromMs) return { ok: false, field: "to", message: "The end must come after the start." };
  if (toMs - fromMs < MIN_CUSTOM_RANGE_MS) return { ok: false, field: "to", message: "Make the range at least a minute long." };
  if (toMs - fromMs > MAX_CUSTOM_RANGE_DAYS * DAY_MS) return { ok: false, field: "from", message: `Make the range at most ${MAX_CUSTOM_RANGE_DAYS} days long.` };
  return { ok: true, range: { from: fromMs, to: Math.min(toMs, now) } };
}

/** The query string parameters that name a range, so a dashboard's address can be shared as it is seen. */
export function rangeToQuery(range: TimeRange): Record<string, string> {
  if (isCustomRange(range)) return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  return { range: range.key };
}

/**
 * The range a dashboard's address names; anything missing, unknown or out of bounds gives the default, so an
 * edited or old address still opens the dashboard.
 */
export function rangeFromQuery({ params, now }: { params: { get(name: string): string | null }; now: number }): TimeRange {
  const key = params.get("range");
  const preset = TIME_RANGES.find((r) => r.key === key);
  if (preset) return { key: preset.key };
  const from = Date.parse(params.get("from") ?? "");
  const to = Date.parse(params.get("to") ?? "");
  if (Number.isFinite(from) && Number.isFinite(to)) {
    const checked = checkCustomRange({ from: toLocalInput(from), to: toLocalInput(to), now });
    // Read to the minute for the check; kept to the millisecond as shared.
    if (checked.ok) return { from, to: Math.min(to, now) };
  }
  return DEFAULT_TIME_RANGE;
}

const rangeDate = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const rangeTime = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A custom range in words, short enough for a button: "Dec 6, 09:00 – 11:30", the day once when it is one day. */
export function describeRange(range: TimeRange): string {
  if (!isCustomRange(range)) return TIME_RANGES.find((r) => r.key === range.key)!.label;
  const sameDay = new Date(range.from).toDateString() === new Date(range.to).toDateString();
  return `${rangeDate.format(range.from)} – ${sameDay ? rangeTime.format(range.to) : rangeDate.format(range.to)}`;
}

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

/**
 * Points of a series within a range, oldest first, with a live point merged in once (same time, same point). A
 * point outside the range (`toMs` is a custom range's end) leaves the points as they were.
 */
export function withLivePoint({ points, point, fromMs, toMs = Infinity }: { points: SeriesPointView[]; point: SeriesPointView; fromMs: number; toMs?: number }): SeriesPointView[] {
  if (point.at < fromMs || point.at > toMs) return points;
  const kept = points.filter((p) => p.at >= fromMs);
  if (kept.some((p) => p.at === point.at && p.value === point.value)) return kept;
  const next = [...kept, point];
  // Points arrive in order almost always; one that does not is put in its place.
  if (kept.length > 0 && point.at < kept.at(-1)!.at) next.sort((a, b) => a.at - b.at);
  return next;
}
