import { afterAll, describe, expect, it } from "vitest";
import { disposeCodeSandbox } from "../../runner/sandbox";
import { configJsonSchema } from "../_kit/define-node";
import { NodeCancelledError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { runNode, type LogEntry } from "../../runner/node-testing";
import { codeNode } from "./code.node";

afterAll(() => disposeCodeSandbox());

type Config = Parameters<typeof codeNode.execute>[0]["config"];

async function runCode(code: string, args: { input?: Item[]; trigger?: Item[]; signal?: AbortSignal; config?: Partial<Config>; logs?: LogEntry[] } = {}) {
  const input = args.input ?? numbers;
  const { items, logs } = await runNode(codeNode, { config: { code, ...args.config }, input, trigger: args.trigger ?? [{ json: {} }], signal: args.signal, logs: args.logs });
  return { output: items, logs };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const numbers: Item[] = Array.from({ length: 100 }, (_, i) => ({ json: { n: i + 1 } }));
const photo: BinaryRef = { id: "bin-1", mimeType: "image/png", fileName: "photo.png", size: 1234 };

describe("core.code", () => {
  it("sums numbers", async () => {
    const { output } = await runCode("return { sum: items.reduce((sum, item) => sum + item.json.n, 0) };");
    expect(output).toEqual([{ json: { sum: 5050 } }]);
  });

  it("turns returned plain objects into items and keeps returned items", async () => {
    expect((await runCode("return items.slice(0, 2).map((item) => ({ double: item.json.n * 2 }));")).output).toEqual([
      { json: { double: 2 } },
      { json: { double: 4 } },
    ]);
    expect((await runCode("return items.slice(0, 1);")).output).toEqual([{ json: { n: 1 } }]);
  });

  it("sees the trigger item as $trigger", async () => {
    const { output } = await runCode("return { from: $trigger.email };", { trigger: [{ json: { email: "a@example.com" } }] });
    expect(output).toEqual([{ json: { from: "a@example.com" } }]);
  });

  it("sees earlier nodes' outputs as $node and takes its code as written, never as a template", async () => {
    const { items } = await runNode(codeNode, {
      config: { code: 'const t = "{{ $json.n }}";\nreturn { t, temp: $node.Weather.json.temp, count: $node.Weather.items.length };' },
      input: [{ json: { n: 1 } }],
      nodeOutputs: { Weather: [{ json: { temp: 21 } }, { json: { temp: 19 } }] },
    });
    expect(items).toEqual([{ json: { t: "{{ $json.n }}", temp: 21, count: 2 } }]);
  });

  it("writes console output to the step's logger", async () => {
    const { logs } = await runCode('console.log("count", items.length); console.error("bad"); return [];');
    expect(logs).toEqual([
      { level: "info", obj: { source: "code" }, msg: "count 100" },
      { level: "error", obj: { source: "code" }, msg: "bad" },
    ]);
  });

  it("passes binary refs on untouched", async () => {
    const input: Item[] = [{ json: { name: "photo" }, binary: { data: photo } }];
    const { output } = await runCode("return items.map((item) => ({ json: { renamed: true }, binary: item.binary }));", { input });
    expect(output).toEqual([{ json: { renamed: true }, binary: { data: photo } }]);
    expect((output as Item[])[0]!.binary!.data).toBe(photo);
  });

  it("refuses binary refs the code made up or changed", async () => {
    const input: Item[] = [{ json: {}, binary: { data: photo } }];
    const forged = await failure(runCode('return [{ json: {}, binary: { data: { id: "someone-elses", mimeType: "image/png", size: 1 } } }];', { input }));
    expect(forged.message).toMatch(/^Item 0 returns binary "data" that is not one of this node's input files/);
    const { output } = await runCode("return [{ json: {}, binary: { data: { ...items[0].binary.data, size: 1 } } }];", { input });
    expect(output).toEqual([{ json: {}, binary: { data: photo } }]);
  });

  it("reports a syntax error with its line, as a code error that is not retried", async () => {
    const err = await failure(runCode("const total = 0;\nreturn { total: };"));
    expect(err.message).toBe("Syntax error at line 2, column 17: Unexpected token '}'");
    expect(err).toMatchObject({ code: "CODE", retryable: false });
  });

  it("logs what the code printed before it failed", async () => {
    const logs: LogEntry[] = [];
    const err = await failure(runCode('console.log("step 1");\nthrow new Error("step 2 failed");', { logs }));
    expect(err.message).toBe("Code threw Error at line 2: step 2 failed");
    expect(logs).toEqual([{ level: "info", obj: { source: "code" }, msg: "step 1" }]);
  });

  describe("contains hostile code and runs normally afterwards", () => {
    const hostile: { name: string; code: string; config?: Partial<Config>; message: RegExp }[] = [
      { name: "an infinite loop", code: "while (true) {}", config: { timeoutMs: 200 }, message: /^Code ran longer than 200 ms/ },
      {
        name: "a memory bomb",
        code: "const a = [];\nwhile (true) a.push('x'.repeat(1000) + a.length);",
        config: { memoryMb: 16, timeoutMs: 10_000 },
        message: /^Code used more than 16 MB of memory/,
      },
      { name: "process", code: "return { env: process.env };", message: /^Code threw ReferenceError at line 1: process is not defined$/ },
      { name: "require", code: 'return require("child_process").execSync("id");', message: /^Code threw ReferenceError at line 1: require is not defined$/ },
      {
        name: "the constructor chain",
        code: "return [].constructor.constructor('return process')().env;",
        message: /^Code threw ReferenceError at line 1: process is not defined$/,
      },
      {
        // The code is strict: `this` is undefined, so the classic escape does not even start.
        name: "the constructor chain through this",
        code: "return this.constructor.constructor('return process')().env;",
        message: /^Code threw TypeError at line 1: Cannot read properties of undefined \(reading 'constructor'\)$/,
      },
      { name: "huge output", code: "return { s: 'x'.repeat(20 * 1024 * 1024) };", message: /^Code returned more than 16777216 bytes/ },
    ];

    for (const { name, code, config, message } of hostile) {
      it(name, async () => {
        const err = await failure(runCode(code, { config }));
        expect(err.message).toMatch(message);
        expect(err).toMatchObject({ code: "CODE", retryable: false });
        expect((await runCode("return { ok: true };", { config })).output).toEqual([{ json: { ok: true } }]);
      });
    }

    it("prototype pollution", async () => {
      const err = await failure(runCode("Object.prototype.polluted = 1; return [];"));
      expect(err.message).toBe("Code threw TypeError at line 1: Cannot add property polluted, object is not extensible");
      const { output } = await runCode("return { clean: ({}).polluted === undefined };");
      expect(output).toEqual([{ json: { clean: true } }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it("stops when the run is cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new NodeCancelledError()), 100);
    await expect(runCode("while (true) {}", { signal: controller.signal, config: { timeoutMs: 10_000 } })).rejects.toBeInstanceOf(NodeCancelledError);
    expect((await runCode("return {};")).output).toEqual([{ json: {} }]);
  });

  it("checks its limits in the config", () => {
    expect(codeNode.config.safeParse({ code: "return items;", timeoutMs: 30_000, memoryMb: 256 }).success).toBe(true);
    expect(codeNode.config.safeParse({ code: "return items;", timeoutMs: 30_001 }).success).toBe(false);
    expect(codeNode.config.safeParse({ code: "return items;", memoryMb: 4 }).success).toBe(false);
    expect(codeNode.config.safeParse({ code: "" }).success).toBe(false);
  });

  it("shows the code field as a JavaScript editor", () => {
    const schema = configJsonSchema(codeNode) as { properties: Record<string, { ui?: unknown }> };
    expect(schema.properties.code?.ui).toEqual({ widget: "code", language: "javascript" });
  });
});
