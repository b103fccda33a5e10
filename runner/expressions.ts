import jsonata from "jsonata";
import { NodeConfigError } from "../nodes/_kit/errors";

/**
 * `{{ … }}` in config strings, evaluated with JSONata: an interpreter with no access to JavaScript's globals,
 * constructors or prototypes, so user expressions never reach eval, Function or node:vm.
 *
 * A string that is one expression and nothing else keeps the value's type (`"{{ $json.count }}"` gives a number);
 * a string mixing text and expressions gives text.
 */

type Part = { text: string } | { expression: string; offset: number };

export interface ExpressionScope {
  /** The current item's JSON; also JSONata's context, so `{{ name }}` means `{{ $json.name }}`. */
  json: Record<string, unknown>;
  binary?: Record<string, unknown>;
  /** The first trigger item's JSON. */
  trigger: Record<string, unknown>;
  /** Earlier nodes' outputs by node name: `{{ $node.Weather.json.temperature }}` or `.items[2]`. */
  node: Record<string, { json: unknown; items: unknown[] }>;
  itemIndex: number;
  runId: string;
  flowId: string;
}

export class ExpressionError extends NodeConfigError {
  constructor(args: { nodeName: string; field: string; position?: number; expression: string; reason: string }) {
    const where = args.position === undefined ? "" : ` at position ${args.position}`;
    super(`Node "${args.nodeName}", field "${args.field}": expression {{ ${args.expression.trim()} }} failed${where}: ${args.reason}`, {
      details: { field: args.field, position: args.position, expression: args.expression },
    });
  }
}

/** Splits a string at its `{{ … }}` markers; braces inside JSONata object constructors and strings are balanced. */
export function parseTemplate(source: string): Part[] | null {
  if (!source.includes("{{")) return null;
  const parts: Part[] = [];
  let i = 0;
  let text = "";
  while (i < source.length) {
    if (source.startsWith("{{", i)) {
      const end = findClose(source, i + 2);
      if (end === -1) {
        text += source.slice(i);
        break;
      }
      if (text) parts.push({ text });
      text = "";
      parts.push({ expression: source.slice(i + 2, end), offset: i + 2 });
      i = end + 2;
    } else {
      text += source[i];
      i++;
    }
  }
  if (text) parts.push({ text });
  return parts.some((p) => "expression" in p) ? parts : null;
}

function findClose(source: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0 && source[i + 1] === "}") return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

const compiled = new Map<string, jsonata.Expression>();
const MAX_COMPILED = 5000;

interface JsonataError {
  message: string;
  position?: number;
  token?: string;
}

function compile(expression: string, where: { nodeName: string; field: string; offset: number }): jsonata.Expression {
  let found = compiled.get(expression);
  if (!found) {
    try {
      found = jsonata(expression);
    } catch (err) {
      const e = err as JsonataError;
      throw new ExpressionError({ ...where, expression, position: positionOf(e, where.offset), reason: e.message });
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(expression, found);
  }
  return found;
}

function positionOf(e: JsonataError, offset: number): number | undefined {
  return typeof e.position === "number" ? offset + e.position : undefined;
}

/** True when any string in the value holds an expression. */
export function hasExpressions(value: unknown): boolean {
  if (typeof value === "string") return value.includes("{{") && parseTemplate(value) !== null;
  if (Array.isArray(value)) return value.some(hasExpressions);
  if (value && typeof value === "object") return Object.values(value).some(hasExpressions);
  return false;
}

/** Checks every expression in a config compiles; returns the problems with their field paths. */
export function checkExpressions(config: unknown, nodeName: string): ExpressionError[] {
  const problems: ExpressionError[] = [];
  walkStrings(config, "", (value, field) => {
    for (const part of parseTemplate(value) ?? []) {
      if (!("expression" in part)) continue;
      try {
        compile(part.expression, { nodeName, field, offset: part.offset });
      } catch (err) {
        if (err instanceof ExpressionError) problems.push(err);
        else throw err;
      }
    }
  });
  return problems;
}

function walkStrings(value: unknown, path: string, visit: (value: string, path: string) => void): void {
  if (typeof value === "string") visit(value, path || "(value)");
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walkStrings(v, path ? `${path}.${k}` : k, visit);
  }
}

async function evaluateString(source: string, scope: ExpressionScope, nodeName: string, field: string): Promise<unknown> {
  const parts = parseTemplate(source);
  if (!parts) return source;
  const bindings = { json: scope.json, binary: scope.binary, trigger: scope.trigger, node: scope.node, itemIndex: scope.itemIndex, runId: scope.runId, flowId: scope.flowId };
  const values: unknown[] = [];
  for (const part of parts) {
    if ("text" in part) {
      values.push(part.text);
      continue;
    }
    const where = { nodeName, field, offset: part.offset };
    const expression = compile(part.expression, where);
    let value: unknown;
    try {
      value = await expression.evaluate(scope.json, bindings);
    } catch (err) {
      const e = err as JsonataError;
      throw new ExpressionError({ ...where, expression: part.expression, position: positionOf(e, part.offset), reason: e.message });
    }
    if (isFunction(value)) {
      throw new ExpressionError({ ...where, expression: part.expression, reason: "it gives a function, not a value; call it, such as $string(x)" });
    }
    values.push(value);
  }
  if (parts.length === 1) return normalize(values[0]);
  return values.map((v) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(normalize(v)))).join("");
}

function isFunction(value: unknown): boolean {
  if (typeof value === "function") return true;
  return typeof value === "object" && value !== null && ("_jsonata_function" in value || "_jsonata_lambda" in value);
}

/** JSONata marks sequences with extra properties; plain JSON goes on from here. */
function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === "function") return undefined;
  if (Array.isArray(value) || (value && typeof value === "object")) return JSON.parse(JSON.stringify(value)) as unknown;
  return value;
}

/** Returns a copy of the config with every expression replaced by its value. */
export async function resolveExpressions<T>(config: T, scope: ExpressionScope, nodeName: string, path = ""): Promise<T> {
  if (typeof config === "string") return (await evaluateString(config, scope, nodeName, path || "(value)")) as T;
  if (Array.isArray(config)) {
    const out: unknown[] = [];
    for (let i = 0; i < config.length; i++) out.push(await resolveExpressions(config[i], scope, nodeName, `${path}[${i}]`));
    return out as T;
  }
  if (config && typeof config === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) out[k] = await resolveExpressions(v, scope, nodeName, path ? `${path}.${k}` : k);
    return out as T;
  }
  return config;
}
