import { parse, parseExpressionAt, type Expression, type Node as JsNode, type Pattern, type PrivateIdentifier, type SpreadElement, type Super } from "acorn";
import { checkExpressions, MAX_EXPRESSION_LENGTH, parseTemplate } from "../../_core/expressions";

/**
 * n8n's expressions (`={{ … }}` with JavaScript inside) turned into ours (`{{ … }}` with JSONata inside). The
 * JavaScript is parsed (acorn) and only a subset whose meaning JSONata can say the same way is translated; anything
 * else is kept as written and reported with the construct named, never guessed at.
 *
 * What is translated:
 * - reads: `$json.a.b`, `$json["a b"]`, `?.`, `[0]`, `$('Node').item.json.x`, `.first().json`, `.last().json`,
 *   `.all()` (and `.all().map(i => i.json.x)`), `$node["Node"].json.y`, `$input.item.json.x`, `$input.item.binary`,
 *   `$execution.id` (`$runId`), `$workflow.id` (`$flowId`), `$itemIndex`. Another node's `.item` is that node's
 *   first item, since our expressions see no pairing of items.
 * - literals, object and array literals, template literals (`&`), `a ? b : c`, `!`, `&&`, `||`, `??`, comparisons.
 * - arithmetic; `+` only where the operands tell whether it adds numbers or joins text.
 * - string, array, `Math`, `JSON`, `Object.keys`, date and number functions with a JSONata function of the same
 *   meaning (see METHODS and the calls in `call`).
 *
 * Where JavaScript and JSONata differ, the translation spells out JavaScript's rule:
 * - truthiness: JavaScript counts every array and object as true, JSONata's `$boolean` counts `[]` and `{}` as
 *   false, and a missing field is undefined in JSONata, so a test on a value of unknown type becomes
 *   `($type(x) in ["array", "object"] or x)`;
 * - `a || b` and `a && b` give one of their operands (`truthy(a) ? a : b`); only in a condition, where just their
 *   truth counts, are they `and` and `or`. `a ?? b` falls through on null too;
 * - `===`: JSONata's `=` is false when either side is missing, JavaScript's `undefined === undefined` is true, and
 *   `!=` with a missing side is false, so `!==` becomes `$not(a = b)`. `==` is translated only where it cannot
 *   coerce differently (with null, with text that no number reads, between values of one known type);
 * - a comparison that JSONata leaves undefined (`<` with a missing side) is made false where it is kept as a value,
 *   and a missing value in an array or a map() result is kept, as null, as JSON keeps JavaScript's undefined;
 * - `.trim()` is a regular expression (`$trim` also collapses inner spaces), `Math.round` rounds halves up
 *   (`$round` rounds them to even), `parseInt` truncates toward zero.
 * - results that are arrays stay arrays (`[…[]]`), since JSONata gives a one-item sequence as its item and an
 *   empty one as nothing; an array put in an array literal stays one element (`[[x]]`), not spread.
 *
 * Known differences left (each only on data where the JavaScript result is itself unusual): where JavaScript would
 * throw (a method on a missing field) or give NaN (arithmetic on text), ours gives nothing or stops with an error;
 * a field read on an array of unknown type reads it from every element (JavaScript gives undefined); objects and
 * arrays compare by value; text joined with an array or object shows it as JSON (as our templates do),
 * where JavaScript writes `a,b` or `[object Object]`; a missing value joined to text adds nothing rather than
 * "undefined"; numbers written as text keep 15 significant digits; `[0]` on text gives the whole text rather than
 * its first character; lengths and positions in text count characters where JavaScript counts UTF-16 units; a date
 * and time without zone is read as UTC; the clock is written as UTC (`…Z`) where n8n writes the workflow's offset.
 */
export type TranslatedString = { ok: true; value: string } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JSONATA_WORDS = new Set(["and", "or", "in", "true", "false", "null", "function"]);

/** A JSONata path step for a field or node name: bare when it can be, in backticks otherwise. */
export function pathStep(name: string): string {
  if (NAME.test(name) && !JSONATA_WORDS.has(name)) return name;
  return `\`${name.replace(/`/g, "")}\``;
}

/** A JSONata string literal holding `text` as it is. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text);
}

/**
 * A string with `{{` that must stay literal (it is no expression in n8n) becomes one expression giving that text,
 * since ours would read `{{ }}` as an expression.
 */
export function literalText(text: string): string {
  return text.includes("{{") ? `{{ ${stringLiteral(text)} }}` : text;
}

/**
 * What the translation knows of a value's type. `item` is one n8n item (`{ json }`), which ours is the JSON of;
 * `items` a list of them; `now` the current time (`$now`, `new Date()`), which has methods rather than a value.
 */
type Kind = "string" | "number" | "boolean" | "array" | "object" | "null" | "unknown" | "item" | "items" | "now";

interface Out {
  code: string;
  kind: Kind;
  /** Needs no parentheses as an operand. */
  atom: boolean;
  /** A boolean that is never undefined (a comparison with `<` on a missing field is undefined in JSONata). */
  defined?: boolean;
  /** A literal value, which is never missing. */
  literal?: boolean;
  /** Never missing, though no literal (text joined with `&`, a count). */
  always?: boolean;
  /** For `item` values: whether this is the current item (its binary data is `$binary`). */
  current?: boolean;
  /** For arrays: the kind of their elements, when known. */
  element?: Kind;
  /** For `now` values: the clock (`$now`, `DateTime.now()`), which n8n writes as its ISO text, or a JavaScript Date. */
  clock?: boolean;
  /** For `$('Node')` and `$node["Node"]`: the node's name, waiting for `.item`, `.first()`, `.json`…. */
  nodeRef?: { name: string; legacy: boolean };
}

class Refusal extends Error {}

const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/** Translations repeat some operands (JavaScript's truthiness tests a value, then gives it); ours stop at this length. */
const bounded = (code: string): string =>
  code.length > MAX_EXPRESSION_LENGTH ? refuse(`its translation would be longer than ${MAX_EXPRESSION_LENGTH} characters, the most our expressions take`) : code;
const atom = (code: string, kind: Kind, extra: Partial<Out> = {}): Out => ({ code: bounded(code), kind, atom: true, ...extra });
const compound = (code: string, kind: Kind, extra: Partial<Out> = {}): Out => ({ code: bounded(code), kind, atom: false, ...extra });
const paren = (out: Out): string => (out.atom ? out.code : `(${out.code})`);

/** Names our expressions bind or call: a lambda parameter must not hide one of them. */
const TAKEN_NAMES = new Set([
  "json", "binary", "trigger", "node", "itemIndex", "runId", "flowId", "string", "number", "boolean", "not", "exists", "type", "count", "length",
  "substring", "replace", "split", "join", "contains", "uppercase", "lowercase", "keys", "lookup", "map", "filter", "match", "millis", "now",
  "fromMillis", "toMillis", "floor", "ceil", "abs", "max", "min", "random", "eval", "merge", "encodeUrl", "encodeUrlComponent", "decodeUrl",
  "decodeUrlComponent", "sum", "pad",
]);

/** Lambda parameters in scope: JavaScript name → JSONata variable and kind. */
type Scope = Map<string, Out>;

function describe(node: JsNode): string {
  switch (node.type) {
    case "AssignmentExpression":
    case "UpdateExpression":
      return "an assignment (it changes data)";
    case "CallExpression":
      return "a function call";
    case "ArrowFunctionExpression":
    case "FunctionExpression":
      return "a function";
    case "SequenceExpression":
      return "a comma sequence";
    case "NewExpression":
      return "new";
    case "AwaitExpression":
      return "await";
    case "TaggedTemplateExpression":
      return "a tagged template";
    case "ClassExpression":
      return "a class";
    default:
      return node.type.replace(/Expression$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  }
}

/** A JSONata test with JavaScript's truthiness; JSONata's `?:`, `and`, `or` take a missing value as false. */
function test(value: Out): string {
  if (value.kind === "boolean" || value.kind === "string" || value.kind === "number") return paren(value);
  if (value.kind === "null") return "false";
  if (value.kind === "array" || value.kind === "object" || value.kind === "item" || value.kind === "items" || value.kind === "now") return "true";
  return `($type(${value.code}) in ["array", "object"] or ${paren(value)})`;
}

function unwrap(node: JsNode): JsNode {
  return node.type === "ParenthesizedExpression" ? unwrap((node as JsNode & { expression: JsNode }).expression) : node;
}

/**
 * A JavaScript condition (a `?:` test, `!`'s operand) as a JSONata test. There only the truth of `a && b` and `a || b`
 * counts, not which operand they give, so they become `and` and `or`.
 */
function condition(node: JsNode, scope: Scope): string {
  return logicalCondition(node, scope) ?? test(value(node, scope));
}

function logicalCondition(node: JsNode, scope: Scope): string | null {
  const n = unwrap(node) as JsNode & { operator?: string; left?: JsNode; right?: JsNode };
  if (n.type !== "LogicalExpression" || n.operator === "??") return null;
  const side = (x: JsNode) => {
    const inner = logicalCondition(x, scope);
    return inner === null ? test(value(x, scope)) : `(${inner})`;
  };
  return `${side(n.left!)} ${n.operator === "&&" ? "and" : "or"} ${side(n.right!)}`;
}

/** JavaScript's `!!value`: always true or false. */
function truth(value: Out): Out {
  if (value.kind === "boolean" && value.defined) return value;
  if (value.kind === "boolean") return compound(`${paren(value)} = true`, "boolean", { defined: true });
  if (value.kind === "string" || value.kind === "number") return compound(`$exists(${value.code}) and $boolean(${value.code})`, "boolean", { defined: true });
  const t = test(value);
  return t === "true" || t === "false" ? atom(t, "boolean", { defined: true, literal: true }) : atom(t, "boolean", { defined: true });
}

/** JavaScript's `a === b`. */
function strictEquals(left: Out, right: Out): Out {
  const present = (x: Out) => x.literal || x.always || x.defined;
  if (present(left) || present(right)) return compound(`${paren(left)} = ${paren(right)}`, "boolean", { defined: true });
  return atom(`(${paren(left)} = ${paren(right)} or ($not($exists(${left.code})) and $not($exists(${right.code}))))`, "boolean", { defined: true });
}

/** True for a text whose loose comparison (`==`) with any value is the strict one: no number or boolean reads it. */
function looseSafeText(text: string): boolean {
  return text.trim() !== "" && Number.isNaN(Number(text));
}

function isUndefined(node: JsNode): boolean {
  return node.type === "Identifier" && (node as JsNode & { name: string }).name === "undefined";
}

function literalOf(node: JsNode): { value: unknown } | null {
  return node.type === "Literal" && !("regex" in node) ? { value: (node as JsNode & { value: unknown }).value } : null;
}

/** A JavaScript regular expression literal as a JSONata one, or why not. */
function regexOf(node: JsNode): { code: string; global: boolean } | null {
  if (node.type !== "Literal" || !("regex" in node)) return null;
  const { pattern, flags } = (node as JsNode & { regex: { pattern: string; flags: string } }).regex;
  const other = flags.replace(/[gim]/g, "");
  if (other) refuse(`the regular expression flag ${other} has no JSONata form (only i and m)`);
  return { code: `/${pattern}/${flags.replace("g", "")}`, global: flags.includes("g") };
}

/**
 * A replacement text for `$replace`. With a regular expression, JavaScript's `$&` is JSONata's `$0` and `$1`… mean
 * the same; other `$` patterns differ. With a text to find, JavaScript still reads `$&` and `$$`, JSONata nothing.
 */
function replacementOf(node: JsNode, regex: boolean): string {
  const literal = literalOf(node);
  if (!literal || typeof literal.value !== "string") return refuse("replace() is translated only with a quoted replacement text");
  if (!regex && literal.value.includes("$")) refuse("replace() of a text with $ patterns in the replacement");
  const text = literal.value.replace(/\$&/g, "$0");
  if (/\$(?![0-9])|\$[0-9][0-9]/.test(text)) refuse("replace() with $ patterns other than $1 to $9 and $& in the replacement");
  return stringLiteral(text);
}

function integerLiteral(node: JsNode): number | null {
  const u = node as JsNode & { operator?: string; argument?: JsNode };
  if (u.type === "UnaryExpression" && u.operator === "-") {
    const positive = integerLiteral(u.argument!);
    return positive === null ? null : -positive;
  }
  const literal = literalOf(node);
  return literal && typeof literal.value === "number" && Number.isInteger(literal.value) ? literal.value : null;
}

/** Parameter of an arrow function given to map/filter/find: bound to a JSONata variable of the element's kind. */
function lambda(node: JsNode, element: Kind, scope: Scope, method: string): { params: string; body: (wrap: (out: Out) => string) => string } {
  if (node.type !== "ArrowFunctionExpression" && node.type !== "FunctionExpression") return refuse(`${method}() is translated only with a function written in place`);
  const fn = node as JsNode & { params: Pattern[]; body: JsNode; async: boolean; generator?: boolean };
  if (fn.async || fn.generator) refuse(`${method}() with an async function`);
  if (fn.params.length > 2) refuse(`${method}() with a function of more than two parameters`);
  const inner: Scope = new Map(scope);
  const names: string[] = [];
  fn.params.forEach((param, index) => {
    if (param.type !== "Identifier") refuse(`${method}() with a destructured parameter`);
    const name = (param as JsNode & { name: string }).name;
    if (!NAME.test(name)) refuse(`${method}() with a parameter named ${name}`);
    const variable = `$${name}${TAKEN_NAMES.has(name) || [...scope.values()].some((v) => v.code === `$${name}`) ? "_" : ""}`;
    names.push(variable);
    inner.set(name, atom(variable, index === 0 ? element : "number"));
  });
  let body = fn.body;
  if (body.type === "BlockStatement") {
    const statements = (body as JsNode & { body: JsNode[] }).body;
    const only = statements[0];
    if (statements.length !== 1 || only?.type !== "ReturnStatement" || !(only as JsNode & { argument: JsNode | null }).argument) refuse(`${method}() with a function body of statements (only one return is translated)`);
    body = (only as JsNode & { argument: JsNode }).argument;
  }
  return { params: names.join(", "), body: (wrap) => wrap(value(body, inner)) };
}

/** A method call's JSONata form, given its receiver and its arguments as written. */
type MethodForm = (target: Out, args: JsNode[], scope: Scope) => Out;

const arity = (name: string, args: JsNode[], min: number, max = min) => {
  if (args.length < min || args.length > max) refuse(`${name}() is translated only with ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}`);
};

const notOn = (target: Out, method: string, kinds: Kind[]) => {
  if (kinds.includes(target.kind)) refuse(`${method}() on ${target.kind === "items" ? "a list of items" : `a value of type ${target.kind}`}`);
};

const stringMethod = (name: string, form: (t: string, args: string[]) => string, count = 0, kind: Kind = "string"): [string, MethodForm] => [
  name,
  (target, args, scope) => {
    arity(name, args, count);
    notOn(target, name, ["array", "object", "items", "item", "number", "boolean", "null"]);
    const code = form(target.code, args.map((a) => text(a, scope, name)));
    return kind === "boolean" ? compound(code, kind) : atom(code, kind);
  },
];

/** An argument that must be text: a quoted string, or any value whose type we know to be a string. */
function text(node: JsNode, scope: Scope, method: string): string {
  const out = value(node, scope);
  if (out.kind !== "string" && out.kind !== "unknown") refuse(`${method}() with an argument that is no text`);
  return out.code;
}

/** JavaScript's methods (and n8n's own) on text, arrays and values, by name. */
const METHODS = new Map<string, MethodForm>([
  stringMethod("toUpperCase", (t) => `$uppercase(${t})`),
  stringMethod("toLowerCase", (t) => `$lowercase(${t})`),
  // `$trim` also turns every run of inner whitespace into one space; JavaScript trims the ends only.
  stringMethod("trim", (t) => `$replace(${t}, /^\\s+|\\s+$/, "")`),
  stringMethod("trimStart", (t) => `$replace(${t}, /^\\s+/, "")`),
  stringMethod("trimEnd", (t) => `$replace(${t}, /\\s+$/, "")`),
  stringMethod("startsWith", (t, [s]) => `$substring(${t}, 0, $length(${s})) = ${s}`, 1, "boolean"),
  stringMethod("endsWith", (t, [s]) => `$substring(${t}, $length(${t}) - $length(${s})) = ${s}`, 1, "boolean"),
  [
    "split",
    (target, args, scope) => {
      arity("split", args, 1);
      notOn(target, "split", ["array", "object", "items", "item", "number", "boolean", "null"]);
      const regex = regexOf(args[0]!);
      return atom(`$split(${target.code}, ${regex ? regex.code : text(args[0]!, scope, "split")})`, "array", { element: "string" });
    },
  ],
  [
    "join",
    (target, args, scope) => {
      arity("join", args, 0, 1);
      notOn(target, "join", ["string", "object", "items", "item", "number", "boolean", "null"]);
      return atom(`$join(${target.code}, ${args[0] ? text(args[0], scope, "join") : '","'})`, "string");
    },
  ],
  [
    "replace",
    (target, args, scope) => {
      arity("replace", args, 2);
      notOn(target, "replace", ["array", "object", "items", "item", "number", "boolean", "null"]);
      const regex = regexOf(args[0]!);
      const replacement = replacementOf(args[1]!, regex !== null);
      if (regex) return atom(`$replace(${target.code}, ${regex.code}, ${replacement}${regex.global ? "" : ", 1"})`, "string");
      const pattern = literalOf(args[0]!);
      if (pattern && pattern.value === "") refuse("replace() of an empty text");
      // JavaScript's replace with a text replaces its first occurrence only.
      return atom(`$replace(${target.code}, ${text(args[0]!, scope, "replace")}, ${replacement}, 1)`, "string");
    },
  ],
  [
    "replaceAll",
    (target, args, scope) => {
      arity("replaceAll", args, 2);
      notOn(target, "replaceAll", ["array", "object", "items", "item", "number", "boolean", "null"]);
      const regex = regexOf(args[0]!);
      const pattern = literalOf(args[0]!);
      if (pattern && pattern.value === "") refuse("replaceAll() of an empty text");
      return atom(`$replace(${target.code}, ${regex ? regex.code : text(args[0]!, scope, "replaceAll")}, ${replacementOf(args[1]!, regex !== null)})`, "string");
    },
  ],
  [
    "includes",
    (target, args, scope) => {
      arity("includes", args, 1);
      notOn(target, "includes", ["object", "items", "item", "number", "boolean", "null"]);
      const part = value(args[0]!, scope);
      if (target.kind === "string") return atom(`$contains(${target.code}, ${text(args[0]!, scope, "includes")})`, "boolean");
      // JavaScript finds an object in an array only as the same object, JSONata by its content.
      if (part.kind === "object" || part.kind === "array" || part.kind === "items" || part.kind === "item") refuse("includes() of an object or array");
      if (target.kind === "array") return compound(`${paren(part)} in ${paren(target)}`, "boolean", { defined: true });
      // On an array JavaScript looks for an element, on text for a part of it.
      return atom(`($type(${target.code}) = "array" ? ${paren(part)} in ${paren(target)} : $contains(${target.code}, ${part.code}))`, "boolean");
    },
  ],
  [
    "slice",
    (target, args) => {
      notOn(target, "slice", ["array", "object", "items", "item", "number", "boolean", "null"]);
      return substring(target, args, "slice");
    },
  ],
  [
    "substring",
    (target, args) => {
      notOn(target, "substring", ["array", "object", "items", "item", "number", "boolean", "null"]);
      const [start, end] = args.map(integerLiteral);
      if (args.some((a, i) => [start, end][i] === null) || [start, end].some((n) => n !== undefined && n! < 0)) refuse("substring() is translated only with positive whole numbers");
      const sorted = end === undefined ? args : start! > end! ? [args[1]!, args[0]!] : args;
      return substring(target, sorted, "substring");
    },
  ],
  stringMethod("toString", (t) => `$string(${t})`),
  [
    "toJsonString",
    (target, args) => {
      arity("toJsonString", args, 0);
      return atom(jsonText(target), "string");
    },
  ],
  // n8n's own methods on values (its expression extensions).
  stringMethod("parseJson", (t) => `$eval(${t})`, 0, "unknown"),
  ["isEmpty", (target, args) => (arity("isEmpty", args, 0), isEmpty(target))],
  ["isNotEmpty", (target, args) => (arity("isNotEmpty", args, 0), atom(`$not(${isEmpty(target).code})`, "boolean", { defined: true }))],
  [
    "toFixed",
    () => refuse("toFixed() rounds halves away from zero, JSONata's $round and $formatNumber to even"),
  ],
  [
    "match",
    () => refuse("match() alone (an array with extra fields); a group or the whole match taken from it, as in .match(/re/)[1], is translated"),
  ],
  [
    "map",
    (target, args, scope) => {
      arity("map", args, 1);
      notOn(target, "map", ["string", "object", "item", "number", "boolean", "null"]);
      const fn = lambda(args[0]!, target.kind === "items" ? "item" : (target.element ?? "unknown"), scope, "map");
      return atom(`[$map(${paren(target)}, function(${fn.params}) { ${fn.body((out) => present(settle(itemValue(out))))} })[]]`, "array");
    },
  ],
  [
    "filter",
    (target, args, scope) => {
      arity("filter", args, 1);
      notOn(target, "filter", ["string", "object", "item", "number", "boolean", "null"]);
      const fn = lambda(args[0]!, target.kind === "items" ? "item" : (target.element ?? "unknown"), scope, "filter");
      return atom(`[$filter(${paren(target)}, function(${fn.params}) { ${fn.body(test)} })[]]`, target.kind === "items" ? "items" : "array");
    },
  ],
  [
    "find",
    (target, args, scope) => {
      arity("find", args, 1);
      notOn(target, "find", ["string", "object", "item", "number", "boolean", "null"]);
      const fn = lambda(args[0]!, target.kind === "items" ? "item" : (target.element ?? "unknown"), scope, "find");
      return atom(`$filter(${paren(target)}, function(${fn.params}) { ${fn.body(test)} })[0]`, target.kind === "items" ? "item" : "unknown");
    },
  ],
]);

/** n8n's `isEmpty()`: true for a missing value, null, "", [] and {}. */
function isEmpty(target: Out): Out {
  const x = target.code;
  if (target.kind === "object") return compound(`$count($keys(${x})) = 0`, "boolean", { defined: true });
  if (target.kind === "array") return compound(`$count(${x}) = 0`, "boolean", { defined: true });
  if (target.kind === "string") return compound(`${paren(target)} = ""`, "boolean", { defined: true });
  if (target.kind !== "unknown") return refuse(`isEmpty() on a value of type ${target.kind}`);
  return atom(`($not($exists(${x})) or ${x} = null or ${x} = "" or ($type(${x}) = "array" and $count(${x}) = 0) or ($type(${x}) = "object" and $count($keys(${x})) = 0))`, "boolean", { defined: true });
}

/** JavaScript's `slice(start, end)` on text, with whole-number literals. */
function substring(target: Out, args: JsNode[], method: string): Out {
  arity(method, args, 1, 2);
  const [start, end] = args.map(integerLiteral);
  if (start === null || end === null) return refuse(`${method}() is translated only with whole numbers written in place`);
  if (end === undefined) return atom(`$substring(${target.code}, ${start})`, "string");
  if (start! >= 0 && end >= 0) return atom(`$substring(${target.code}, ${start}, ${Math.max(0, end - start!)})`, "string");
  if (start! >= 0) return atom(`$substring(${target.code}, ${start}, $length(${target.code}) - ${start! - end})`, "string");
  return refuse(`${method}() from a position counted from the end`);
}

/** `JSON.stringify(x)`: JSONata's `$string` gives text as it is, JSON quotes it. */
function jsonText(target: Out, pretty = false): string {
  const suffix = pretty ? ", true" : "";
  if (target.kind === "object" || target.kind === "array" || target.kind === "number" || target.kind === "boolean") return `$string(${target.code}${suffix})`;
  const quoted = `$string([${target.code}])`;
  const asText = `$substring(${quoted}, 1, $length(${quoted}) - 2)`;
  if (target.kind === "string") return asText;
  return `($type(${target.code}) = "string" ? ${asText} : $string(${target.code}${suffix}))`;
}

/** A value of kind item or items as JSON: n8n's items are `{ json }`, ours their JSON. */
function itemValue(out: Out): Out {
  if (out.kind === "item") return atom(`{"json": ${out.code}}`, "object");
  if (out.kind === "items") return atom(`[${paren(out)}.{"json": $}]`, "array");
  if (out.kind === "now") return out.clock ? atom(out.code, "string") : refuse("a JavaScript Date as a value (only its toISOString() is translated)");
  if (out.nodeRef) return refuse(`${out.nodeRef.legacy ? '$node["Node"]' : "$('Node')"} must be followed by ${out.nodeRef.legacy ? ".json" : ".item, .first(), .last() or .all()"}`);
  return out;
}

/** A comparison's result kept as a value: JSONata's `<` on a missing field gives nothing, JavaScript's false. */
function settle(out: Out): Out {
  return out.kind === "boolean" && !out.defined ? compound(`${paren(out)} = true`, "boolean", { defined: true }) : out;
}

/** A value that JavaScript keeps in an array even when missing (stored as null); JSONata would leave it out. */
function present(out: Out): string {
  if (out.literal || out.always || out.defined || (out.atom && /^[[{]/.test(out.code))) return out.code;
  return `($exists(${out.code}) ? ${out.code} : null)`;
}

function value(node: JsNode, scope: Scope): Out {
  return itemValue(any(node, scope));
}

const GLOBAL_NAMES: Record<string, Out> = {
  $json: atom("$json", "object"),
  $itemIndex: atom("$itemIndex", "number"),
  $now: atom("$now()", "now", { clock: true }),
};

/** Any node, possibly of kind item, items or a node reference (which only a member or call may follow). */
function any(node: JsNode, scope: Scope): Out {
  switch (node.type) {
    case "Literal": {
      if ("regex" in node) return refuse("a regular expression outside replace(), split() or match()");
      const v = (node as JsNode & { value: unknown }).value;
      if (typeof v === "string") return atom(stringLiteral(v), "string", { literal: true });
      if (typeof v === "number") return v < 0 ? compound(String(v), "number", { literal: true }) : atom(String(v), "number", { literal: true });
      if (typeof v === "boolean") return atom(String(v), "boolean", { defined: true, literal: true });
      if (v === null) return atom("null", "null", { literal: true });
      return refuse("a big integer");
    }
    case "Identifier": {
      const name = (node as JsNode & { name: string }).name;
      const bound = scope.get(name) ?? GLOBAL_NAMES[name];
      if (bound) return bound;
      return refuse(`${name} has no equivalent in Streamware expressions`);
    }
    case "TemplateLiteral":
      return template(node, scope);
    case "ParenthesizedExpression":
      return any((node as JsNode & { expression: JsNode }).expression, scope);
    case "ChainExpression":
      // JSONata paths give nothing for a missing field, as `?.` does.
      return any((node as JsNode & { expression: JsNode }).expression, scope);
    case "MemberExpression":
      return member(node, scope);
    case "CallExpression":
      return call(node, scope);
    case "NewExpression":
      return construct(node, scope);
    case "ConditionalExpression": {
      const c = node as JsNode & { test: JsNode; consequent: JsNode; alternate: JsNode };
      const yes = value(c.consequent, scope);
      const no = value(c.alternate, scope);
      return compound(`${condition(c.test, scope)} ? ${paren(yes)} : ${paren(no)}`, yes.kind === no.kind ? yes.kind : "unknown", { defined: yes.defined && no.defined });
    }
    case "LogicalExpression":
      return logical(node, scope);
    case "UnaryExpression":
      return unary(node, scope);
    case "BinaryExpression":
      return binary(node, scope);
    case "ObjectExpression":
      return object(node, scope);
    case "ArrayExpression":
      return array(node, scope);
    default:
      return refuse(`${describe(node)} has no JSONata form here`);
  }
}

function template(node: JsNode, scope: Scope): Out {
  const t = node as JsNode & { quasis: { value: { cooked: string | null } }[]; expressions: JsNode[] };
  const parts: string[] = [];
  t.quasis.forEach((quasi, i) => {
    const cooked = quasi.value.cooked ?? refuse("a template with an invalid escape");
    if (cooked) parts.push(stringLiteral(cooked));
    const expression = t.expressions[i];
    if (expression) parts.push(paren(settle(value(expression, scope))));
  });
  if (parts.length === 0) return atom('""', "string", { literal: true });
  // `&` turns each side into text, as a template does; one value alone needs `$string`.
  if (parts.length === 1) return atom(t.expressions.length ? `$string(${parts[0]})` : parts[0]!, "string");
  return compound(parts.join(" & "), "string", { always: true });
}

function propertyName(node: JsNode & { property: JsNode; computed: boolean }, scope: Scope): { name: string } | { index: number } | { key: Out } {
  if (!node.computed) {
    if (node.property.type === "PrivateIdentifier") refuse("a private field");
    return { name: (node.property as JsNode & { name: string }).name };
  }
  const literal = literalOf(node.property);
  if (literal && typeof literal.value === "string") return { name: literal.value };
  if (literal && typeof literal.value === "number" && Number.isInteger(literal.value) && literal.value >= 0) return { index: literal.value };
  return { key: value(node.property, scope) };
}

function member(node: JsNode, scope: Scope): Out {
  const matched = matchPart(node, scope);
  if (matched) return matched;
  const m = node as JsNode & { object: Expression | Super; property: Expression | PrivateIdentifier; computed: boolean };
  if (m.object.type === "Identifier") {
    const base = (m.object as JsNode & { name: string }).name;
    const prop = propertyName(m, scope);
    const name = "name" in prop ? prop.name : null;
    if (!scope.has(base)) {
      if (base === "$node") {
        if (name === null) return refuse('$node must name a node in quotes');
        return atom(`$node.${pathStep(name)}`, "unknown", { nodeRef: { name, legacy: true } });
      }
      if (base === "$input") {
        if (name === "item") return atom("$json", "item", { current: true });
        return refuse(`$input.${name ?? "…"}: our expressions see the current item only (use $json), not the whole input`);
      }
      if (base === "$execution") return name === "id" ? atom("$runId", "string") : refuse(`$execution.${name ?? "…"} has no equivalent in Streamware expressions (only $execution.id)`);
      if (base === "$workflow") return name === "id" ? atom("$flowId", "string") : refuse(`$workflow.${name ?? "…"} has no equivalent in Streamware expressions (only $workflow.id)`);
    }
  }
  const target = any(m.object, scope);
  const prop = propertyName(m, scope);
  if (target.nodeRef) {
    if ("name" in prop && target.nodeRef.legacy && prop.name === "json") return atom(`${target.code}.json`, "unknown");
    if ("name" in prop && !target.nodeRef.legacy && prop.name === "item") return atom(`${target.code}.json`, "item");
    return itemValue(target);
  }
  if (target.kind === "item") {
    if ("name" in prop && prop.name === "json") return { ...target, kind: "object", nodeRef: undefined };
    if ("name" in prop && prop.name === "binary" && target.current) return atom("$binary", "object");
    return refuse(`an item's ${"name" in prop ? prop.name : "field"}: only .json${target.current ? " and .binary" : ""} is translated`);
  }
  if (target.kind === "now") return refuse("$now is a date in n8n; only $now and $now.toISO() are translated");
  // An object's length is its field of that name, as any other.
  if ("name" in prop && prop.name === "length" && target.kind !== "object") {
    if (target.kind === "string") return atom(`$length(${target.code})`, "number");
    if (target.kind === "array" || target.kind === "items") return atom(`$count(${target.code})`, "number", { always: true });
    if (target.kind !== "unknown") return refuse(`.length of a value of type ${target.kind}`);
    return atom(`($type(${target.code}) = "array" ? $count(${target.code}) : $length(${target.code}))`, "number");
  }
  if (target.kind === "items") {
    if ("index" in prop) return atom(`${target.code}[${prop.index}]`, "item");
    return refuse("a list of items is read by position ([0]) or with map()");
  }
  if (target.kind === "string" || target.kind === "number" || target.kind === "boolean" || target.kind === "null") return refuse(`a field of a value of type ${target.kind}`);
  // JSONata would read the field of every element; JavaScript reads the array's own.
  if (target.kind === "array" && "name" in prop) return refuse(`the field ${prop.name} of an array`);
  const base = target.atom || target.code.endsWith("[]") ? target.code : `(${target.code})`;
  if ("name" in prop) return atom(`${base}.${pathStep(prop.name)}`, "unknown");
  // JSONata takes an object as a sequence of one: `[0]` would give the object itself.
  if (target.kind === "object" && ("index" in prop || ("key" in prop && prop.key.kind === "number"))) return refuse("a position in an object");
  if ("index" in prop) return atom(`${base}[${prop.index}]`, target.element ?? "unknown");
  // A number between brackets is a position in JSONata too (counted from the end when negative, where JavaScript finds nothing).
  if (prop.key.kind === "number") return atom(`${base}[${prop.key.code}]`, target.element ?? "unknown");
  if (prop.key.kind !== "string") return refuse("a field named by a value that is not known to be text or a number");
  return atom(`$lookup(${target.code}, ${prop.key.code})`, "unknown");
}

/** `$('Node')` and its `.first()`, `.last()`, `.all()`. */
function nodeCall(node: JsNode & { callee: JsNode; arguments: JsNode[] }, scope: Scope): Out | null {
  const callee = node.callee;
  if (callee.type === "Identifier" && (callee as JsNode & { name: string }).name === "$" && !scope.has("$")) {
    const arg = node.arguments[0];
    const name = arg && node.arguments.length === 1 ? (literalOf(arg)?.value ?? (arg.type === "TemplateLiteral" && (arg as JsNode & { expressions: JsNode[] }).expressions.length === 0 ? (arg as JsNode & { quasis: { value: { cooked: string } }[] }).quasis[0]!.value.cooked : undefined)) : undefined;
    if (typeof name !== "string") return refuse("$() must name a node in quotes");
    return atom(`$node.${pathStep(name)}`, "unknown", { nodeRef: { name, legacy: false } });
  }
  if (callee.type !== "MemberExpression") return null;
  const m = callee as JsNode & { object: JsNode; property: JsNode; computed: boolean };
  if (m.computed) return null;
  const method = (m.property as JsNode & { name: string }).name;
  if (m.object.type === "Identifier" && (m.object as JsNode & { name: string }).name === "$input" && !scope.has("$input")) {
    return refuse(`$input.${method}(): our expressions see the current item only (use $json), not the whole input`);
  }
  if (!["first", "last", "all"].includes(method)) return null;
  const target = any(m.object, scope);
  if (!target.nodeRef || target.nodeRef.legacy) {
    // n8n's own first() and last() of an array.
    if (method === "all" || (target.kind !== "array" && target.kind !== "unknown")) return null;
    if (node.arguments.length > 0) return refuse(`${method}() with arguments`);
    return atom(`${paren(target)}[${method === "first" ? 0 : -1}]`, target.element ?? "unknown");
  }
  if (node.arguments.length > 0) return refuse(`$('Node').${method}() with arguments`);
  if (method === "first") return atom(`${target.code}.json`, "item");
  if (method === "last") return atom(`${target.code}.items[-1]`, "item");
  return atom(`${target.code}.items`, "items");
}

function call(node: JsNode, scope: Scope): Out {
  const c = node as JsNode & { callee: JsNode; arguments: JsNode[]; optional: boolean };
  if (c.arguments.some((a) => a.type === "SpreadElement")) refuse("a call with spread (...) arguments");
  const fromNode = nodeCall(c, scope);
  if (fromNode) return fromNode;
  const args = c.arguments;
  const callee = c.callee;
  if (callee.type === "Identifier") return globalCall((callee as JsNode & { name: string }).name, args, scope);
  if (callee.type !== "MemberExpression") return refuse(`${describe(callee)} called right away`);
  const m = callee as JsNode & { object: JsNode; property: JsNode; computed: boolean };
  if (m.computed) return refuse("a method named by a value");
  const method = (m.property as JsNode & { name: string }).name;
  if (m.object.type === "Identifier" && !scope.has((m.object as JsNode & { name: string }).name)) {
    const owner = (m.object as JsNode & { name: string }).name;
    const found = staticCall(owner, method, args, scope);
    if (found) return found;
  }
  // `x.match(/re/)` alone gives an array with extra fields; only its parts are translated, in `member`.
  const target = any(m.object, scope);
  if (target.kind === "now") {
    if (target.clock && (method === "plus" || method === "minus")) {
      const millis = target.code === "$now()" ? "$millis()" : `$toMillis(${target.code})`;
      return atom(`$fromMillis(${millis} ${method === "plus" ? "+" : "-"} ${durationMillis(args, scope, method)})`, "now", { clock: true });
    }
    if ((method === "toISO" || method === "toISOString" || method === "toJSON") && args.length === 0) return atom(target.code, "string");
    return refuse(`the date method ${method}() has no direct JSONata form (only toISO())`);
  }
  const form = METHODS.get(method);
  if (!form) return refuse(`the method ${method}() has no direct JSONata form`);
  return form(method === "map" || method === "filter" || method === "find" ? target : itemValue(target), args, scope);
}

/**
 * Units of a fixed length. Days, weeks, months and years are calendar units in n8n (Luxon), whose length changes with
 * daylight saving time in the workflow's time zone, so they are not translated.
 */
const UNIT_MILLIS: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000 };

/** Luxon's duration argument (`{ hours: 2 }`, `(2, "hours")` or milliseconds) in milliseconds. */
function durationMillis(args: JsNode[], scope: Scope, method: string): string {
  const unit = (name: string) => UNIT_MILLIS[name.replace(/s$/, "")] ?? refuse(`${method}() in ${name}, a calendar unit whose length depends on the time zone`);
  const amount = (node: JsNode) => {
    const x = value(node, scope);
    return x.kind === "number" || x.kind === "unknown" ? paren(x) : refuse(`${method}() by a value of type ${x.kind}`);
  };
  arity(method, args, 1, 2);
  const [first, second] = args as [JsNode, JsNode | undefined];
  if (second) {
    const name = literalOf(second)?.value;
    if (typeof name !== "string") return refuse(`${method}() with a unit that is not written in place`);
    return `${amount(first)} * ${unit(name)}`;
  }
  if (first.type !== "ObjectExpression") return amount(first);
  const terms = (first as JsNode & { properties: JsNode[] }).properties.map((p) => {
    const prop = p as JsNode & { key?: JsNode; value?: JsNode; computed?: boolean };
    if (p.type !== "Property" || prop.computed) return refuse(`${method}() with a duration that is not written in place`);
    const key = prop.key!.type === "Identifier" ? (prop.key as JsNode & { name: string }).name : String(literalOf(prop.key!)?.value);
    return `${amount(prop.value!)} * ${unit(key)}`;
  });
  return terms.length ? `(${terms.join(" + ")})` : "0";
}

/** `Math.floor(x)`, `JSON.stringify(x)`, `Object.keys(x)`, `Date.now()`, `DateTime.now()`. */
function staticCall(owner: string, method: string, args: JsNode[], scope: Scope): Out | null {
  const one = (form: (x: Out) => Out) => {
    arity(`${owner}.${method}`, args, 1);
    return form(value(args[0]!, scope));
  };
  const number = (fn: string) => one((x) => atom(`$${fn}(${x.code})`, "number"));
  switch (`${owner}.${method}`) {
    case "Math.floor":
      return number("floor");
    case "Math.ceil":
      return number("ceil");
    case "Math.abs":
      return number("abs");
    case "Math.round":
      // `$round` rounds halves to even; JavaScript rounds them up.
      return one((x) => atom(`$floor(${paren(x)} + 0.5)`, "number"));
    case "Math.max":
    case "Math.min":
      if (args.length === 0) return refuse(`${owner}.${method}() without arguments`);
      return atom(`$${method}([${args.map((a) => numberElement(value(a, scope), `${owner}.${method}`)).join(", ")}])`, "number");
    case "Math.random":
      arity("Math.random", args, 0);
      return atom("$random()", "number");
    case "JSON.stringify": {
      if (args.length === 3 && literalOf(args[1]!)?.value === null && integerLiteral(args[2]!) === 2) return atom(jsonText(value(args[0]!, scope), true), "string");
      return one((x) => atom(jsonText(x), "string"));
    }
    case "JSON.parse":
      // JSON is JSONata too: `$eval` reads it into the same value.
      return one((x) => atom(`$eval(${x.code})`, "unknown"));
    case "Object.keys":
      return one((x) => atom(`[$keys(${x.code})]`, "array", { element: "string" }));
    case "Date.now":
      arity("Date.now", args, 0);
      return atom("$millis()", "number");
    case "DateTime.now":
      arity("DateTime.now", args, 0);
      return atom("$now()", "now", { clock: true });
    default:
      return null;
  }
}

function numberElement(x: Out, where: string): string {
  if (x.kind !== "number" && x.kind !== "unknown") refuse(`${where} with an argument that is no number`);
  return x.code;
}

function globalCall(name: string, args: JsNode[], scope: Scope): Out {
  const one = () => {
    arity(name, args, 1);
    return value(args[0]!, scope);
  };
  switch (name) {
    case "String":
      return atom(`$string(${one().code})`, "string");
    case "Number":
    case "parseFloat":
      return atom(`$number(${one().code})`, "number");
    case "parseInt": {
      arity("parseInt", args, 1, 2);
      if (args[1] && integerLiteral(args[1]) !== 10) refuse("parseInt() with a base other than 10");
      const x = value(args[0]!, scope);
      // parseInt cuts toward zero.
      return atom(`($number(${x.code}) < 0 ? $ceil($number(${x.code})) : $floor($number(${x.code})))`, "number");
    }
    case "Boolean":
      return truth(one());
    case "encodeURIComponent":
      return atom(`$encodeUrlComponent(${one().code})`, "string");
    case "encodeURI":
      return atom(`$encodeUrl(${one().code})`, "string");
    case "decodeURIComponent":
      return atom(`$decodeUrlComponent(${one().code})`, "string");
    case "decodeURI":
      return atom(`$decodeUrl(${one().code})`, "string");
    case "$if": {
      arity("$if", args, 3);
      const [yes, no] = args.slice(1).map((a) => value(a, scope)) as [Out, Out];
      return compound(`${condition(args[0]!, scope)} ? ${paren(yes)} : ${paren(no)}`, yes.kind === no.kind ? yes.kind : "unknown");
    }
    default:
      return refuse(`${name}() has no equivalent in Streamware expressions`);
  }
}

/** `new Date()` and `new Date(x)`: only their ISO text is translated, by `call`. */
function construct(node: JsNode, scope: Scope): Out {
  const n = node as JsNode & { callee: JsNode; arguments: JsNode[] };
  if (n.callee.type !== "Identifier" || (n.callee as JsNode & { name: string }).name !== "Date") return refuse(`new ${(n.callee as JsNode & { name?: string }).name ?? "…"} has no equivalent in Streamware expressions`);
  if (n.arguments.length === 0) return atom("$now()", "now");
  arity("new Date", n.arguments, 1);
  const x = value(n.arguments[0]!, scope);
  // A number is milliseconds since 1970, text an ISO 8601 date and time.
  if (x.kind === "number") return atom(`$fromMillis(${x.code})`, "now");
  if (x.kind === "string") return atom(`$fromMillis($toMillis(${x.code}))`, "now");
  if (x.kind !== "unknown") return refuse(`new Date() of a value of type ${x.kind}`);
  return atom(`($type(${x.code}) = "number" ? $fromMillis(${x.code}) : $fromMillis($toMillis(${x.code})))`, "now");
}

function logical(node: JsNode, scope: Scope): Out {
  const l = node as JsNode & { operator: "&&" | "||" | "??"; left: JsNode; right: JsNode };
  // `(a || b) || c` gives what `a || (b || c)` gives (so for && and ??); grouped to the right, no operand is repeated.
  const first = unwrap(l.left) as JsNode & { operator?: string; left: JsNode; right: JsNode };
  if (first.type === "LogicalExpression" && first.operator === l.operator) {
    return logical({ ...l, left: first.left, right: { ...first, type: "LogicalExpression", left: first.right, right: l.right } as JsNode } as JsNode, scope);
  }
  const left = value(l.left, scope);
  const right = value(l.right, scope);
  const kind = left.kind === right.kind ? left.kind : "unknown";
  if (l.operator === "??") return compound(`$exists(${left.code}) and ${paren(left)} != null ? ${paren(left)} : ${paren(right)}`, kind);
  // Both booleans: JSONata's `and` and `or` give the same boolean.
  if (left.kind === "boolean" && left.defined && right.kind === "boolean" && right.defined) return compound(`${paren(left)} ${l.operator === "&&" ? "and" : "or"} ${paren(right)}`, "boolean", { defined: true });
  // JavaScript gives one of the operands: the first when it decides, the second otherwise.
  if (l.operator === "||") return compound(`${test(left)} ? ${paren(left)} : ${paren(right)}`, kind, { defined: left.defined && right.defined });
  return compound(`${test(left)} ? ${paren(right)} : ${paren(left)}`, kind, { defined: left.defined && right.defined });
}

function unary(node: JsNode, scope: Scope): Out {
  const u = node as JsNode & { operator: string; argument: JsNode };
  if (u.operator === "!") {
    const inner = u.argument.type === "UnaryExpression" && (u.argument as JsNode & { operator: string }).operator === "!";
    if (inner) return truth(value((u.argument as JsNode & { argument: JsNode }).argument, scope));
    const decided = logicalCondition(u.argument, scope);
    return atom(`$not(${decided ?? truth(value(u.argument, scope)).code})`, "boolean", { defined: true });
  }
  if (u.operator === "-") {
    const x = value(u.argument, scope);
    if (x.kind !== "number" && x.kind !== "unknown") refuse(`- before a value of type ${x.kind}`);
    return compound(`-${paren(x)}`, "number");
  }
  if (u.operator === "+") return atom(`$number(${value(u.argument, scope).code})`, "number");
  return refuse(`the operator ${u.operator} has no JSONata form here`);
}

function binary(node: JsNode, scope: Scope): Out {
  const b = node as JsNode & { operator: string; left: JsNode; right: JsNode };
  const op = b.operator;
  if (op === "===" || op === "!==" || op === "==" || op === "!=") {
    const negate = op.startsWith("!");
    const wrap = (out: Out) => (negate ? atom(`$not(${out.code})`, "boolean", { defined: true }) : out);
    // Comparing with undefined asks whether the field is there.
    const missing = isUndefined(b.right) ? b.left : isUndefined(b.left) ? b.right : null;
    const nullish = literalOf(b.right)?.value === null ? b.left : literalOf(b.left)?.value === null ? b.right : null;
    if (missing) {
      const x = value(missing, scope);
      if (op === "!==") return atom(`$exists(${x.code})`, "boolean", { defined: true });
      const absent = atom(`$not($exists(${x.code}))`, "boolean", { defined: true });
      return wrap(op.length === 2 ? compound(`${absent.code} or ${paren(x)} = null`, "boolean", { defined: true }) : absent);
    }
    if (nullish && op.length === 2) {
      const x = value(nullish, scope);
      return wrap(compound(`$not($exists(${x.code})) or ${paren(x)} = null`, "boolean", { defined: true }));
    }
    const left = value(b.left, scope);
    const right = value(b.right, scope);
    if (op.length === 2) {
      const sameKnown = left.kind === right.kind && ["string", "number", "boolean"].includes(left.kind);
      const safe = (x: Out) => x.literal && x.kind === "string" && looseSafeText(JSON.parse(x.code) as string);
      if (!sameKnown && !safe(left) && !safe(right)) refuse(`${op} compares loosely in JavaScript ("200" == 200); only === and !== or a comparison with text are translated`);
    }
    return wrap(strictEquals(left, right));
  }
  const left = settle(value(b.left, scope));
  const right = settle(value(b.right, scope));
  if (op === "<" || op === "<=" || op === ">" || op === ">=") return compound(`${paren(left)} ${op} ${paren(right)}`, "boolean");
  if (op === "-" || op === "*" || op === "/" || op === "%") {
    for (const side of [left, right]) if (side.kind !== "number" && side.kind !== "unknown") refuse(`${op} with a value of type ${side.kind}`);
    return compound(`${paren(left)} ${op} ${paren(right)}`, "number");
  }
  if (op === "+") {
    if (left.kind === "number" && right.kind === "number") return compound(`${paren(left)} + ${paren(right)}`, "number");
    if (left.kind === "string" || right.kind === "string") return compound(`${left.kind === "string" && !left.atom ? left.code : paren(left)} & ${paren(right)}`, "string", { always: true });
    return refuse("+ adds numbers or joins text in JavaScript, and which one depends on the data here; it is translated when one side is text written in place or both are numbers");
  }
  return refuse(`the operator ${op} has no JSONata form here`);
}

function object(node: JsNode, scope: Scope): Out {
  const o = node as JsNode & { properties: (JsNode | SpreadElement)[] };
  const parts: string[] = [];
  const spreads: string[] = [];
  for (const p of o.properties) {
    if (p.type === "SpreadElement") {
      const spread = value((p as SpreadElement).argument, scope);
      if (spread.kind !== "object" && spread.kind !== "unknown") refuse(`spreading (...) a value of type ${spread.kind} into an object`);
      if (parts.length) spreads.push(`{${parts.splice(0).join(", ")}}`);
      spreads.push(spread.code);
      continue;
    }
    const prop = p as JsNode & { key: JsNode; value: JsNode; computed: boolean; kind: string; method: boolean };
    if (prop.computed) refuse("an object key computed from a value");
    if (prop.kind !== "init" || prop.method) refuse("a getter, setter or method in an object");
    const key = prop.key.type === "Identifier" ? (prop.key as JsNode & { name: string }).name : String(literalOf(prop.key)?.value);
    parts.push(`${stringLiteral(key)}: ${settle(value(prop.value, scope)).code}`);
  }
  if (spreads.length === 0) return atom(`{${parts.join(", ")}}`, "object");
  if (parts.length) spreads.push(`{${parts.join(", ")}}`);
  // Later keys win in both.
  return atom(`$merge([${spreads.join(", ")}])`, "object");
}

function array(node: JsNode, scope: Scope): Out {
  const a = node as JsNode & { elements: (JsNode | SpreadElement | null)[] };
  const parts = a.elements.map((element) => {
    if (element === null) return refuse("an array with holes");
    if (element.type === "SpreadElement") {
      const spread = value((element as SpreadElement).argument, scope);
      if (spread.kind !== "array" && spread.kind !== "unknown") refuse(`spreading (...) a value of type ${spread.kind} into an array`);
      // JSONata's array constructor already puts an array's elements in, one by one; text spreads to characters.
      return spread.kind === "array" ? spread.code : `($type(${spread.code}) = "array" ? ${spread.code} : $split(${spread.code}, ""))`;
    }
    const x = settle(value(element, scope));
    if (x.literal || (x.atom && /^[[{]/.test(x.code)) || (x.kind !== "array" && x.kind !== "unknown")) return present(x);
    // JSONata puts an array's elements in one by one; JavaScript keeps it as one element.
    return `($type(${x.code}) = "array" ? [[${x.code}]] : ${present(x)})`;
  });
  return atom(`[${parts.join(", ")}]`, "array");
}

/** Parses the text between `{{` and `}}`: one expression, maybe followed by `;` and comments. */
function parseBody(source: string): JsNode {
  if (source.length > MAX_EXPRESSION_LENGTH) refuse(`it is longer than ${MAX_EXPRESSION_LENGTH} characters, the most our expressions take`);
  const options = { ecmaVersion: "latest" as const };
  let expression: JsNode;
  let end: number;
  try {
    // Without kept parentheses, a parenthesized expression ends before its `)`: its end is read from the other tree.
    end = parseExpressionAt(source, 0, { ...options, preserveParens: true }).end;
    expression = parseExpressionAt(source, 0, options);
  } catch (err) {
    return refuse(`it is not a JavaScript expression (${(err as Error).message.replace(/ \(\d+:\d+\)$/, "")})`);
  }
  let rest: { body: JsNode[] };
  try {
    rest = parse(source.slice(end), options);
  } catch {
    return refuse("it holds more than one JavaScript expression");
  }
  if (rest.body.some((s) => s.type !== "EmptyStatement")) refuse("it holds JavaScript statements, not one expression");
  return expression;
}

/** `match(/re/)[n]` and `match(/re/).length`: a group or the whole of the first match. */
function matchPart(node: JsNode, scope: Scope): Out | null {
  if (node.type !== "MemberExpression") return null;
  const m = node as JsNode & { object: JsNode; property: JsNode; computed: boolean };
  let call = m.object;
  while (call.type === "ChainExpression" || call.type === "ParenthesizedExpression") call = (call as JsNode & { expression: JsNode }).expression;
  if (call.type !== "CallExpression") return null;
  const c = call as JsNode & { callee: JsNode; arguments: JsNode[] };
  if (c.callee.type !== "MemberExpression" || (c.callee as JsNode & { computed: boolean }).computed) return null;
  const callee = c.callee as JsNode & { object: JsNode; property: JsNode & { name: string } };
  if (callee.property.name !== "match" || c.arguments.length !== 1) return null;
  const regex = regexOf(c.arguments[0]!);
  if (!regex) return refuse("match() is translated only with a regular expression written in place");
  if (regex.global) return refuse("match() with the g flag");
  const index = m.computed ? integerLiteral(m.property) : null;
  if (index === null || index < 0) return refuse("match() is translated only when one group or the whole match is taken from it ([0], [1], …)");
  const target = value(callee.object, scope);
  if (target.kind !== "string" && target.kind !== "unknown") refuse(`match() on a value of type ${target.kind}`);
  const first = `$match(${target.code}, ${regex.code}, 1)`;
  return atom(index === 0 ? `${first}.match` : `${first}.groups[${index - 1}]`, "string");
}

/**
 * One n8n expression body (what is between `{{` and `}}`) in JSONata, or why not (the reason names the construct).
 */
export function translateExpression(source: string): TranslatedString {
  try {
    const node = parseBody(source);
    const out = settle(value(node, new Map()));
    return { ok: true, value: out.code };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    // A file may nest brackets deeper than the parser's or the translation's stack.
    if (err instanceof RangeError) return { ok: false, reason: "it is nested too deeply" };
    throw err;
  }
}

/**
 * An n8n parameter string in our form. Strings starting with `=` are expressions: each `{{ }}` is translated and the
 * text around it kept; all of them must translate, or the string is kept as written. Other strings are literal,
 * `{{` included.
 */
export function translateParameterString(value: string): { value: string; expression: boolean; translated: boolean; reason?: string } {
  if (!value.startsWith("=")) return { value: literalText(value), expression: false, translated: false };
  const body = value.slice(1);
  const parts = parseTemplate(body);
  if (!parts) return { value: literalText(body), expression: true, translated: true };
  let out = "";
  for (const part of parts) {
    if ("text" in part) {
      out += part.text;
      continue;
    }
    const translated = translateExpression(part.expression);
    if (!translated.ok) return { value, expression: true, translated: false, reason: translated.reason };
    out += `{{ ${translated.value} }}`;
  }
  return { value: out, expression: true, translated: true };
}

/**
 * A parameter that n8n reads as JSON once its `{{ }}` are filled in (a raw Set's output, a JSON body or
 * response), as our value: literal JSON as the value itself, else one expression building the same value. JSON
 * is JSONata already, so the text is kept; a `{{ }}` inside a JSON string joins the string with `&`, one
 * outside stands for its value; a lone `{{ }}` may hold an object literal with spreads.
 */
export function translateJsonParameter(value: string): { value: unknown; expression: boolean; translated: boolean; reason?: string } {
  const kept = (reason: string) => ({ value, expression: true, translated: false, reason });
  if (!value.startsWith("=")) {
    try {
      return { value: JSON.parse(value) as unknown, expression: false, translated: false };
    } catch {
      return { value: literalText(value), expression: false, translated: false };
    }
  }
  const parts = parseTemplate(value.slice(1));
  if (!parts) {
    try {
      return { value: JSON.parse(value.slice(1)) as unknown, expression: true, translated: true };
    } catch {
      return kept("it is not JSON");
    }
  }
  const expressions = parts.filter((part) => "expression" in part);
  const alone = expressions.length === 1 && parts.every((part) => "expression" in part || part.text.trim() === "");
  let jsonata = "";
  if (alone) {
    const body = (expressions[0] as { expression: string }).expression.trim();
    // An object literal with spreads is an expression like any other.
    const translated = translateExpression(body);
    if (!translated.ok) return kept(translated.reason);
    jsonata = translated.value;
  } else {
    let inString = false;
    for (const part of parts) {
      if ("text" in part) {
        for (let i = 0; i < part.text.length; i++) {
          const c = part.text[i]!;
          if (inString && c === "\\") i++;
          else if (c === '"') inString = !inString;
        }
        jsonata += part.text;
        continue;
      }
      const translated = translateExpression(part.expression);
      if (!translated.ok) return kept(translated.reason);
      jsonata += inString ? `" & ${translated.value} & "` : `(${translated.value})`;
    }
    if (inString) return kept("a JSON string in it does not close");
  }
  const result = `{{ ${jsonata} }}`;
  if (checkExpressions(result, "import").length > 0) return kept("it does not read as JSON once its expressions are filled in");
  return { value: result, expression: true, translated: true };
}
