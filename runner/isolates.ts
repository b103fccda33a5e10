import ivm from "isolated-vm";
import { setFlagsFromString } from "node:v8";

let configured = false;

/**
 * A new isolated-vm isolate whose heap is capped at `memoryMb`, for user code and expressions.
 *
 * Before the first one, V8 is told to compile optimized code on the isolate's own thread rather than on a
 * background thread. V8 14 (Node 26) aborts the whole process when a background compile asks for a collection while
 * the isolate is collecting at its heap limit ("Check failed: GetTimerForCollectionRequest(kind).IsStarted()"), so
 * any code or expression that fills its heap could bring the process down. The setting is read when an isolate
 * starts: Node's own isolate keeps its background compiler, and a sandboxed isolate compiles on the thread it
 * already runs on, off this process's event loop.
 */
export function newIsolate(memoryMb: number): ivm.Isolate {
  if (!configured) {
    setFlagsFromString("--no-concurrent-recompilation");
    configured = true;
  }
  return new ivm.Isolate({ memoryLimit: memoryMb });
}

export function disposeIsolate(isolate: ivm.Isolate): void {
  if (!isolate.isDisposed) isolate.dispose();
}
