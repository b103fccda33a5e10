/**
 * How a node type's config JSON Schema (as `nodeCatalog.list` gives it, with `ui` hints) becomes form fields,
 * how config issues find their field, and how typed text becomes config values. No React here.
 */

import { humanize, phrase } from "@/nodes/_core/config-messages";
import type { UiHint } from "@/nodes/_kit/define-node";


export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  examples?: unknown[];
  secret?: boolean;
  ui?: UiHint;
}

export type FieldKind =
  | "text"
  | "textarea"
  | "number"
  | "select"
  | "multiselect"
  | "switch"
  | "keyValue"
  | "record"
  | "object"
  | "list"
  | "json"
  | "code"
  | "cron"
  | "choiceList";

export interface FieldSpec {
  key: string;
  /** Where the value sits and where issues about it point: `config.url`, `config.rules[0].left`. */
  path: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  schema: JsonSchema;
  expression: boolean;
  advanced: boolean;
  placeholder?: string;
  /** For select and multiselect. */
  options?: string[];
  /** Integer-only numbers. */
  integer?: boolean;
  language?: "javascript" | "json";
  secret?: boolean;
}

/** Follows `$ref`s into the root schema's `$defs`. */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 20; hops++) {
    const name = current.$ref.replace(/^#\/\$defs\//, "");
    const target = root.$defs?.[name];
    if (!target) break;
    // Keywords beside the $ref (title, ui) describe this use of it and win.
    const { $ref: _ref, ...beside } = current;
    current = { ...target, ...beside };
  }
  return current;
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** "timeoutMs" → "Timeout ms": one definition, shared with the server's messages. */
export { humanize };

function isNameValueObject(schema: JsonSchema | undefined): boolean {
  const props = schema?.properties;
  return !!props && Object.keys(props).length === 2 && "name" in props && "value" in props;
}

/** The widget a schema gets: the `ui.widget` hint when it fits, else what the schema's shape calls for. */
export function kindOf(schema: JsonSchema, root: JsonSchema = schema): FieldKind {
  const s = resolveRef(schema, root);
  const hinted = s.ui?.widget;
  const t = types(s);
  if (hinted === "code") return "code";
  if (hinted === "json") return "json";
  if (hinted === "cron") return "cron";
  if (hinted === "textarea") return "textarea";
  if (hinted === "keyValue" && t.includes("array") && isNameValueObject(s.items && resolveRef(s.items, root))) return "keyValue";
  if (hinted === "keyValue" && t.includes("object")) return "record";
  if (hinted === "switch") return "switch";
  if (hinted === "number") return "number";
  if (s.enum && s.enum.every((v) => typeof v === "string")) return "select";
  if (t.length === 1) {
    switch (t[0]) {
      case "boolean":
        return "switch";
      case "integer":
      case "number":
        return "number";
      case "string":
        return hinted === "select" ? "select" : "text";
      case "array": {
        const items = s.items ? resolveRef(s.items, root) : undefined;
        if (items && unionChoices(items, root)) return "choiceList";
        if (items?.enum && items.enum.every((v) => typeof v === "string")) return "multiselect";
        if (isNameValueObject(items)) return "keyValue";
        if (items && types(items).length === 1 && types(items)[0] === "object" && items.properties) return "list";
        return "json";
      }
      case "object":
        if (s.properties) return "object";
        if (s.additionalProperties && typeof s.additionalProperties === "object") {
          const values = types(resolveRef(s.additionalProperties, root));
          if (values.length > 0 && values.every((v) => v === "string" || v === "number" || v === "boolean")) return "record";
        }
        return "json";
    }
  }
  // No type, or several scalars (a value that may be text, a number or a boolean): typed as text, like n8n.
  if (t.length === 0 && !s.anyOf && !s.oneOf) return "text";
  if (t.length > 1 && t.every((v) => v === "string" || v === "number" || v === "boolean" || v === "null")) return "text";
  return "json";
}

/**
 * A union of objects told apart by one key holding a constant (an alert channel's `kind`): the key, and each
 * choice's value with its schema. Null for anything else.
 */
export function unionChoices(schema: JsonSchema, root: JsonSchema): { key: string; options: { value: string; schema: JsonSchema }[] } | null {
  const s = resolveRef(schema, root);
  const variants = (s.oneOf ?? s.anyOf ?? []).map((v) => resolveRef(v, root));
  if (variants.length < 2 || !variants.every((v) => v.properties)) return null;
  const key = Object.keys(variants[0]!.properties!).find((k) => variants.every((v) => typeof v.properties?.[k]?.const === "string"));
  if (!key) return null;
  return { key, options: variants.map((v) => ({ value: v.properties![key]!.const as string, schema: v })) };
}

export function fieldSpec({ key, schema, root, path, required }: { key: string; schema: JsonSchema; root: JsonSchema; path: string; required: boolean }): FieldSpec {
  const s = resolveRef(schema, root);
  const kind = kindOf(s, root);
  const t = types(s);
  const options =
    kind === "select" ? (s.enum as string[]) : kind === "multiselect" ? ((resolveRef(s.items!, root).enum ?? []) as string[]) : undefined;
  return {
    key,
    path,
    label: s.title ?? humanize(key),
    description: s.description,
    kind,
    required,
    schema: s,
    expression: s.ui?.expression === true,
    advanced: s.ui?.advanced === true,
    placeholder: s.ui?.placeholder ?? (typeof s.examples?.[0] === "string" ? s.examples[0] : undefined),
    options,
    integer: kind === "number" ? t.includes("integer") : undefined,
    language: kind === "code" ? (s.ui?.language ?? "javascript") : undefined,
    secret: s.secret === true,
  };
}

/** The fields of an object schema, in declaration order, each with its path under `base`. */
export function fieldsOf(schema: JsonSchema, base: string, root: JsonSchema = schema): FieldSpec[] {
  const s = resolveRef(schema, root);
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([key, child]) =>
    fieldSpec({ key, schema: child, root, path: joinPath(base, key), required: required.has(key) }),
  );
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** `config.rules.0.left` and `config.rules[0].left` are the same place. */
export function normalizePath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|\[|$)/g, "[$1]");
}

/**
 * The issue messages for a field: those at its path, and with `within`, those inside it too (a key/value list or
 * a JSON field shows its rows' problems as its own).
 */
export function issuesAt(issues: readonly { path: string; message: string }[], path: string, { within = false } = {}): string[] {
  const target = normalizePath(path);
  return issues
    .filter((issue) => {
      const at = normalizePath(issue.path);
      return at === target || (within && (at.startsWith(`${target}.`) || at.startsWith(`${target}[`)));
    })
    .map((issue) => issue.message);
}

export function hasExpression(value: unknown): boolean {
  return typeof value === "string" && /\{\{[\s\S]*\}\}/.test(value);
}

/** Text with its `{{ … }}` parts marked, for highlighting. */
export function expressionSegments(text: string): { text: string; expression: boolean }[] {
  const segments: { text: string; expression: boolean }[] = [];
  const pattern = /\{\{[\s\S]*?\}\}/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index), expression: false });
    segments.push({ text: match[0], expression: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), expression: false });
  return segments;
}

/** What a number input's text means: a number, nothing (empty), or not a number. */
export function parseNumber(text: string, { integer = false } = {}): { value: number | undefined } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: undefined };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: "Enter a number" };
  if (integer && !Number.isInteger(value)) return { error: "Enter a whole number" };
  return { value };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * The instant checks the form makes before the server does: required, numbers in range, enum values, lengths.
 * A value holding an expression is checked when it runs, not here.
 */
export function checkValue(field: FieldSpec, value: unknown): string | null {
  const s = field.schema;
  const label = field.label;
  if (isEmpty(value)) {
    if (field.required && s.default === undefined) return phrase.required(label);
    if (field.kind === "list" || field.kind === "multiselect") {
      if (s.minItems && Array.isArray(value) && value.length < s.minItems) return phrase.minItems(label, s.minItems);
    }
    return null;
  }
  if (hasExpression(value)) return null;
  switch (field.kind) {
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return phrase.wrongType(label, "number");
      if (field.integer && !Number.isInteger(value)) return phrase.wholeNumber(label);
      if (s.minimum !== undefined && value < s.minimum) return phrase.atLeast(label, s.minimum);
      if (s.maximum !== undefined && value > s.maximum) return phrase.atMost(label, s.maximum);
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return phrase.moreThan(label, s.exclusiveMinimum);
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return phrase.lessThan(label, s.exclusiveMaximum);
      return null;
    }
    case "select":
      return field.options?.includes(value as string) ? null : phrase.oneOf(label, field.options ?? []);
    case "multiselect": {
      const list = Array.isArray(value) ? value : [];
      const unknown = list.filter((v) => !field.options?.includes(v as string));
      if (unknown.length) return phrase.oneOf(label, field.options ?? []);
      if (s.minItems && list.length < s.minItems) return phrase.minItems(label, s.minItems);
      return null;
    }
    case "list":
    case "keyValue": {
      const list = Array.isArray(value) ? value : [];
      if (s.minItems && list.length < s.minItems) return phrase.minItems(label, s.minItems);
      if (s.maxItems && list.length > s.maxItems) return phrase.maxItems(label, s.maxItems);
      return null;
    }
    case "text":
    case "textarea":
    case "code":
    case "cron": {
      if (typeof value !== "string") return null;
      if (s.minLength && value.length < s.minLength) return value.length === 0 ? phrase.required(label) : phrase.minChars(label, s.minLength);
      if (s.maxLength && value.length > s.maxLength) return phrase.maxChars(label, s.maxLength);
      if (s.pattern) {
        try {
          if (!new RegExp(s.pattern, "u").test(value)) return phrase.format(label);
        } catch {
          return null;
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** A fresh value for a new row of a list: the item schema's defaults, empty strings for required text. */
export function newItem(schema: JsonSchema, root: JsonSchema): unknown {
  const s = resolveRef(schema, root);
  if (s.default !== undefined) return structuredClone(s.default);
  const t = types(s);
  if (t.includes("object") || s.properties) {
    const out: Record<string, unknown> = {};
    const required = new Set(s.required ?? []);
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      const c = resolveRef(child, root);
      if (c.default !== undefined) out[key] = structuredClone(c.default);
      else if (required.has(key)) out[key] = newItem(c, root);
    }
    return out;
  }
  if (s.enum?.length) return s.enum[0];
  if (t[0] === "array") return [];
  if (t[0] === "boolean") return false;
  if (t[0] === "number" || t[0] === "integer") return s.minimum ?? 0;
  return "";
}

/** Sets or removes (undefined) a key of an object, leaving the original untouched. */
export function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...object };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved!);
  return next;
}

/** A JSON field's text as shown: strings as written (they may be text or hold expressions), the rest as JSON. */
export function jsonText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** What a JSON field's text means: empty, a JSON value, text with expressions, or a mistake to show. */
export function parseJsonText(text: string, { allowText = false } = {}): { value: unknown } | { error: string } {
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    if (allowText || hasExpression(text)) return { value: text };
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/** True when the schema takes plain text too (a body that may be JSON or text), so non-JSON text is kept as text. */
export function acceptsText(schema: JsonSchema, root: JsonSchema): boolean {
  const s = resolveRef(schema, root);
  if (!s.type && !s.anyOf && !s.oneOf) return true;
  if (types(s).includes("string")) return true;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some((option) => types(resolveRef(option, root)).includes("string"));
}
