import { compatGaps, MAX_NODE_RED_OUTPUTS, outputPorts } from "../../_kit/code-compat";
import { fieldName, jsonataValue, messagePath, typedValue, type TypedValue } from "./typed-values";

/** One Node-RED node as it appears in an export: its own properties besides these vary by type. */
export interface NodeRedNode {
  id: string;
  type: string;
  z?: string;
  g?: string;
  name?: string;
  x?: number;
  y?: number;
  wires?: string[][];
  d?: boolean;
  [property: string]: unknown;
}

export interface Flag {
  field: string;
  text: string;
  reason: string;
}

/** What a Node-RED node becomes when Streamware has an equivalent. */
export interface Mapped {
  kind: "mapped";
  type: string;
  config: Record<string, unknown>;
  /** False for triggers, which take no input. */
  input: boolean;
  /** Our output port for each Node-RED output, by index; null where ours has none (its wires are dropped, said why). */
  outputs: (string | null)[];
  credential?: { type: string; name: string };
  translated: number;
  flags: Flag[];
  notes: string[];
  /** A Set node after a trigger, building the message Node-RED's trigger gave (an inject's payload, an http in's req). */
  follower?: { config: Record<string, unknown> };
}

export interface Unmapped {
  kind: "placeholder";
  reason: string;
}

export type MapOutcome = Mapped | Unmapped;

export interface MapContext {
  /** A config node (an mqtt-broker, say) by id, when the file holds it. */
  configNode(id: string): NodeRedNode | undefined;
}

const placeholder = (reason: string): Unmapped => ({ kind: "placeholder", reason });

function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

function outputCount(node: NodeRedNode): number {
  return Math.max(1, node.wires?.length ?? 1);
}

/** Collects a mapped node's translated and flagged values as its mapper goes. */
class Values {
  translated = 0;
  flags: Flag[] = [];
  failed: string | null = null;

  /** The value, counted; on failure the node becomes a placeholder whose note says why. */
  take(outcome: TypedValue, field: string, original: unknown): unknown {
    if (!outcome.ok) {
      this.failed ??= `${field}: ${outcome.reason}`;
      this.flags.push({ field, text: str(original), reason: outcome.reason });
      return undefined;
    }
    if (outcome.expression) this.translated += 1;
    return outcome.value;
  }
}

function mapped(values: Values, spec: Omit<Mapped, "kind" | "translated" | "flags" | "notes"> & { notes?: string[] }): MapOutcome {
  if (values.failed) return placeholder(values.failed);
  return { kind: "mapped", translated: values.translated, flags: values.flags, notes: spec.notes ?? [], ...spec };
}

const SECONDS_PER = { s: 1, m: 60, h: 3600 } as const;

/** An inject's repeat interval (seconds) as a six-field cron, when it divides its unit evenly. */
function intervalCron(seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds <= 0) return null;
  if (seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  const minutes = seconds / SECONDS_PER.m;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0) return `0 */${minutes} * * * *`;
  const hours = seconds / SECONDS_PER.h;
  if (Number.isInteger(hours) && hours <= 24 && 24 % hours === 0) return hours === 24 ? "0 0 0 * * *" : `0 0 */${hours} * * *`;
  return null;
}

function mapInject(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const props = Array.isArray(node.props) ? (node.props as Record<string, unknown>[]) : [{ p: "payload" }, { p: "topic", vt: "str" }];
  const fields: { name: string; value: unknown }[] = [];
  props.forEach((prop, i) => {
    const p = str(prop.p);
    const value = p === "payload" ? node.payload : p === "topic" ? node.topic : prop.v;
    const type = p === "payload" ? str(node.payloadType) || "date" : p === "topic" ? "str" : str(prop.vt) || "str";
    if (p === "topic" && !str(value)) return;
    const name = fieldName(p);
    if (!name) {
      values.failed ??= `props[${i}]: the property "${p}" cannot be a field name`;
      return;
    }
    fields.push({ name, value: values.take(typedValue(value, type), `props[${i}]`, value) });
  });
  const notes: string[] = [];
  const repeat = Number(str(node.repeat));
  const crontab = str(node.crontab).trim();
  let trigger: { type: string; config: Record<string, unknown> };
  if (crontab) {
    trigger = { type: "core.schedule", config: { cron: crontab } };
  } else if (str(node.repeat).trim() && repeat > 0) {
    const cron = intervalCron(repeat);
    if (!cron) return placeholder(`repeats every ${repeat} seconds, which a cron schedule cannot express exactly`);
    trigger = { type: "core.schedule", config: { cron } };
  } else {
    trigger = { type: "core.manual-trigger", config: {} };
  }
  if (node.once === true || node.once === "true") notes.push("it also fired once on deploy; start a run by hand after activating, or add a manual trigger");
  return mapped(values, { ...trigger, input: false, outputs: ["out"], notes, follower: fields.length > 0 ? { config: { fields, keepOnlySet: true } } : undefined });
}

/** Node-RED's `:name` route parameters and the leading slash have no place in a webhook path. */
function webhookPath(url: string): string | null {
  const path = url
    .trim()
    .replace(/^\/+|\/+$/g, "")
    .replace(/:([A-Za-z0-9_]+)/g, "$1");
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/.test(path) && path.length <= 200 ? path : null;
}

const WEBHOOK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function mapHttpIn(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const url = str(node.url);
  const path = webhookPath(url);
  if (!path) return placeholder(`the URL "${url}" is not a webhook path Streamware can serve`);
  const method = str(node.method).toUpperCase() || "GET";
  const methods = method === "ALL" ? WEBHOOK_METHODS : WEBHOOK_METHODS.includes(method) ? [method] : null;
  if (!methods) return placeholder(`the method ${method} is not one a webhook answers`);
  const notes = url.includes(":") ? [`route parameters in "${url}" became plain path segments; read them from the request instead`] : [];
  if (node.upload === true) notes.push("file uploads arrive as the request's files");
  // Our webhook's item holds method, headers, query and body; Node-RED's message has them as payload and msg.req.
  const payload = methods.length > 1 ? '{{ method = "GET" ? query : body }}' : method === "GET" || method === "DELETE" ? "{{ query }}" : "{{ body }}";
  values.translated += 2;
  const follower = { config: { fields: [{ name: "payload", value: payload }, { name: "req", value: '{{ {"query": query, "headers": headers, "body": body} }}' }], keepOnlySet: false } };
  return mapped(values, { type: "core.webhook", config: { path, methods, respond: "auto" }, input: false, outputs: ["out"], notes, follower });
}

function headerList(headers: unknown): { name: string; value: string }[] {
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) return [];
  return Object.entries(headers as Record<string, unknown>)
    .filter(([name]) => /^[A-Za-z0-9-]+$/.test(name))
    .map(([name, value]) => ({ name, value: str(value) }));
}

function mapHttpResponse(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const status = Number(str(node.statusCode));
  values.translated += 1;
  return mapped(values, {
    type: "core.respond-to-webhook",
    config: { status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200, headers: headerList(node.headers), body: "{{ payload }}" },
    input: true,
    outputs: [],
    notes: str(node.statusCode) ? [] : ["Node-RED took the status from msg.statusCode; this answers 200"],
  });
}

type MustachePart = { text: string } | { path: string };

/** Mustache's `{{x}}` and `{{{x}}}` name message properties; null when the template uses sections, partials or context. */
function mustacheParts(text: string): MustachePart[] | null {
  const parts: MustachePart[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\{?\s*([^{}]*?)\s*\}?\}\}/g)) {
    const name = match[1] ?? "";
    const path = /^[#^/>!=&]/.test(name) || /^(flow|global|env)\./.test(name) || name === "." ? null : messagePath(name);
    if (!path) return null;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ path });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** The template as our mixed text: the same names read from the item. */
function mustacheToExpression(text: string): { value: string; count: number } | null {
  const parts = mustacheParts(text);
  if (!parts || parts.some((p) => "text" in p && p.text.includes("{{"))) return null;
  return { value: parts.map((p) => ("text" in p ? p.text : `{{ ${p.path} }}`)).join(""), count: parts.filter((p) => "path" in p).length };
}

/** A template whose result is parsed as JSON: its text joined in JSONata, then read with `$eval`. */
function mustacheToJson(text: string): string | null {
  const parts = mustacheParts(text);
  if (!parts) return null;
  const joined = parts.map((p) => ("text" in p ? JSON.stringify(p.text) : `$string(${p.path})`)).join(" & ");
  return `{{ $eval(${joined || '""'}) }}`;
}

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const RESPONSE_FORMATS: Record<string, string> = { txt: "text", obj: "json", bin: "binary" };

function mapHttpRequest(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const method = (str(node.method) || "GET").toUpperCase();
  if (!HTTP_METHODS.includes(method)) return placeholder(`the method comes from ${method === "USE" ? "msg.method" : method}, which Streamware's HTTP request cannot take`);
  const raw = str(node.url);
  let url: string;
  if (raw) {
    const translated = mustacheToExpression(raw);
    if (!translated) return placeholder(`the URL "${raw}" uses mustache beyond message properties`);
    url = translated.value;
    values.translated += translated.count;
  } else {
    url = "{{ url }}";
    values.translated += 1;
  }
  const hasBody = !["GET", "HEAD", "DELETE"].includes(method);
  if (hasBody) values.translated += 1;
  const notes: string[] = [];
  if (node.paytoqs === true || node.paytoqs === "query") notes.push("Node-RED appended msg.payload to the query; add query parameters");
  if (node.tls || node.proxy || node.authType) notes.push("its TLS, proxy or authentication settings were not carried over; set up a credential");
  return mapped(values, {
    type: "core.http-request",
    config: { method, url, bodyMode: hasBody ? "json" : "none", ...(hasBody ? { body: "{{ payload }}" } : {}), responseFormat: RESPONSE_FORMATS[str(node.ret)] ?? "text" },
    input: true,
    outputs: ["out"],
    notes,
  });
}

const UNSAFE_KEY = /(^|\.)(__proto__|constructor|prototype)(\.|$)/;

/**
 * A change node that deletes or moves fields has no Set node equivalent; when its other rules are fixed values or
 * copies, it becomes generated code doing the same to each item, in order.
 */
/** Where a change rule reads or writes: a message field, or a key of flow or global context. */
function changeTarget(property: string, type: string): { code: (value?: string) => string; read: string } | null {
  const path = fieldName(property);
  if (!path || UNSAFE_KEY.test(path)) return null;
  if (type === "msg") {
    const at = JSON.stringify(path.split("."));
    return { read: `read(msg, ${at})`, code: (value) => (value === undefined ? `remove(msg, ${at});` : `write(msg, ${at}, ${value});`) };
  }
  if (type === "flow" || type === "global") {
    const key = JSON.stringify(path);
    return { read: `${type}.get(${key})`, code: (value) => `${type}.set(${key}, ${value ?? "undefined"});` };
  }
  return null;
}

/**
 * Change rules a Set node cannot take (deleting or moving fields, reading or writing flow or global context) as
 * generated code, run in the code node's Node-RED mode, where `flow` and `global` are the flow's state.
 */
function mapChangeAsCode(rules: Record<string, unknown>[]): MapOutcome {
  const lines: string[] = [];
  for (const [i, rule] of rules.entries()) {
    const where = `rules[${i}]`;
    const t = str(rule.t);
    const target = changeTarget(str(rule.p), str(rule.pt) || "msg");
    if (!target) return placeholder(`${where}: the property "${str(rule.p)}" is not a field of the message, flow or global context`);
    if (t === "delete") lines.push(target.code());
    else if (t === "move" || (t === "set" && ["msg", "flow", "global"].includes(str(rule.tot)))) {
      const source = changeTarget(str(rule.to), str(rule.tot) || "msg");
      if (!source) return placeholder(`${where}: it ${t === "move" ? "moves to" : "copies"} "${str(rule.to)}", which is not a field of the message, flow or global context`);
      lines.push(t === "move" ? `{ const value = ${target.read}; ${target.code()} ${source.code("value")} }` : target.code(`copy(${source.read})`));
    } else if (t === "set") {
      const value = typedValue(rule.to, str(rule.tot));
      if (!value.ok || value.expression) return placeholder(`${where}: ${value.ok ? "its value is an expression, which generated code cannot evaluate" : value.reason}`);
      lines.push(target.code(JSON.stringify(value.value)));
    } else if (t === "change" && ["str", "re"].includes(str(rule.fromt) || "str") && ["str", ""].includes(str(rule.tot))) {
      const pattern = str(rule.fromt) === "re" ? `new RegExp(${JSON.stringify(str(rule.from))}, "g")` : JSON.stringify(str(rule.from));
      const replace = str(rule.fromt) === "re" ? "replace" : "replaceAll";
      lines.push(`{ const value = ${target.read}; if (typeof value === "string") ${target.code(`value.${replace}(${pattern}, ${JSON.stringify(str(rule.to))})`)} }`);
    } else return placeholder(`${where}: the "${t}" rule has no equivalent here`);
  }
  const code = [
    "// Node-RED change rules, applied to the message in order.",
    "const copy = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));",
    "const read = (json, path) => path.reduce((value, key) => (value == null ? undefined : value[key]), json);",
    "const write = (json, path, value) => {",
    "  let at = json;",
    "  for (const key of path.slice(0, -1)) at = at[key] !== null && typeof at[key] === \"object\" ? at[key] : (at[key] = {});",
    "  at[path[path.length - 1]] = value;",
    "};",
    "const remove = (json, path) => {",
    "  const parent = read(json, path.slice(0, -1));",
    "  if (parent !== null && typeof parent === \"object\") delete parent[path[path.length - 1]];",
    "};",
    ...lines,
    "return msg;",
  ].join("\n");
  const usesContext = rules.some((rule) => ["flow", "global"].includes(str(rule.pt)) || ["flow", "global"].includes(str(rule.tot)));
  return {
    kind: "mapped",
    type: "core.code",
    config: { code, compat: "node-red" },
    input: true,
    outputs: ["out"],
    translated: 0,
    flags: [],
    notes: [usesContext ? "it reads or writes flow or global context, kept in the flow's state, so its rules became generated code in a Code node" : "it deletes or moves fields, which a Set node cannot, so its rules became generated code in a Code node"],
  };
}

function mapChange(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const rules = Array.isArray(node.rules) ? (node.rules as Record<string, unknown>[]) : [];
  const context = (type: unknown) => type === "flow" || type === "global";
  if (rules.some((rule) => rule.t === "delete" || rule.t === "move" || context(rule.pt) || context(rule.tot))) return mapChangeAsCode(rules);
  const fields: { name: string; value: unknown }[] = [];
  rules.forEach((rule, i) => {
    if (values.failed) return;
    const t = str(rule.t);
    const where = `rules[${i}]`;
    if (str(rule.pt || "msg") !== "msg") {
      values.failed = `${where}: it writes to ${str(rule.pt)} context, which Streamware does not have`;
      return;
    }
    const name = fieldName(str(rule.p));
    const path = messagePath(str(rule.p));
    if (!name || !path) {
      values.failed = `${where}: the property "${str(rule.p)}" cannot be a field name`;
      return;
    }
    if (t === "set") {
      fields.push({ name, value: values.take(typedValue(rule.to, str(rule.tot)), `${where}.to`, rule.to) });
    } else if (t === "change") {
      const from = typedValue(rule.from, str(rule.fromt) === "re" ? "str" : str(rule.fromt));
      const to = typedValue(rule.to, str(rule.tot));
      if (!from.ok || !to.ok || from.expression || to.expression) {
        values.failed = `${where}: it searches or replaces with a value that is not fixed`;
        return;
      }
      const pattern = str(rule.fromt) === "re" ? `/${str(rule.from).replace(/\//g, "\\/")}/` : JSON.stringify(str(from.value));
      fields.push({ name, value: `{{ $type(${path}) = "string" ? $replace(${path}, ${pattern}, ${JSON.stringify(str(to.value))}) : ${path} }}` });
      values.translated += 1;
    } else {
      values.failed = `${where}: the Set node cannot ${t === "delete" ? "delete" : t === "move" ? "move" : `"${t}"`} a field`;
    }
  });
  if (rules.length === 0) return placeholder("it has no rules");
  return mapped(values, { type: "core.set", config: { fields, keepOnlySet: false }, input: true, outputs: ["out"] });
}

const SWITCH_OPERATORS: Record<string, string> = {
  eq: "equals",
  neq: "notEquals",
  lt: "lessThan",
  lte: "lessOrEqual",
  gt: "greaterThan",
  gte: "greaterOrEqual",
  cont: "contains",
  true: "isTrue",
  false: "isFalse",
  null: "isEmpty",
  nnull: "isNotEmpty",
  empty: "isEmpty",
  nempty: "isNotEmpty",
};

function switchSubject(node: NodeRedNode, values: Values): string | null {
  const type = str(node.propertyType) || "msg";
  if (type === "msg") return messagePath(str(node.property));
  if (type === "jsonata") {
    const outcome = jsonataValue(str(node.property));
    if (!outcome.ok) {
      values.failed = `property: ${outcome.reason}`;
      return null;
    }
    return `(${str(node.property).trim()})`;
  }
  values.failed = `property: it routes on ${type} values, which Streamware does not have`;
  return null;
}

/** A rule value's type; rules saved by early Node-RED versions have none, and Node-RED then reads numbers as numbers. */
function ruleValueType(value: unknown, type: unknown): string {
  const given = str(type);
  if (given) return given;
  return str(value).trim() !== "" && !Number.isNaN(Number(str(value))) ? "num" : "str";
}

function mapSwitch(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const subject = switchSubject(node, values);
  const rules = Array.isArray(node.rules) ? (node.rules as Record<string, unknown>[]) : [];
  const conditions: Record<string, unknown>[] = [];
  const outputs: (string | null)[] = [];
  let fallback = false;
  rules.forEach((rule, i) => {
    if (values.failed || !subject) return;
    const t = str(rule.t);
    const where = `rules[${i}]`;
    if (t === "else") {
      if (i !== rules.length - 1) values.failed = `${where}: "otherwise" is not the last rule`;
      fallback = true;
      outputs.push("fallback");
      return;
    }
    const left = `{{ ${subject} }}`;
    let condition: Record<string, unknown> | null = null;
    const operator = SWITCH_OPERATORS[t];
    if (operator) {
      const right = ["true", "false", "null", "nnull", "empty", "nempty"].includes(t) ? undefined : values.take(typedValue(rule.v, ruleValueType(rule.v, rule.vt)), `${where}.v`, rule.v);
      condition = { left, operator, ...(right === undefined ? {} : { right }) };
    } else if (t === "regex") {
      const flags = rule.case === true ? "i" : "";
      condition = { left: `{{ $contains($string(${subject}), /${str(rule.v).replace(/\//g, "\\/")}/${flags}) }}`, operator: "isTrue" };
    } else if (t === "btwn") {
      const low = values.take(typedValue(rule.v, ruleValueType(rule.v, rule.vt)), `${where}.v`, rule.v);
      const high = values.take(typedValue(rule.v2, ruleValueType(rule.v2, rule.v2t)), `${where}.v2`, rule.v2);
      condition = { left: `{{ ${subject} >= ${JSON.stringify(low)} and ${subject} <= ${JSON.stringify(high)} }}`, operator: "isTrue" };
    } else if (t === "istype") {
      const type = str(rule.v) === "json" || str(rule.v) === "buffer" ? null : str(rule.v);
      if (!type) values.failed = `${where}: there is no test for "${str(rule.v)}" values`;
      else condition = { left: `{{ $type(${subject}) = ${JSON.stringify(type === "undefined" ? "undefined" : type)} }}`, operator: "isTrue" };
    } else if (t === "jsonata_exp") {
      const outcome = jsonataValue(str(rule.v));
      if (!outcome.ok) values.failed = `${where}: ${outcome.reason}`;
      else condition = { left: outcome.value, operator: "isTrue" };
    } else {
      values.failed = `${where}: the "${t}" rule (message sequences, context) has no equivalent`;
    }
    if (!condition) return;
    values.translated += 1;
    conditions.push(condition);
    outputs.push(`rule-${conditions.length}`);
  });
  if (!values.failed && conditions.length === 0) return placeholder("it has no rule a Switch node can take");
  return mapped(values, {
    type: "core.switch",
    config: { rules: conditions, mode: node.checkall === "false" || node.checkall === false ? "first" : "all", fallback },
    input: true,
    outputs,
    notes: node.repair === true ? ["it recreated message sequences, which Streamware does not do"] : [],
  });
}

function mapFunction(node: NodeRedNode): MapOutcome {
  const code = str(node.func);
  const outputs = Math.min(outputCount(node), MAX_NODE_RED_OUTPUTS);
  const gaps = compatGaps("node-red", code);
  if (str(node.initialize).trim() || str(node.finalize).trim()) gaps.push("its setup and close code were not carried over");
  if (Array.isArray(node.libs) && node.libs.length > 0) gaps.push("it loads modules, which the sandbox does not allow");
  const notes = [...gaps];
  if (outputCount(node) > outputs) notes.push(`it has ${outputCount(node)} outputs; the code node has at most ${MAX_NODE_RED_OUTPUTS}, so the connections of the others are dropped`);
  return {
    kind: "mapped",
    type: "core.code",
    config: {
      code: code.trim() ? code : "return msg;",
      compat: "node-red",
      ...(outputs > 1 ? { outputs } : {}),
      ...(Number(node.timeout) > 0 ? { timeoutMs: Math.min(30_000, Math.round(Number(node.timeout) * 1000)) } : {}),
    },
    input: true,
    outputs: Array.from({ length: outputCount(node) }, (_, i) => (i < outputs ? outputPorts(outputs)[i]! : null)),
    translated: 0,
    flags: gaps.length > 0 ? [{ field: "code", text: code.slice(0, 200), reason: `Node-RED function code, kept as written: review it before running (${gaps.join("; ")})` }] : [],
    notes,
  };
}

function mapTemplate(node: NodeRedNode): MapOutcome {
  const values = new Values();
  if (str(node.fieldType || "msg") !== "msg") return placeholder(`it writes to ${str(node.fieldType)} context, which Streamware does not have`);
  const name = fieldName(str(node.field) || "payload");
  if (!name) return placeholder(`the property "${str(node.field)}" cannot be a field name`);
  const template = str(node.template);
  const output = str(node.output) || "str";
  if (output === "json" && str(node.syntax) !== "plain") {
    const value = mustacheToJson(template);
    if (!value) return placeholder("its mustache template uses sections, partials or context, which an expression cannot take as it is");
    values.translated += 1;
    return mapped(values, { type: "core.set", config: { fields: [{ name, value }], keepOnlySet: false }, input: true, outputs: ["out"] });
  }
  if (output === "json") {
    const parsed = typedValue(template, "json");
    if (!parsed.ok || JSON.stringify(parsed.value).includes("{{")) return placeholder(parsed.ok ? "its JSON holds \"{{\", which Streamware would read as an expression" : "its text is not JSON");
    return mapped(values, { type: "core.set", config: { fields: [{ name, value: parsed.value }], keepOnlySet: false }, input: true, outputs: ["out"] });
  }
  if (output !== "str") return placeholder(`it parses its result as ${output === "json" ? "JSON" : output.toUpperCase()}`);
  let value: string;
  if (str(node.syntax) === "plain") {
    const literal = typedValue(template, "str");
    if (!literal.ok) return placeholder(literal.reason);
    value = template;
  } else {
    const translated = mustacheToExpression(template);
    if (!translated) return placeholder("its mustache template uses sections, partials or context, which an expression cannot take as it is");
    value = translated.value;
    values.translated += translated.count;
  }
  return mapped(values, { type: "core.set", config: { fields: [{ name, value }], keepOnlySet: false }, input: true, outputs: ["out"] });
}

function mapJson(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const name = fieldName(str(node.property) || "payload");
  const path = messagePath(str(node.property) || "payload");
  if (!name || !path) return placeholder(`the property "${str(node.property)}" cannot be a field name`);
  const action = str(node.action);
  const toText = `$string(${path}${node.pretty === true ? ", true" : ""})`;
  const expression =
    action === "obj" ? `$type(${path}) = "string" ? $eval(${path}) : ${path}` : action === "str" ? `$type(${path}) = "string" ? ${path} : ${toText}` : `$type(${path}) = "string" ? $eval(${path}) : ${toText}`;
  values.translated += 1;
  const notes = node.schema ? ["its JSON schema check was not carried over"] : [];
  return mapped(values, { type: "core.set", config: { fields: [{ name, value: `{{ ${expression} }}` }], keepOnlySet: false }, input: true, outputs: ["out"], notes });
}

const DELAY_UNITS: Record<string, number> = { milliseconds: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

function mapDelay(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const pause = str(node.pauseType) || "delay";
  if (pause !== "delay") return placeholder(pause === "delayv" ? "it waits as long as msg.delay says" : pause === "random" ? "it waits a random time" : "it limits the rate of messages");
  const ms = Math.round(Number(str(node.timeout) || "5") * (DELAY_UNITS[str(node.timeoutUnits) || "seconds"] ?? 1000));
  if (!Number.isFinite(ms) || ms < 0 || ms > 3_600_000) return placeholder("it waits longer than an hour, the Delay node's limit; use a schedule");
  return mapped(values, { type: "core.delay", config: { ms }, input: true, outputs: ["out"] });
}

/** The broker config node's name, which the imported node's credential reference carries. */
function brokerName(node: NodeRedNode, context: MapContext): string {
  const id = str(node.broker);
  const broker = context.configNode(id);
  if (!broker) return id || "MQTT broker";
  const named = str(broker.name).trim();
  if (named) return named;
  const host = str(broker.broker).trim();
  return host ? `${host}:${str(broker.port) || "1883"}` : id;
}

function qos(value: unknown): 0 | 1 | 2 {
  const number = Number(str(value));
  return number === 1 || number === 2 ? number : 0;
}

function mapMqttIn(node: NodeRedNode, context: MapContext): MapOutcome {
  const values = new Values();
  const topic = str(node.topic).trim();
  if (!topic || node.inputs === 1) return placeholder("it subscribes to topics it is sent at run time");
  const datatype = str(node.datatype) || "auto";
  return mapped(values, {
    type: "mqtt.trigger",
    config: { topics: [topic], qos: qos(node.qos), parseJson: ["auto", "auto-detect", "json"].includes(datatype) },
    input: false,
    outputs: ["out"],
    credential: { type: "mqtt.broker", name: brokerName(node, context) },
    notes: ["buffer", "base64"].includes(datatype) ? ["binary payloads arrive as text"] : [],
  });
}

function mapMqttOut(node: NodeRedNode, context: MapContext): MapOutcome {
  const values = new Values();
  const topic = str(node.topic).trim();
  values.translated += topic ? 1 : 2;
  return mapped(values, {
    type: "mqtt.publish",
    config: { topic: topic || "{{ topic }}", payload: "{{ payload }}", qos: qos(node.qos), retain: node.retain === true || node.retain === "true" },
    input: true,
    outputs: [],
    credential: { type: "mqtt.broker", name: brokerName(node, context) },
  });
}

/**
 * Debug nodes become pass-through Set nodes with no fields, not notes: the connections stay, and the run view shows
 * each step's items, which is where Node-RED's debug sidebar output goes.
 */
function mapDebug(node: NodeRedNode): MapOutcome {
  const values = new Values();
  return mapped(values, {
    type: "core.set",
    config: { fields: [], keepOnlySet: false },
    input: true,
    outputs: ["out"],
    notes: [`debug node "${str(node.name) || node.id}": a pass-through step; its items show in the run view`],
  });
}

/** Range scales a number from one range to another (clamped to it, or wrapped round it) in one JSONata expression. */
function mapRange(node: NodeRedNode): MapOutcome {
  const values = new Values();
  const name = fieldName(str(node.property) || "payload");
  const path = messagePath(str(node.property) || "payload");
  const [minin, maxin, minout, maxout] = [node.minin, node.maxin, node.minout, node.maxout].map((v) => Number(str(v)));
  if (!name || !path) return placeholder(`the property "${str(node.property)}" cannot be a field name`);
  if (![minin, maxin, minout, maxout].every((v) => Number.isFinite(v)) || minin === maxin) return placeholder("its ranges are not numbers");
  const action = str(node.action) || "scale";
  const input =
    action === "clamp"
      ? `($v := $number(${path}); $v < ${minin} ? ${minin} : $v > ${maxin} ? ${maxin} : $v)`
      : action === "roll"
        ? `($v := $number(${path}); $d := ${maxin} - ${minin}; ((($v - ${minin}) % $d) + $d) % $d + ${minin})`
        : `$number(${path})`;
  const scaled = `(${input} - ${minin}) / (${maxin} - ${minin}) * (${maxout} - ${minout}) + ${minout}`;
  values.translated += 1;
  return mapped(values, { type: "core.set", config: { fields: [{ name, value: `{{ ${node.round === true ? `$round(${scaled})` : scaled} }}` }], keepOnlySet: false }, input: true, outputs: ["out"] });
}

/** Sort of an array in the message (not of a message sequence) is JSONata's `$sort` with a comparator. */
function mapSort(node: NodeRedNode): MapOutcome {
  const values = new Values();
  if (str(node.targetType) !== "msg") return placeholder("it sorts a sequence of messages, which Streamware does not have");
  const name = fieldName(str(node.target) || "payload");
  const path = messagePath(str(node.target) || "payload");
  if (!name || !path) return placeholder(`the property "${str(node.target)}" cannot be a field name`);
  let key = "";
  if (str(node.msgKeyType) === "jsonata" && str(node.msgKey).trim()) {
    const outcome = jsonataValue(str(node.msgKey));
    if (!outcome.ok) return placeholder(`msgKey: ${outcome.reason}`);
    key = `.(${str(node.msgKey).trim()})`;
  }
  const side = (v: string) => (node.as_num === true ? `$number(${v}${key})` : `${v}${key}`);
  const greater = str(node.order) === "descending" ? "<" : ">";
  values.translated += 1;
  const value = `{{ $sort(${path}, function($l, $r) { ${side("$l")} ${greater} ${side("$r")} }) }}`;
  return mapped(values, { type: "core.set", config: { fields: [{ name, value }], keepOnlySet: false }, input: true, outputs: ["out"] });
}

/**
 * Split and join run on the items of a step together, as our code node gets them, in generated code a person can
 * read: split gives one item per entry of msg.payload (a list, text cut at a delimiter, or an object's keys), with
 * a `parts` field saying how to put them back, as Node-RED's msg.parts does; join puts the step's items back.
 */
function mapSplit(node: NodeRedNode): MapOutcome {
  const kind = str(node.spltType) || "str";
  if (node.stream === true || (kind !== "str" && kind !== "len")) return placeholder("it splits binary data or a stream, which the generated code does not do");
  const delimiter = kind === "str" ? str(node.splt).replace(/\\n/g, "\n").replace(/\\t/g, "\t") : null;
  const length = kind === "len" ? Math.max(1, Number(str(node.splt)) || 1) : null;
  const arraySize = Math.max(1, Number(str(node.arraySplt)) || 1);
  const keyField = fieldName(str(node.addname));
  const code = [
    "// Node-RED split of msg.payload: one item per entry of a list, per piece of text, or per key of an object.",
    `const delimiter = ${JSON.stringify(delimiter)};`,
    `const length = ${JSON.stringify(length)};`,
    `const arraySize = ${arraySize};`,
    "return items.flatMap((item) => {",
    "  const value = item.json.payload;",
    "  const piece = (payload, parts, extra = {}) => ({ ...item.json, ...extra, payload, parts });",
    "  if (Array.isArray(value)) {",
    "    const out = [];",
    "    for (let i = 0; i < value.length; i += arraySize) out.push(arraySize === 1 ? value[i] : value.slice(i, i + arraySize));",
    "    return out.map((payload, index) => piece(payload, { type: \"array\", index, count: out.length }));",
    "  }",
    "  if (typeof value === \"string\") {",
    "    const out = delimiter !== null ? value.split(delimiter) : [];",
    "    for (let i = 0; delimiter === null && i < value.length; i += length) out.push(value.slice(i, i + length));",
    "    return out.map((payload, index) => piece(payload, { type: \"string\", ch: delimiter ?? \"\", index, count: out.length }));",
    "  }",
    "  if (value && typeof value === \"object\") {",
    "    const entries = Object.entries(value);",
    `    return entries.map(([key, payload], index) => piece(payload, { type: "object", key, index, count: entries.length }${keyField ? `, { ${JSON.stringify(keyField)}: key }` : ""}));`,
    "  }",
    "  return [item.json];",
    "});",
  ].join("\n");
  return { kind: "mapped", type: "core.code", config: { code }, input: true, outputs: ["out"], translated: 0, flags: [], notes: ["split became generated code in a Code node; it splits the items of one step, as they arrive together"] };
}

function mapJoin(node: NodeRedNode): MapOutcome {
  const mode = str(node.mode) || "auto";
  if (mode === "reduce") return placeholder("it reduces a sequence with JSONata, which the generated code does not do");
  const build = mode === "auto" ? "auto" : str(node.build) || "array";
  if (!["auto", "array", "string", "object", "merged"].includes(build)) return placeholder(`it builds ${build}, which the generated code does not do`);
  if (mode !== "auto" && str(node.propertyType || "msg") !== "msg") return placeholder("it joins a whole message, not a property of it");
  const property = fieldName(str(node.property) || "payload") ?? "payload";
  const joiner = str(node.joinerType) === "bin" ? null : str(node.joiner ?? "\\n").replace(/\\n/g, "\n").replace(/\\t/g, "\t");
  const code = [
    "// Node-RED join: the step's items become one, as its parts say (auto) or as configured.",
    `const build = ${JSON.stringify(build)};`,
    `const joiner = ${JSON.stringify(joiner ?? "")};`,
    `const read = (json) => ${JSON.stringify(property)}.split(".").reduce((value, key) => (value == null ? undefined : value[key]), json);`,
    "if (items.length === 0) return [];",
    "const first = items[0].json;",
    "const kind = build === \"auto\" ? first.parts?.type ?? \"array\" : build;",
    "const values = items.map((item) => read(item.json));",
    "let payload;",
    "if (kind === \"string\") payload = values.map(String).join(build === \"auto\" ? first.parts?.ch ?? \"\" : joiner);",
    "else if (kind === \"object\") payload = Object.fromEntries(items.map((item, i) => [build === \"auto\" ? item.json.parts?.key ?? String(i) : item.json.topic ?? String(i), values[i]]));",
    "else if (kind === \"merged\") payload = Object.assign({}, ...values.filter((v) => v && typeof v === \"object\"));",
    "else payload = values;",
    "const { parts: _parts, ...rest } = first;",
    "return [{ ...rest, payload }];",
  ].join("\n");
  const notes = ["join became generated code in a Code node; it joins the items of one step, as they arrive together"];
  if (mode !== "auto" && (Number(str(node.count)) > 0 || Number(str(node.timeout)) > 0)) notes.push("its count and timeout were not carried over");
  return { kind: "mapped", type: "core.code", config: { code }, input: true, outputs: ["out"], translated: 0, flags: [], notes };
}

const MAPPERS: Record<string, (node: NodeRedNode, context: MapContext) => MapOutcome> = {
  inject: mapInject,
  "http in": mapHttpIn,
  "http response": mapHttpResponse,
  "http request": mapHttpRequest,
  change: mapChange,
  switch: mapSwitch,
  function: mapFunction,
  template: mapTemplate,
  json: mapJson,
  delay: mapDelay,
  "mqtt in": mapMqttIn,
  "mqtt out": mapMqttOut,
  debug: mapDebug,
  range: mapRange,
  sort: mapSort,
  split: mapSplit,
  join: mapJoin,
};

export function mapNode(node: NodeRedNode, context: MapContext): MapOutcome {
  const mapper = MAPPERS[node.type];
  return mapper ? mapper(node, context) : placeholder(`Streamware has no node like Node-RED's "${node.type}"`);
}
