import { setFlagsFromString } from "node:v8";
import ivm from "isolated-vm";
import { afterAll, describe, expect, it } from "vitest";
import { disposeIsolate, newIsolate } from "./isolates";

const compilesInBackground = "%IsConcurrentRecompilationSupported()";

/** Whether V8 optimizes `isolate`'s code on a background thread, asked with one of V8's own runtime functions. */
function backgroundCompiles(isolate: ivm.Isolate): boolean {
  setFlagsFromString("--allow-natives-syntax");
  try {
    return isolate.compileScriptSync(compilesInBackground).runSync(isolate.createContextSync()) as boolean;
  } finally {
    setFlagsFromString("--no-allow-natives-syntax");
  }
}

describe("newIsolate", () => {
  const isolates: ivm.Isolate[] = [];
  afterAll(() => isolates.forEach(disposeIsolate));

  // V8 14 (Node 26) aborts the process when a background compile asks for a collection while an isolate collects at
  // its heap limit: a sandbox whose code fills its heap, with the process around it, went down within a few hundred
  // such runs under load. With compiles on the isolate's own thread, 1,200 runs went by without it.
  it("makes isolates that compile optimized code on their own thread, so one filling its heap cannot abort the process", () => {
    const plain = new ivm.Isolate({ memoryLimit: 16 });
    isolates.push(plain);
    expect(backgroundCompiles(plain)).toBe(true);
    const sandboxed = newIsolate(16);
    isolates.push(sandboxed);
    expect(backgroundCompiles(sandboxed)).toBe(false);
  });

  it("caps the isolate's heap at the given size", () => {
    const isolate = newIsolate(16);
    isolates.push(isolate);
    const context = isolate.createContextSync();
    expect(() => isolate.compileScriptSync("const a = []; for (;;) a.push({ n: a.length });").runSync(context)).toThrow(/memory limit/i);
    expect(isolate.isDisposed).toBe(true);
  });
});
