import jsonata from "jsonata";
import { NodeConfigError } from "../_kit/errors";
import { isPlainObject } from "../_kit/items";
import { concatenationOf, fieldPathOf, isBoundedShape, type ConcatenationPart, type FieldPath } from "./expression-shapes";

/**
 * `{{ … }}` in config strings, evaluated with JSONata: an interpreter with no access to JavaScript's globals,
 * constructors or prototypes, so user expressions never reach eval, Function or node:vm.
 *
 * A string that is one expression and nothing else keeps the value's type (`"{{ $json.count }}"` gives a number);
 * a string mixing text and expressions gives text.
 */

type Part = { text: string } | { expression: string; offset: number };

export interface ExpressionScope {
  /** Whose expressions these are: each workspace's are evaluated apart from every other's. */
  workspaceId: string;
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

/** One item's expressions that need the evaluator, with what they see besides the item. */
export interface ExpressionBatch {
  expressions: string[];
  input: unknown;
  bindings: Record<string, unknown>;
  /** Batches with the same key (a workspace) share an isolate; no other key's can slow them. */
  poolKey: string;
  signal?: AbortSignal;
}

export type ExpressionOutcome = { value: unknown } | { error: { message: string; position?: number } };

/**
 * Evaluates expressions under limits of time, memory and size (runner/expression-sandbox.ts). It answers with an
 * outcome per expression, in order, and stops at the first error.
 */
export interface ExpressionEvaluator {
  evaluate(batch: ExpressionBatch): Promise<ExpressionOutcome[]>;
}

/** Longer expressions are refused before they are parsed: nobody types more, and parsing is work on this thread. */
export const MAX_EXPRESSION_LENGTH = 10_000;

interface Compiled {
  expression: jsonata.Expression;
  /**
   * Where it is evaluated: a field path, or text and field paths joined with `&`, is read directly; an expression of
   * bounded shape (no functions of its own, loops, regular expressions or ranges) by JSONata here, with a budget of
   * steps; anything else in the isolate. What cannot be read directly after all (see readDirectly) is evaluated here.
   */
  place: "path" | "here" | "isolate";
  path: FieldPath | null;
  concatenation: ConcatenationPart[] | null;
}

/**
 * Steps (JSONata evaluations of one node of the expression) an expression evaluated here may take. A bounded shape
 * does work in proportion to its data, and this caps that too: past it, the expression goes to the isolate, whose
 * time limit then applies. A few thousand steps take well under a millisecond.
 */
export const STEPS_HERE = 5000;
const ENTRY_HOOK = Symbol.for("jsonata.__evaluate_entry");

class OverBudget extends Error {}

/** JSONata's entry hook: counted on the evaluation's own frame, so concurrent evaluations never share a count. */
function countStep(_expr: unknown, _input: unknown, environment: { base: { steps?: number } }): void {
  const base = environment.base;
  base.steps = (base.steps ?? 0) + 1;
  if (base.steps > STEPS_HERE) throw new OverBudget();
}

const compiled = new Map<string, Compiled>();
const MAX_COMPILED = 5000;

interface JsonataError {
  message: string;
  position?: number;
  token?: string;
}

function compile(expression: string, where: { nodeName: string; field: string; offset: number }): Compiled {
  let found = compiled.get(expression);
  if (!found) {
    if (expression.length > MAX_EXPRESSION_LENGTH) {
      throw new ExpressionError({ ...where, expression: `${expression.slice(0, 40)}…`, reason: `it is longer than ${MAX_EXPRESSION_LENGTH} characters; split it up or move the logic into a Code node` });
    }
    let parsed: jsonata.Expression;
    try {
      parsed = jsonata(expression);
    } catch (err) {
      const e = err as JsonataError;
      throw new ExpressionError({ ...where, expression, position: positionOf(e, where.offset), reason: e.message });
    }
    const path = fieldPathOf(parsed.ast());
    const concatenation = path ? null : concatenationOf(parsed.ast());
    const here = isBoundedShape(parsed.ast());
    // jsonata.d.ts types names as strings; JSONata looks its hooks up by these symbols.
    if (here) parsed.assign(ENTRY_HOOK as unknown as string, countStep);
    found = { expression: parsed, place: path ? "path" : here ? "here" : "isolate", path, concatenation };
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(expression, found);
  }
  return found;
}

/**
 * The value at a field path, or null when JSONata's own rules are needed: an array along the way or at the end
 * (JSONata maps over arrays and unwraps one-item sequences) or a primitive that a name is asked of.
 */
function readFieldPath(path: FieldPath, scope: ExpressionScope): { value: unknown } | null {
  let current: unknown = scope[path.root];
  for (const name of path.names) {
    if (current === undefined) return { value: undefined };
    if (!isPlainObject(current)) return null;
    current = Object.hasOwn(current, name) ? current[name] : undefined;
  }
  return Array.isArray(current) ? null : { value: current };
}

/**
 * The text of a concatenation, or null when JSONata's own rules are needed: a path that readFieldPath cannot read,
 * or a value other than text, which `&` would first turn into text as `$string` does. A missing value adds nothing.
 */
function readConcatenation(parts: ConcatenationPart[], scope: ExpressionScope): { value: string } | null {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    const read = readFieldPath(part, scope);
    if (!read) return null;
    if (typeof read.value === "string") text += read.value;
    else if (read.value !== undefined) return null;
  }
  return { value: text };
}

/** The expression's value read without JSONata, or null when it must be evaluated. */
function readDirectly(found: Compiled, scope: ExpressionScope): { value: unknown } | null {
  if (found.path) return readFieldPath(found.path, scope);
  if (found.concatenation) return readConcatenation(found.concatenation, scope);
  return null;
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

interface Pending {
  /** The string's parts, in order; the evaluator's value goes in at `index`. */
  parts: unknown[];
  index: number;
  expression: string;
  where: { nodeName: string; field: string; offset: number };
  compiled: Compiled;
}

/**
 * Evaluates an expression of bounded shape here, on this thread: false when it went over its budget of steps
 * (large data), and the isolate must take it.
 */
async function evaluateHere(slot: Pending, scope: ExpressionScope): Promise<boolean> {
  let value: unknown;
  try {
    value = await slot.compiled.expression.evaluate(scope.json, { ...bindingsFor([slot.expression], scope), json: scope.json });
  } catch (err) {
    if (err instanceof OverBudget) return false;
    const e = err as JsonataError;
    throw new ExpressionError({ ...slot.where, expression: slot.expression, position: positionOf(e, slot.where.offset), reason: e.message });
  }
  slot.parts[slot.index] = value;
  return true;
}

interface Template {
  parts: unknown[];
  /** One expression and nothing else: the string becomes the value, of whatever type. */
  single: boolean;
}

/** The bindings an expression can name besides `$json`, which the evaluator binds to the item itself. */
const bindingNames = ["binary", "trigger", "node", "itemIndex", "runId", "flowId"] as const;

/** What the batch's expressions name, so a large `$node` is not copied for expressions that never read it. */
function bindingsFor(expressions: string[], scope: ExpressionScope): Record<string, unknown> {
  const bindings: Record<string, unknown> = {};
  for (const name of bindingNames) {
    if (expressions.some((expression) => expression.includes(`$${name}`))) bindings[name] = scope[name];
  }
  return bindings;
}

type PlannedPart = { text: string } | { expression: string; where: { nodeName: string; field: string; offset: number }; compiled: Compiled };

/** Where a config's expressions are and what they compiled to: one entry per string, null for plain text. */
export interface ExpressionPlan {
  strings: ({ parts: PlannedPart[]; single: boolean } | null)[];
}

/**
 * Finds and compiles the expressions in a config's strings, in the order resolveExpressions visits them; a node's
 * plan is made once and used for every item of every run. Throws the ExpressionError of the first that does not
 * compile.
 */
export function planExpressions(config: unknown, options: { nodeName: string; field?: string }): ExpressionPlan {
  const { nodeName } = options;
  const strings: ExpressionPlan["strings"] = [];
  walkStrings(config, options.field ?? "", (source, field) => {
    const parsed = parseTemplate(source);
    strings.push(
      parsed && {
        single: parsed.length === 1,
        parts: parsed.map((part) => {
          if ("text" in part) return part;
          const where = { nodeName, field, offset: part.offset };
          return { expression: part.expression, where, compiled: compile(part.expression, where) };
        }),
      },
    );
  });
  return { strings };
}

/**
 * Returns a copy of the config with every expression replaced by its value. Field paths are read here; the other
 * expressions of the config go to the evaluator together, as one batch under its limits.
 */
export async function resolveExpressions<T>(
  config: T,
  options: { scope: ExpressionScope; nodeName: string; evaluator: ExpressionEvaluator; field?: string; signal?: AbortSignal; plan?: ExpressionPlan },
): Promise<T> {
  const { scope } = options;
  const plan = options.plan ?? planExpressions(config, options);
  // One entry per string of the config, in the order walkStrings and mapStrings both visit them.
  const templates: (Template | null)[] = [];
  const here: Pending[] = [];
  const pending: Pending[] = [];
  for (const planned of plan.strings) {
    if (!planned) {
      templates.push(null);
      continue;
    }
    const template: Template = { parts: [], single: planned.single };
    for (const part of planned.parts) {
      if ("text" in part) {
        template.parts.push(part.text);
        continue;
      }
      const found = part.compiled;
      const read = readDirectly(found, scope);
      // A field path through arrays follows JSONata's rules for them: evaluated here, as a bounded shape.
      if (!read) (found.place === "isolate" ? pending : here).push({ parts: template.parts, index: template.parts.length, expression: part.expression, where: part.where, compiled: found });
      template.parts.push(read?.value);
    }
    templates.push(template);
  }
  for (const slot of here) {
    if (!(await evaluateHere(slot, scope))) pending.push(slot);
  }
  if (pending.length > 0) await evaluatePending({ pending, scope, evaluator: options.evaluator, signal: options.signal });
  let next = 0;
  return mapStrings(config, (source) => {
    const template = templates[next++];
    return template ? joinParts(template) : source;
  }) as T;
}

async function evaluatePending({ pending, scope, evaluator, signal }: { pending: Pending[]; scope: ExpressionScope; evaluator: ExpressionEvaluator; signal?: AbortSignal }) {
  const expressions = pending.map((slot) => slot.expression);
  const outcomes = await evaluator.evaluate({ expressions, input: scope.json, bindings: bindingsFor(expressions, scope), poolKey: scope.workspaceId, signal });
  pending.forEach((slot, i) => {
    const outcome = outcomes[i] ?? { error: { message: "it was not evaluated" } };
    if ("error" in outcome) {
      const position = typeof outcome.error.position === "number" ? slot.where.offset + outcome.error.position : undefined;
      throw new ExpressionError({ ...slot.where, expression: slot.expression, position, reason: outcome.error.message });
    }
    slot.parts[slot.index] = outcome.value;
  });
}

/** A copy of `value` with each string replaced by `map(string)`, visiting strings in walkStrings' order. */
function mapStrings(value: unknown, map: (source: string) => unknown): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = mapStrings(value[i], map);
    return copy;
  }
  if (value && typeof value === "object") {
    // Plain loops, not Object.fromEntries over Object.entries: this runs for every item of every step.
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const mapped = mapStrings((value as Record<string, unknown>)[key], map);
      // An assignment to __proto__ would set the copy's prototype; it is defined as the key it is.
      if (key === "__proto__") Object.defineProperty(copy, key, { value: mapped, enumerable: true, writable: true, configurable: true });
      else copy[key] = mapped;
    }
    return copy;
  }
  return value;
}

/** A string that is one expression keeps its value's type; text with expressions in it becomes text. */
function joinParts({ parts, single }: Template): unknown {
  if (single) return normalize(parts[0]);
  return parts.map((v) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(normalize(v)))).join("");
}

/** JSONata marks sequences with extra properties; plain JSON goes on from here. */
function normalize(value: unknown): unknown {
  if (value === undefined || typeof value === "function") return undefined;
  if (Array.isArray(value) || (value && typeof value === "object")) return JSON.parse(JSON.stringify(value)) as unknown;
  return value;
}
