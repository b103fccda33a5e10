import type { Runtime } from "../runner/runtime";

/**
 * The one hand-over of the runner's runtime from the entry points that start it (server/main.ts, the worker, the
 * CLI) to the request handlers that use it (createContext's `ctx.runtime`, the SSE, voice and share link route handlers).
 *
 * Why a process-level slot: Next bundles the route handlers into its own module graph, separate from the custom
 * server's in the same process, so a module variable set by server/main.ts is a different copy from the one the
 * bundle reads; and App Router handlers get a Web `Request` that Next builds anew, so nothing hung on the Node
 * request reaches them. A symbol in the global registry is the same in both graphs. Nothing else is kept here.
 */
const slot = Symbol.for("streamware.runtime");
const holder = globalThis as typeof globalThis & { [slot]?: Runtime };

/** Called once by the entry point that started the runtime. */
export function handOverRuntime(runtime: Runtime): void {
  holder[slot] = runtime;
}

/** The runtime serving this request: for route handlers (routers get it as `ctx.runtime()`). */
export function currentRuntime(): Runtime {
  const runtime = holder[slot];
  if (!runtime) throw new Error("The runner is not started in this process");
  return runtime;
}
