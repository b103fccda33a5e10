// The guest side of the code sandbox: JavaScript evaluated inside each isolate, kept apart from the host code in
// sandbox.ts that compiles it. A string export rather than a .js file read at run time, so it travels through every
// bundle (esbuild's dist/, the worker, Next's server build) without a path to resolve.

/** The name user code is compiled under; PRELUDE finds its line numbers in stacks by it. */
export const FILENAME = "code.js";

/**
 * Evaluated once per program (a code string in an isolate), in a context of its own: it sets up a capturing
 * `console`, then freezes every built-in reachable from the global object and the global object itself, and hands
 * back three functions. `run(inputJson)` calls the user's function and answers with the reply, or with ASYNC when the
 * function returned a promise, which `settle()` then awaits; `runMany` makes several runs in one call. Frozen built-ins are what make reusing the context
 * safe: a run cannot pollute a prototype or leave a global behind for the next one (it gets a TypeError instead).
 * The reply is a JSON header line (logs, or the error) and, on success, the output JSON after a newline; JSON text
 * never holds a raw newline. Code written for n8n or Node-RED is called through that tool's shim (the compatibility
 * modes below), which builds its names from the input, and whose flow state changes travel back in the header.
 */
export const ASYNC = "\u0000async";
/** Between the replies of runs sent together; JSON text never holds this control character raw. */
export const BATCH_SEPARATOR = "\u0001";
/** A call of runs sent together stops starting more once its replies are this long or it has run this long. */
const BATCH_REPLY_CHARS = 1024 * 1024;
const BATCH_MS = 2;
export const PRELUDE = `(function (userFunction) {
"use strict";
const G = globalThis, parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, keys = Object.keys;
const toStr = String, exec = RegExp.prototype.exec, call = Function.prototype.call, freeze = Object.freeze;
const getProto = Object.getPrototypeOf, ownKeys = Reflect.ownKeys, describe = Object.getOwnPropertyDescriptor;
const resolved = Promise.resolve.bind(Promise), now = Date.now;
delete G.WebAssembly;
let logs = [], dropped = 0, limits = { maxLogEntries: 0, maxLogChars: 0, maxOutputBytes: 0 };
const show = (v) => {
  if (typeof v === "string") return v;
  if (v instanceof Error) return toStr(v.stack || v);
  try { const s = stringify(v); return s === undefined ? toStr(v) : s; } catch { return toStr(v); }
};
const logger = (level) => (...args) => {
  if (logs.length >= limits.maxLogEntries) { dropped++; return; }
  let message = "";
  try { message = args.map(show).join(" "); } catch (e) { message = "(could not format: " + toStr(e && e.message) + ")"; }
  if (message.length > limits.maxLogChars) message = message.slice(0, limits.maxLogChars) + "…";
  logs.push({ level, message });
};
G.console = { log: logger("info"), info: logger("info"), debug: logger("debug"), warn: logger("warn"), error: logger("error") };
/** Positions in code.js on the error's stack, innermost first; the host keeps the first inside the user's code. */
const where = (err) => {
  const positions = [], re = /code\\.js:(\\d+):(\\d+)/g, stack = toStr(err && err.stack);
  for (let m; positions.length < 10 && (m = call.call(exec, re, stack)); ) positions.push([+m[1], +m[2]]);
  return { positions };
};
const header = (extra) => stringify({ logs, dropped, ...extra });
/** Set by a compatibility mode for the run: what its code changed in flow state, for the reply. */
let stateChanges = null;
const fail = (error) => header({ error });
const kindOf = (v) => v === null ? "null" : isArray(v) ? "an array" : typeof v;
/** A lower bound of the JSON length, given up on past the limit so huge output is refused before it is built. */
const sizeAtLeast = (value, limit) => {
  let size = 0;
  const path = new Set();
  const walk = (v) => {
    if (size > limit) return;
    if (typeof v === "string") { size += v.length + 2; return; }
    if (typeof v !== "object" || v === null) { size += 1; return; }
    if (typeof v.toJSON === "function") return;
    if (path.has(v)) throw new TypeError("Converting circular structure to JSON");
    path.add(v);
    if (isArray(v)) { size += v.length + 1; for (let i = 0; i < v.length && size <= limit; i++) walk(v[i]); }
    else { const ks = keys(v); size += 2; for (let i = 0; i < ks.length && size <= limit; i++) { size += ks[i].length + 4; walk(v[ks[i]]); } }
    path.delete(v);
  };
  walk(value);
  return size;
};
const thrown = (err) => {
  let name, message;
  try {
    if (err instanceof Error) { name = toStr(err.name); message = toStr(err.message); }
    else { try { message = stringify(err); } catch {} if (message === undefined) message = toStr(err); }
  } catch { message = "a value that cannot be shown"; }
  return fail({ kind: "runtime", name, message, ...where(err) });
};
const reply = (result) => {
  if (typeof result !== "object" || result === null) {
    return fail({ kind: "result", message: "Code must return an array of objects or one object; it returned " + (result === undefined ? "nothing" : kindOf(result)) + ". End it with, for example, \`return items;\`" });
  }
  const list = isArray(result) ? result : [result];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "object" || v === null || isArray(v)) {
      return fail({ kind: "result", message: "Item " + i + " of the returned array is " + kindOf(v) + "; return objects, such as { value: " + (typeof v === "string" ? "\\"…\\"" : "…") + " }" });
    }
  }
  let json, head;
  try {
    if (sizeAtLeast(list, limits.maxOutputBytes) > limits.maxOutputBytes) return fail({ kind: "output" });
    json = stringify(list);
  } catch (err) {
    return fail({ kind: "result", message: "Code returned a value JSON cannot hold: " + toStr(err && err.message) });
  }
  if (json.length > limits.maxOutputBytes) return fail({ kind: "output" });
  try {
    head = header(stateChanges ? { state: stateChanges() } : {});
  } catch (err) {
    return fail({ kind: "result", message: "Code kept a value in flow state that JSON cannot hold: " + toStr(err && err.message) });
  }
  return head + "\\n" + json;
};
// --- Compatibility modes: code written for n8n's Code node or Node-RED's function node, run as written. The
// names each mode gives are listed in nodes/_kit/code-compat.ts; the host declares them around the user's code.
const isAsync = getProto(userFunction) !== getProto(function () {});
/** Runs invoke(i) for each item in order (awaiting it when the code is async), hands each result to take, then done(). */
const eachItem = (count, invoke, take, done) => {
  if (!isAsync) { for (let i = 0; i < count; i++) take(invoke(i), i); return done(); }
  return (async () => { for (let i = 0; i < count; i++) take(await invoke(i), i); return done(); })();
};
/** Flow state as plain objects the code changes at will; the reply carries the keys whose JSON changed. */
const openStores = (state) => {
  const before = {};
  for (const name of keys(state)) { before[name] = {}; for (const key of keys(state[name])) before[name][key] = stringify(state[name][key]); }
  stateChanges = () => {
    const changes = {};
    for (const name of keys(state)) {
      const store = state[name], was = before[name], set = {}, removed = [];
      for (const key of keys(store)) {
        const now = stringify(store[key]);
        if (now === undefined) { if (hasOwn(was, key)) removed.push(key); } else if (now !== was[key]) set[key] = store[key];
      }
      for (const key of keys(was)) if (!hasOwn(store, key)) removed.push(key);
      if (keys(set).length > 0 || removed.length > 0) changes[name] = { set, delete: removed };
    }
    return changes;
  };
  return state;
};
const first = (list) => list[0], last = (list) => list[list.length - 1];
const n8n = (input) => {
  const { items, nodes, compat } = input;
  const state = openStores(compat.state);
  const outputOf = (name) => {
    const node = nodes[toStr(name)];
    if (!node) throw new Error("No node called " + stringify(toStr(name)) + " ran before this one");
    return node.items.map((json) => ({ json }));
  };
  const $node = {};
  for (const name of keys(nodes)) $node[name] = { json: nodes[name].json };
  const scope = (index, item) => ({
    items, $json: item && item.json, $itemIndex: index, $node, $trigger: input.trigger,
    $input: { all: () => items, first: () => first(items), last: () => last(items), item },
    // Which item of another node pairs with this one is not tracked; the item at the same position stands in.
    $: (name) => { const list = outputOf(name); return { all: () => list, first: () => first(list), last: () => last(list), item: list[index] || list[0], isExecuted: true }; },
    $items: (name) => (name === undefined ? items : outputOf(name)),
    $execution: { id: compat.run.id, mode: compat.run.trigger === "manual" ? "test" : "production" },
    $workflow: { id: compat.run.flowId },
    $getWorkflowStaticData: (type) => {
      if (type !== "global" && type !== "node") throw new Error("$getWorkflowStaticData takes \\"global\\" or \\"node\\", not " + stringify(type));
      return state[type];
    },
  });
  // As in n8n, code run once for all items still sees the first item as $json and $input.item.
  if (!compat.perItem) return call.call(userFunction, undefined, scope(0, items[0]));
  const out = [];
  const take = (result) => {
    if (result === undefined || result === null) return;
    for (const entry of isArray(result) ? result : [result]) out.push(entry);
  };
  return eachItem(items.length, (i) => call.call(userFunction, undefined, scope(i, items[i])), take, () => out);
};
/** Node-RED context: get/set/keys of a store, with dotted paths, and the callback forms answered at once. */
const contextOf = (store) => {
  const path = (key) => toStr(key).split(".");
  const answer = (more, value) => {
    const callback = more[more.length - 1];
    if (typeof callback !== "function") return value;
    callback(undefined, value);
  };
  return {
    get: (key, ...more) => answer(more, path(key).reduce((v, k) => (v === null || v === undefined ? undefined : v[k]), store)),
    set: (key, value, ...more) => {
      const parts = path(key), end = parts.pop();
      let at = store;
      for (const k of parts) at = at[k] !== null && typeof at[k] === "object" ? at[k] : (at[k] = {});
      if (value === undefined) delete at[end]; else at[end] = value;
      return answer(more, undefined);
    },
    keys: (...more) => answer(more, keys(store)),
  };
};
const nodeRed = (input) => {
  const { items, compat } = input;
  const state = openStores(compat.state);
  const outputs = compat.outputs || 1, out = [];
  let current = 0, raised;
  /** What a function returns or passes to node.send: a msg, null, or one entry per output (a msg, null or a list). */
  const send = (result, index) => {
    if (result === null || result === undefined) return;
    const list = isArray(result) ? result : [result];
    for (let o = 0; o < list.length && o < outputs; o++) {
      for (const msg of isArray(list[o]) ? list[o] : [list[o]]) {
        if (msg === null || msg === undefined) continue;
        if (typeof msg !== "object" || isArray(msg)) throw new TypeError("Output " + (o + 1) + " was given " + (isArray(msg) ? "an array" : "a " + typeof msg) + "; send msg objects, or an array with one per output");
        out.push({ output: o, json: msg, binary: msg === items[index].json ? items[index].binary : undefined });
      }
    }
  };
  const context = { ...contextOf(state.node), flow: contextOf(state.flow), global: contextOf(state.global) };
  const node = {
    id: compat.node.id, name: compat.node.name, outputCount: outputs,
    log: logger("info"), warn: logger("warn"), debug: logger("debug"), trace: logger("debug"),
    // With a msg, Node-RED hands the error to catch nodes; here the step fails, which reaches the error output or flow.
    error: (err, msg) => {
      logger("error")(err);
      if (msg !== undefined && raised === undefined) { raised = new Error(err instanceof Error ? toStr(err.message) : show(err)); raised.name = "node.error"; }
    },
    status: (status) => logger("info")("status: " + show(status !== null && typeof status === "object" && status.text !== undefined ? status.text : status)),
    send: (msg) => send(msg, current),
    done: () => {},
  };
  const names = { node, context, flow: context.flow, global: context.global, env: { get: () => undefined }, RED: { util: { cloneMessage: (msg) => (msg === undefined ? msg : parse(stringify(msg))) } } };
  const invoke = (i) => { current = i; return call.call(userFunction, undefined, { ...names, msg: items[i].json }); };
  return eachItem(items.length, invoke, send, () => { if (raised) throw raised; return out; });
};
const compatModes = { n8n, "node-red": nodeRed };
let pending = null;
// RegExp.$1, lastMatch, input and the rest hold the last match made in this context: one empty match before each
// run clears them, so a run cannot read what the previous one matched.
const emptyPattern = /(?:)/;
const runInput = (input) => {
  call.call(exec, emptyPattern, "");
  logs = [];
  dropped = 0;
  limits = input;
  stateChanges = null;
  let result;
  try {
    result = input.compat
      ? compatModes[input.compat.mode](input)
      : call.call(userFunction, undefined, input.items, input.items, input.trigger, input.nodes);
  } catch (err) {
    return thrown(err);
  }
  let then;
  try {
    then = result !== null && typeof result === "object" ? result.then : undefined;
  } catch (err) {
    return thrown(err);
  }
  if (typeof then !== "function") return reply(result);
  pending = resolved(result).then(reply, thrown);
  return "${ASYNC}";
};
const run = (inputJson) => runInput(parse(inputJson));
/**
 * Several runs of this code in one call, in order, each as \`run\` would make it; their replies are joined by
 * BATCH_SEPARATOR. It stops early, and the host sends the rest again, after a run that went async (its promise
 * is settled before the next run starts), once the replies are large, or once the call has taken a while.
 */
const runMany = (inputsJson) => {
  const inputs = parse(inputsJson), replies = [], started = now();
  let size = 0;
  for (let i = 0; i < inputs.length; i++) {
    const answer = runInput(inputs[i]);
    replies.push(answer);
    size += answer.length;
    if (answer === "${ASYNC}" || size > ${BATCH_REPLY_CHARS} || now() - started >= ${BATCH_MS}) break;
  }
  return replies.join("\\u0001");
};
const settle = () => {
  const waiting = pending;
  pending = null;
  return waiting;
};
// On a frozen prototype, assigning an inherited property to an instance would fail ("o.toString = f",
// "err.message = m"). These become accessors whose setter gives the instance a property of its own instead.
const overridable = ["constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "toJSON", "name", "message"];
const defineProperty = Object.defineProperty, hasOwn = Object.hasOwn;
const allowOverrides = (proto) => {
  for (const key of overridable) {
    const d = describe(proto, key);
    if (!d || !hasOwn(d, "value") || !d.writable || !d.configurable) continue;
    const value = d.value;
    defineProperty(proto, key, {
      get() { return value; },
      set(next) {
        if (this === proto) throw new TypeError("Cannot change the built-in " + toStr(key));
        defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable,
      configurable: false,
    });
  }
};
/** Freezes everything reachable from the roots: values, accessors and prototypes. */
const harden = (roots) => {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length) {
    const value = stack.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    const ctor = describe(value, "constructor");
    if (ctor && typeof ctor.value === "function" && ctor.value.prototype === value) allowOverrides(value);
    freeze(value);
    stack.push(getProto(value));
    for (const key of ownKeys(value)) {
      const d = describe(value, key);
      if (d) stack.push(d.value, d.get, d.set);
    }
  }
};
// Built-ins that no global names: reached through instances.
const hidden = [
  async function () {}, function* () {}, async function* () {}, [][Symbol.iterator](), new Map()[Symbol.iterator](),
  new Set()[Symbol.iterator](), ""[Symbol.iterator](), /x/[Symbol.matchAll](""), getProto(Int8Array),
];
harden([G, userFunction, run, runMany, settle, ...hidden]);
return [run, settle, runMany];
})(`;
