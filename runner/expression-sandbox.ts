import ivm from "isolated-vm";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { NodeCancelledError } from "../nodes/_kit/errors";
import type { ExpressionBatch, ExpressionEvaluator, ExpressionOutcome } from "../nodes/_core/expressions";
import { disposeIsolate, newIsolate } from "./isolates";
import { isolateStats, type IsolateStats } from "./metrics";

/**
 * Evaluates JSONata expressions inside isolated-vm, so no expression can stall this process: each workspace gets a
 * warm isolate with JSONata loaded (about 10 ms to set up), and a batch (one item's expressions) runs there on
 * isolated-vm's own thread under a time limit and the isolate's memory limit. V8 stops the isolate when time runs
 * out, which also stops a regular expression that backtracks without end; the event loop here never waits on it.
 *
 * JSONata's evaluation is a chain of promises that settle without I/O, so the whole batch settles inside the one
 * call and its time limit covers all of it.
 */

export interface ExpressionLimits {
  /** Wall time one item's expressions may take together. */
  timeoutMs: number;
  /** Heap of a workspace's expression isolate; going over it ends the isolate, and the next batch gets a new one. */
  memoryMb: number;
  /** Characters of JSON one expression's value may take. */
  maxResultChars: number;
}

export const defaultExpressionLimits: ExpressionLimits = { timeoutMs: 1000, memoryMb: 64, maxResultChars: 16 * 1024 * 1024 };

/** Workspaces with a warm isolate; the least recently used one is disposed beyond this. */
const MAX_ISOLATES = 16;
/** Margin for isolated-vm's own limit to fire first; the wall clock catches what it cannot (none is known). */
const WALL_CLOCK_MARGIN_MS = 250;

/**
 * Runs in each isolate once, after JSONata's own source. `evaluate` compiles (cached) and evaluates each
 * expression of a batch in turn, recording which one runs in `current` so a time limit can name it, and answers
 * with one JSON text: a list of `{ v }` (a value), `{ u: 1 }` (no value) or `{ e: { message, position } }`.
 */
const GUEST = `
var current = -1;
var evaluate = (function () {
  "use strict";
  const compiled = new Map(), parse = JSON.parse, stringify = JSON.stringify;
  const isFunction = (v) => typeof v === "function" || (typeof v === "object" && v !== null && (v._jsonata_function || v._jsonata_lambda));
  const failure = (e) => ({ e: { message: String((e && e.message) || e), position: e && typeof e.position === "number" ? e.position : undefined } });
  const expressionOf = (source) => {
    let found = compiled.get(source);
    if (!found) {
      found = jsonata(source);
      if (compiled.size >= 500) compiled.delete(compiled.keys().next().value);
      compiled.set(source, found);
    }
    return found;
  };
  return async function (sources, inputJson, bindingsJson, maxResultChars) {
    const input = parse(inputJson), bindings = parse(bindingsJson);
    bindings.json = input;
    const outcomes = [];
    for (let i = 0; i < sources.length; i++) {
      current = i;
      let value;
      try {
        value = await expressionOf(sources[i]).evaluate(input, bindings);
      } catch (e) {
        outcomes.push(stringify(failure(e)));
        break;
      }
      if (value === undefined) { outcomes.push('{"u":1}'); continue; }
      if (isFunction(value)) {
        outcomes.push(stringify({ e: { message: "it gives a function, not a value; call it, such as $string(x)" } }));
        break;
      }
      const text = stringify(value);
      if (text.length > maxResultChars) {
        outcomes.push(stringify({ e: { message: "its value takes more than " + maxResultChars + " characters of JSON; make it smaller", limit: "output" } }));
        break;
      }
      outcomes.push('{"v":' + text + "}");
    }
    current = -1;
    return "[" + outcomes.join(",") + "]";
  };
})();
`;

let guestSource: string | undefined;

/** JSONata's browser build (it defines a global `jsonata`) followed by our guest code; read on first use. */
function guestScript(): string {
  guestSource ??= `${readFileSync(createRequire(import.meta.url).resolve("jsonata/jsonata.min.js"), "utf8")}\n${GUEST}`;
  return guestSource;
}

interface Slot {
  isolate: ivm.Isolate;
  ready: Promise<{ context: ivm.Context; evaluate: ivm.Reference<(...args: unknown[]) => Promise<string>> }> | null;
}

interface Outcome {
  v?: unknown;
  u?: 1;
  e?: { message: string; position?: number; limit?: "output" };
}

/** The limits that stop an expression. */
export type ExpressionLimitKind = "time" | "memory" | "output";

export class ExpressionSandbox implements ExpressionEvaluator {
  private readonly slots = new Map<string, Slot>();
  private readonly limits: ExpressionLimits;
  private disposed = false;
  private readonly onLimitHit: (limit: ExpressionLimitKind) => void;

  /** `onLimitHit` hears of each expression a limit stopped (for the metrics). */
  constructor(limits: Partial<ExpressionLimits> = {}, { onLimitHit = () => {} }: { onLimitHit?: (limit: ExpressionLimitKind) => void } = {}) {
    this.limits = { ...defaultExpressionLimits, ...limits };
    this.onLimitHit = onLimitHit;
  }

  /** The warm isolates and the heap they use, for the metrics. */
  stats(): IsolateStats {
    return isolateStats([...this.slots.values()].map((slot) => slot.isolate));
  }

  async evaluate(batch: ExpressionBatch): Promise<ExpressionOutcome[]> {
    if (this.disposed) throw new Error("The expression sandbox has been shut down");
    const { signal } = batch;
    if (signal?.aborted) throw abortReason(signal);
    const slot = this.slotFor(batch.poolKey);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<never>((_, reject) => {
      if (!signal) return;
      onAbort = () => reject(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    cancelled.catch(() => {});
    let context: ivm.Context | undefined;
    try {
      const ready = await Promise.race([this.prepare(slot), cancelled]);
      context = ready.context;
      const args = [new ivm.ExternalCopy(batch.expressions).copyInto(), JSON.stringify(batch.input ?? null), JSON.stringify(batch.bindings), this.limits.maxResultChars];
      const running = ready.evaluate.apply(undefined, args, { timeout: this.limits.timeoutMs, result: { promise: true, copy: true } });
      running.catch(() => {});
      const wallClock = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WallClockTimeout()), this.limits.timeoutMs + WALL_CLOCK_MARGIN_MS);
      });
      const reply = await Promise.race([running, wallClock, cancelled]);
      return (JSON.parse(reply) as Outcome[]).map((outcome) => {
        if (!outcome.e) return { value: outcome.u ? undefined : outcome.v };
        if (outcome.e.limit) this.onLimitHit(outcome.e.limit);
        return { error: outcome.e };
      });
    } catch (err) {
      if (signal?.aborted) {
        // Disposing is the only way to stop an expression that is spinning on the isolate's thread.
        this.drop(batch.poolKey, slot);
        throw abortReason(signal);
      }
      return this.limitHit({ err, slot, context, poolKey: batch.poolKey });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal!.removeEventListener("abort", onAbort);
    }
  }

  /** Disposes every isolate; batches still going fail. For shutdown and tests. */
  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots.values()) disposeIsolate(slot.isolate);
    this.slots.clear();
  }

  /**
   * Which limit stopped the batch, as outcomes: the expressions before the one running have their values dropped
   * (the caller stops at the first error), and the one running gets the limit's words.
   */
  private limitHit({ err, slot, context, poolKey }: { err: unknown; slot: Slot; context?: ivm.Context; poolKey: string }): ExpressionOutcome[] {
    const message = err instanceof Error ? err.message : String(err);
    let reason: string;
    if (slot.isolate.isDisposed || /memory limit/i.test(message)) {
      this.onLimitHit("memory");
      reason = `it used more than ${this.limits.memoryMb} MB of memory (the expression memory limit); make it build smaller values`;
    } else if (/timed out/i.test(message)) {
      this.onLimitHit("time");
      reason = `it ran longer than ${this.limits.timeoutMs} ms (the expression time limit); make it do less, such as fewer steps of recursion or a simpler regular expression`;
    } else {
      reason = `it could not be evaluated: ${message}`;
    }
    let index = 0;
    // After isolated-vm's own limit the isolate is idle and can say which expression ran; after the wall clock it
    // may still be busy, and asking would wait for it.
    if (context && !slot.isolate.isDisposed && !(err instanceof WallClockTimeout)) {
      try {
        index = Math.max(0, Number(context.global.getSync("current")));
      } catch {
        // The isolate is unusable; the batch's first expression carries the error.
      }
    }
    // Anything stopped part-way may have left JSONata mid-change; the workspace starts afresh.
    this.drop(poolKey, slot);
    return [...Array.from({ length: index }, () => ({ value: undefined })), { error: { message: reason } }];
  }

  private slotFor(poolKey: string): Slot {
    let slot = this.slots.get(poolKey);
    if (slot && slot.isolate.isDisposed) slot = undefined;
    if (slot) this.slots.delete(poolKey);
    slot ??= { isolate: newIsolate(this.limits.memoryMb), ready: null };
    // Re-inserting keeps the map in least-recently-used order.
    this.slots.set(poolKey, slot);
    for (const [key, other] of this.slots) {
      if (this.slots.size <= MAX_ISOLATES) break;
      this.drop(key, other);
    }
    return slot;
  }

  private prepare(slot: Slot) {
    slot.ready ??= (async () => {
      const context = await slot.isolate.createContext();
      await context.eval(guestScript(), { timeout: 10_000 });
      const evaluate = (await context.global.get("evaluate", { reference: true })) as ivm.Reference<(...args: unknown[]) => Promise<string>>;
      return { context, evaluate };
    })();
    return slot.ready;
  }

  private drop(poolKey: string, slot: Slot): void {
    if (this.slots.get(poolKey) === slot) this.slots.delete(poolKey);
    disposeIsolate(slot.isolate);
  }
}

class WallClockTimeout extends Error {
  constructor() {
    super("timed out by the wall clock");
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new NodeCancelledError();
}
