import ivm from "isolated-vm";
import { COMPAT_NAMES } from "../nodes/_kit/code-compat";
import type { CodeCompat, CodeLog, CodeRunArgs, CodeRunResult } from "../nodes/_kit/context";
import { CodeError, NodeCancelledError, NodeError, type CodeErrorKind } from "../nodes/_kit/errors";
import { isPlainObject } from "../nodes/_kit/items";
import { ASYNC, BATCH_SEPARATOR, FILENAME, PRELUDE } from "./sandbox-guest";
import { disposeIsolate, newIsolate } from "./isolates";
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
 * so one run's time limit starts when it starts. Runs of the same code that are waiting for their turn take it
 * together: one call into the isolate runs them one after another, since each call costs two switches between
 * threads, several times what a small run costs. When such a call fails, each of its runs is made again alone.
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
// Code that awaits gets an async function, and always runs alone: its promise is settled by a second call.
const AWAITS = /\bawait\b/;
/** Code strings whose facts (codeFacts) are kept. */
const MAX_CODE_FACTS = 1024;
/** Most runs sent into an isolate in one call, and most input JSON between them; past these a new batch starts. */
const MAX_BATCH_RUNS = 32;
const MAX_BATCH_INPUT_CHARS = 1024 * 1024;

interface Slot {
  isolate: ivm.Isolate;
  memoryMb: number;
  /** Ready programs by compatibility mode and code, least recently used first. */
  programs: Map<string, Program>;
  /** Settles when the last queued batch on this slot finishes; batches take turns by chaining onto it. */
  tail: Promise<void>;
  /** Batches queued or running. */
  waiting: number;
  /** The last queued batch, while runs of the same code may still join it. */
  open?: Batch;
}

/**
 * Runs of one program that take one turn on their isolate together and cross to its thread in one call, rather
 * than a call (two thread switches) each. They run one after another there, as runs taking turns would.
 */
interface Batch {
  /** The program (code and mode) and time limit every run in it shares. */
  code: string;
  mode?: CodeCompat["mode"];
  timeoutMs: number;
  runs: QueuedRun[];
  inputChars: number;
  started: boolean;
}

interface QueuedRun {
  input: string;
  maxOutputBytes: number;
  signal?: AbortSignal;
  resolve: (result: SandboxResult) => void;
  reject: (err: unknown) => void;
  /** Stops listening for a cancel while the run waits for its turn. */
  forget?: () => void;
}

/** One code string, evaluated in a context of its own (frozen built-ins), ready to run again and again. */
interface Program {
  context: ivm.Context;
  run: ivm.Reference<(input: string) => string>;
  settle: ivm.Reference<() => Promise<string>>;
  /** Several runs in one call: a JSON array of inputs in, their replies joined by BATCH_SEPARATOR out. */
  runMany: ivm.Reference<(inputs: string) => string>;
  userLines: number;
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
  private callCount = 0;
  /** What each recent code string can reach, read once rather than on every run (code can be long). */
  private readonly facts = new Map<string, CodeFacts>();

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

    const mode = args.compat?.mode;
    const reach = reaches(mode, this.factsOf(args.code));
    const input = JSON.stringify({
      items: args.items,
      trigger: reach.trigger ? (args.trigger ?? {}) : undefined,
      nodes: reach.nodes ? (args.nodes ?? {}) : undefined,
      compat: args.compat,
      maxOutputBytes,
      maxLogEntries: this.options.maxLogEntries,
      maxLogChars: this.options.maxLogChars,
    });
    const slot = this.slotFor(`${args.poolKey ?? ""}\u0000${memoryMb}`, memoryMb);
    return new Promise<SandboxResult>((resolve, reject) => {
      const queued: QueuedRun = { input, maxOutputBytes, signal, resolve, reject };
      const batch = this.batchFor({ slot, code: args.code, mode, timeoutMs, inputChars: input.length });
      batch.runs.push(queued);
      if (!signal) return;
      // Given up while waiting: it leaves its batch, and the others keep their places.
      const onAbort = () => {
        if (batch.started) return;
        batch.runs.splice(batch.runs.indexOf(queued), 1);
        reject(abortReason(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      queued.forget = () => signal.removeEventListener("abort", onAbort);
    });
  }

  /** Calls made into isolates to run code so far, each a switch to the isolate's thread and back; for tests and benchmarks. */
  get calls(): number {
    return this.callCount;
  }

  private factsOf(code: string): CodeFacts {
    let facts = this.facts.get(code);
    if (!facts) {
      // Dropping them all now and then is enough: reading them again costs a scan of the code.
      if (this.facts.size >= MAX_CODE_FACTS) this.facts.clear();
      facts = codeFacts(code);
      this.facts.set(code, facts);
    }
    return facts;
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

  /**
   * The batch a new run joins: the slot's last queued one when it is for the same code and time limit and has not
   * started, or else a new one, queued to take its turn after everything before it.
   */
  private batchFor(args: { slot: Slot; code: string; mode?: CodeCompat["mode"]; timeoutMs: number; inputChars: number }): Batch {
    const { slot, code, mode, timeoutMs, inputChars } = args;
    const open = slot.open;
    const same = open && !open.started && open.code === code && open.mode === mode && open.timeoutMs === timeoutMs;
    if (same && open.runs.length < MAX_BATCH_RUNS && open.inputChars + inputChars <= MAX_BATCH_INPUT_CHARS) {
      open.inputChars += inputChars;
      return open;
    }
    const batch: Batch = { code, mode, timeoutMs, runs: [], inputChars, started: false };
    slot.open = this.factsOf(code).awaits ? undefined : batch;
    const previous = slot.tail;
    let done!: () => void;
    slot.tail = new Promise<void>((resolve) => (done = resolve));
    slot.waiting++;
    // Even on an idle slot the batch starts a microtask later, once the run that made it has joined.
    void previous.then(() =>
      this.runBatch(slot, batch).finally(() => {
        slot.waiting--;
        done();
      }),
    );
    return batch;
  }

  private async runBatch(slot: Slot, batch: Batch): Promise<void> {
    batch.started = true;
    if (slot.open === batch) slot.open = undefined;
    let runs = batch.runs;
    for (const queued of runs) queued.forget?.();
    while (runs.length > 1) {
      // A run cancelled since the batch started is answered now, rather than failing the call for every run.
      const live: QueuedRun[] = [];
      for (const queued of runs) {
        if (queued.signal?.aborted) queued.reject(abortReason(queued.signal));
        else live.push(queued);
      }
      runs = live;
      if (runs.length < 2) break;
      const answered = await this.runTogether({ slot, batch, runs });
      if (answered === 0) break;
      runs = runs.slice(answered);
    }
    // What is left runs alone: a last run, or the runs of a batch whose call failed.
    for (const queued of runs) await this.runAlone({ slot, batch, queued });
  }

  /** The program, ready on the slot's isolate (a new one when the last was killed). */
  private async ready(slot: Slot, batch: Batch): Promise<Program> {
    if (this.disposed) throw new Error("The code sandbox has been shut down");
    if (slot.isolate.isDisposed) this.renew(slot);
    return this.warmProgram(slot, batch.mode, batch.code) ?? (await this.compile({ slot, code: batch.code, mode: batch.mode }));
  }

  private async runAlone(args: { slot: Slot; batch: Batch; queued: QueuedRun }): Promise<void> {
    const { slot, batch, queued } = args;
    try {
      throwIfAborted(queued.signal);
      const program = await this.ready(slot, batch);
      const reply = await this.execute({
        slot,
        timeoutMs: batch.timeoutMs,
        signals: [queued.signal],
        call: () =>
          program.run
            .apply(undefined, [queued.input], { timeout: batch.timeoutMs })
            .then((first: unknown) => (first === ASYNC ? this.settle(program, batch.timeoutMs) : first)),
      });
      queued.resolve(this.readReply({ reply, userLines: program.userLines, maxOutputBytes: queued.maxOutputBytes }));
    } catch (err) {
      queued.reject(err);
    }
  }

  /**
   * Sends the runs into the isolate in one call and answers those it made; how many that is, from the first. The
   * call stops early when its runs take a while; 0 when it failed, as when the isolate was killed (time limit,
   * memory, a cancel): no run got its answer and which one was to blame cannot be told, so each runs again alone,
   * with its own limits. Runs change nothing outside the isolate, so running one again is not seen.
   */
  private async runTogether(args: { slot: Slot; batch: Batch; runs: QueuedRun[] }): Promise<number> {
    const { slot, batch, runs } = args;
    let program: Program;
    let reply: unknown;
    try {
      program = await this.ready(slot, batch);
      const inputs = `[${runs.map((queued) => queued.input).join(",")}]`;
      reply = await this.execute({
        slot,
        timeoutMs: batch.timeoutMs,
        signals: runs.map((queued) => queued.signal),
        call: () => program.runMany.apply(undefined, [inputs], { timeout: batch.timeoutMs }),
      });
    } catch {
      return 0;
    }
    const replies = typeof reply === "string" ? reply.split(BATCH_SEPARATOR) : [];
    if (replies.length === 0 || replies.length > runs.length) {
      for (const queued of runs) queued.reject(unreadable());
      return runs.length;
    }
    for (const [index, part] of replies.entries()) {
      const queued = runs[index]!;
      try {
        let answer: unknown = part;
        if (part === ASYNC) {
          // The prelude stops a batch at a run that went async; its promise is the one waiting.
          if (index !== replies.length - 1) throw unreadable();
          answer = await this.execute({ slot, timeoutMs: batch.timeoutMs, signals: [queued.signal], call: () => this.settle(program, batch.timeoutMs) });
        }
        queued.resolve(this.readReply({ reply: answer, userLines: program.userLines, maxOutputBytes: queued.maxOutputBytes }));
      } catch (err) {
        queued.reject(err);
      }
    }
    return replies.length;
  }

  private settle(program: Program, timeoutMs: number): Promise<unknown> {
    return program.settle.apply(undefined, [], { timeout: timeoutMs, result: { promise: true, copy: true } });
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
    const async = AWAITS.test(code);
    const wrapped = mode ? compatHeader(mode, async) + code + COMPAT_EPILOGUE : (async ? ASYNC_HEADER : SYNC_HEADER) + code + EPILOGUE;
    let script: ivm.Script;
    try {
      script = await slot.isolate.compileScript(PRELUDE + wrapped, { filename: FILENAME, lineOffset: -PRELUDE_LINES });
    } catch (err) {
      throw syntaxError(err, userLines);
    }
    const context = await slot.isolate.createContext();
    try {
      // The code must be a function body on its own: one that closes the body early and goes on outside it would
      // wrap what the prelude hands back (its own functions, kept from run to run). Parsed in the isolate, not run.
      const body = `new (${async ? "(async function () {}).constructor" : "Function"})(${JSON.stringify(code)})`;
      await context.eval(body, { timeout: this.options.timeoutMs }).catch((err: unknown) => {
        throw err instanceof Error && err.name === "SyntaxError" ? outsideBody() : err;
      });
      const pair = (await script.run(context, { reference: true, timeout: this.options.timeoutMs })) as ivm.Reference<unknown[]>;
      const run = pair.typeof === "object" ? ((await pair.get(0, { reference: true })) as ivm.Reference<(input: string) => string>) : undefined;
      const settle = pair.typeof === "object" ? ((await pair.get(1, { reference: true })) as ivm.Reference<() => Promise<string>>) : undefined;
      const runMany = pair.typeof === "object" ? ((await pair.get(2, { reference: true })) as ivm.Reference<(inputs: string) => string>) : undefined;
      pair.release();
      // Code that closes its function body early replaces what the prelude hands back.
      if (run?.typeof !== "function" || settle?.typeof !== "function" || runMany?.typeof !== "function") throw unreadable();
      const program: Program = { context, run, settle, runMany, userLines };
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

  /** Waits for a call into the isolate, which is disposed when the call overruns its time or a run is cancelled. */
  private async execute(args: { slot: Slot; call: () => Promise<unknown>; timeoutMs: number; signals: (AbortSignal | undefined)[] }): Promise<unknown> {
    const { slot, call, timeoutMs } = args;
    const signals = args.signals.filter((signal) => signal !== undefined);
    const isolate = slot.isolate;
    let timer: NodeJS.Timeout | undefined;
    const listening: [AbortSignal, () => void][] = [];
    try {
      for (const signal of signals) throwIfAborted(signal);
      // The code runs on isolated-vm's own thread, so even a slow run never holds up this process's event loop.
      const running = call();
      this.callCount++;
      // Once the race is lost, the run rejects when its isolate is disposed; nobody waits for it any more.
      running.catch(() => {});
      const stopped = new Promise<never>((_, reject) => {
        // No timers exist inside the isolate, so a promise that never settles would wait forever.
        timer = setTimeout(() => {
          disposeIsolate(isolate);
          reject(new CodeError(ranTooLong(timeoutMs), { kind: "timeout" }));
        }, timeoutMs + WALL_CLOCK_MARGIN_MS);
        for (const signal of signals) {
          const onAbort = () => {
            // Disposing is the only way to stop code that is spinning on the isolate's thread.
            disposeIsolate(isolate);
            reject(abortReason(signal));
          };
          signal.addEventListener("abort", onAbort, { once: true });
          listening.push([signal, onAbort]);
        }
      });
      return await Promise.race([running, stopped]);
    } catch (err) {
      if (err instanceof NodeError || signals.some((signal) => err === signal.reason)) throw err;
      const failure = this.hostError({ err, isolate, timeoutMs, memoryMb: slot.memoryMb });
      // Code stopped part-way (time limit) may have left its context mid-change; start the workspace afresh.
      disposeIsolate(isolate);
      throw failure;
    } finally {
      clearTimeout(timer);
      for (const [signal, onAbort] of listening) signal.removeEventListener("abort", onAbort);
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

/** What the host reads from a code string's text before running it. */
interface CodeFacts {
  /** It awaits, so its function is async and it always runs alone. */
  awaits: boolean;
  /** As Streamware code, whether it can reach `$trigger` and `$node` (see `reaches`). */
  reach: Reach;
}

/**
 * A function's parameter is reached only through its name, `arguments`, or a direct `eval` (the Function
 * constructor compiles in the global scope), and a name can be spelled with `\u` escapes; code with none of these
 * cannot tell whether the value was sent.
 */
export function codeFacts(code: string): CodeFacts {
  const indirect = /\barguments\b|\beval\b|\\u/.test(code);
  return { awaits: AWAITS.test(code), reach: { trigger: indirect || code.includes("$trigger"), nodes: indirect || code.includes("$node") } };
}

/**
 * Which of `$trigger` and `$node` a run sends in: what Streamware code can reach; every value for n8n code (its
 * `$()` and `$items()` look nodes up by name); neither for Node-RED code.
 */
export function reaches(mode: CodeCompat["mode"] | undefined, facts: CodeFacts): Reach {
  if (mode === "n8n") return { trigger: true, nodes: true };
  if (mode === "node-red") return { trigger: false, nodes: false };
  return facts.reach;
}

function parseReplyPart(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The prelude writes the reply, but code that breaks out of its function body can replace it. */
function outsideBody(): CodeError {
  return new CodeError("Syntax error: the code closes its function body early (a \"}\" with no \"{\" before it); keep it to one function body that returns its items", { kind: "syntax" });
}

function unreadable(): CodeError {
  return new CodeError("Code ended in a way the sandbox cannot read; keep it to a function body that returns its items", { kind: "result" });
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
