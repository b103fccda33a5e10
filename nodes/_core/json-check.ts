import { z } from "zod";

/**
 * The one place that says how deep JSON may nest and which strings PostgreSQL cannot keep. Pure: no I/O, no
 * recursion (a walker that recursed over a hostile body would overflow the stack, which is the attack).
 */

/** How deep a value (a webhook body, an item's JSON, a node's output item) may nest; `JSON_MAX_DEPTH`. */
export const DEFAULT_JSON_MAX_DEPTH = 100;
/**
 * Flow documents wrap such values (a pinned item sits in `pinData.<node>[i].json`, a config in `nodes[i].config`),
 * so they may nest this much more than `JSON_MAX_DEPTH`; API requests, which wrap documents, twice this much more.
 */
export const ENVELOPE_DEPTH = 8;

export const jsonMaxDepthSchema = z.coerce
  .number()
  .int()
  .min(ENVELOPE_DEPTH, `JSON_MAX_DEPTH must be at least ${ENVELOPE_DEPTH}`)
  // JSON.stringify, structured clone and the libraries we use recurse: a few thousand levels overflow their stack.
  .max(1000, "JSON_MAX_DEPTH must be at most 1000: deeper values overflow the stack of the code that reads them")
  .default(DEFAULT_JSON_MAX_DEPTH);

/** The configured depth for values; the start-up check of the environment refuses a bad `JSON_MAX_DEPTH`. */
export function jsonMaxDepth(source: Record<string, string | undefined> = typeof process === "undefined" ? {} : process.env): number {
  const parsed = jsonMaxDepthSchema.safeParse(source.JSON_MAX_DEPTH);
  return parsed.success ? parsed.data : DEFAULT_JSON_MAX_DEPTH;
}

export type JsonProblem =
  | { kind: "depth"; path: string; maxDepth: number }
  /**
   * A NUL (U+0000) or a lone surrogate, in a string or a key: PostgreSQL text and jsonb cannot hold either. Or a
   * key named `__proto__`: documents are stored through Prisma, whose copy of an object would take such a key as
   * the copy's prototype, dropping it or failing.
   */
  | { kind: "text"; path: string; what: string };

interface Frame {
  value: unknown;
  depth: number;
  key: string | number | null;
  parent: Frame | null;
}

const MAX_PATH_PARTS = 12;

function pathOf(frame: Frame, root: string): string {
  const parts: (string | number)[] = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) parts.push(f.key);
  parts.reverse();
  const shown = parts.length > MAX_PATH_PARTS ? [...parts.slice(0, MAX_PATH_PARTS / 2), "…", ...parts.slice(-MAX_PATH_PARTS / 2)] : parts;
  let out = root;
  for (const part of shown) {
    if (part === "…") out += "…";
    else if (typeof part === "number") out += `[${part}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(part) ? `${out ? "." : ""}${part}` : `[${JSON.stringify(part)}]`;
  }
  return out || "(value)";
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What in a string PostgreSQL cannot store, or null. */
export function unstorableText(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  return found[0] === "\u0000" ? "a NUL character (U+0000)" : `a lone surrogate (U+${found[0].charCodeAt(0).toString(16).toUpperCase()})`;
}

/** The quick pass, on every webhook body and node output: no allocation per value; the path is found only on failure. */
function withinDepth(value: unknown, maxDepth: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const current = values.pop();
    const depth = depths.pop()! + 1;
    if (current === null || typeof current !== "object") continue;
    if (depth > maxDepth) return false;
    if (Array.isArray(current)) {
      for (const child of current) {
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth);
        }
      }
    } else {
      for (const key in current) {
        const child = (current as Record<string, unknown>)[key];
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth);
        }
      }
    }
  }
  return true;
}

/**
 * The first problem in a JSON value, walking it with a stack of its own: nesting deeper than `maxDepth` (a scalar
 * is depth 0, `{}` and `[]` depth 1), and with `text`, a string or key PostgreSQL cannot store. `root` starts the path.
 */
export function checkJson(value: unknown, { maxDepth, text = false, root = "" }: { maxDepth: number; text?: boolean; root?: string }): JsonProblem | null {
  if (!text && withinDepth(value, maxDepth)) return null;
  const stack: Frame[] = [{ value, depth: 0, key: null, parent: null }];
  while (stack.length) {
    const frame = stack.pop()!;
    const current = frame.value;
    if (typeof current === "string") {
      const what = text ? unstorableText(current) : null;
      if (what) return { kind: "text", path: pathOf(frame, root), what };
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) return { kind: "depth", path: pathOf(frame, root), maxDepth };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], depth, key: i, parent: frame });
      continue;
    }
    const entries = Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const what = text ? (key === "__proto__" ? 'the key "__proto__"' : unstorableText(key) && `${unstorableText(key)} in its key`) : null;
      if (what) return { kind: "text", path: pathOf({ value: key, depth, key, parent: frame }, root), what };
      stack.push({ value: child, depth, key, parent: frame });
    }
  }
  return null;
}

/** A sentence for a problem: what was wrong, where, and what to do; `limit` names the limit when it was checked shifted. */
export function describeJsonProblem(problem: JsonProblem, { what, setting = "JSON_MAX_DEPTH", limit }: { what: string; setting?: string; limit?: number }): string {
  if (problem.kind === "depth") {
    return `${what} nests deeper than ${limit ?? problem.maxDepth} levels (at ${problem.path}); flatten it, or raise ${setting}.`;
  }
  return `${what} holds ${problem.what} at ${problem.path}, which cannot be stored; remove it.`;
}

/**
 * JSON text as JSON.stringify wrote it, made storable in PostgreSQL: each `\u0000` and each escaped lone
 * surrogate (JSON.stringify escapes only lone ones) becomes U+FFFD. Escaped backslashes are stepped over whole, so
 * a string that holds the six characters `\u0000` is kept as it is.
 */
export function storableJson(json: string): string {
  if (!json.includes("\\u")) return json;
  return json.replace(/\\(\\|u0000|ud[89a-f][0-9a-f]{2})/g, (match, escaped: string) => (escaped === "\\" ? match : "\\ufffd"));
}

/** A string from data made storable the same way: NUL and lone surrogates become U+FFFD. */
export function storableText(text: string): string {
  return unstorableText(text) === null ? text : text.replace(new RegExp(UNSTORABLE.source, "g"), "\uFFFD");
}

/** A JSON value from data made storable (see `storableJson`); the same value when nothing needed changing. */
export function storableValue<T>(value: T): T {
  if (value === undefined) return value;
  const json = JSON.stringify(value);
  const storable = storableJson(json);
  return storable === json ? value : (JSON.parse(storable) as T);
}

/** A name a person typed holds no control characters (NUL among them) nor lone surrogates, which PostgreSQL refuses. */
export const storableName = (text: string) => !/[\u0000-\u001F\u007F]/.test(text) && unstorableText(text) === null;
/** The words for a name `storableName` refuses, such as "Name cannot contain control characters …". */
export const unstorableNameMessage = (label: string) => `${label} cannot contain control characters (such as NUL) or broken Unicode; remove them`;
