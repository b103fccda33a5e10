/**
 * A step's stored input or output (as `run.get` returns it: `{ items: { <port>: Item[] }, truncated? }`) turned
 * into what the data view shows. No React here.
 */

export interface Truncation {
  originalBytes: number;
  capBytes: number;
  keptItems: number;
  totalItems: number;
}

export interface PortData {
  port: string;
  items: unknown[];
}

export interface BinaryInfo {
  key: string;
  id?: string;
  fileName?: string;
  mimeType?: string;
  size?: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The ports with their items, in stored order, and the cap note when the data was cut down. */
export function portsOf(data: unknown): { ports: PortData[]; truncated: Truncation | null } {
  if (!isRecord(data)) return { ports: [], truncated: null };
  const items = isRecord(data.items) ? data.items : {};
  const ports = Object.entries(items).map(([port, list]) => ({ port, items: Array.isArray(list) ? list : [] }));
  const t = data.truncated;
  const truncated = isRecord(t) && typeof t.originalBytes === "number" ? (t as unknown as Truncation) : null;
  return { ports, truncated };
}

/** An item's JSON (items are `{ json, binary? }`; anything else is shown as it is). */
export function itemJson(item: unknown): unknown {
  return isRecord(item) && "json" in item ? item.json : item;
}

export function binaryOf(item: unknown): BinaryInfo[] {
  if (!isRecord(item) || !isRecord(item.binary)) return [];
  return Object.entries(item.binary).map(([key, ref]) => {
    const r = isRecord(ref) ? ref : {};
    return {
      key,
      id: typeof r.id === "string" ? r.id : undefined,
      fileName: typeof r.fileName === "string" ? r.fileName : undefined,
      mimeType: typeof r.mimeType === "string" ? r.mimeType : undefined,
      size: typeof r.size === "number" ? r.size : undefined,
    };
  });
}

/** Table columns: the items' JSON keys in the order they first appear, looking at the first `sample` items. */
export function columnsOf(items: readonly unknown[], { sample = 200, max = 40 } = {}): string[] {
  const seen = new Set<string>();
  for (const item of items.slice(0, sample)) {
    const json = itemJson(item);
    if (isRecord(json)) for (const key of Object.keys(json)) seen.add(key);
    else seen.add("value");
    if (seen.size >= max) break;
  }
  return [...seen].slice(0, max);
}

/** A cell's text: scalars as they are, objects and arrays as short JSON. */
export function cellText(value: unknown, max = 120): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…` : value;
  if (typeof value !== "object") return String(value);
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function cellOf(item: unknown, column: string): unknown {
  const json = itemJson(item);
  if (isRecord(json)) return json[column];
  return column === "value" ? json : undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function countItems(ports: readonly PortData[]): number {
  return ports.reduce((n, p) => n + p.items.length, 0);
}

/** The items to pin: the default output port's, or every port's when there is no `out`. */
export function pinnableItems(ports: readonly PortData[]): unknown[] {
  const out = ports.find((p) => p.port === "out");
  return out ? out.items : ports.flatMap((p) => p.items);
}

export type FileLinkKind = "video" | "hls" | "audio" | "image" | "file";

export interface FileLink {
  /** Where in the item's JSON the URL is, such as `mp4.url` or `thumbnails[2].url`. */
  path: string;
  url: string;
  kind: FileLinkKind;
}

/** A stored file's signed URL, served by this app: `/files/<workspace>/<object>/<token>/<name or path>`. */
const SIGNED_FILE = /^\/files\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\/[A-Za-z0-9._/-]+$/;

const KINDS: [RegExp, FileLinkKind][] = [
  [/\.(mp4|m4v|webm)$/i, "video"],
  [/\.m3u8$/i, "hls"],
  [/\.(mp3|m4a|aac|ogg|oga|opus|wav|flac)$/i, "audio"],
  [/\.(jpe?g|png|gif|webp)$/i, "image"],
];

/**
 * The signed `/files/...` URLs in an item's JSON (a transcode's MP4, HLS playlists, thumbnails, audio), with where
 * they are and what they hold by their extension. Only this app's own file paths count, so a link never leaves it.
 */
export function fileLinksOf(item: unknown, { max = 50 } = {}): FileLink[] {
  const links: FileLink[] = [];
  const visit = (value: unknown, path: string, depth: number) => {
    if (links.length >= max || depth > 8) return;
    if (typeof value === "string") {
      if (SIGNED_FILE.test(value) && !value.split("/").includes("..")) links.push({ path, url: value, kind: KINDS.find(([pattern]) => pattern.test(value))?.[1] ?? "file" });
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
    else if (isRecord(value)) for (const [key, v] of Object.entries(value)) visit(v, path ? `${path}.${key}` : key, depth + 1);
  };
  visit(itemJson(item), "", 0);
  return links;
}

/**
 * Which attempt a step's data is from, when it is not simply the first: retries, and re-runs after the worker
 * running the step was lost (killed or frozen), so a repeated side effect (a second POST) is explained.
 */
export function attemptText(attempt: number | undefined, workerLosses = 0): string | null {
  if (workerLosses > 0) {
    const times = workerLosses === 1 ? "" : ` (${workerLosses} times)`;
    return `attempt ${attempt ?? workerLosses + 1} — re-run after its worker was lost${times}`;
  }
  return attempt !== undefined && attempt > 1 ? `attempt ${attempt}` : null;
}
