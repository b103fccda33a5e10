import ivm from "isolated-vm";
import { COMPAT_NAMES } from "../nodes/_kit/code-compat";
import type { CodeCompat, CodeLog, CodeRunArgs, CodeRunResult } from "../nodes/_kit/context";
import { CodeError, NodeCancelledError, NodeError, type CodeErrorKind } from "../nodes/_kit/errors";
import { isPlainObject } from "../nodes/_kit/items";
import { ASYNC, FILENAME, PRELUDE } from "./sandbox-guest";
import { isolateStats, type IsolateStats } from "./metrics";

export { CodeError, type CodeErrorKind };

/**
 * Runs user JavaScript inside isolated-vm: a separate V8 isolate with its own heap and only the language's
 * built-ins, so there is no `require`, no `process` and no path back to the host's objects. Data crosses as JSON
 * strings in both directions; nothing else is handed in.
 *
 * Isolates are expensive (~1.5 ms) and so are contexts (~0.3 ms), so each pool key (a workspace) keeps a warm
 * isolate, and each code string in it a program: its own context, set up once, with every built-in and the global
 * object frozen, so a run can leave nothing behind for the next (a warm run costs about 0.02 ms). Code that was
 * stopped part-way (time limit, memory limit, cancel) takes its isolate with it. Runs on one isolate take turns,
 * so one run's time limit starts when it starts.
 */

export type SandboxLog = CodeLog;

/** What the code node asks for (the kit's `CodeRunArgs`), plus the cap on the returned JSON. */
export interface SandboxRunArgs extends CodeRunArgs {
  maxOutputBytes?: number;
}

/** What the code returned, as an array of objects (one returned object becomes a one-element array). */
export type SandboxResult = CodeRunResult;


export interface CodeSandboxOptions {
  /** Warm isolates kept; the least recently used is disposed beyond this. */
  maxIsolates?: number;
  /** Compiled scripts kept per isolate. */
  maxScripts?: number;
  timeoutMs?: number;
  memoryMb?: number;
  maxOutputBytes?: number;
  maxLogEntries?: number;
  maxLogChars?: number;
}

const MB = 1024 * 1024;
/** The sync limit is enforced by V8; this margin lets it fire first, so the wall clock only catches hung promises. */
const WALL_CLOCK_MARGIN_MS = 100;

const EPILOGUE = "\n})";
// The user's code is the body of a plain function, or of an async one when it awaits (only then does each run
// pay for a promise).
// Strict, so what the frozen built-ins refuse is an error the user sees rather than a silent no-op.
const SYNC_HEADER = 'function (items, $input, $trigger, $node) { "use strict";\n';
const ASYNC_HEADER = 'async function (items, $input, $trigger, $node) { "use strict";\n';
// Code written for another tool gets that tool's names as variables around a block of its own, so it may declare
// the same names again (`const items = $input.all();` is common n8n code), as it could where it came from.
const COMPAT_EPILOGUE = "\n}})";
const compatHeader = (mode: CodeCompat["mode"], async: boolean) =>
  `${async ? "async " : ""}function (scope) { "use strict"; var { ${COMPAT_NAMES[mode].join(", ")} } = scope; {\n`;
const PRELUDE_LINES = PRELUDE.split("\n").length;

interface Slot {
  isolate: ivm.Isolate;
  memoryMb: number;
  /** Ready programs by compatibility mode and code, least recently used first. */
  programs: Map<string, Program>;
  /** Settles when the last queued run on this slot finishes; runs take turns by chaining onto it. */
  tail: Promise<void>;
  waiting: number;
}

/** One code string, evaluated in a context of its own (frozen built-ins), ready to run again and again. */
interface Program {
  context: ivm.Context;
  run: ivm.Reference<(input: string) => string>;
  settle: ivm.Reference<() => Promise<string>>;
  userLines: number;
  /** Whether the code can reach `$trigger` and `$node`; when it cannot, they are not sent. */
  reaches: Reach;
}

/** Which of the values beside the items a run has to send in. */
export interface Reach {
  trigger: boolean;
  nodes: boolean;
}

interface Header {
  logs: SandboxLog[];
  dropped: number;
  state?: CodeRunResult["state"];
  error?: { kind: CodeErrorKind; name?: string; message?: string; positions?: [number, number][] };
}

export class CodeSandbox {
  private readonly slots = new Map<string, Slot>();
  private readonly options: Required<CodeSandboxOptions>;
  private disposed = false;

  constructor(options: CodeSandboxOptions = {}) {
    this.options = {
      maxIsolates: 8,
      maxScripts: 64,
      timeoutMs: 1000,
      memoryMb: 64,
      maxOutputBytes: 16 * MB,
      maxLogEntries: 100,
      maxLogChars: 2000,
      ...options,
    };
  }

  async run(args: SandboxRunArgs): Promise<SandboxResult> {
    if (this.disposed) throw new Error("The code sandbox has been shut down");
    const timeoutMs = args.timeoutMs ?? this.options.timeoutMs;
    const memoryMb = args.memoryMb ?? this.options.memoryMb;
    const maxOutputBytes = args.maxOutputBytes ?? this.options.maxOutputBytes;
    const signal = args.signal;
    throwIfAborted(signal);

    const slot = this.slotFor(`${args.poolKey ?? ""}\u0000${memoryMb}`, memoryMb);
    // An idle slot is taken at once: waiting on a settled turn would still cost a trip round the event loop.
    const release = slot.waiting === 0 ? this.enter(slot) : await this.takeTurn(slot, signal);
    try {
      if (slot.isolate.isDisposed) this.renew(slot);
      const mode = args.compat?.mode;
      const program = this.warmProgram(slot, mode, args.code) ?? (await this.compile({ slot, code: args.code, mode }));
      const input = JSON.stringify({
        items: args.items,
        trigger: program.reaches.trigger ? (args.trigger ?? {}) : undefined,
        nodes: program.reaches.nodes ? (args.nodes ?? {}) : undefined,
        compat: args.compat,
        maxOutputBytes,
        maxLogEntries: this.options.maxLogEntries,
        maxLogChars: this.options.maxLogChars,
      });
      const reply = await this.execute({ slot, program, input, timeoutMs, signal });
      return this.readReply({ reply, userLines: program.userLines, maxOutputBytes });
    } finally {
      release();
    }
  }

  /** The warm isolates and the heap they use, for the metrics. */
  stats(): IsolateStats {
    return isolateStats([...this.slots.values()].map((slot) => slot.isolate));
  }

  /** Disposes every isolate; runs still going fail. For shutdown and tests. */
  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots.values()) disposeIsolate(slot.isolate);
    this.slots.clear();
  }

  private slotFor(key: string, memoryMb: number): Slot {
    let slot = this.slots.get(key);
    if (slot) {
      // Re-inserting keeps the map in least-recently-used order.
      this.slots.delete(key);
    } else {
      slot = { isolate: newIsolate(memoryMb), memoryMb, programs: new Map(), tail: Promise.resolve(), waiting: 0 };
    }
    this.slots.set(key, slot);
    this.evict(key);
    return slot;
  }

  /** Disposes the least recently used idle isolates beyond the limit; busy ones stay until a later pass. */
  private evict(keep: string): void {
    for (const [key, slot] of this.slots) {
      if (this.slots.size <= this.options.maxIsolates) return;
      if (key === keep || slot.waiting > 0) continue;
      this.slots.delete(key);
      disposeIsolate(slot.isolate);
    }
  }

  /** A slot whose isolate was killed (memory limit, hang, cancel) gets a new one; its programs went with it. */
  private renew(slot: Slot): void {
    slot.isolate = newIsolate(slot.memoryMb);
    slot.programs.clear();
  }

  /** Takes the slot's turn and hands back what passes it on. */
  private enter(slot: Slot): () => void {
    let done!: () => void;
    slot.tail = new Promise<void>((resolve) => (done = resolve));
    slot.waiting++;
    return () => {
      slot.waiting--;
      done();
    };
  }

  private async takeTurn(slot: Slot, signal: AbortSignal | undefined): Promise<() => void> {
    const previous = slot.tail;
    const release = this.enter(slot);
    try {
      await raceAbort(previous, signal);
    } catch (err) {
      // Gave up waiting: the turn passes on once the run ahead is done, keeping the order for everyone else.
      void previous.then(release);
      throw err;
    }
    return release;
  }

  /** The slot's ready program for this code, if it has one. */
  private warmProgram(slot: Slot, mode: CodeCompat["mode"] | undefined, code: string): Program | undefined {
    const key = programKey(mode, code);
    const program = slot.programs.get(key);
    if (program) {
      // Re-inserting keeps the map in least-recently-used order.
      slot.programs.delete(key);
      slot.programs.set(key, program);
    }
    return program;
  }

  private async compile(args: { slot: Slot; code: string; mode?: CodeCompat["mode"] }): Promise<Program> {
    const { slot, code, mode } = args;
    const key = programKey(mode, code);
    const userLines = code.split("\n").length;
    const async = /\bawait\b/.test(code);
    const wrapped = mode ? compatHeader(mode, async) + code + COMPAT_EPILOGUE : (async ? ASYNC_HEADER : SYNC_HEADER) + code + EPILOGUE;
    let script: ivm.Script;
    try {
      script = await slot.isolate.compileScript(PRELUDE + wrapped, { filename: FILENAME, lineOffset: -PRELUDE_LINES });
    } catch (err) {
      throw syntaxError(err, userLines);
    }
    const context = await slot.isolate.createContext();
    try {
      const pair = (await script.run(context, { reference: true, timeout: this.options.timeoutMs })) as ivm.Reference<unknown[]>;
      const run = pair.typeof === "object" ? ((await pair.get(0, { reference: true })) as ivm.Reference<(input: string) => string>) : undefined;
      const settle = pair.typeof === "object" ? ((await pair.get(1, { reference: true })) as ivm.Reference<() => Promise<string>>) : undefined;
      pair.release();
      // Code that closes its function body early replaces what the prelude hands back.
      if (run?.typeof !== "function" || settle?.typeof !== "function") throw unreadable();
      const program: Program = { context, run, settle, userLines, reaches: reaches(mode, code) };
      script.release();
      slot.programs.set(key, program);
      if (slot.programs.size > this.options.maxScripts) {
        const oldest = slot.programs.keys().next().value!;
        slot.programs.get(oldest)!.context.release();
        slot.programs.delete(oldest);
      }
      return program;
    } catch (err) {
      context.release();
      throw err;
    }
  }

  private async execute(args: { slot: Slot; program: Program; input: string; timeoutMs: number; signal?: AbortSignal }): Promise<unknown> {
    const { slot, program, input, timeoutMs, signal } = args;
    const isolate = slot.isolate;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      throwIfAborted(signal);
      // The code runs on isolated-vm's own thread, so even a slow run never holds up this process's event loop.
      const running = program.run
        .apply(undefined, [input], { timeout: timeoutMs })
        .then((first: unknown) => (first === ASYNC ? program.settle.apply(undefined, [], { timeout: timeoutMs, result: { promise: true, copy: true } }) : first));
      // Once the race is lost, the run rejects when its isolate is disposed; nobody waits for it any more.
      running.catch(() => {});
      const stopped = new Promise<never>((_, reject) => {
        // No timers exist inside the isolate, so a promise that never settles would wait forever.
        timer = setTimeout(() => {
          disposeIsolate(isolate);
          reject(new CodeError(ranTooLong(timeoutMs), { kind: "timeout" }));
        }, timeoutMs + WALL_CLOCK_MARGIN_MS);
        if (!signal) return;
        onAbort = () => {
          // Disposing is the only way to stop code that is spinning on the isolate's thread.
          disposeIsolate(isolate);
          reject(abortReason(signal));
        };
        signal.addEventListener("abort", onAbort, { once: true });
      });
      return await Promise.race([running, stopped]);
    } catch (err) {
      if (err instanceof NodeError || err === signal?.reason) throw err;
      const failure = this.hostError({ err, isolate, timeoutMs, memoryMb: slot.memoryMb });
      // Code stopped part-way (time limit) may have left its context mid-change; start the workspace afresh.
      disposeIsolate(isolate);
      throw failure;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal!.removeEventListener("abort", onAbort);
    }
  }

  /** What isolated-vm itself rejected with: the time limit, or the isolate killed at its memory limit. */
  private hostError(args: { err: unknown; isolate: ivm.Isolate; timeoutMs: number; memoryMb: number }): Error {
    const message = args.err instanceof Error ? args.err.message : String(args.err);
    if (/timed out/i.test(message)) return new CodeError(ranTooLong(args.timeoutMs), { kind: "timeout" });
    if (args.isolate.isDisposed && /memory limit/i.test(message)) {
      return new CodeError(`Code used more than ${args.memoryMb} MB of memory; process fewer items at a time or raise the node's memory limit`, {
        kind: "memory",
      });
    }
    return args.err instanceof Error ? args.err : new Error(message);
  }

  private readReply(args: { reply: unknown; userLines: number; maxOutputBytes: number }): SandboxResult {
    const { reply, maxOutputBytes } = args;
    const text = typeof reply === "string" ? reply : "";
    const newline = text.indexOf("\n");
    const header = parseReplyPart(newline === -1 ? text : text.slice(0, newline));
    if (!isPlainObject(header) || !Array.isArray(header.logs) || typeof header.dropped !== "number") throw unreadable();
    const { logs, dropped, error, state } = header as unknown as Header;
    if (dropped > 0) logs.push({ level: "warn", message: `${dropped} more console lines were dropped` });
    const tooBig = () =>
      new CodeError(`Code returned more than ${maxOutputBytes} bytes${maxOutputBytes >= MB ? ` (${formatMb(maxOutputBytes)})` : ""} of JSON; return fewer or smaller items`, {
        kind: "output",
        logs,
      });
    if (error?.kind === "output") throw tooBig();
    if (error?.kind === "runtime") {
      const at = error.positions?.find(([line]) => line >= 1 && line <= args.userLines);
      const where = at ? ` at line ${at[0]}` : "";
      // A thrown Error reads "TypeError at line 3: …"; any other thrown value is shown as JSON.
      const what = error.name === undefined ? `${error.message ?? "undefined"}${where}` : `${error.name}${where}: ${error.message ?? ""}`;
      throw new CodeError(`Code threw ${what}`, { kind: "runtime", line: at?.[0], column: at?.[1], logs });
    }
    if (error) throw new CodeError(error.message ?? "Code failed", { kind: error.kind, logs });
    if (newline === -1) throw unreadable();
    const body = text.slice(newline + 1);
    if (Buffer.byteLength(body) > maxOutputBytes) throw tooBig();
    const items = parseReplyPart(body);
    if (!Array.isArray(items) || !items.every(isPlainObject)) throw unreadable();
    return state ? { items, logs, state } : { items, logs };
  }
}

function programKey(mode: CodeCompat["mode"] | undefined, code: string): string {
  return mode ? `${mode}\u0000${code}` : code;
}

/**
 * Whether code can reach `$trigger` and `$node`, read from its text. A function's parameter is reached only through
 * its name, `arguments`, or a direct `eval` (the Function constructor compiles in the global scope), and a name can
 * be spelled with `\u` escapes; code with none of these cannot tell whether the value was sent. n8n code gets every
 * value (its `$()` and `$items()` look nodes up by name); Node-RED code gets neither.
 */
export function reaches(mode: CodeCompat["mode"] | undefined, code: string): Reach {
  if (mode === "n8n") return { trigger: true, nodes: true };
  if (mode === "node-red") return { trigger: false, nodes: false };
  const indirect = /\barguments\b|\beval\b|\\u/.test(code);
  return { trigger: indirect || code.includes("$trigger"), nodes: indirect || code.includes("$node") };
}

function parseReplyPart(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The prelude writes the reply, but code that breaks out of its function body can replace it. */
function unreadable(): CodeError {
  return new CodeError("Code ended in a way the sandbox cannot read; keep it to a function body that returns its items", { kind: "result" });
}

function newIsolate(memoryMb: number): ivm.Isolate {
  return new ivm.Isolate({ memoryLimit: memoryMb });
}

function disposeIsolate(isolate: ivm.Isolate): void {
  if (!isolate.isDisposed) isolate.dispose();
}

function ranTooLong(timeoutMs: number): string {
  return `Code ran longer than ${timeoutMs} ms; make it do less per run or raise the node's time limit`;
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / MB) * 10) / 10} MB`;
}

function syntaxError(err: unknown, userLines: number): Error {
  const message = err instanceof Error ? err.message : String(err);
  const at = /\s*\[code\.js:(\d+):(\d+)\]$/.exec(message);
  if (!(err instanceof Error) || err.name !== "SyntaxError") return err instanceof Error ? err : new Error(message);
  const reason = at ? message.slice(0, at.index) : message;
  if (!at) return new CodeError(`Syntax error: ${reason}`, { kind: "syntax" });
  const line = Number(at[1]);
  const column = Number(at[2]);
  if (line > userLines) {
    // Past the last line means the wrapper's closing `})` was reached: something the code opened is still open.
    return new CodeError(`Syntax error at the end of the code: ${reason}; check that every brace, bracket and string is closed`, {
      kind: "syntax",
      line: userLines,
    });
  }
  return new CodeError(`Syntax error at line ${line}, column ${column}: ${reason}`, { kind: "syntax", line, column });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new NodeCancelledError();
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

let shared: CodeSandbox | undefined;

/** The process-wide sandbox, created on first use so importing this module starts nothing. */
export function getCodeSandbox(): CodeSandbox {
  shared ??= new CodeSandbox();
  return shared;
}

/** The process-wide sandbox's isolates and heap; none before its first use (a scrape does not start one). */
export function codeSandboxStats(): IsolateStats {
  return shared?.stats() ?? { isolates: 0, heapBytes: 0 };
}

/** Disposes the process-wide sandbox's isolates; for shutdown. */
export function disposeCodeSandbox(): void {
  shared?.dispose();
  shared = undefined;
}
