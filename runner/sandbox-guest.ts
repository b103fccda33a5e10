// The guest side of the code sandbox: JavaScript evaluated inside each isolate, kept apart from the host code in
// sandbox.ts that compiles it. A string export rather than a .js file read at run time, so it travels through every
// bundle (esbuild's dist/, the worker, Next's server build) without a path to resolve.

/** The name user code is compiled under; PRELUDE finds its line numbers in stacks by it. */
export const FILENAME = "code.js";

/**
 * Evaluated once per program (a code string in an isolate), in a context of its own: it sets up a capturing
 * `console`, then freezes every built-in reachable from the global object and the global object itself, and hands
 * back two functions. `run(inputJson)` calls the user's function and answers with the reply, or with ASYNC when the
 * function returned a promise, which `settle()` then awaits. Frozen built-ins are what make reusing the context
 * safe: a run cannot pollute a prototype or leave a global behind for the next one (it gets a TypeError instead).
 * The reply is a JSON header line (logs, or the error) and, on success, the output JSON after a newline; JSON text
 * never holds a raw newline.
 */
export const ASYNC = "\u0000async";
export const PRELUDE = `(function (userFunction) {
"use strict";
const G = globalThis, parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, keys = Object.keys;
const toStr = String, exec = RegExp.prototype.exec, call = Function.prototype.call, freeze = Object.freeze;
const getProto = Object.getPrototypeOf, ownKeys = Reflect.ownKeys, describe = Object.getOwnPropertyDescriptor;
const resolved = Promise.resolve.bind(Promise);
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
  let json;
  try {
    if (sizeAtLeast(list, limits.maxOutputBytes) > limits.maxOutputBytes) return fail({ kind: "output" });
    json = stringify(list);
  } catch (err) {
    return fail({ kind: "result", message: "Code returned a value JSON cannot hold: " + toStr(err && err.message) });
  }
  if (json.length > limits.maxOutputBytes) return fail({ kind: "output" });
  return header({}) + "\\n" + json;
};
let pending = null;
const run = (inputJson) => {
  const input = parse(inputJson);
  logs = [];
  dropped = 0;
  limits = input;
  let result;
  try {
    result = call.call(userFunction, undefined, input.items, input.items, input.trigger, input.nodes);
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
harden([G, userFunction, run, settle, ...hidden]);
return [run, settle];
})(`;
