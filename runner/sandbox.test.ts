import { afterAll, describe, expect, it } from "vitest";
import { NodeCancelledError } from "../nodes/_kit/errors";
import { CodeError, CodeSandbox, codeFacts, reaches, type SandboxRunArgs } from "./sandbox";

const sandbox = new CodeSandbox();
afterAll(() => sandbox.dispose());

const numbers = Array.from({ length: 100 }, (_, i) => ({ json: { n: i + 1 } }));

function run(code: string, args: Partial<SandboxRunArgs> = {}) {
  return sandbox.run({ code, items: numbers, poolKey: "workspace-1", ...args });
}

async function codeError(promise: Promise<unknown>): Promise<CodeError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CodeError);
  return err as CodeError;
}

/** After hostile code, the same pool key must serve a normal run. */
async function expectHealthy() {
  const { items } = await run("return { sum: items.reduce((s, i) => s + i.json.n, 0) };");
  expect(items).toEqual([{ sum: 5050 }]);
}

describe("CodeSandbox", () => {
  it("sums numbers and captures console output", async () => {
    const result = await run(`
      let sum = 0;
      for (const item of items) sum += item.json.n;
      console.log("sum", sum, { of: items.length });
      console.warn("careful");
      return [{ sum }];
    `);
    expect(result.items).toEqual([{ sum: 5050 }]);
    expect(result.logs).toEqual([
      { level: "info", message: 'sum 5050 {"of":100}' },
      { level: "warn", message: "careful" },
    ]);
  });

  it("returns one object as a one-element array and keeps items as they are", async () => {
    expect((await run("return { a: 1 };")).items).toEqual([{ a: 1 }]);
    expect((await run("return items.slice(0, 2);")).items).toEqual([{ json: { n: 1 } }, { json: { n: 2 } }]);
  });

  it("gives the code $input, $trigger and $node", async () => {
    const { items } = await run("return { same: $input === items, trigger: $trigger.id, weather: $node.Weather.json.temp };", {
      trigger: { id: "t1" },
      nodes: { Weather: { json: { temp: 21 }, items: [{ temp: 21 }] } },
    });
    expect(items).toEqual([{ same: true, trigger: "t1", weather: 21 }]);
  });

  it("sends $trigger and $node only to code that can reach them", async () => {
    const reach = (mode: "n8n" | "node-red" | undefined, code: string) => reaches(mode, codeFacts(code));
    expect(reach(undefined, "return items;")).toEqual({ trigger: false, nodes: false });
    expect(reach(undefined, "return { t: $trigger.id };")).toEqual({ trigger: true, nodes: false });
    expect(reach(undefined, "return $node.Weather.json;")).toEqual({ trigger: false, nodes: true });
    expect(reach("n8n", "return items;")).toEqual({ trigger: true, nodes: true });
    expect(reach("node-red", "return { t: $trigger, n: $node };")).toEqual({ trigger: false, nodes: false });
    const context = { trigger: { id: "t1" }, nodes: { Weather: { json: { temp: 21 }, items: [{ temp: 21 }] } } };
    // Each of these reaches the parameters without naming them; every one must still see them.
    const indirect = [
      "return { trigger: arguments[2].id, weather: arguments[3].Weather.json.temp };",
      "const t = \\u0024trigger, n = \\u{24}node; return { trigger: t.id, weather: n.Weather.json.temp };",
      "return (function () { const a = arguments; return { trigger: a[0].id, weather: a[1].Weather.json.temp }; })($trigger, $node);",
      "return { trigger: eval('$' + 'trigger').id, weather: eval('$' + 'node').Weather.json.temp };",
    ];
    for (const code of indirect) expect((await run(code, context)).items).toEqual([{ trigger: "t1", weather: 21 }]);
    // The Function constructor compiles in the global scope, which has no such names.
    expect((await run("return { t: Function('return typeof $trigger')() };", context)).items).toEqual([{ t: "undefined" }]);
    // Code that cannot reach them gets the same result whether they were sent or not.
    expect((await run("return { n: items.length, args: typeof items };", context)).items).toEqual([{ n: 100, args: "object" }]);
  });

  it("runs async code", async () => {
    const { items } = await run("const n = await Promise.resolve(2); return { n };");
    expect(items).toEqual([{ n: 2 }]);
  });

  it("caps the number of console lines", async () => {
    const { logs } = await run("for (let i = 0; i < 500; i++) console.log(i); return [];");
    expect(logs).toHaveLength(101);
    expect(logs.at(-1)).toEqual({ level: "warn", message: "400 more console lines were dropped" });
  });

  it("reports a syntax error with its line and column", async () => {
    const err = await codeError(run("const a = 1;\nconst b = ;\nreturn [];"));
    expect(err.message).toBe("Syntax error at line 2, column 11: Unexpected token ';'");
    expect(err).toMatchObject({ code: "CODE", retryable: false, kind: "syntax", details: { line: 2, column: 11 } });
  });

  it("reports a brace left open as a syntax error at the end of the code", async () => {
    const err = await codeError(run("if (items.length) {\n  return items;"));
    expect(err.message).toMatch(/^Syntax error at the end of the code: .*every brace, bracket and string is closed$/);
    expect(err.details).toMatchObject({ line: 2 });
  });

  it("reports a runtime error with its message and line, and what was logged before", async () => {
    const err = await codeError(run('console.log("before");\nconst item = items[500];\nreturn item.json;'));
    expect(err.message).toBe("Code threw TypeError at line 3: Cannot read properties of undefined (reading 'json')");
    expect(err.details).toMatchObject({ kind: "runtime", line: 3 });
    expect(err.logs).toEqual([{ level: "info", message: "before" }]);
  });

  it("shows a thrown non-Error value", async () => {
    const err = await codeError(run('throw { reason: "no" };'));
    expect(err.message).toBe('Code threw {"reason":"no"}');
  });

  it("explains a missing or wrong return value", async () => {
    expect((await codeError(run("items.map((i) => i.json);"))).message).toBe(
      "Code must return an array of objects or one object; it returned nothing. End it with, for example, `return items;`",
    );
    expect((await codeError(run("return [1, 2];"))).message).toMatch(/^Item 0 of the returned array is number; return objects/);
    expect((await codeError(run("return { big: 1n };"))).message).toBe("Code returned a value JSON cannot hold: Do not know how to serialize a BigInt");
    expect((await codeError(run("const a = {}; a.self = a; return a;"))).message).toMatch(/^Code returned a value JSON cannot hold: .*circular/);
  });

  describe("contains hostile code", () => {
    it("stops an infinite loop at the time limit", async () => {
      const err = await codeError(run("while (true) {}", { timeoutMs: 200 }));
      expect(err.message).toMatch(/^Code ran longer than 200 ms/);
      expect(err.kind).toBe("timeout");
      await expectHealthy();
    });

    it("stops an infinite loop that starts after an await", async () => {
      const err = await codeError(run("await null;\nwhile (true) {}", { timeoutMs: 200 }));
      expect(err.message).toMatch(/^Code ran longer than 200 ms/);
      await expectHealthy();
    });

    it("stops waiting for a promise that never settles", async () => {
      const err = await codeError(run("await new Promise(() => {});", { timeoutMs: 200 }));
      expect(err.message).toMatch(/^Code ran longer than 200 ms/);
      await expectHealthy();
    });

    it("kills a memory bomb at the memory limit", async () => {
      const err = await codeError(run("const a = [];\nwhile (true) a.push('x'.repeat(1000) + a.length);", { memoryMb: 32, timeoutMs: 10_000 }));
      expect(err.message).toMatch(/^Code used more than 32 MB of memory/);
      expect(err.kind).toBe("memory");
      // The same pool key and limit get a fresh isolate.
      expect((await run("return { ok: true };", { memoryMb: 32 })).items).toEqual([{ ok: true }]);
      await expectHealthy();
    });

    it("has no process, require or Node globals", async () => {
      const { items } = await run(
        "return { process: typeof process, require: typeof require, module: typeof module, buffer: typeof Buffer, wasm: typeof WebAssembly, timers: typeof setTimeout };",
      );
      expect(items).toEqual([{ process: "undefined", require: "undefined", module: "undefined", buffer: "undefined", wasm: "undefined", timers: "undefined" }]);
      expect((await codeError(run("process.exit(1);"))).message).toBe("Code threw ReferenceError at line 1: process is not defined");
      expect((await codeError(run('require("fs");'))).message).toBe("Code threw ReferenceError at line 1: require is not defined");
      await expectHealthy();
    });

    it("keeps the constructor chain inside the isolate", async () => {
      const err = await codeError(run("return { p: [].constructor.constructor('return process')() };"));
      expect(err.message).toMatch(/^Code threw ReferenceError at line 1: process is not defined$/);
      // The code is strict, so `this` is undefined and the classic escape does not even start.
      const strict = await codeError(run("return { p: this.constructor.constructor('return process')() };"));
      expect(strict.message).toMatch(/^Code threw TypeError at line 1: Cannot read properties of undefined/);
      const { items } = await run("const G = [].constructor.constructor('return globalThis')(); return { keys: Object.keys(G), process: typeof G.process };");
      expect(items).toEqual([{ keys: [], process: "undefined" }]);
      await expectHealthy();
    });

    it("refuses prototype pollution and new globals, so nothing carries over to the next run", async () => {
      for (const [code, message] of [
        ["Object.prototype.polluted = 1; return {};", "Cannot add property polluted, object is not extensible"],
        ["Array.prototype.map = null; return {};", "Cannot assign to read only property 'map'"],
        ["JSON.stringify = () => '[]'; return {};", "Cannot assign to read only property 'stringify'"],
        ["globalThis.leak = 1; return {};", "Cannot add property leak, object is not extensible"],
      ]) {
        const err = await codeError(run(code!));
        expect(err.message).toContain(`Code threw TypeError at line 1: ${message}`);
      }
      const { items } = await run("return { polluted: ({}).polluted === undefined, map: typeof [].map, leak: typeof leak, json: JSON.stringify([1]) };");
      expect(items).toEqual([{ polluted: true, map: "function", leak: "undefined", json: "[1]" }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await expectHealthy();
    });

    it("refuses output over the size limit", async () => {
      const err = await codeError(run("return { s: 'x'.repeat(20 * 1024 * 1024) };"));
      expect(err.message).toBe("Code returned more than 16777216 bytes (16 MB) of JSON; return fewer or smaller items");
      expect(err.kind).toBe("output");
      // One string referenced many times is counted every time, as JSON would repeat it.
      const shared = await codeError(run("const s = 'x'.repeat(4 * 1024 * 1024); return Array(10).fill({ s });"));
      expect(shared.kind).toBe("output");
      // The limit is in UTF-8 bytes, not characters.
      const wide = await codeError(run("return { s: 'é'.repeat(900) };", { maxOutputBytes: 1000 }));
      expect(wide.message).toBe("Code returned more than 1000 bytes of JSON; return fewer or smaller items");
      await expectHealthy();
    });

    it("cannot replace the reply, or keep state from run to run, by breaking out of its function body", async () => {
      for (const code of [
        "return [];\n}); 'forged'; (async function () {",
        // Ends the body and goes on with code of its own outside it (here a function in its place).
        "return [];\n}, 0, function () { return [{ outside: true }];",
      ]) {
        const err = await codeError(run(code));
        expect(err.kind).toBe("syntax");
        expect(err.message).toMatch(/closes its function body early/);
      }
      await expectHealthy();
    });
  });

  it("does not let a run read what the previous run of the same code matched with a regular expression", async () => {
    const code = "const secret = items[0].json.secret; if (secret) /(s\\w+)/.exec(secret); return { seen: RegExp.$1, last: RegExp.lastMatch };";
    const first = await run(code, { items: [{ json: { secret: "swordfish" } }] });
    expect(first.items).toEqual([{ seen: "swordfish", last: "swordfish" }]);
    const next = await run(code, { items: [{ json: {} }] });
    expect(next.items).toEqual([{ seen: "", last: "" }]);
  });

  it("lets an instance override what it inherits from a frozen built-in", async () => {
    const { items } = await run("const e = new Error(); e.message = 'changed'; const o = {}; o.toString = () => 'mine'; return { m: e.message, s: String(o) };");
    expect(items).toEqual([{ m: "changed", s: "mine" }]);
  });

  it("stops on abort with the signal's reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new NodeCancelledError()), 100);
    await expect(run("while (true) {}", { timeoutMs: 10_000, signal: controller.signal })).rejects.toBeInstanceOf(NodeCancelledError);
    await expectHealthy();
  });

  it("refuses to start when already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new NodeCancelledError());
    await expect(run("return {};", { signal: controller.signal })).rejects.toBeInstanceOf(NodeCancelledError);
  });

  it("lets runs on one isolate take turns, so a slow run does not use up the next run's time", async () => {
    const slow = codeError(run("while (true) {}", { poolKey: "busy", timeoutMs: 300 }));
    const quick = run("return { ok: true };", { poolKey: "busy", timeoutMs: 100 });
    expect((await quick).items).toEqual([{ ok: true }]);
    expect((await slow).kind).toBe("timeout");
  });

  describe("sends runs of the same code that wait together into the isolate in one call", () => {
    const byN = (n: number) => [{ json: { n } }];
    const CODE = 'console.log("run", items[0].json.n);\nreturn { n: items[0].json.n, t: $trigger.id };';

    /** Starts the runs at once, on an isolate of their own, and waits for every outcome. */
    async function together(count: number, code: string, args: (n: number) => Partial<SandboxRunArgs> = () => ({})) {
      const poolKey = `together-${Math.random()}`;
      // The first run compiles the program, so the ones measured find it ready.
      await run(code, { poolKey, items: byN(-1), trigger: { id: "warm" }, ...args(-1) }).catch(() => {});
      const before = sandbox.calls;
      const outcomes = await Promise.allSettled(Array.from({ length: count }, (_, n) => run(code, { poolKey, items: byN(n), trigger: { id: `t${n}` }, ...args(n) })));
      return { outcomes, calls: sandbox.calls - before, poolKey };
    }

    it("gives each run its own answer and logs, in far fewer calls than runs", async () => {
      const { outcomes, calls } = await together(20, CODE);
      expect(outcomes.map((o) => o.status === "fulfilled" && o.value)).toEqual(
        Array.from({ length: 20 }, (_, n) => ({ items: [{ n, t: `t${n}` }], logs: [{ level: "info", message: `run ${n}` }] })),
      );
      expect(calls).toBeLessThanOrEqual(2);
    });

    it("keeps each run's errors its own", async () => {
      const { outcomes } = await together(5, 'if (items[0].json.n === 2) throw new Error("two");\nreturn { n: items[0].json.n };');
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.items : (o.reason as Error).message))).toEqual([
        [{ n: 0 }],
        [{ n: 1 }],
        "Code threw Error at line 1: two",
        [{ n: 3 }],
        [{ n: 4 }],
      ]);
    });

    it("settles a run that returns a promise before the next run starts", async () => {
      const { outcomes } = await together(6, 'console.log("at", items[0].json.n);\nreturn Promise.resolve({ n: items[0].json.n });');
      expect(outcomes.map((o) => o.status === "fulfilled" && o.value)).toEqual(
        Array.from({ length: 6 }, (_, n) => ({ items: [{ n }], logs: [{ level: "info", message: `at ${n}` }] })),
      );
    });

    it("runs the others again alone when one of them hits the time limit", async () => {
      const { outcomes, poolKey } = await together(6, "if (items[0].json.n === 3) while (true) {}\nreturn { n: items[0].json.n };", () => ({ timeoutMs: 200 }));
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.items : (o.reason as CodeError).kind))).toEqual([[{ n: 0 }], [{ n: 1 }], [{ n: 2 }], "timeout", [{ n: 4 }], [{ n: 5 }]]);
      expect((await run("return { ok: true };", { poolKey })).items).toEqual([{ ok: true }]);
    });

    it("runs the others again alone when one of them hits the memory limit", async () => {
      const bomb = "if (items[0].json.n === 1) { const a = []; while (true) a.push('x'.repeat(1000) + a.length); }\nreturn { n: items[0].json.n };";
      const { outcomes } = await together(4, bomb, () => ({ memoryMb: 32, timeoutMs: 10_000 }));
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.items : (o.reason as CodeError).kind))).toEqual([[{ n: 0 }], "memory", [{ n: 2 }], [{ n: 3 }]]);
    });

    it("stops only the cancelled run, whether it was waiting or running", async () => {
      const running = new AbortController();
      const waiting = new AbortController();
      setTimeout(() => running.abort(new NodeCancelledError()), 100);
      const code = "if (items[0].json.n === 1) while (true) {}\nreturn { n: items[0].json.n };";
      const poolKey = `cancel-${Math.random()}`;
      await run(code, { poolKey, items: byN(0) });
      const first = Array.from({ length: 3 }, (_, n) => run(code, { poolKey, items: byN(n), timeoutMs: 10_000, signal: n === 1 ? running.signal : undefined }));
      // Queued behind the first batch, and given up before its turn.
      const second = Array.from({ length: 3 }, (_, n) => run(code, { poolKey, items: byN(n + 10), timeoutMs: 10_000, signal: n === 0 ? waiting.signal : undefined }));
      waiting.abort(new NodeCancelledError());
      const outcomes = await Promise.allSettled([...first, ...second]);
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.items : (o.reason as Error).constructor.name))).toEqual([
        [{ n: 0 }],
        "NodeCancelledError",
        [{ n: 2 }],
        "NodeCancelledError",
        [{ n: 11 }],
        [{ n: 12 }],
      ]);
    });
  });

  it("keeps a bounded number of warm isolates", async () => {
    const small = new CodeSandbox({ maxIsolates: 2 });
    try {
      for (const poolKey of ["a", "b", "c", "a"]) {
        expect((await small.run({ code: "return { key: $trigger.key };", items: [], trigger: { key: poolKey }, poolKey })).items).toEqual([{ key: poolKey }]);
      }
    } finally {
      small.dispose();
    }
    await expect(small.run({ code: "return {};", items: [] })).rejects.toThrow("The code sandbox has been shut down");
  });
});
