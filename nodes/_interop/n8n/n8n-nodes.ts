import { compatGaps } from "../../_kit/code-compat";
import { parseTemplate } from "../../_core/expressions";
import { literalText, translateParameterString } from "./n8n-expressions";

/**
 * How each n8n node type with a Streamware equivalent becomes one of ours, by its parameters and `typeVersion`.
 * A mapper returns null when this node's settings use something ours cannot do; the node then becomes a
 * placeholder, so nothing is lost.
 */
export interface N8nNode {
  id?: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

export interface MapContext {
  node: N8nNode;
  /** A parameter value in our form: expressions translated (or kept and reported), literal `{{` kept literal. */
  value(value: unknown, field: string): unknown;
  /** A parameter n8n reads as JSON once its expressions are filled in, as our value (see translateJsonParameter). */
  json(value: unknown, field: string): unknown;
  /** Something this node did in n8n that the mapped node does not do. */
  note(text: string): void;
  /** The name of the n8n credential of this n8n credential type, if the node has one. */
  credentialName(n8nType?: string): string | undefined;
}

export interface Mapped {
  type: string;
  config: Record<string, unknown>;
  /** n8n output index → our output port; absent indexes have no equivalent port. */
  outputs?: string[];
  /** n8n input index → our input port. */
  inputs?: string[];
  /** Our credential to connect: its type, the n8n credential type it replaces, or the name of a folded sub-node's. */
  credential?: { type: string; from?: string; name?: string };
}

export type Mapper = (ctx: MapContext) => Mapped | null;

const TYPE_PREFIXES = ["n8n-nodes-base.", "@n8n/n8n-nodes-langchain."];

/** The type without its package, such as "httpRequest". */
export function shortType(type: string): string {
  for (const prefix of TYPE_PREFIXES) if (type.startsWith(prefix)) return type.slice(prefix.length);
  return type;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/** A resource locator (`{ __rl: true, value }`) or a plain value. */
function locatorValue(value: unknown): unknown {
  const r = record(value);
  return "__rl" in r || "value" in r ? r.value : value;
}

/** Name/value pairs; a name written as an expression without `{{ }}` (`=Content-Type`) is the plain name. */
function keyValues(ctx: MapContext, entries: unknown[], field: string): { name: string; value: unknown }[] {
  return entries
    .map(record)
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => typeof e.name === "string" && e.name.replace(/^=/, "").trim() !== "")
    .map(({ e, i }) => ({ name: plainName(e.name) ?? (e.name as string), value: ctx.value(e.value ?? "", `${field}[${i}].value`) }));
}

// --- conditions (if, filter, switch) --------------------------------------------------------------------------

type Condition = { left: unknown; operator: string; right?: unknown };

/** n8n operations our If, Filter and Switch test the same way, by n8n's name. */
const NATIVE: Record<string, string> = {
  equals: "equals",
  notEquals: "notEquals",
  contains: "contains",
  notContains: "notContains",
  startsWith: "startsWith",
  endsWith: "endsWith",
  empty: "isEmpty",
  notEmpty: "isNotEmpty",
  gt: "greaterThan",
  gte: "greaterOrEqual",
  lt: "lessThan",
  lte: "lessOrEqual",
  true: "isTrue",
  false: "isFalse",
};

/** Version 1 operation names (if 1, switch 1–2) in the words of version 2. */
const V1_NAMES: Record<string, string> = {
  equal: "equals",
  notEqual: "notEquals",
  smaller: "lt",
  smallerEqual: "lte",
  larger: "gt",
  largerEqual: "gte",
  isEmpty: "empty",
  isNotEmpty: "notEmpty",
};

/** The nearest of our operators, for a condition whose value is an n8n expression kept as written. */
const NEAREST: Record<string, string> = { exists: "isNotEmpty", notExists: "isEmpty", after: "greaterThan", before: "lessThan", afterOrEquals: "greaterOrEqual", beforeOrEquals: "lessOrEqual", lengthGt: "greaterThan", lengthLt: "lessThan", lengthGte: "greaterOrEqual", lengthLte: "lessOrEqual", lengthEquals: "equals", lengthNotEquals: "notEquals" };

const LENGTH: Record<string, string> = { lengthEquals: "=", lengthNotEquals: "!=", lengthGt: ">", lengthLt: "<", lengthGte: ">=", lengthLte: "<=" };
const DATES: Record<string, string> = { after: ">", before: "<", afterOrEquals: ">=", beforeOrEquals: "<=", equals: "=", notEquals: "!=" };

/** A value in our form as JSONata: a lone expression's body, text joined with its expressions, or a literal. */
function jsonataOf(value: unknown): string | null {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return JSON.stringify(value);
  if (typeof value !== "string") return null;
  // An n8n expression kept as written (flagged) cannot be read as ours.
  if (value.startsWith("=")) return null;
  const parts = parseTemplate(value);
  if (!parts) return JSON.stringify(value);
  if (parts.length === 1 && "expression" in parts[0]!) return `(${parts[0].expression.trim()})`;
  return parts.map((part) => ("text" in part ? JSON.stringify(part.text) : `$string(${part.expression.trim()})`)).join(" & ");
}

/** A regular expression written as n8n reads it (`/source/flags` or just the source) as a JSONata regex. */
function regexOf(value: unknown): string | null {
  if (typeof value !== "string" || value.startsWith("=") || value.includes("{{")) return null;
  const [, source = value, written = ""] = /^\/(.*)\/([a-z]*)$/s.exec(value) ?? [];
  // A test matches or not: "global" changes nothing there; other flags than i and m JSONata does not know.
  const flags = written.replace("g", "");
  if (/[^im]/.test(flags)) return null;
  try {
    new RegExp(source, flags);
  } catch {
    return null;
  }
  return `/${source.replace(/(?<!\\)\//g, "\\/")}/${flags}`;
}

/**
 * One n8n condition (any version, in version 2's words) as ours: with our own operator when it tests the same
 * way, else as one JSONata test (regex, length, dates, case-insensitive, exists) checked by "isTrue". Null when it
 * cannot be said, with the reason noted.
 */
function n8nCondition(ctx: MapContext, args: { type: string; operation: string; left: unknown; right: unknown; ignoreCase: boolean; where: string }): Condition | null {
  const { type, operation, where } = args;
  const left = ctx.value(args.left ?? "", `${where}.left`);
  const unary = ["exists", "notExists", "empty", "notEmpty", "true", "false"].includes(operation);
  const right = unary ? undefined : ctx.value(args.right ?? "", `${where}.right`);
  const caseMatters = args.ignoreCase && type === "string" && ["equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "notStartsWith", "notEndsWith"].includes(operation);
  const dated = type === "dateTime" && operation in DATES;
  if (NATIVE[operation] && !caseMatters && !dated) return unary ? { left, operator: NATIVE[operation]! } : { left, operator: NATIVE[operation]!, right };
  const l = jsonataOf(left);
  const r = unary ? "null" : operation === "regex" || operation === "notRegex" ? regexOf(right) : jsonataOf(right);
  if (l === null || r === null) {
    // A kept n8n expression is flagged on its field already: the nearest test of ours stands beside it, said in the report.
    const nearest = NATIVE[operation] ?? NEAREST[operation];
    const kept = [left, right].some((v) => typeof v === "string" && v.startsWith("="));
    if (!kept || !nearest) {
      ctx.note(`its condition ${where} (${type} ${operation}) needs a value our expressions cannot give`);
      return null;
    }
    ctx.note(`its condition ${where} (${type} ${operation}) keeps n8n's expression and tests "${nearest}" for now; rewrite both together`);
    return unary ? { left, operator: nearest } : { left, operator: nearest, right };
  }
  const text = (v: string) => (caseMatters ? `$lowercase($string(${v}))` : `$string(${v})`);
  const tests: Record<string, string> = {
    exists: `$exists(${l}) and ${l} != null`,
    notExists: `$not($exists(${l}) and ${l} != null)`,
    regex: `$contains($string(${l}), ${r})`,
    notRegex: `$not($contains($string(${l}), ${r}))`,
    equals: `${text(l)} = ${text(r)}`,
    notEquals: `${text(l)} != ${text(r)}`,
    contains: `$contains(${text(l)}, ${text(r)})`,
    notContains: `$not($contains(${text(l)}, ${text(r)}))`,
    startsWith: `$substring(${text(l)}, 0, $length(${text(r)})) = ${text(r)}`,
    notStartsWith: `$substring(${text(l)}, 0, $length(${text(r)})) != ${text(r)}`,
    endsWith: `$length(${text(l)}) >= $length(${text(r)}) and $substring(${text(l)}, $length(${text(l)}) - $length(${text(r)})) = ${text(r)}`,
    notEndsWith: `$not($length(${text(l)}) >= $length(${text(r)}) and $substring(${text(l)}, $length(${text(l)}) - $length(${text(r)})) = ${text(r)})`,
  };
  let test: string | undefined;
  if (dated) test = `$toMillis($string(${l})) ${DATES[operation]} $toMillis($string(${r}))`;
  else if (LENGTH[operation]) test = `$count(${l}) ${LENGTH[operation]} ${r}`;
  else test = tests[operation];
  if (!test) {
    ctx.note(`its condition ${where} uses the ${type} operation "${operation}", which has no Streamware equivalent`);
    return null;
  }
  return { left: `{{ ${test} }}`, operator: "isTrue" };
}

/** Version 1 conditions: `{ string: [{ value1, operation, value2 }], number: […], boolean: […], dateTime: […] }`. */
function v1Conditions(ctx: MapContext, conditions: unknown, field: string): Condition[] | null {
  const out: Condition[] = [];
  for (const kind of ["boolean", "dateTime", "number", "string"]) {
    for (const [i, raw] of list(record(conditions)[kind]).entries()) {
      const c = record(raw);
      const named = (text(c.operation) ?? (kind === "number" ? "smaller" : kind === "dateTime" ? "after" : "equal")).replace(/^=/, "");
      const fallback = kind === "boolean" ? false : kind === "number" ? 0 : "";
      const condition = n8nCondition(ctx, { type: kind, operation: V1_NAMES[named] ?? named, left: c.value1 ?? fallback, right: c.value2 ?? fallback, ignoreCase: false, where: `${field}.${kind}[${i}]` });
      if (!condition) return null;
      out.push(condition);
    }
  }
  return out;
}

/** Version 2 conditions (if 2, filter 2, switch 3): `{ conditions: [{ leftValue, rightValue, operator }], combinator, options }`. */
function v2Conditions(ctx: MapContext, value: unknown, field: string, ignoreCase = false): { conditions: Condition[]; combine: "and" | "or" } | null {
  const group = record(value);
  const ignore = ignoreCase || record(group.options).caseSensitive === false;
  const out: Condition[] = [];
  // Left as n8n creates it, the list holds one empty string equal to an empty string: every item passes.
  const written = group.conditions === undefined ? [{ leftValue: "", rightValue: "", operator: { type: "string", operation: "equals" } }] : list(group.conditions);
  for (const [i, raw] of written.entries()) {
    const c = record(raw);
    const op = record(c.operator);
    const condition = n8nCondition(ctx, { type: text(op.type) ?? "string", operation: text(op.operation) ?? "equals", left: c.leftValue, right: c.rightValue, ignoreCase: ignore, where: `${field}.conditions[${i}]` });
    if (!condition) return null;
    out.push(condition);
  }
  return { conditions: out, combine: group.combinator === "or" ? "or" : "and" };
}

/** Several conditions as one test, for a switch rule (ours has one condition per rule). */
function oneCondition(ctx: MapContext, parsed: { conditions: Condition[]; combine: "and" | "or" }, where: string): Condition | null {
  if (parsed.conditions.length === 1) return parsed.conditions[0]!;
  const tests: string[] = [];
  for (const c of parsed.conditions) {
    const test = conditionTest(c);
    if (test === null) {
      ctx.note(`rule ${where} has several conditions, and one of them reads a value our expressions cannot`);
      return null;
    }
    tests.push(`(${test})`);
  }
  return { left: `{{ ${tests.join(` ${parsed.combine} `)} }}`, operator: "isTrue" };
}

/** One of our conditions as a JSONata test, as our If would judge it. */
function conditionTest(c: Condition): string | null {
  const l = jsonataOf(c.left);
  const r = c.right === undefined ? "null" : jsonataOf(c.right);
  if (l === null || r === null) return null;
  const empty = `(${l} = null or ${l} = "" or ($type(${l}) = "array" and $count(${l}) = 0) or ($type(${l}) = "object" and $count($keys(${l})) = 0))`;
  const forms: Record<string, string> = {
    equals: `${l} = ${r}`,
    notEquals: `${l} != ${r}`,
    greaterThan: `$number(${l}) > $number(${r})`,
    greaterOrEqual: `$number(${l}) >= $number(${r})`,
    lessThan: `$number(${l}) < $number(${r})`,
    lessOrEqual: `$number(${l}) <= $number(${r})`,
    contains: `$contains($string(${l}), $string(${r}))`,
    notContains: `$not($contains($string(${l}), $string(${r})))`,
    startsWith: `$substring($string(${l}), 0, $length($string(${r}))) = $string(${r})`,
    endsWith: `$substring($string(${l}), $length($string(${l})) - $length($string(${r}))) = $string(${r})`,
    isEmpty: empty,
    isNotEmpty: `$not${empty}`,
    isTrue: `${l} = true or ${l} = "true"`,
    isFalse: `${l} = false or ${l} = "false"`,
  };
  return forms[c.operator] ?? null;
}

const ifMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  // Some exports carry version 1's condition lists under a later version; they are read as written.
  const v1Shaped = ["boolean", "dateTime", "number", "string"].some((kind) => Array.isArray(record(p.conditions)[kind]));
  if (ctx.node.typeVersion >= 2 && !v1Shaped) {
    const parsed = v2Conditions(ctx, p.conditions, "conditions", record(p.options).ignoreCase === true);
    if (!parsed || parsed.conditions.length === 0) return null;
    return { type: "core.if", config: parsed, outputs: ["true", "false"] };
  }
  const conditions = v1Conditions(ctx, p.conditions, "conditions");
  if (!conditions || conditions.length === 0) return null;
  return { type: "core.if", config: { conditions, combine: p.combineOperation === "any" ? "or" : "and" }, outputs: ["true", "false"] };
};

const filterMapper: Mapper = (ctx) => {
  const mapped = ifMapper(ctx);
  if (!mapped) return null;
  ctx.note("Filter became an If: the items it kept leave by \"true\"; its discarded items by \"false\"");
  return { ...mapped, outputs: ["true", "false"] };
};

/** Switch in expression mode: the expression gives the output's index, one rule per output. */
function switchByIndex(ctx: MapContext, count: number, expression: unknown, field: string): Mapped | null {
  const left = ctx.value(expression ?? "", field);
  if (count < 1 || count > 20) return null;
  const rules = Array.from({ length: count }, (_, k) => ({ left, operator: "equals", right: k }));
  return { type: "core.switch", config: { rules, mode: "first", fallback: false }, outputs: rules.map((_, k) => `rule-${k + 1}`) };
}

const switchMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const options = record(p.options);
  if (p.mode === "expression") return switchByIndex(ctx, numberOr(p.numberOutputs, 4), p.output, "output");
  const rules: Condition[] = [];
  if (ctx.node.typeVersion >= 3) {
    for (const [i, raw] of list(record(p.rules).values).entries()) {
      const parsed = v2Conditions(ctx, record(raw).conditions, `rules.values[${i}].conditions`, options.ignoreCase === true);
      const rule = parsed && oneCondition(ctx, parsed, `${i + 1}`);
      if (!rule) return null;
      rules.push(rule);
    }
    const fallback = options.fallbackOutput;
    if (typeof fallback === "number" && fallback >= 0 && fallback < rules.length) {
      // Unmatched items join that rule's output: its test becomes "this rule, or none of them".
      const tests = rules.map(conditionTest);
      if (tests.some((t) => t === null)) {
        ctx.note("its unmatched items went to one of its rules' outputs, and a rule reads a value our expressions cannot");
        return null;
      }
      rules[fallback] = { left: `{{ (${tests[fallback]}) or $not(${tests.map((t) => `(${t})`).join(" or ")}) }}`, operator: "isTrue" };
    } else if (rules.length === 0 || (fallback !== undefined && fallback !== "none" && fallback !== "extra")) return null;
    const outputs = rules.map((_, i) => `rule-${i + 1}`);
    return { type: "core.switch", config: { rules, mode: options.allMatchingOutputs ? "all" : "first", fallback: fallback === "extra" }, outputs: fallback === "extra" ? [...outputs, "fallback"] : outputs };
  }
  // Versions 1 and 2: one value compared with each rule's value, each rule naming its output.
  const dataType = typeof p.dataType === "string" ? p.dataType : "number";
  const outputs: string[] = [];
  for (const [i, raw] of list(record(p.rules).rules).entries()) {
    const r = record(raw);
    const named = (text(r.operation) ?? "equal").replace(/^=/, "");
    const output = typeof r.output === "number" ? r.output : i;
    if (outputs[output] !== undefined) {
      ctx.note("two of its rules share an output; ours give each rule its own");
      return null;
    }
    const rule = n8nCondition(ctx, { type: dataType, operation: V1_NAMES[named] ?? named, left: p.value1, right: r.value2, ignoreCase: false, where: `rules.rules[${i}]` });
    if (!rule) return null;
    rules.push(rule);
    outputs[output] = `rule-${rules.length}`;
  }
  if (rules.length === 0) return null;
  const fallbackOutput = typeof p.fallbackOutput === "number" && p.fallbackOutput >= 0 ? p.fallbackOutput : -1;
  if (fallbackOutput >= 0) {
    if (outputs[fallbackOutput] !== undefined) return null;
    outputs[fallbackOutput] = "fallback";
  }
  return { type: "core.switch", config: { rules, mode: "first", fallback: fallbackOutput >= 0 }, outputs: Array.from(outputs, (o) => o ?? "") };
};

// --- data -------------------------------------------------------------------------------------------------------

/**
 * A Set field of n8n's declared type (3.0 on): a literal is converted here (JSON text read as the list or object it
 * spells); a value given by an expression keeps the type, for our Set converts it as n8n did when it runs.
 */
function typedField(ctx: MapContext, args: { name: string; type: string; value: unknown; field: string }): { name: string; value: unknown; type?: string } {
  const { name, type, value, field } = args;
  const known = ["string", "number", "boolean", "array", "object"].includes(type);
  const mapped = (type === "object" || type === "array") && typeof value === "string" ? ctx.json(value, field) : ctx.value(value, field);
  const literal = typeof value !== "string" || !value.startsWith("=");
  if (literal && typeof mapped === "string" && !mapped.includes("{{") && mapped.trim() !== "") {
    if (type === "number" && Number.isFinite(Number(mapped))) return { name, value: Number(mapped) };
    if (type === "boolean" && ["true", "false"].includes(mapped.trim().toLowerCase())) return { name, value: mapped.trim().toLowerCase() === "true" };
  }
  const settled = literal && typeof mapped !== "string" ? true : type === "string" && literal;
  return known && !settled ? { name, value: mapped, type } : { name, value: mapped };
}

/** A name our Set writes as a path; any other (spaces, empty steps) is set as it is through "Fields from JSON". */
const SET_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

const setMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const v = ctx.node.typeVersion;
  const options = record(p.options);
  const named: { name: string; value: unknown; type?: string }[] = [];
  if (v >= 3 && p.mode === "raw") {
    const json = ctx.json(p.jsonOutput ?? "{}", "jsonOutput");
    const include = p.includeOtherFields === true ? (typeof p.include === "string" ? p.include : "all") : "none";
    if (include === "selected" || include === "except") ctx.note(`n8n kept ${include === "selected" ? "only some" : "all but some"} of the other fields; our Set keeps all of them`);
    return { type: "core.set", config: { json, fields: [], keepOnlySet: include === "none" } };
  }
  if (v < 3) {
    for (const kind of ["boolean", "number", "string"]) named.push(...keyValues(ctx, list(record(p.values)[kind]), `values.${kind}`));
  } else if (v >= 3.3) {
    for (const [i, raw] of list(record(p.assignments).assignments).entries()) {
      const a = record(raw);
      if (typeof a.name !== "string" || a.name === "") continue;
      named.push(typedField(ctx, { name: a.name, type: text(a.type) ?? "string", value: a.value ?? "", field: `assignments.assignments[${i}].value` }));
    }
  } else {
    for (const [i, raw] of list(record(p.fields).values).entries()) {
      const f = record(raw);
      if (typeof f.name !== "string" || f.name === "") continue;
      const type = typeof f.type === "string" ? f.type : "stringValue";
      const key = type.endsWith("Value") ? type : `${type}Value`;
      named.push(typedField(ctx, { name: f.name, type: key.slice(0, -"Value".length), value: f[key] ?? "", field: `fields.values[${i}].${key}` }));
    }
  }
  // With dot notation off (or a name no path can spell), n8n set the name as it is.
  const literalNames = options.dotNotation === false;
  const fields = named.filter((f) => !literalNames && SET_PATH.test(f.name));
  const asNamed = named.filter((f) => !fields.includes(f));
  const json = asNamed.length > 0 ? { json: Object.fromEntries(asNamed.map((f) => [f.name, f.value])) } : {};
  if (v < 3) return { type: "core.set", config: { ...json, fields, keepOnlySet: p.keepOnlySet === true } };
  const include = v >= 3.3 ? (p.includeOtherFields === true ? (typeof p.include === "string" ? p.include : "all") : "none") : typeof p.include === "string" ? p.include : "all";
  if (include === "selected" || include === "except") ctx.note(`n8n kept ${include === "selected" ? "only some" : "all but some"} of the other fields; our Set keeps all of them`);
  const typed = fields.filter((f) => f.type);
  const types = typed.length > 0 ? { types: Object.fromEntries(typed.map((f) => [f.name, f.type])) } : {};
  const lenient = options.ignoreConversionErrors === true && typed.length > 0 ? { keepUnconverted: true } : {};
  return { type: "core.set", config: { ...json, fields: fields.map(({ name, value }) => ({ name, value })), keepOnlySet: include === "none", ...types, ...lenient } };
};

const noOpMapper: Mapper = () => ({ type: "core.set", config: { fields: [], keepOnlySet: false } });

/** n8n's join modes (version 2 on) and what each keeps, by where its output data comes from. */
function mergeJoin(joinMode: string, from: string): string | null {
  if (joinMode === "keepMatches") return from === "input1" ? "matchedA" : from === "input2" ? "matchedB" : "inner";
  if (joinMode === "keepNonMatches") return from === "input1" ? "unmatchedA" : from === "input2" ? "unmatchedB" : "unmatched";
  return { keepEverything: "outer", enrichInput1: "left", enrichInput2: "right" }[joinMode] ?? null;
}

const mergeMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const v = ctx.node.typeVersion;
  const options = record(p.options);
  const mode = typeof p.mode === "string" ? p.mode : "append";
  const count = typeof p.numberInputs === "number" ? p.numberInputs : 2;
  if (count < 2 || count > 10) {
    ctx.note(`it has ${count} inputs; ours takes 2 to 10`);
    return null;
  }
  const inputs = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].slice(0, count);
  const merged = (config: Record<string, unknown>): Mapped => ({ type: "core.merge", config: count > 2 ? { ...config, inputs: count } : config, inputs });
  if (mode === "append") return merged({ mode: "append" });
  if (mode === "chooseBranch" || mode === "passThrough" || mode === "wait") {
    const output = text(p.output) ?? "specifiedInput";
    if (output === "empty" || mode === "wait") {
      ctx.note("it answered with one empty item once all inputs arrived; ours passes an input's items on");
      return null;
    }
    const use = v >= 3 ? numberOr(p.useDataOfInput, 1) : output === "input2" ? 2 : 1;
    return merged({ mode: "choose", use });
  }
  // Version 1's mode names (merge by index or position) are read as what they name under any version.
  const v1Mode = mode === "mergeByPosition" || mode === "mergeByIndex" || mode === "multiplex";
  const combineBy = v >= 2 && !v1Mode ? (text(p.combineBy) ?? text(p.combinationMode) ?? "combineByFields") : mode;
  if (combineBy === "combineByPosition" || combineBy === "mergeByPosition" || combineBy === "mergeByIndex") {
    const join = v >= 2 ? (options.includeUnpaired === true ? "outer" : "inner") : (text(p.join) ?? "inner");
    if (join === "left") {
      ctx.note("its left join by position (every item of input 1, however many input 2 has) has no Streamware equivalent");
      return null;
    }
    return merged({ mode: "byPosition", unpaired: join === "inner" ? "drop" : "keep" });
  }
  if (combineBy === "combineAll" || combineBy === "multiplex") return merged({ mode: "everyPair" });
  if (combineBy === "combineBySql" || mode === "combineBySql") {
    ctx.note("it combined its inputs with an SQL query, which our merge cannot run");
    return null;
  }
  // By matching fields: version 1 named one key per side; later versions a list of pairs, or one list for both.
  const pairs = list(record(p.fieldsToMatch ?? p.mergeByFields).values).map(record);
  const same = v >= 3 && p.advanced !== true ? (text(p.fieldsToMatchString) ?? "").split(",").map((f) => f.trim()).filter(Boolean) : [];
  const keys = v < 2 ? [text(p.propertyName1)] : same.length > 0 ? same : pairs.map((pair) => text(pair.field1));
  const keysB = v < 2 ? [text(p.propertyName2)] : same.length > 0 ? same : pairs.map((pair) => text(pair.field2));
  const usable = (names: (string | undefined)[]): names is string[] => names.length > 0 && names.every((k) => !!k && !k.startsWith("=") && !k.includes(","));
  if (!usable(keys) || !usable(keysB)) {
    ctx.note("its fields to match are missing or set by an expression");
    return null;
  }
  let join: string | null;
  if (v < 2) join = { mergeByKey: "left", keepKeyMatches: "matchedA", removeKeyMatches: "unmatchedA" }[mode] ?? null;
  else join = mergeJoin(text(p.joinMode) ?? "keepMatches", text(p.outputDataFrom) ?? "both");
  if (!join) {
    ctx.note(`its "${String(p.joinMode ?? mode)}" mode has no Streamware equivalent`);
    return null;
  }
  if (count > 2) {
    ctx.note("matching fields takes two inputs; it had more");
    return null;
  }
  const clash = text(record(record(options.clashHandling).values).resolveClash);
  if (clash && clash !== "preferInput2") ctx.note(`on a clash n8n kept ${clash === "preferInput1" ? "input 1's" : "both sides'"} field; ours keeps input 2's`);
  if (options.multipleMatches === "first") ctx.note("n8n joined only the first match; ours joins every match");
  if (options.fuzzyCompare === true) ctx.note("n8n compared keys loosely (\"1\" matched 1); ours compares value and type");
  const config: Record<string, unknown> = { mode: "byKey", key: keys.join(", "), join };
  if (keysB.join(",") !== keys.join(",")) config.keyB = keysB.join(", ");
  return merged(config);
};

const codeMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (p.language !== undefined && p.language !== "javaScript") {
    // Counting it mapped would claim it runs; as a placeholder it keeps the source in its parameters and says why.
    const language = String(p.language).startsWith("python") ? "Python" : String(p.language);
    ctx.note(`its ${language} code has no Streamware equivalent; rewrite it in JavaScript in a Code node (the placeholder keeps the ${language} source)`);
    return null;
  }
  const code = text(p.jsCode) ?? text(p.functionCode);
  if (!code) return null;
  for (const gap of compatGaps("n8n", code)) ctx.note(gap);
  return { type: "core.code", config: { code, compat: "n8n", ...(p.mode === "runOnceForEachItem" ? { perItem: true } : {}) } };
};

function generatedCode(code: string): Mapped {
  return { type: "core.code", config: { code } };
}

const splitOutMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const options = record(p.options);
  const fields = (text(p.fieldToSplitOut) ?? "").split(",").map((f) => f.trim()).filter(Boolean);
  if (fields.length === 0 || fields.some((f) => f.startsWith("=") || f.includes("{{"))) {
    ctx.note("its field to split out is missing or built by an expression");
    return null;
  }
  const destination = text(options.destinationFieldName)?.trim();
  const names = fields.map((f) => (destination && fields.length === 1 ? destination : f.split(".").at(-1)!));
  const include = text(p.include) ?? "noOtherFields";
  const kept = include === "selectedOtherFields" ? (text(p.fieldsToInclude) ?? "").split(",").map((f) => f.trim()).filter(Boolean) : [];
  if (include === "selectedOtherFields" && kept.length === 0) return null;
  const base =
    include === "allOtherFields"
      ? `const base = { ...item.json };\n  for (const path of paths) if (path.length === 1) delete base[path[0]];`
      : include === "selectedOtherFields"
        ? `const base = Object.fromEntries(${JSON.stringify(kept)}.filter((name) => name in item.json).map((name) => [name, item.json[name]]));`
        : "const base = {};";
  return generatedCode(
    `// Split out ${fields.map((f) => JSON.stringify(f)).join(", ")}: one item per entry${fields.length > 1 ? ", entry k of each list together" : ""}.\nconst paths = ${JSON.stringify(fields.map((f) => f.split(".")))};\nconst names = ${JSON.stringify(names)};\nconst read = (json, path) => path.reduce((value, key) => (value == null ? undefined : value[key]), json);\nconst isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);\nreturn items.flatMap((item) => {\n  ${base}\n  const lists = paths.map((path) => {\n    const list = read(item.json, path);\n    return Array.isArray(list) ? list : list == null ? [] : [list];\n  });\n  const count = Math.max(0, ...lists.map((list) => list.length));\n  return Array.from({ length: count }, (_, k) =>\n    lists.length === 1 && isObject(lists[0][k]) ? { ...base, ...lists[0][k] } : { ...base, ...Object.fromEntries(names.map((name, i) => [name, lists[i][k]])) },\n  );\n});`,
  );
};

const aggregateMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (p.aggregate === "aggregateAllItemData") {
    const to = text(p.destinationFieldName) ?? "data";
    if (p.include !== undefined && p.include !== "allFields") ctx.note("n8n kept only some fields of each item; every field is kept");
    return generatedCode(`// Aggregate every item into one list.\nreturn [{ ${JSON.stringify(to)}: items.map((item) => item.json) }];`);
  }
  const fields = list(record(p.fieldsToAggregate).fieldToAggregate).map(record);
  const names = fields.map((f) => text(f.fieldToAggregate)).filter((f): f is string => !!f && !f.startsWith("="));
  if (names.length === 0 || names.length !== fields.length) return null;
  const entries = fields.map((f) => [text(f.fieldToAggregate)!, f.renameField === true && text(f.outputFieldName) ? text(f.outputFieldName)! : text(f.fieldToAggregate)!]);
  const options = record(p.options);
  const values = `items.map((item) => read(item.json, from))${options.keepMissing === true ? "" : ".filter((value) => value !== undefined)"}${options.mergeLists === true ? ".flat()" : ""}`;
  return generatedCode(
    `// Aggregate fields into lists.\nconst fields = ${JSON.stringify(entries)};\nconst read = (json, path) => path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), json);\nconst out = {};\nfor (const [from, to] of fields) out[to] = ${values};\nreturn [out];`,
  );
};

const executeWorkflowMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (p.source !== undefined && p.source !== "database") {
    ctx.note(`it ran a workflow given by ${String(p.source)}; ours runs a flow of the workspace`);
    return null;
  }
  const id = text(locatorValue(p.workflowId));
  if (!id) {
    ctx.note("it names no workflow to run");
    return null;
  }
  ctx.note(`it called n8n workflow "${id}"; choose the Streamware flow to run instead`);
  return { type: "core.execute-flow", config: { flowId: id } };
};

// --- triggers ---------------------------------------------------------------------------------------------------

const WEBHOOK_PATH = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/;

const webhookMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const raw = text(p.path) ?? "";
  let path = raw.replace(/^\/+/, "");
  if (!WEBHOOK_PATH.test(path)) {
    path = path.replace(/:/g, "").replace(/[^A-Za-z0-9_./-]/g, "-").replace(/\/+/g, "/").replace(/^[^A-Za-z0-9]+/, "").replace(/\/$/, "") || (ctx.node.id ?? "webhook").replace(/[^A-Za-z0-9_-]/g, "");
    if (raw) ctx.note(`its path "${raw}" became "${path}": path parameters (":id") are not matched by our webhooks`);
  }
  const methods = (Array.isArray(p.httpMethod) ? p.httpMethod : [p.httpMethod ?? "GET"]).filter((m): m is string => typeof m === "string");
  const respond = p.responseMode === "responseNode" ? "respondNode" : p.responseMode === "lastNode" ? "lastNode" : "immediately";
  if (p.authentication !== undefined && p.authentication !== "none") ctx.note(`n8n's ${String(p.authentication)} is not carried over; choose our header token or HMAC authentication`);
  return { type: "core.webhook", config: { path, methods: [...new Set(methods.map((m) => m.toUpperCase()))], respond } };
};

const respondMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const options = record(p.options);
  const status = typeof options.responseCode === "number" ? options.responseCode : 200;
  const headers = keyValues(ctx, list(record(options.responseHeaders).entries), "options.responseHeaders.entries");
  const respondWith = typeof p.respondWith === "string" ? p.respondWith : "firstIncomingItem";
  const config: Record<string, unknown> = { status, headers };
  if (respondWith === "json") config.body = ctx.json(p.responseBody ?? "{}", "responseBody");
  else if (respondWith === "text") config.body = ctx.value(p.responseBody ?? "", "responseBody");
  else if (respondWith === "noData") config.body = " ";
  else if (respondWith === "allIncomingItems") config.allItems = true;
  else if (respondWith === "binary") {
    const named = p.responseDataSource === "set" ? plainName(p.inputFieldName) : undefined;
    if (!named) ctx.note("n8n answered with the item's first file; ours answers with its file \"data\", check the name");
    config.file = named ?? "data";
  }
  else if (respondWith === "redirect") {
    Object.assign(config, { status: typeof options.responseCode === "number" ? status : 307, body: " " });
    config.headers = [...headers, { name: "Location", value: ctx.value(p.redirectURL ?? "", "redirectURL") }];
  } else if (respondWith !== "firstIncomingItem") {
    ctx.note(`answering with ${respondWith} has no Streamware equivalent yet; ours answers with items or a body`);
    return null;
  }
  if (options.responseKey !== undefined) ctx.note("n8n answered with one field of the item (its response key); ours answers with the whole item");
  return { type: "core.respond-to-webhook", config };
};

/** n8n keeps JSON bodies as text; ours may be the value itself. */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string" || value.startsWith("=")) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const manualMapper: Mapper = () => ({ type: "core.manual-trigger", config: {} });

const errorTriggerMapper: Mapper = (ctx) => {
  ctx.note("this was an error workflow: its runs now start by hand; choose this flow as other flows' error flow in their settings");
  return manualMapper(ctx);
};

const executeWorkflowTriggerMapper: Mapper = (ctx) => {
  ctx.note("started by other workflows in n8n; our execute-flow runs this flow from its trigger");
  return manualMapper(ctx);
};

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** scheduleTrigger's first rule as cron. */
function scheduleRuleCron(rule: Record<string, unknown>): string | null {
  const field = typeof rule.field === "string" ? rule.field : "days";
  const minute = numberOr(rule.triggerAtMinute, 0);
  const hour = numberOr(rule.triggerAtHour, 0);
  switch (field) {
    case "cronExpression":
      return typeof rule.expression === "string" && !rule.expression.startsWith("=") ? rule.expression.trim() : null;
    case "seconds":
      return `*/${numberOr(rule.secondsInterval, 30)} * * * * *`;
    case "minutes":
      return `*/${numberOr(rule.minutesInterval, 5)} * * * *`;
    case "hours":
      return `${minute} */${numberOr(rule.hoursInterval, 1)} * * *`;
    case "days":
      return `${minute} ${hour} */${numberOr(rule.daysInterval, 1)} * *`;
    case "weeks": {
      const days = list(rule.triggerAtDay).filter((d): d is number => typeof d === "number" && d >= 0 && d <= 6);
      if (numberOr(rule.weeksInterval, 1) !== 1) return null;
      return `${minute} ${hour} * * ${days.length ? days.join(",") : "0"}`;
    }
    case "months":
      if (numberOr(rule.monthsInterval, 1) < 1) return null;
      return `${minute} ${hour} ${numberOr(rule.triggerAtDayOfMonth, 1)} */${numberOr(rule.monthsInterval, 1)} *`;
    default:
      return null;
  }
}

const scheduleMapper: Mapper = (ctx) => {
  const rules = list(record(ctx.node.parameters.rule).interval).map(record);
  const cron = scheduleRuleCron(rules[0] ?? {});
  if (!cron) {
    ctx.note("its schedule (every few weeks, or a cron expression built by an expression) has no cron form");
    return null;
  }
  if (rules.length > 1) ctx.note(`it had ${rules.length} schedules; only the first is kept, add a schedule node for each other one`);
  return { type: "core.schedule", config: { cron: cron.replace(/\*\/1 /g, "* ") } };
};

/** The legacy cron node's first trigger time as cron. */
function cronItem(item: Record<string, unknown>): string | null {
  const minute = numberOr(item.minute, 0);
  const hour = numberOr(item.hour, 14);
  switch (item.mode) {
    case "everyMinute":
      return "* * * * *";
    case "everyHour":
      return `${minute} * * * *`;
    case "everyDay":
    case undefined:
      return `${minute} ${hour} * * *`;
    case "everyWeek":
      return `${minute} ${hour} * * ${WEEKDAYS[numberOr(item.weekday, 1)] ? numberOr(item.weekday, 1) : 1}`;
    case "everyMonth":
      return `${minute} ${hour} ${numberOr(item.dayOfMonth, 1)} * *`;
    case "everyX":
      return item.unit === "hours" ? `0 */${numberOr(item.value, 2)} * * *` : `*/${numberOr(item.value, 2)} * * * *`;
    case "custom":
      return typeof item.cronExpression === "string" ? item.cronExpression.trim() : null;
    default:
      return null;
  }
}

const cronMapper: Mapper = (ctx) => {
  const items = list(record(ctx.node.parameters.triggerTimes).item).map(record);
  const cron = cronItem(items[0] ?? {});
  if (!cron) return null;
  if (items.length > 1) ctx.note(`it had ${items.length} trigger times; only the first is kept`);
  return { type: "core.schedule", config: { cron } };
};

const waitMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (p.resume !== undefined && p.resume !== "timeInterval") {
    ctx.note(`waiting for ${String(p.resume)} has no Streamware equivalent yet`);
    return null;
  }
  const amount = numberOr(p.amount, 1);
  const unit = typeof p.unit === "string" ? p.unit : ctx.node.typeVersion >= 1.1 ? "seconds" : "hours";
  const factor = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[unit];
  if (!factor) return null;
  const ms = Math.round(amount * factor);
  if (ms > 3_600_000) {
    ctx.note("it waits longer than an hour, the longest our delay waits");
    return null;
  }
  return { type: "core.delay", config: { ms } };
};

// --- messaging and network --------------------------------------------------------------------------------------

/** A name n8n allowed to be written as an expression (`=data`) that is plain once its `=` is gone. */
function plainName(value: unknown): string | undefined {
  const name = text(value)?.replace(/^=/, "").trim();
  return name && !name.includes("{{") ? name : undefined;
}

/** Form fields and files as our multipart parts, or null when a name is built by an expression. */
function multipartParts(ctx: MapContext, fields: { name: string; value: unknown }[], files: { name: unknown; file: unknown }[]): Record<string, unknown>[] | null {
  const parts: Record<string, unknown>[] = fields.map((f) => ({ name: f.name, value: typeof f.value === "string" || typeof f.value === "number" || typeof f.value === "boolean" ? f.value : JSON.stringify(f.value) }));
  for (const f of files) {
    const name = plainName(f.name);
    const file = plainName(f.file) ?? "data";
    if (!name) {
      ctx.note("the name of one of its form's files is built by an expression");
      return null;
    }
    parts.push({ name, file });
  }
  return parts;
}

/** Versions 1 and 2: `requestMethod`, `*ParametersUi` (or JSON text), the body's type under options, binary data. */
function httpV1(ctx: MapContext): Mapped | null {
  const p = ctx.node.parameters;
  const options = record(p.options);
  const method = typeof p.requestMethod === "string" ? p.requestMethod.replace(/^=/, "").trim().toUpperCase() : "GET";
  const config: Record<string, unknown> = { method, url: ctx.value(p.url ?? "", "url") };
  const asJson = p.jsonParameters === true;
  const pairs = (ui: string, json: string) => (asJson ? jsonPairs(p[json] ?? "{}") : list(record(p[ui]).parameter));
  const query = pairs("queryParametersUi", "queryParametersJson");
  const headers = pairs("headerParametersUi", "headerParametersJson");
  if (!query || !headers) {
    ctx.note("its query or headers are JSON built by an expression");
    return null;
  }
  config.query = keyValues(ctx, query, asJson ? "queryParametersJson" : "queryParametersUi.parameter");
  config.headers = keyValues(ctx, headers, asJson ? "headerParametersJson" : "headerParametersUi.parameter");
  const contentType = text(options.bodyContentType) ?? "json";
  const fields = asJson ? null : keyValues(ctx, list(record(p.bodyParametersUi).parameter), "bodyParametersUi.parameter");
  if (p.sendBinaryData === true) {
    const property = text(p.binaryPropertyName) ?? "data";
    if (contentType === "multipart-form-data") {
      // "name:file" pairs, comma-separated; a bare file name is sent under its own name.
      const files = property.split(",").map((entry) => entry.trim()).filter(Boolean).map((entry) => (entry.includes(":") ? { name: entry.split(":")[0], file: entry.split(":")[1] } : { name: entry, file: entry }));
      const parts = multipartParts(ctx, fields ?? [], files);
      if (!parts) return null;
      Object.assign(config, { bodyMode: "multipart", parts });
    } else Object.assign(config, { bodyMode: "file", file: plainName(property) ?? "data" });
  } else if (asJson ? p.bodyParametersJson !== undefined && p.bodyParametersJson !== "" : fields!.length > 0) {
    const body = asJson ? ctx.json(p.bodyParametersJson, "bodyParametersJson") : Object.fromEntries(fields!.map((f) => [f.name, f.value]));
    if (contentType === "multipart-form-data") {
      if (!fields) {
        ctx.note("its multipart form is given as JSON text; name its fields one by one");
        return null;
      }
      Object.assign(config, { bodyMode: "multipart", parts: multipartParts(ctx, fields, []) });
    } else Object.assign(config, { bodyMode: contentType === "form-urlencoded" ? "form" : contentType === "raw" ? "text" : "json", body });
  }
  if (typeof options.timeout === "number") config.timeoutMs = Math.min(300_000, Math.max(1, options.timeout));
  if (options.followRedirect === false) config.followRedirects = false;
  if (p.responseFormat === "string") config.responseFormat = "text";
  if (p.responseFormat === "file") config.responseFormat = "binary";
  return httpAuthentication(ctx, dropGetBody(ctx, responseItems(ctx, config, options.fullResponse === true)));
}

/** Version 3 on: `method`, `send*` switches with parameters or JSON, the body's content type, options. */
function httpV3(ctx: MapContext): Mapped | null {
  const p = ctx.node.parameters;
  const options = record(p.options);
  const config: Record<string, unknown> = { method: typeof p.method === "string" ? p.method.replace(/^=/, "").trim().toUpperCase() : "GET", url: ctx.value(p.url ?? "", "url") };
  if (p.sendQuery === true) {
    const pairs = p.specifyQuery === "json" ? jsonPairs(p.jsonQuery) : list(record(p.queryParameters).parameters);
    if (!pairs) {
      ctx.note("its query is JSON built by an expression; ours names each parameter");
      return null;
    }
    config.query = keyValues(ctx, pairs, p.specifyQuery === "json" ? "jsonQuery" : "queryParameters.parameters");
  }
  if (p.sendHeaders === true) {
    const pairs = p.specifyHeaders === "json" ? jsonPairs(p.jsonHeaders) : list(record(p.headerParameters).parameters);
    if (!pairs) {
      ctx.note("its headers are JSON built by an expression; ours names each header");
      return null;
    }
    config.headers = keyValues(ctx, pairs, p.specifyHeaders === "json" ? "jsonHeaders" : "headerParameters.parameters");
  }
  if (p.sendBody === true) {
    const contentType = typeof p.contentType === "string" ? p.contentType : "json";
    const parameters = list(record(p.bodyParameters).parameters).map(record);
    if (contentType === "json" || contentType === "form-urlencoded") {
      config.bodyMode = contentType === "json" ? "json" : "form";
      if (p.specifyBody === "json") config.body = ctx.json(p.jsonBody ?? "{}", "jsonBody");
      else if (p.specifyBody === "string") config.body = ctx.value(p.body ?? "", "body");
      else config.body = Object.fromEntries(keyValues(ctx, parameters, "bodyParameters.parameters").map((f) => [f.name, f.value]));
    } else if (contentType === "raw") {
      config.bodyMode = "text";
      config.body = ctx.value(p.body ?? "", "body");
      const type = text(p.rawContentType);
      if (type && !type.startsWith("=") && !list(config.headers).some((h) => /^content-type$/i.test(String(record(h).name)))) config.headers = [...list(config.headers), { name: "Content-Type", value: type }];
    } else if (contentType === "multipart-form-data") {
      const isFile = (f: Record<string, unknown>) => f.parameterType === "formBinaryData";
      const fields = keyValues(ctx, parameters.filter((f) => !isFile(f)), "bodyParameters.parameters");
      const parts = multipartParts(ctx, fields, parameters.filter(isFile).map((f) => ({ name: f.name, file: f.inputDataFieldName })));
      if (!parts) return null;
      Object.assign(config, { bodyMode: "multipart", parts });
    } else if (contentType === "binaryData") {
      Object.assign(config, { bodyMode: "file", file: plainName(p.inputDataFieldName) ?? "data" });
    } else {
      ctx.note(`its ${contentType} body has no Streamware equivalent yet`);
      return null;
    }
  }
  if (typeof options.timeout === "number") config.timeoutMs = Math.min(300_000, Math.max(1, options.timeout));
  const response = record(record(options.response).response);
  if (response.neverError === true) config.failOnStatus = false;
  if (response.responseFormat === "text") config.responseFormat = "text";
  if (response.responseFormat === "file") config.responseFormat = "binary";
  if (response.responseFormat === "json") config.responseFormat = "json";
  if (record(record(options.redirect).redirect).followRedirects === false) config.followRedirects = false;
  if (record(options.batching).batch !== undefined || options.pagination !== undefined) ctx.note("batching and pagination are not carried over");
  return httpAuthentication(ctx, dropGetBody(ctx, responseItems(ctx, config, response.fullResponse === true)));
}

/** n8n's items are the response body (one per entry of a list); with "full response", ours give the whole response. */
function responseItems(ctx: MapContext, config: Record<string, unknown>, full: boolean): Record<string, unknown> {
  if (!full) return { ...config, output: "body" };
  ctx.note("n8n's full response named the status `statusCode`; ours names it `status`");
  return config;
}

function dropGetBody(ctx: MapContext, config: Record<string, unknown>): Record<string, unknown> {
  if ((config.method === "GET" || config.method === "HEAD") && config.bodyMode !== undefined) {
    ctx.note(`a ${String(config.method)} request carries no body in Streamware; its body was left out`);
    for (const key of ["bodyMode", "body", "parts", "file"]) delete config[key];
  }
  return config;
}

/**
 * Our HTTP request signs with one header from its credential. n8n's header, bearer and basic authentication are
 * such a header (what to put in it is said); a key in the query, OAuth and a service's own credential are not.
 */
function httpAuthentication(ctx: MapContext, config: Record<string, unknown>): Mapped {
  const p = ctx.node.parameters;
  const mapped: Mapped = { type: "core.http-request", config };
  const kind = p.authentication === "genericCredentialType" ? text(p.genericAuthType) : p.authentication === "predefinedCredentialType" ? text(p.nodeCredentialType) : text(p.authentication);
  if (kind === undefined || kind === "none") return mapped;
  const header = { httpHeaderAuth: undefined, headerAuth: undefined, httpBearerAuth: "Authorization with the value \"Bearer <token>\"", httpBasicAuth: "Authorization with the value \"Basic <base64 of user:password>\"", basicAuth: "Authorization with the value \"Basic <base64 of user:password>\"" } as Record<string, string | undefined>;
  if (kind in header) {
    const from = kind === "headerAuth" ? "httpHeaderAuth" : kind === "basicAuth" ? "httpBasicAuth" : kind;
    mapped.credential = { type: "http.header-auth", from };
    if (header[kind]) ctx.note(`its ${kind} credential becomes a header credential: set its header to ${header[kind]}`);
    return mapped;
  }
  ctx.note(
    kind === "httpQueryAuth"
      ? "its key was sent as a query parameter by an n8n credential; add it to the query parameters by hand (ours keep no secret there)"
      : `its ${kind} authentication has no Streamware credential yet; add the header or query parameter the service expects by hand`,
  );
  return mapped;
}

/** Headers or query given as literal JSON text, as name/value pairs; an expression building them cannot be. */
/**
 * Query parameters or headers given as one JSON object, as name/value pairs. n8n fills in the `{{ }}` of an
 * expression (`={ "q": "{{ $json.term }}" }`) before reading the JSON; where each one sits inside a string, that
 * string becomes the parameter's own expression. `{{ }}` outside a string (a whole value built by JavaScript)
 * cannot be split into parameters: null.
 */
function jsonPairs(value: unknown): { name: string; value: unknown }[] | null {
  let parsed = parseJsonText(value);
  const filled: string[] = [];
  if (typeof parsed === "string" && parsed.startsWith("=")) {
    const marked = parsed.slice(1).replace(/\{\{[\s\S]*?\}\}/g, (expression) => `\uE000${filled.push(expression) - 1}\uE000`);
    try {
      parsed = JSON.parse(marked) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const restore = (text: string) => text.replace(/\uE000(\d+)\uE000/g, (_, i: string) => filled[Number(i)]!);
  return Object.entries(parsed).map(([name, v]) => {
    if (typeof v !== "string") return { name, value: JSON.stringify(v) };
    return { name: restore(name), value: v.includes("\uE000") ? `=${restore(v)}` : v };
  });
}

const httpMapper: Mapper = (ctx) => (ctx.node.typeVersion >= 3 ? httpV3(ctx) : httpV1(ctx));

const mqttMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const options = record(p.options);
  const config: Record<string, unknown> = { topic: ctx.value(p.topic ?? "", "topic"), qos: numberOr(options.qos, 0), retain: options.retain === true };
  if (p.sendInputData === false) config.payload = ctx.value(p.message ?? "", "message");
  return { type: "mqtt.publish", config, credential: { type: "mqtt.broker", from: "mqtt" } };
};

const mqttTriggerMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const topics = (text(p.topics) ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) return null;
  const options = record(p.options);
  if (options.onlyMessage === true) ctx.note("n8n passed only the message; ours passes the topic beside it");
  return { type: "mqtt.trigger", config: { topics, parseJson: options.jsonParseBody === true }, credential: { type: "mqtt.broker", from: "mqtt" } };
};

/** A message sent by a messaging node: our alert, plain (the message as written, no alert styling), sent every time. */
function alert(args: { title: unknown; message: unknown; channel: Record<string, unknown>; credential: string }): Mapped {
  return {
    type: "messaging.alert",
    config: { title: args.title, message: args.message, severity: "info", plain: true, channels: [args.channel], windowSeconds: 0 },
    credential: { type: args.credential },
  };
}

const emailMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const to = ctx.value(p.toEmail ?? "", "toEmail");
  const channel: Record<string, unknown> = { kind: "email", to };
  if (p.ccEmail) channel.cc = ctx.value(p.ccEmail, "ccEmail");
  const body = p.emailFormat === "html" || (p.html && !p.text) ? "html" : "text";
  if (body === "html") ctx.note("the HTML body is sent as the e-mail's text");
  if (p.fromEmail) ctx.note("it is sent from the SMTP credential's address, not the node's own sender");
  if (record(p.options).attachments) ctx.note("its attachments are not sent");
  return alert({ title: ctx.value(p.subject || ctx.node.name, "subject"), message: ctx.value(p[body] ?? p.message ?? "", body), channel, credential: "smtp.server" });
};

/**
 * What a messaging node does when it sends a text message, by type: the resource and operation n8n names it by
 * (its defaults when absent). Only these map to an alert channel, and only these the importer means to map.
 */
const MESSAGE_SENDS: Readonly<Record<string, { resource: string; operations: readonly string[] }>> = {
  slack: { resource: "message", operations: ["post"] },
  telegram: { resource: "message", operations: ["sendMessage"] },
  discord: { resource: "message", operations: ["send"] },
};

function sendsMessage(type: string, parameters: Record<string, unknown>): boolean {
  const send = MESSAGE_SENDS[type];
  if (!send) return true;
  const operation = text(parameters.operation) ?? send.operations[0]!;
  return (text(parameters.resource) ?? send.resource) === send.resource && send.operations.includes(operation);
}

/** A messaging node doing something other than sending a message: no alert channel does that. */
function notMessage(ctx: MapContext): null {
  const p = ctx.node.parameters;
  ctx.note(`its ${[p.resource, p.operation].filter((w) => typeof w === "string").join(" ")} operation is not sending a text message, which is what our alert channels do`);
  return null;
}

const slackMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (!sendsMessage("slack", p)) return notMessage(ctx);
  ctx.note("sent through a Slack incoming webhook, which posts to the channel it was made for, not a chosen one");
  if (p.messageType === "block" || p.messageType === "attachment") ctx.note(`its ${String(p.messageType)}s are not sent, only its text`);
  return alert({ title: ctx.node.name, message: ctx.value(p.text ?? "", "text"), channel: { kind: "slack" }, credential: "slack.incoming-webhook" });
};

const telegramMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (!sendsMessage("telegram", p)) return notMessage(ctx);
  const parseMode = text(record(p.additionalFields).parse_mode);
  if (parseMode) ctx.note(`its text was read as ${parseMode} by Telegram; ours is sent as plain text`);
  if (p.replyMarkup !== undefined && p.replyMarkup !== "none") ctx.note("its reply keyboard is not sent");
  return alert({ title: ctx.node.name, message: ctx.value(p.text ?? "", "text"), channel: { kind: "telegram", chatId: ctx.value(p.chatId ?? "", "chatId") }, credential: "telegram.bot" });
};

const discordMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (!sendsMessage("discord", p)) return notMessage(ctx);
  if (ctx.node.typeVersion >= 2 && (p.authentication ?? "botToken") !== "webhook") ctx.note("it posted as a bot to a chosen channel; ours posts through a Discord webhook to the channel it was made for");
  return alert({ title: ctx.node.name, message: ctx.value(p.text ?? p.content ?? "", "text"), channel: { kind: "discord" }, credential: "discord.webhook" });
};

/** How often n8n polled, in seconds, from its first poll time; null when ours cannot check at that pace. */
function pollSeconds(value: unknown): number | null {
  const item = record(list(record(value).item)[0] ?? { mode: "everyMinute" });
  const every = numberOr(item.value, 2);
  switch (item.mode) {
    case "everyMinute":
      return 60;
    case "everyHour":
      return 3600;
    case "everyDay":
      return 86_400;
    case "everyX":
      return Math.min(86_400, every * (item.unit === "hours" ? 3600 : 60));
    default:
      return null;
  }
}

const rssTriggerMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  const url = text(p.feedUrl);
  if (!url || url.startsWith("=")) {
    ctx.note(url ? "its feed URL is built by an expression; a trigger has no item to read it from" : "it names no feed URL");
    return null;
  }
  const seconds = pollSeconds(p.pollTimes);
  if (seconds === null) ctx.note("n8n checked the feed at set times (a weekly, monthly or cron schedule); ours checks it every 5 minutes");
  if (list(record(p.pollTimes).item).length > 1) ctx.note("it had several poll times; the first sets how often ours checks");
  return { type: "feed.trigger", config: { url, ...(seconds !== null ? { intervalSeconds: seconds } : {}) } };
};

const rssReadMapper: Mapper = (ctx) => {
  ctx.note("our HTTP request returns the feed's XML; n8n's RSS read gave one item per entry");
  return { type: "core.http-request", config: { method: "GET", url: ctx.value(ctx.node.parameters.url ?? "", "url"), responseFormat: "text" } };
};

// --- LLM --------------------------------------------------------------------------------------------------------

/** A chat-model sub-node folded into the LLM node as its provider. */
export interface FoldedModel {
  kind: "openai" | "ollama";
  model: string;
  /** An OpenAI-compatible server other than OpenAI's own (Gemini, Anthropic, Groq, …). */
  baseUrl?: string;
  temperature?: number;
  maxTokens?: number;
  /** The n8n credential the model node used, which the LLM node refers to by name. */
  credential?: string;
  /** Said in the report when the model is folded in. */
  note?: string;
}

/**
 * Chat models of other vendors that answer OpenAI's Chat Completions API at a known address, with n8n's default
 * model for when the file names none.
 */
const OPENAI_COMPATIBLE: Readonly<Record<string, { vendor: string; baseUrl: string; model: string }>> = {
  lmChatGoogleGemini: { vendor: "Google Gemini", baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai", model: "gemini-1.5-flash" },
  lmChatAnthropic: { vendor: "Anthropic", baseUrl: "https://api.anthropic.com/v1", model: "claude-3-5-sonnet-20240620" },
  lmChatGroq: { vendor: "Groq", baseUrl: "https://api.groq.com/openai/v1", model: "llama3-8b-8192" },
  lmChatMistralCloud: { vendor: "Mistral", baseUrl: "https://api.mistral.ai/v1", model: "mistral-small" },
  lmChatDeepSeek: { vendor: "DeepSeek", baseUrl: "https://api.deepseek.com", model: "deepseek-chat" },
  lmChatOpenRouter: { vendor: "OpenRouter", baseUrl: "https://openrouter.ai/api/v1", model: "openai/gpt-4o-mini" },
  lmChatXAiGrok: { vendor: "xAI", baseUrl: "https://api.x.ai/v1", model: "grok-2-1212" },
};

/** Every chat-model type that folds into our LLM node. */
export const CHAT_MODEL_TYPES: ReadonlySet<string> = new Set(["lmChatOpenAi", "lmOpenAi", "lmChatOllama", "lmOllama", ...Object.keys(OPENAI_COMPATIBLE)]);

export function modelOf(node: N8nNode): FoldedModel | null {
  const type = shortType(node.type);
  const p = node.parameters;
  const options = record(p.options);
  const named = text(locatorValue(p.model ?? p.modelName));
  const model = named && !named.startsWith("=") ? named.replace(/^models\//, "") : undefined;
  const maxTokens = options.maxTokens ?? options.maxTokensToSample ?? options.maxOutputTokens;
  const credential = Object.values(node.credentials ?? {}).map((ref) => (typeof ref === "string" ? ref : text(record(ref).name))).find((n) => n?.trim());
  const settings = {
    ...(typeof options.temperature === "number" ? { temperature: options.temperature } : {}),
    ...(typeof maxTokens === "number" && maxTokens > 0 ? { maxTokens } : {}),
    ...(credential ? { credential: credential.trim() } : {}),
  };
  const guessed = named?.startsWith("=") ? `its model was chosen by the expression ${named}; the default model was put in its place` : undefined;
  if (type === "lmChatOpenAi" || type === "lmOpenAi") {
    const baseUrl = text(options.baseURL);
    const server = baseUrl && /^https?:\/\/[^\s{}]+$/.test(baseUrl) ? { baseUrl: baseUrl.replace(/\/+$/, "") } : {};
    if (baseUrl && !server.baseUrl) return null;
    return { kind: "openai", model: model ?? "gpt-4o-mini", ...server, ...settings, ...(guessed ? { note: guessed } : {}) };
  }
  if (type === "lmChatOllama" || type === "lmOllama") return { kind: "ollama", model: model ?? "llama3.2", ...settings, ...(guessed ? { note: guessed } : {}) };
  const compatible = OPENAI_COMPATIBLE[type];
  if (!compatible) return null;
  const notes = [`${compatible.vendor} is asked through its OpenAI-compatible API at ${compatible.baseUrl}: put the ${compatible.vendor} API key in the OpenAI API credential`];
  if (!model) notes.push(guessed ?? `the file names no model, so n8n's default ${compatible.model} was put in`);
  return { kind: "openai", model: model ?? compatible.model, baseUrl: compatible.baseUrl, ...settings, note: notes.join("; ") };
}

/**
 * The JSON Schema a structured output parser asked for: its manual schema, its older `jsonSchema` field, or one
 * drawn from its example (every field of the example, none required, as n8n drew it).
 */
export function outputSchemaOf(node: N8nNode): Record<string, unknown> | null {
  const p = node.parameters;
  // The item list parser split the reply into lines; asking for a list of texts gives the same list.
  if (shortType(node.type) === "outputParserItemList") {
    const count = record(p.options).numberOfItems;
    return { type: "array", items: { type: "string" }, ...(typeof count === "number" && count > 0 ? { maxItems: count } : {}) };
  }
  if (shortType(node.type) !== "outputParserStructured") return null;
  const manual = p.schemaType === "manual" ? p.inputSchema : node.typeVersion < 1.2 ? p.jsonSchema : undefined;
  if (manual !== undefined) {
    const schema = parseJsonText(manual);
    return typeof schema === "object" && schema !== null && !Array.isArray(schema) ? (schema as Record<string, unknown>) : null;
  }
  const example = parseJsonText(p.jsonSchemaExample ?? '{ "state": "California", "cities": ["Los Angeles", "San Francisco", "San Diego"] }');
  return typeof example === "string" && example.startsWith("=") ? null : schemaOfExample(example);
}

function schemaOfExample(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return value.length > 0 ? { type: "array", items: schemaOfExample(value[0]) } : { type: "array" };
  if (value === null) return { type: "null" };
  if (typeof value === "object") return { type: "object", properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaOfExample(v)])) };
  if (typeof value === "number") return { type: "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  return { type: "string" };
}

function llmConfig(args: { model: FoldedModel; fallback?: FoldedModel; images?: string[]; prompt: unknown; system: unknown; jsonSchema?: Record<string, unknown> }): Mapped {
  const { model } = args;
  const provider = (m: FoldedModel) => ({ kind: m.kind, model: m.model, ...(m.baseUrl ? { baseUrl: m.baseUrl } : {}) });
  const config: Record<string, unknown> = { providers: [model, ...(args.fallback ? [args.fallback] : [])].map(provider), prompt: args.prompt };
  if (args.system !== undefined && args.system !== "") config.system = args.system;
  if (args.images) config.images = args.images.slice(0, 10);
  if (model.temperature !== undefined) config.temperature = Math.min(2, Math.max(0, model.temperature));
  if (model.maxTokens !== undefined) config.maxTokens = model.maxTokens;
  if (args.jsonSchema) config.jsonSchema = args.jsonSchema;
  return { type: "ai.llm", config, credential: { type: model.kind === "openai" ? "openai.api" : "ollama.api", ...(model.credential ? { name: model.credential } : {}) } };
}

/** The OpenAI node's text operations (the default): a chat with a model. Images, audio, files and assistants are not. */
function isOpenAiChat(p: Record<string, unknown>): boolean {
  const resource = text(p.resource) ?? "text";
  const operation = text(p.operation);
  return (resource === "text" || resource === "chat") && (operation === undefined || operation === "message" || operation === "complete");
}

/** The OpenAI node's text operations: a chat completion with its messages. */
const openAiMapper: Mapper = (ctx) => {
  const p = ctx.node.parameters;
  if (!isOpenAiChat(p)) {
    ctx.note(`its ${[p.resource, p.operation].filter((w) => typeof w === "string").join(" ")} operation is not a chat with a model, which is what our LLM node does`);
    return null;
  }
  // The legacy node's text completion takes one prompt; chats take messages.
  const messages = typeof p.prompt === "string" ? [{ role: "user", content: p.prompt }] : list(record(p.messages).values ?? record(p.messages).messages ?? record(p.prompt).messages).map(record);
  const user = messages.filter((m) => (m.role ?? "user") === "user");
  // Instructions given as system or assistant turns read as the system prompt; the conversation's order is lost.
  const system = messages.filter((m) => m.role === "system" || m.role === "assistant");
  if (user.length === 0) {
    ctx.note("it sends no user message, which our LLM node needs as its prompt");
    return null;
  }
  const joined = (list: Record<string, unknown>[], role: string) =>
    list.map((m, i) => ctx.value(m.content ?? "", `messages.values[${role} ${i + 1}].content`)).map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n\n");
  if (user.length > 1 || system.length > 1) ctx.note("its messages of one role were joined into one");
  if (system.some((m) => m.role === "assistant")) ctx.note("its assistant message became part of the system prompt: our LLM node sends one system and one user message");
  const model = text(locatorValue(p.modelId ?? p.model ?? p.chatModel)) ?? "gpt-4o-mini";
  const prompt = joined(user, "user");
  const systemText = system.length > 0 ? joined(system, "system") : undefined;
  const credential = Object.values(ctx.node.credentials ?? {}).map((ref) => (typeof ref === "string" ? ref : text(record(ref).name))).find((n) => n?.trim());
  const json = p.jsonOutput === true;
  // The chat's reply was `message.content` (parsed with JSON output); a legacy text completion's was `text`.
  const replyField = typeof p.prompt === "string" ? "text" : "message.content";
  if (record(p.options).n !== undefined || p.simplify === false || p.simplifyOutput === false) ctx.note(`n8n gave its whole answer; ours gives the reply as \`${replyField}\` beside \`text\``);
  const options = record(p.options);
  const maxTokens = options.maxTokens ?? options.max_tokens;
  const settings = { ...(typeof options.temperature === "number" ? { temperature: options.temperature } : {}), ...(typeof maxTokens === "number" && maxTokens > 0 ? { maxTokens } : {}) };
  const mapped = llmConfig({ model: { kind: "openai", model: model.startsWith("=") ? "gpt-4o-mini" : model, ...settings, ...(credential ? { credential } : {}) }, prompt, system: systemText, ...(json ? { jsonSchema: { type: "object" } } : {}) });
  return { ...mapped, config: { ...mapped.config, replyField } };
};

/** What a chain or an agent takes from its sub-nodes: the chat model, and the reply schema of its output parser. */
export interface ChainParts {
  model: FoldedModel;
  /** An agent's fallback model, asked when the first fails: our LLM node's second provider. */
  fallback?: FoldedModel;
  jsonSchema?: Record<string, unknown>;
}

/**
 * A chain's prompt template: system messages (n8n's default type), human text messages, and what our LLM node
 * cannot send (images, AI turns), described.
 */
export function promptMessages(p: Record<string, unknown>): { system: Record<string, unknown>[]; human: Record<string, unknown>[]; images: string[]; other: string[] } {
  const all = list(record(p.messages).messageValues).map(record);
  const kindOf = (m: Record<string, unknown>) => text(m.type) ?? "SystemMessagePromptTemplate";
  const system = all.filter((m) => kindOf(m) === "SystemMessagePromptTemplate");
  const human = all.filter((m) => kindOf(m) === "HumanMessagePromptTemplate" && (m.messageType ?? "text") === "text");
  // An image from the item's files is sent with the prompt; an image by URL would be fetched by n8n, which ours does not.
  const fromFiles = all.filter((m) => kindOf(m) === "HumanMessagePromptTemplate" && m.messageType === "imageBinary");
  const images = fromFiles.map((m) => plainName(m.binaryImageDataKey) ?? "data");
  const other = all
    .filter((m) => !system.includes(m) && !human.includes(m) && !fromFiles.includes(m))
    .map((m) => (kindOf(m) === "AIMessagePromptTemplate" ? "an AI message" : `an image (${String(m.messageType)})`));
  return { system, human, images: [...new Set(images)], other: [...new Set(other)] };
}

/** What a chain or an agent does that our LLM node cannot, whatever is wired into it: null when there is nothing. */
export function chainCannot(node: N8nNode): string | null {
  if (node.parameters.agent === "sqlAgent") return "its SQL agent queried a database, which our LLM node cannot";
  const { other } = promptMessages(node.parameters);
  return other.length > 0 ? `its prompt template sends ${other.join(" and ")}, which our LLM node cannot: it sends one system and one user text` : null;
}

/** n8n texts joined with blank lines; one is an expression when any of them is. */
function joinTexts(texts: string[]): string {
  return texts.some((t) => t.startsWith("=")) ? `=${texts.map((t) => t.replace(/^=/, "")).join("\n\n")}` : texts.join("\n\n");
}

/**
 * What a chain or an agent asked: its own text (`prompt` before chain 1.3), or, without one, what n8n took from
 * the item by default in that version (what a chat trigger received).
 */
function chainPrompt(node: N8nNode): unknown {
  const p = node.parameters;
  const v = node.typeVersion;
  if (p.promptType === "define" || (p.promptType === undefined && p.text !== undefined)) return p.text ?? "";
  if (p.promptType === undefined && shortType(node.type) === "chainLlm" && v < 1.3) return p.prompt ?? (v < 1.1 ? "={{ $json.input }}" : v < 1.2 ? "={{ $json.chat_input }}" : "={{ $json.chatInput }}");
  if (p.promptType === undefined && shortType(node.type) === "agent" && v < 1.1) return "={{ $json.chat_input }}";
  return "={{ $json.chatInput }}";
}

/** A basic LLM chain or an agent, with the model sub-node wired into it. */
export function chainMapper(parts: ChainParts): Mapper {
  return (ctx) => {
    const p = ctx.node.parameters;
    const options = record(p.options);
    const cannot = chainCannot(ctx.node);
    if (cannot) {
      ctx.note(cannot);
      return null;
    }
    const { system: messages, human, images } = promptMessages(p);
    if (images.length > 0) ctx.note(`its image${images.length > 1 ? "s" : ""} ${images.map((i) => `"${i}"`).join(", ")} ${images.length > 1 ? "are" : "is"} sent with the prompt: the model must be one that sees images`);
    const asked = chainPrompt(ctx.node);
    const humanText = human.map((m) => text(m.message) ?? "");
    const prompt = humanText.length > 0 && typeof asked === "string" ? ctx.value(joinTexts([...humanText, asked]), "text") : ctx.value(asked, "text");
    if (messages.length > 1) ctx.note("its system messages were joined into one");
    if (human.length > 0) ctx.note("its human messages were put before the prompt in one user message");
    const system = messages.length > 0 ? messages.map((m) => m.message ?? "").join("\n\n") : options.systemMessage;
    // n8n's agents, and chains with an output parser, give the reply as `output`: ours gives it there too.
    const replyField = shortType(ctx.node.type) === "agent" || parts.jsonSchema ? { replyField: "output" } : {};
    if (parts.model.note) ctx.note(parts.model.note);
    if (parts.fallback?.note) ctx.note(`its fallback model: ${parts.fallback.note}`);
    const mapped = llmConfig({ model: parts.model, ...(parts.fallback ? { fallback: parts.fallback } : {}), ...(images.length > 0 ? { images } : {}), prompt, system: system === undefined ? undefined : ctx.value(system, "options.systemMessage"), ...(parts.jsonSchema ? { jsonSchema: parts.jsonSchema } : {}) });
    return { ...mapped, config: { ...mapped.config, ...replyField } };
  };
}

export const N8N_MAPPERS: Readonly<Record<string, Mapper>> = {
  webhook: webhookMapper,
  respondToWebhook: respondMapper,
  set: setMapper,
  if: ifMapper,
  switch: switchMapper,
  filter: filterMapper,
  merge: mergeMapper,
  code: codeMapper,
  function: codeMapper,
  httpRequest: httpMapper,
  scheduleTrigger: scheduleMapper,
  cron: cronMapper,
  manualTrigger: manualMapper,
  start: manualMapper,
  wait: waitMapper,
  noOp: noOpMapper,
  splitOut: splitOutMapper,
  aggregate: aggregateMapper,
  executeWorkflow: executeWorkflowMapper,
  executeWorkflowTrigger: executeWorkflowTriggerMapper,
  mqtt: mqttMapper,
  mqttTrigger: mqttTriggerMapper,
  emailSend: emailMapper,
  slack: slackMapper,
  telegram: telegramMapper,
  discord: discordMapper,
  rssFeedRead: rssReadMapper,
  rssFeedReadTrigger: rssTriggerMapper,
  errorTrigger: errorTriggerMapper,
  openAi: openAiMapper,
};

/** Chain and agent types that become our LLM node when a chat model is wired into them. */
export const LLM_CHAIN_TYPES = new Set(["chainLlm", "agent"]);

export { literalText, translateParameterString };

/** Every n8n type the importer maps (when its settings allow), as the benchmark counts them. */
export const N8N_LISTED_TYPES: ReadonlySet<string> = new Set([...Object.keys(N8N_MAPPERS), ...LLM_CHAIN_TYPES, "stickyNote", ...CHAT_MODEL_TYPES]);

/**
 * Whether the importer means to map this node, as the benchmark counts it: one of the listed types; of the
 * messaging nodes only sending a text message, of the OpenAI node only its chat, of the code node only JavaScript
 * (Python has no runtime here), of chat models only one wired into chains or agents alone (`feeds`: the types of
 * the nodes it is wired into), as our LLM node replaces those.
 */
export function isListedN8nNode(node: { type: string; parameters?: unknown }, feeds: readonly string[]): boolean {
  const type = shortType(node.type);
  if (!N8N_LISTED_TYPES.has(type)) return false;
  // The LangChain package has types of the same short name (its own code node): only the package mapped counts.
  const langchain = node.type.startsWith("@n8n/n8n-nodes-langchain.");
  if (type !== "openAi" && langchain !== (LLM_CHAIN_TYPES.has(type) || CHAT_MODEL_TYPES.has(type))) return false;
  const p = record(node.parameters);
  if (type in MESSAGE_SENDS) return sendsMessage(type, p);
  if (type === "openAi") return isOpenAiChat(p);
  if (type === "code") return !String(p.language ?? "javaScript").startsWith("python");
  // A model also serving something else (an information extractor, a classifier) stays for that one.
  if (CHAT_MODEL_TYPES.has(type)) return feeds.length > 0 && feeds.every((t) => LLM_CHAIN_TYPES.has(shortType(t)));
  return true;
}
