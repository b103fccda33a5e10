import { AsyncLocalStorage } from "node:async_hooks";

/** What a log line is about, added to every line written while it applies (see server/logger.ts). */
export interface LogFields {
  requestId?: string;
  workspaceId?: string;
  flowId?: string;
  runId?: string;
  nodeId?: string;
}

// One store per process: Next.js bundles its route handlers into a module graph of their own, and a symbol in
// the global registry is the same in both graphs (as for the runtime's hand-over).
const slot = Symbol.for("streamware.log-context");
const holder = globalThis as typeof globalThis & { [slot]?: AsyncLocalStorage<LogFields> };
const storage = (holder[slot] ??= new AsyncLocalStorage<LogFields>());

/** Runs `work` with `fields` added to what the log lines it writes say, on top of what applies already. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** Runs `work` with only `fields`: for work that is its own (a run), whatever request happened to start it. */
export function inLogContext<T>(fields: LogFields, work: () => T): T {
  return storage.run(fields, work);
}

/** The fields that apply here, for the logger's mixin. */
export function logFields(): LogFields {
  return storage.getStore() ?? {};
}
