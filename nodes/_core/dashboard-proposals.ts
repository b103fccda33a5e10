import { isPlainObject } from "../_kit/items";
import { DEFAULT_WIDGET_SIZE, GRID_COLUMNS, MAX_WIDGET_SERIES, seriesName, type Widget } from "./dashboard";

/**
 * Widgets proposed for a dashboard from what a flow emitted, by the shape of the data: a number becomes a stat tile
 * and a chart, an object of numbers a chart of several series, a list of records a table and a bar chart, text a
 * text (or markdown) widget, a media address a player, a boolean or status word a status light, the A/B split's
 * assignments a variant comparison and the weather node's forecast a weather card. A person keeps, drops or changes
 * each one. Everything here is pure and bounded: the samples come from stored runs a user's flow filled.
 */

/** One step's output in one run: the JSON of the items it sent out, from every port. Newest runs come first. */
export interface StepOutputSample {
  nodeName: string;
  nodeType: string;
  items: unknown[];
}

export interface WidgetProposal {
  widget: Widget;
  /** Why this widget, with what was seen in the samples. */
  reason: string;
  /** The node the data came from, and the dotted path of the field in its items ("" for the whole item). */
  source: { node: string; field: string };
  /** The config of `dashboard.publish` nodes after the source node that would feed the widget. */
  publish: PublishConfig[];
}

/** What a `dashboard.publish` node is told: the series, the expression of its value, and its unit when known. */
export interface PublishConfig {
  series: string;
  value: string;
  unit?: string;
}

export const PROPOSAL_LIMITS = {
  /** Widgets proposed at most; the most useful come first. */
  proposals: 20,
  nodes: 100,
  runsPerNode: 20,
  itemsPerRun: 100,
  /** How deep into an item's JSON fields are looked for (the item itself is depth 0). */
  depth: 4,
  keysPerObject: 50,
  /** Values looked at per node, over every field and nested field. */
  valuesPerNode: 500,
  /** Rows of a list looked at to find its columns. */
  rowsChecked: 20,
  /** Characters of a text looked at to tell markdown. */
  textScanned: 4000,
  /** Longer strings are not media addresses or status words. */
  urlLength: 2048,
} as const;

export type MediaKind = "hls" | "video" | "audio" | "image";

const MEDIA_EXTENSIONS: Record<string, MediaKind> = {
  m3u8: "hls",
  mp4: "video",
  m4v: "video",
  webm: "video",
  mov: "video",
  mp3: "audio",
  wav: "audio",
  ogg: "audio",
  oga: "audio",
  opus: "audio",
  m4a: "audio",
  aac: "audio",
  flac: "audio",
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  webp: "image",
  avif: "image",
  svg: "image",
};

/**
 * What plays a media address: an http(s) URL or a path on this server whose file extension names an HLS playlist,
 * video, audio or image; null for anything else. The player asks again for each new value, as the kind may change.
 */
export function mediaKindOf(value: string): MediaKind | null {
  const text = value.trim();
  if (text.length > PROPOSAL_LIMITS.urlLength || /\s/.test(text)) return null;
  let pathname: string;
  try {
    const url = new URL(text, "http://streamware.invalid");
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.host === "streamware.invalid" && !text.startsWith("/")) return null;
    pathname = url.pathname;
  } catch {
    return null;
  }
  const extension = /\.([a-z0-9]{2,5})$/i.exec(pathname)?.[1]?.toLowerCase();
  return (extension && MEDIA_EXTENSIONS[extension]) || null;
}

export type StatusLevel = "good" | "warning" | "bad";

const STATUS_WORDS: Record<string, StatusLevel> = Object.fromEntries([
  ...["ok", "okay", "up", "on", "online", "healthy", "pass", "passed", "passing", "success", "succeeded", "successful", "active", "running", "ready", "available", "connected", "enabled", "green", "true", "yes"].map((w) => [w, "good"]),
  ...["warn", "warning", "degraded", "pending", "idle", "slow", "partial", "yellow", "amber"].map((w) => [w, "warning"]),
  ...["error", "down", "off", "offline", "unhealthy", "fail", "failed", "failing", "failure", "critical", "stopped", "inactive", "unavailable", "disconnected", "disabled", "red", "false", "no"].map((w) => [w, "bad"]),
]);

/** The light a status widget shows for a value: a boolean, or a status word such as ok, error, up, down, on, off; null otherwise. */
export function statusLevel(value: unknown): StatusLevel | null {
  if (typeof value === "boolean") return value ? "good" : "bad";
  if (typeof value !== "string" || value.length > 20) return null;
  return STATUS_WORDS[value.trim().toLowerCase()] ?? null;
}

const MARKDOWN_SIGNS = [
  /^#{1,6}\s+\S/m, // a heading
  /^```/m, // a fenced code block
  /^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|/m, // a table's rule
  /\[[^\]\n]+\]\([^)\s]+\)/, // a link
  /(\*\*|__)[^*_\n]+\1/, // bold
  /^[ \t]*(?:[-*+]|\d+\.)[ \t]+\S.*\n[ \t]*(?:[-*+]|\d+\.)[ \t]+\S/m, // a list of two or more lines
];

/** Whether a text reads as markdown (headings, code, tables, links, bold, lists) rather than plain words. */
export function looksLikeMarkdown(text: string): boolean {
  const start = text.slice(0, PROPOSAL_LIMITS.textScanned);
  return MARKDOWN_SIGNS.some((sign) => sign.test(start));
}

/** Strings that change every run and say nothing on a dashboard: timestamps and identifiers. */
function isTimestampOrId(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text) ||
    (/^[A-Za-z0-9_-]{16,}$/.test(text) && /\d/.test(text) && /[A-Za-z]/.test(text))
  );
}

/** The series a proposal names: "<node name>.<field path>", with characters series names cannot hold made spaces. */
export function proposedSeriesName({ node, path }: { node: string; path: readonly string[] }): string | null {
  const raw = [node, ...path].join(".");
  const cleaned = raw.replace(/[^\p{L}\p{N} ._\-/]+/gu, " ").replace(/\s+/g, " ");
  const parsed = seriesName.safeParse(cleaned);
  return parsed.success ? parsed.data : null;
}

const JSONATA_WORDS = new Set(["and", "or", "in", "true", "false", "null", "function"]);

/** The expression that reads a field of an item (`{{ current.temperature_2m }}`); null when a key cannot be written in one. */
function valueExpression({ path, asNumber = false }: { path: readonly string[]; asNumber?: boolean }): string | null {
  if (path.length === 0) return "{{ $json }}";
  const parts: string[] = [];
  for (const key of path) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !JSONATA_WORDS.has(key)) parts.push(key);
    else if (key.length > 0 && !key.includes("`")) parts.push(`\`${key}\``);
    else return null;
  }
  const field = parts.join(".");
  return `{{ ${asNumber ? `$number(${field})` : field} }}`;
}

/** "temperature_2m" → "Temperature 2m", "orderCount" → "Order count". */
function words(key: string): string {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1) : key;
}

function titleOf({ node, path }: { node: string; path: readonly string[] }): string {
  const last = path.at(-1);
  return (last === undefined ? node : `${words(last)} · ${node}`).slice(0, 120);
}

/** How a number reads in a reason: short, without float noise. */
function show(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function quote(text: string, max = 40): string {
  const flat = text.slice(0, max * 2).replace(/\s+/g, " ").trim();
  return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
}

// Ranks, most useful first: what only this data can show, then live numbers, then the rest.
const RANK = { abTest: 0, weather: 1, media: 2, number: 3, numbers: 4, records: 5, status: 6, steadyNumber: 7, text: 8 } as const;

/** Nodes whose items wrap what they received: only these fields hold the data (a webhook's method and path do not). */
const ITEM_FIELDS: Record<string, readonly string[]> = { "core.webhook": ["body", "query"] };

type Draft = Omit<Widget, "id" | "layout">;

interface Finding {
  rank: number;
  proposals: { widget: Draft; reason: string }[];
  source: { node: string; field: string };
  publish: PublishConfig[];
}

/** Records a finding from a field at `path`, fed through the given series (each read from its own path). */
type Add = (finding: Omit<Finding, "source" | "publish"> & { path: readonly string[]; series: { name: string; path: readonly string[]; asNumber?: boolean }[] }) => void;

function valueAt(value: unknown, path: readonly string[]): unknown {
  let here = value;
  for (const key of path) {
    if (!isPlainObject(here) || !Object.hasOwn(here, key)) return undefined;
    here = here[key];
  }
  return here;
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** A short stand-in for a value, to tell whether two nodes emitted the same: texts cut short, lists and objects by their size and first keys. */
function fingerprint(value: unknown): unknown {
  if (typeof value === "string") return value.slice(0, 200);
  if (Array.isArray(value)) return ["list", value.length, isPlainObject(value[0]) ? Object.keys(value[0]).slice(0, 10) : typeof value[0]];
  if (isPlainObject(value)) {
    const entries: unknown[] = [];
    for (const key in value) {
      if (entries.length >= PROPOSAL_LIMITS.keysPerObject) break;
      entries.push([key, typeof value[key] === "object" ? null : value[key]]);
    }
    return entries;
  }
  return value ?? null;
}

/** A node's outputs over the sampled runs, newest first, each run's items bounded. */
interface NodeOutputs {
  node: string;
  nodeType: string;
  runs: unknown[][];
}

/**
 * What one node's outputs propose. A field's history is its value in each run's first item, newest first; `carried`
 * holds the histories earlier nodes emitted.
 */
function findingsOf({ outputs, flowId, carried }: { outputs: NodeOutputs; flowId: string; carried: Set<string> }): Finding[] {
  const { node, runs } = outputs;
  const findings: Finding[] = [];
  const latest = runs.find((items) => items.length > 0);
  if (!latest) return findings;
  const firsts = runs.map((items) => items[0]).filter((item) => item !== undefined);
  let budget: number = PROPOSAL_LIMITS.valuesPerNode;

  const add: Add = (finding) => {
    const publish: Finding["publish"] = [];
    const unit = finding.proposals[0]?.widget.unit;
    for (const series of finding.series) {
      const value = valueExpression(series);
      if (value === null) return;
      publish.push({ series: series.name, value, ...(unit ? { unit } : {}) });
    }
    findings.push({ rank: finding.rank, proposals: finding.proposals, source: { node, field: finding.path.join(".") }, publish });
  };

  // The A/B split adds `ab: { experiment, variant, key }` to each item, which flows on downstream; the goal node's
  // `ab` also says whether it `counted`, and may name another flow's experiment, so it is not taken for this flow's.
  const experiments = new Map<string, Set<string>>();
  for (const items of runs) {
    for (const item of items) {
      const ab = isPlainObject(item) ? item.ab : undefined;
      if (!isPlainObject(ab) || "counted" in ab || typeof ab.experiment !== "string" || typeof ab.variant !== "string") continue;
      const name = ab.experiment.trim();
      if (!name || name.length > 100) continue;
      if (!experiments.has(name) && experiments.size >= MAX_WIDGET_SERIES) continue;
      const variants = experiments.get(name) ?? new Set<string>();
      variants.add(ab.variant);
      experiments.set(name, variants);
    }
  }
  for (const [name, variants] of experiments) {
    const seen = [...variants].slice(0, 5).join(", ");
    findings.push({
      rank: RANK.abTest,
      proposals: [
        {
          widget: { kind: "abTest", title: `Experiment ${name}`.slice(0, 120), series: [], experiment: { flowId, name } },
          reason: `Items carry the A/B split's assignments to experiment "${name}" (variants seen: ${seen}): compare the variants' conversion rates, lift, interval and p-value`,
        },
      ],
      source: { node, field: "ab" },
      publish: [],
    });
  }

  const history = (path: readonly string[]) => firsts.map((item) => valueAt(item, path));
  /**
   * Nodes pass their input on (a Set node adds to it, an A/B split tags it): a field holding in every sampled run
   * what the same field of an earlier node held came from there, and is proposed once, from the node that made it.
   */
  const passedOn = (path: readonly string[], values: unknown[] = history(path)) => {
    const key = JSON.stringify([path, values.map(fingerprint)]);
    if (carried.has(key)) return true;
    carried.add(key);
    return false;
  };

  const first = latest[0];
  if (isForecast(first)) {
    // A forecast passed on keeps its place and current conditions.
    if (!passedOn(["location", "current"], firsts.map((item) => (isPlainObject(item) ? [item.location, item.current] : null)).flat())) weatherFindings({ node, forecast: first, add });
    return findings;
  }

  // Several items in one run are rows: one point per item makes a table of the latest ones.
  if (latest.length > 1 && latest.every(isPlainObject)) {
    const name = proposedSeriesName({ node, path: [] });
    if (name && !passedOn([], [latest.length, latest[0]])) recordFindings({ node, path: [], name, rows: latest, what: `${latest.length} items in the latest run`, add });
    return findings;
  }

  const walk = (value: unknown, path: string[], depth: number): void => {
    if (budget-- <= 0) return;
    if (value === null || value === undefined) return;
    if (!isPlainObject(value) && passedOn(path)) return;
    const name = () => proposedSeriesName({ node, path });
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return;
      const series = name();
      if (series) numberFindings({ node, path, series, values: history(path).filter(isNumber), add });
      return;
    }
    if (typeof value === "boolean") {
      const series = name();
      const seen = history(path).filter((v): v is boolean => typeof v === "boolean");
      const other = seen.filter((v) => v !== value).length;
      const told = other > 0 ? `latest ${value}, ${!value} in ${other} of ${seen.length} runs` : seen.length > 1 ? `${value} in each of ${seen.length} runs` : `${value} in the one run sampled`;
      if (series) add({ rank: RANK.status, path, series: [{ name: series, path }], proposals: [{ widget: { kind: "status", title: titleOf({ node, path }), series: [series] }, reason: `A yes/no value (${told}): a status light` }] });
      return;
    }
    if (typeof value === "string") {
      const series = name();
      if (series) stringFindings({ node, path, series, text: value, values: history(path), add });
      return;
    }
    if (Array.isArray(value)) {
      const rows = value.slice(0, PROPOSAL_LIMITS.rowsChecked);
      const series = name();
      if (rows.length > 0 && rows.every(isPlainObject) && series) recordFindings({ node, path, name: series, rows, what: `a list of ${value.length} record${value.length === 1 ? "" : "s"}`, add });
      return;
    }
    if (!isPlainObject(value) || depth >= PROPOSAL_LIMITS.depth) return;
    const keys = Object.keys(value).slice(0, PROPOSAL_LIMITS.keysPerObject);
    const present = keys.filter((key) => value[key] !== null && value[key] !== undefined);
    const numeric = present.filter((key) => isNumber(value[key]));
    if (path.length > 0 && numeric.length >= 2 && numeric.length === present.length) {
      if (passedOn(path)) return;
      numbersFinding({ node, path, record: value, keys: numeric, add });
      return;
    }
    const only = depth === 0 ? ITEM_FIELDS[outputs.nodeType] : undefined;
    for (const key of keys) {
      // HTTP headers and the A/B assignment (proposed above) are not dashboard values.
      if ((key === "headers" && isPlainObject(value[key])) || (depth === 0 && key === "ab" && experiments.size > 0)) continue;
      if (only && !only.includes(key)) continue;
      walk(value[key], [...path, key], depth + 1);
    }
  };
  walk(first, [], 0);
  return findings;
}

/**
 * A number, or a number written as text (`asText`, as query strings and forms send them), which its publish node
 * turns back into a number.
 */
function numberFindings({ node, path, series, values, asText = false, add }: { node: string; path: string[]; series: string; values: number[]; asText?: boolean; add: Add }) {
  const [last] = values;
  if (last === undefined) return;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const steady = values.length > 1 && min === max;
  const seen =
    values.length === 1 ? `${show(last)} in the one run sampled` : steady ? `${show(last)} in each of ${values.length} runs` : `latest ${show(last)}, from ${show(min)} to ${show(max)} over ${values.length} runs`;
  const what = asText ? "A number written as text" : "A number";
  const title = titleOf({ node, path });
  add({
    rank: steady ? RANK.steadyNumber : RANK.number,
    path,
    series: [{ name: series, path, asNumber: asText }],
    proposals: [
      { widget: { kind: "stat", title, series: [series] }, reason: `${what} (${seen}): a stat tile with a sparkline of its recent values` },
      { widget: { kind: "timeseries", title, series: [series] }, reason: `${what} (${seen}): its history as a time series` },
    ],
  });
}

/** Decimal numbers as text: "21.5", "-3", "1e3"; not "0012" (a code) nor very long digit strings (identifiers). */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d{0,14})(?:\.\d+)?(?:[eE][+-]?\d{1,3})?$/;

function numbersFinding({ node, path, record, keys, add }: { node: string; path: string[]; record: Record<string, unknown>; keys: string[]; add: Add }) {
  const series: { name: string; path: string[] }[] = [];
  for (const key of keys) {
    const name = proposedSeriesName({ node, path: [...path, key] });
    if (name && !series.some((s) => s.name === name)) series.push({ name, path: [...path, key] });
    if (series.length >= MAX_WIDGET_SERIES) break;
  }
  if (series.length < 2) return;
  const shown = series
    .slice(0, 4)
    .map((s) => `${s.path.at(-1)} ${show(record[s.path.at(-1)!] as number)}`)
    .join(", ");
  add({
    rank: RANK.numbers,
    path,
    series,
    proposals: [
      {
        widget: { kind: "timeseries", title: titleOf({ node, path }), series: series.map((s) => s.name) },
        reason: `An object of ${keys.length} numbers (${shown}${series.length > 4 ? ", …" : ""}): one chart with a series for each`,
      },
    ],
  });
}

function recordFindings({ node, path, name, rows, what, add }: { node: string; path: string[]; name: string; rows: unknown[]; what: string; add: Add }) {
  const records = rows.slice(0, PROPOSAL_LIMITS.rowsChecked) as Record<string, unknown>[];
  const columns: string[] = [];
  for (const row of records) {
    if (columns.length >= PROPOSAL_LIMITS.keysPerObject) break;
    for (const key of Object.keys(row)) {
      if (columns.length >= PROPOSAL_LIMITS.keysPerObject) break;
      if (!columns.includes(key)) columns.push(key);
    }
  }
  if (columns.length === 0) return;
  // A numeric column: a number in every row that has it, and in at least one.
  const numeric = columns.find((column) => {
    const values = records.map((row) => row[column]).filter((value) => value !== undefined && value !== null);
    return values.length > 0 && values.every(isNumber);
  });
  const title = titleOf({ node, path });
  const listed = columns.slice(0, 5).join(", ") + (columns.length > 5 ? ", …" : "");
  const proposals: Finding["proposals"] = [{ widget: { kind: "table", title, series: [name] }, reason: `${capitalized(what)} (columns ${listed}): a table` }];
  if (numeric) proposals.push({ widget: { kind: "bar", title: `${words(numeric)} · ${title}`.slice(0, 120), series: [name], field: numeric }, reason: `${capitalized(what)} with a numeric column "${numeric}": a bar for each row` });
  add({ rank: RANK.records, path, series: [{ name, path }], proposals });
}

const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1);

function stringFindings({ node, path, series, text, values, add }: { node: string; path: string[]; series: string; text: string; values: unknown[]; add: Add }) {
  const trimmed = text.trim();
  if (!trimmed || isTimestampOrId(trimmed)) return;
  const title = titleOf({ node, path });
  const media = mediaKindOf(trimmed);
  if (media) {
    const what = { hls: "an HLS playlist", video: "a video", audio: "an audio file", image: "an image" }[media];
    add({ rank: RANK.media, path, series: [{ name: series, path }], proposals: [{ widget: { kind: "media", title, series: [series] }, reason: `The address of ${what} (${quote(trimmed, 60)}): a player` }] });
    return;
  }
  const strings = values.filter((value): value is string => typeof value === "string");
  if (strings.every((value) => NUMBER_TEXT.test(value.trim()))) {
    numberFindings({ node, path, series, values: strings.map(Number).filter(Number.isFinite), asText: true, add });
    return;
  }
  if (statusLevel(trimmed) && strings.every((value) => statusLevel(value))) {
    const seen = [...new Set(strings.map((value) => value.trim()))].slice(0, 4).map((value) => quote(value)).join(", ");
    add({ rank: RANK.status, path, series: [{ name: series, path }], proposals: [{ widget: { kind: "status", title, series: [series] }, reason: `A status word (${seen}): a status light` }] });
    return;
  }
  const markdown = looksLikeMarkdown(trimmed);
  add({
    rank: RANK.text,
    path,
    series: [{ name: series, path }],
    proposals: [
      {
        widget: { kind: "text", title, series: [series], ...(markdown ? { markdown: true } : {}) },
        reason: markdown ? `Text that reads as markdown (${quote(trimmed)}): shown formatted` : `Text (${quote(trimmed)}): shown as it is`,
      },
    ],
  });
}

interface Forecast {
  location: Record<string, unknown>;
  current: unknown;
  currentUnits?: unknown;
  daily: unknown[];
  hourly: unknown[];
}

/** The weather node's output: a place with coordinates, current conditions and hourly and daily rows. */
function isForecast(value: unknown): value is Forecast {
  return (
    isPlainObject(value) &&
    isPlainObject(value.location) &&
    isNumber(value.location.latitude) &&
    isNumber(value.location.longitude) &&
    "current" in value &&
    Array.isArray(value.daily) &&
    Array.isArray(value.hourly)
  );
}

function weatherFindings({ node, forecast, add }: { node: string; forecast: Forecast; add: Add }) {
  const name = proposedSeriesName({ node, path: [] });
  if (!name) return;
  const { location } = forecast;
  const place = [location.name ?? location.query, location.country].filter((part) => typeof part === "string" && part).join(", ") || `${show(location.latitude as number)},${show(location.longitude as number)}`;
  const count = (n: number, what: string) => (n === 0 ? null : `${n} ${what}${n === 1 ? "" : "s"}`);
  const parts = [isPlainObject(forecast.current) ? "current conditions" : null, count(forecast.daily.length, "day"), count(forecast.hourly.length, "hour")].filter(Boolean);
  add({
    rank: RANK.weather,
    path: [],
    series: [{ name, path: [] }],
    proposals: [{ widget: { kind: "weather", title: `Weather · ${place}`.slice(0, 120), series: [name] }, reason: `A weather forecast for ${place} (${parts.join(", ") || "no rows"}): a weather card` }],
  });
  const current = isPlainObject(forecast.current) ? forecast.current : {};
  const temperature = current.temperature_2m;
  const path = ["current", "temperature_2m"];
  const series = proposedSeriesName({ node, path });
  if (!isNumber(temperature) || !series) return;
  const units = isPlainObject(forecast.currentUnits) ? forecast.currentUnits : {};
  const unit = typeof units.temperature_2m === "string" && units.temperature_2m.length <= 20 ? units.temperature_2m : undefined;
  add({
    rank: RANK.weather,
    path,
    series: [{ name: series, path }],
    proposals: [
      {
        widget: { kind: "timeseries", title: `Temperature · ${place}`.slice(0, 120), series: [series], ...(unit ? { unit } : {}) },
        reason: `The forecast's current temperature (${show(temperature)}${unit ?? ""}): its history as a time series`,
      },
    ],
  });
}

/** Groups the samples by node, in the order nodes first appear (the newest run's order), each bounded. */
function byNode(samples: readonly StepOutputSample[]): NodeOutputs[] {
  const nodes = new Map<string, NodeOutputs>();
  for (const sample of samples) {
    let outputs = nodes.get(sample.nodeName);
    if (!outputs) {
      if (nodes.size >= PROPOSAL_LIMITS.nodes) continue;
      outputs = { node: sample.nodeName, nodeType: sample.nodeType, runs: [] };
      nodes.set(sample.nodeName, outputs);
    }
    if (outputs.runs.length >= PROPOSAL_LIMITS.runsPerNode) continue;
    outputs.runs.push(Array.isArray(sample.items) ? sample.items.slice(0, PROPOSAL_LIMITS.itemsPerRun) : []);
  }
  return [...nodes.values()];
}

const identity = (widget: Draft) => JSON.stringify([widget.kind, widget.series, widget.field ?? null, widget.experiment?.name ?? null]);

/**
 * The widgets the samples propose, most useful first, each with its reason and source, laid out row by row on the
 * 12-column grid. The same samples always give the same proposals.
 */
export function proposeWidgets({ flowId, samples }: { flowId: string; samples: readonly StepOutputSample[] }): WidgetProposal[] {
  const carried = new Set<string>();
  const findings = byNode(samples)
    .flatMap((outputs) => findingsOf({ outputs, flowId, carried }))
    .map((finding, order) => ({ finding, order }))
    .sort((a, b) => a.finding.rank - b.finding.rank || a.order - b.order);
  const proposals: WidgetProposal[] = [];
  const seen = new Set<string>();
  const place = placer();
  for (const { finding } of findings) {
    for (const { widget, reason } of finding.proposals) {
      if (proposals.length >= PROPOSAL_LIMITS.proposals) return proposals;
      const key = identity(widget);
      if (seen.has(key)) continue;
      seen.add(key);
      proposals.push({ widget: { id: `${widget.kind}-${proposals.length + 1}`, ...widget, layout: place(DEFAULT_WIDGET_SIZE[widget.kind]) }, reason, source: finding.source, publish: finding.publish });
    }
  }
  return proposals;
}

/**
 * Places widgets in turn on the grid, each as high as it fits and then as far left, so the first proposals sit at
 * the top and small tiles fill the gaps beside large ones.
 */
function placer() {
  const bottoms = Array.from({ length: GRID_COLUMNS }, () => 0);
  return ({ w, h }: { w: number; h: number }) => {
    let best = { x: 0, y: Number.POSITIVE_INFINITY };
    for (let x = 0; x + w <= GRID_COLUMNS; x++) {
      const y = Math.max(...bottoms.slice(x, x + w));
      if (y < best.y) best = { x, y };
    }
    for (let column = best.x; column < best.x + w; column++) bottoms[column] = best.y + h;
    return { ...best, w, h };
  };
}

/** Kinds a widget can be switched to without losing its meaning, besides those other proposals make of the same series. */
const INTERCHANGEABLE: Partial<Record<Widget["kind"], Widget["kind"][]>> = {
  stat: ["timeseries"],
  timeseries: ["stat"],
  status: ["text"],
  media: ["text"],
  bar: ["table"],
};

const sameSeries = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => name === b[i]);

/**
 * The kinds a proposed widget may be shown as, its own first: those other proposals make of the same series, and
 * those that draw the same data as well (a number as a stat tile or a chart). A chart of several series stays one.
 */
export function kindChoices({ widget, proposals }: { widget: Pick<Widget, "kind" | "series">; proposals: readonly Pick<WidgetProposal, "widget">[] }): Widget["kind"][] {
  const kinds: Widget["kind"][] = [widget.kind];
  const add = (kind: Widget["kind"]) => {
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  for (const other of proposals) if (sameSeries(other.widget.series, widget.series)) add(other.widget.kind);
  if (widget.series.length === 1) for (const kind of INTERCHANGEABLE[widget.kind] ?? []) add(kind);
  return kinds;
}

/**
 * The widget shown as another kind: a proposal of that kind for the same series lends what the kind needs (the
 * column a bar chart draws), the title and series stay, and the size becomes the kind's.
 */
export function asKind({ widget, kind, proposals }: { widget: Widget; kind: Widget["kind"]; proposals: readonly Pick<WidgetProposal, "widget">[] }): Widget {
  if (kind === widget.kind) return widget;
  const lender = proposals.find((other) => other.widget.kind === kind && sameSeries(other.widget.series, widget.series))?.widget;
  const { field: _field, markdown: _markdown, ...rest } = widget;
  const size = DEFAULT_WIDGET_SIZE[kind];
  return {
    ...rest,
    kind,
    ...(lender?.field ? { field: lender.field } : {}),
    ...(lender?.markdown ? { markdown: true } : {}),
    ...(lender?.experiment ? { experiment: lender.experiment } : {}),
    layout: { ...widget.layout, ...size },
  };
}

/** The widgets packed on the grid in their order, each keeping its size: the first at the top, small ones beside large. */
export function layoutWidgets<T extends { layout: { w: number; h: number } }>(widgets: readonly T[]): T[] {
  const place = placer();
  return widgets.map((widget) => ({ ...widget, layout: place({ w: Math.min(widget.layout.w, GRID_COLUMNS), h: widget.layout.h }) }));
}
