import { afterAll, describe, expect, it } from "vitest";
import { disposeCodeSandbox } from "../../runner/sandbox";
import { failure, MemoryKeyValueStore, runNode, type LogEntry, type RunNodeOptions } from "../../runner/node-testing";
import { useTestDatabase } from "../../server/db/test-databases";
import { flowStateStore } from "../../server/services/flow-state-service";
import { compatGaps } from "../_kit/code-compat";
import type { KeyValueStore } from "../_kit/context";
import type { BinaryRef, Item } from "../_kit/items";
import { codeNode, codePorts } from "./code.node";

afterAll(() => disposeCodeSandbox());

const numbers: Item[] = [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }];
const weather: Item[] = [{ json: { temp: 21 } }, { json: { temp: 19 } }, { json: { temp: 17 } }];
const photo: BinaryRef = { id: "bin-1", mimeType: "image/png", fileName: "photo.png", size: 1234 };

async function n8n(code: string, options: RunNodeOptions & { perItem?: boolean } = {}) {
  const { perItem, ...rest } = options;
  return runNode(codeNode, { input: numbers, nodeOutputs: { Weather: weather }, ...rest, config: { code, compat: "n8n", ...(perItem ? { perItem } : {}) } });
}

async function nodeRed(code: string, options: RunNodeOptions & { outputs?: number } = {}) {
  const { outputs, ...rest } = options;
  return runNode(codeNode, { input: [{ json: { payload: 5, topic: "a" } }, { json: { payload: 50, topic: "b" } }], ...rest, config: { code, compat: "node-red", ...(outputs ? { outputs } : {}) } });
}

const jsonOf = (items: Item[] | undefined) => (items ?? []).map((item) => item.json);

describe("n8n code", () => {
  it("runs the usual run-once-for-all-items forms as written", async () => {
    const forms: [string, unknown[]][] = [
      ["return $input.all().map((item) => ({ json: { double: item.json.n * 2 } }));", [{ double: 2 }, { double: 4 }, { double: 6 }]],
      ["for (const item of items) {\n  item.json.seen = true;\n}\nreturn items;", numbers.map((i) => ({ ...i.json, seen: true }))],
      ["const items = $input.all();\nreturn items.map((item) => item.json);", [{ n: 1 }, { n: 2 }, { n: 3 }]],
      ["return [{ json: { first: $input.first().json.n, last: $input.last().json.n, count: $input.all().length } }];", [{ first: 1, last: 3, count: 3 }]],
      ['return { legacy: $node["Weather"].json.temp, first: $("Weather").first().json.temp, all: $("Weather").all().length };', [{ legacy: 21, first: 21, all: 3 }]],
      ['return { item: $("Weather").item.json.temp, last: $("Weather").last().json.temp, old: $items("Weather")[1].json.temp };', [{ item: 21, last: 17, old: 19 }]],
      ["return { run: $execution.id, mode: $execution.mode, flow: $workflow.id };", [{ run: "test-run", mode: "test", flow: "test-flow" }]],
      ["return { first: $json.n, item: $input.item.json.n };", [{ first: 1, item: 1 }]],
      ["const total = await Promise.resolve(items.length);\nreturn [{ json: { total } }];", [{ total: 3 }]],
    ];
    for (const [code, expected] of forms) expect(jsonOf((await n8n(code)).items), code).toEqual(expected);
  });

  it("runs once for each item with $json, $input.item and $itemIndex, dropping items the code returns nothing for", async () => {
    const { items } = await n8n("if ($json.n === 2) return null;\n$input.item.json.double = $json.n * 2;\n$input.item.json.index = $itemIndex;\nreturn $input.item;", { perItem: true });
    expect(jsonOf(items)).toEqual([{ n: 1, double: 2, index: 0 }, { n: 3, double: 6, index: 2 }]);
    const paired = await n8n("return { n: $json.n, temp: $('Weather').item.json.temp };", { perItem: true });
    expect(jsonOf(paired.items)).toEqual([{ n: 1, temp: 21 }, { n: 2, temp: 19 }, { n: 3, temp: 17 }]);
    const awaited = await n8n("const n = await Promise.resolve($json.n);\nreturn { json: { n: n * 10 } };", { perItem: true });
    expect(jsonOf(awaited.items)).toEqual([{ n: 10 }, { n: 20 }, { n: 30 }]);
  });

  it("keeps $getWorkflowStaticData between runs of the flow", async () => {
    const kv = new MemoryKeyValueStore();
    const code = 'const data = $getWorkflowStaticData("global");\ndata.runs = (data.runs ?? 0) + 1;\nreturn { runs: data.runs };';
    expect(jsonOf((await n8n(code, { kv })).items)).toEqual([{ runs: 1 }]);
    expect(jsonOf((await n8n(code, { kv })).items)).toEqual([{ runs: 2 }]);
    expect(await kv.get("n8n:static:global")).toEqual({ runs: 2 });
  });

  it("names a node that did not run", async () => {
    const err = await failure(n8n('return $("Nowhere").first().json;'));
    expect(err.message).toBe('Code threw Error at line 1: No node called "Nowhere" ran before this one');
  });

  it("lists what it does not give", () => {
    expect(compatGaps("n8n", "return $input.all().map((i) => ({ json: { ...i.json, at: `${$json.x}` } }));")).toEqual([]);
    expect(compatGaps("n8n", "const d = $now.toISO();\nconst x = require('lodash');\nreturn $jmespath(items, 'a');")).toEqual([
      "it loads modules with require(), which the sandbox does not allow",
      "it uses `$now`, `$jmespath`, which the n8n mode of the code node does not give",
    ]);
    expect(compatGaps("n8n", "for (item of items) item.json.x = DateTime.now();\nreturn items;")).toEqual([
      "it loops with a variable it never declares (for (item of …)), which strict code refuses; add const",
      "it uses Luxon (DateTime), which the sandbox does not have; use Date",
    ]);
  });
});

describe("Node-RED function", () => {
  it("runs once per item with the item as msg and outputs what it returns", async () => {
    const { items } = await nodeRed("msg.payload = msg.payload * 2;\nmsg.topic = msg.topic.toUpperCase();\nreturn msg;");
    expect(jsonOf(items)).toEqual([{ payload: 10, topic: "A" }, { payload: 100, topic: "B" }]);
  });

  it("drops a message when the code returns null or nothing", async () => {
    expect(jsonOf((await nodeRed("if (msg.payload > 10) return null;\nreturn msg;")).items)).toEqual([{ payload: 5, topic: "a" }]);
    expect(jsonOf((await nodeRed("if (msg.payload > 10) return;\nreturn msg;")).items)).toEqual([{ payload: 5, topic: "a" }]);
  });

  it("routes messages to the outputs by their place in the returned array, several to one output when nested", async () => {
    const { output } = await nodeRed("return msg.payload > 10 ? [null, msg] : [msg, null];", { outputs: 2 });
    expect(Object.fromEntries(Object.entries(output).map(([port, items]) => [port, jsonOf(items)]))).toEqual({
      out: [{ payload: 5, topic: "a" }],
      "out-2": [{ payload: 50, topic: "b" }],
    });
    const nested = await nodeRed("return [[{ payload: msg.payload }, { payload: -msg.payload }], null, { topic: msg.topic }];", { outputs: 3 });
    expect(jsonOf(nested.output.out)).toEqual([{ payload: 5 }, { payload: -5 }, { payload: 50 }, { payload: -50 }]);
    expect(nested.output["out-2"]).toBeUndefined();
    expect(jsonOf(nested.output["out-3"])).toEqual([{ topic: "a" }, { topic: "b" }]);
  });

  it("sends with node.send, logs node.warn/log/status/error to the step's log, and RED.util.cloneMessage copies", async () => {
    const logs: LogEntry[] = [];
    const code = [
      "const copy = RED.util.cloneMessage(msg);",
      "copy.payload = 'copy of ' + msg.topic;",
      "node.send([null, copy]);",
      "node.warn('payload is ' + msg.payload);",
      "node.log({ seen: msg.topic });",
      "node.status({ fill: 'green', shape: 'dot', text: 'ok' });",
      "if (msg.payload > 10) node.error('big payload');",
      "return msg;",
    ].join("\n");
    const { output } = await nodeRed(code, { outputs: 2, logs });
    expect(jsonOf(output.out)).toEqual([{ payload: 5, topic: "a" }, { payload: 50, topic: "b" }]);
    expect(jsonOf(output["out-2"])).toEqual([{ payload: "copy of a", topic: "a" }, { payload: "copy of b", topic: "b" }]);
    expect(logs.map((l) => `${l.level} ${l.msg}`)).toEqual([
      "warn payload is 5",
      'info {"seen":"a"}',
      "info status: ok",
      "warn payload is 50",
      'info {"seen":"b"}',
      "info status: ok",
      "error big payload",
    ]);
  });

  it("fails the step on node.error with a message, as Node-RED hands it to a catch node", async () => {
    const logs: LogEntry[] = [];
    const err = await failure(nodeRed("if (msg.payload > 10) {\n  node.error('payload too big: ' + msg.payload, msg);\n  return null;\n}\nreturn msg;", { logs }));
    expect(err.message).toBe("Code threw node.error at line 2: payload too big: 50");
    expect(err).toMatchObject({ code: "CODE", retryable: false });
    expect(logs).toEqual([{ level: "error", obj: { source: "code" }, msg: "payload too big: 50" }]);
  });

  it("keeps the item's files on the message it passes on", async () => {
    const input: Item[] = [{ json: { payload: "photo" }, binary: { data: photo } }];
    const { items } = await nodeRed("msg.seen = true;\nreturn [msg, { payload: 'new' }];", { input, outputs: 2 });
    expect(items).toEqual([{ json: { payload: "photo", seen: true }, binary: { data: photo } }]);
  });

  it("awaits async code and says what it cannot send", async () => {
    expect(jsonOf((await nodeRed("msg.payload = await Promise.resolve(msg.payload + 1);\nreturn msg;")).items)).toEqual([
      { payload: 6, topic: "a" },
      { payload: 51, topic: "b" },
    ]);
    const err = await failure(nodeRed("return msg.payload;"));
    expect(err.message).toBe("Code threw TypeError: Output 1 was given a number; send msg objects, or an array with one per output");
  });

  it("lists what it does not give", () => {
    expect(compatGaps("node-red", "node.warn(msg); flow.set('a', 1); return [msg, null];")).toEqual([]);
    expect(compatGaps("node-red", "setTimeout(() => node.send(msg), 100);\nnode.on('close', () => {});\nreturn null;")).toEqual([
      "it uses timers, which the sandbox does not have",
      "it listens for node events (node.on), which a code node does not have",
    ]);
  });
});

describe("Node-RED context in the flow's state", () => {
  const database = useTestDatabase("postgres");

  async function flowStore(slug: string): Promise<KeyValueStore> {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    return flowStateStore({ db, workspaceId: workspace.id, flowId: flow.id });
  }

  it("keeps flow, global and node context across runs of the same flow, and not in another flow", async () => {
    const kv = await flowStore("compat-context");
    const code = [
      "const seen = flow.get('seen') || [];",
      "seen.push(msg.topic);",
      "flow.set('seen', seen);",
      "global.set('count', (global.get('count') || 0) + 1);",
      "context.set('last.topic', msg.topic);",
      "msg.payload = { seen: seen.length, count: global.get('count'), keys: flow.keys() };",
      "return msg;",
    ].join("\n");
    const first = await nodeRed(code, { kv });
    expect(jsonOf(first.items).map((m) => m.payload)).toEqual([{ seen: 1, count: 1, keys: ["seen"] }, { seen: 2, count: 2, keys: ["seen"] }]);
    const second = await nodeRed(code, { kv, input: [{ json: { topic: "c" } }] });
    expect(jsonOf(second.items).map((m) => m.payload)).toEqual([{ seen: 3, count: 3, keys: ["seen"] }]);
    expect(await kv.get("node-red:flow")).toEqual({ seen: ["a", "b", "c"] });
    expect(await kv.get("node-red:global")).toEqual({ count: 3 });
    expect(await kv.get("node-red:node:node-under-test")).toEqual({ last: { topic: "c" } });

    const other = await flowStore("compat-context-other");
    const fresh = await nodeRed("msg.payload = flow.get('seen') ?? 'none';\nreturn msg;", { kv: other, input: [{ json: {} }] });
    expect(jsonOf(fresh.items)).toEqual([{ payload: "none" }]);
  });

  it("removes a key set to undefined and writes only what changed, so runs changing other keys at once keep theirs", async () => {
    const kv = await flowStore("compat-context-merge");
    await kv.set("node-red:flow", { a: 1, b: 2, gone: true });
    await nodeRed("flow.set('gone', undefined);\nflow.set('a', flow.get('a') + 1);\nreturn null;", { kv, input: [{ json: {} }] });
    await Promise.all(["x", "y", "z"].map((key) => nodeRed(`flow.set('${key}', true);\nreturn null;`, { kv, input: [{ json: {} }] })));
    expect(await kv.get("node-red:flow")).toEqual({ a: 2, b: 2, x: true, y: true, z: true });
  });

  it("refuses to grow a store past its limit, saying which", async () => {
    const kv = await flowStore("compat-context-big");
    const err = await failure(nodeRed("flow.set('big', 'x'.repeat(2 * 1024 * 1024));\nreturn msg;", { kv, input: [{ json: {} }] }));
    expect(err.message).toBe("The flow context would hold more than 1 MB of JSON; keep less in it");
    expect(await kv.get("node-red:flow")).toBeUndefined();
  });
});

describe("hostile code in a compat mode", () => {
  it("reaches no host object and no built-in through the names it is given", async () => {
    const escape = await failure(n8n('return $input.all.constructor("return process")().env;'));
    expect(escape.message).toBe("Code threw ReferenceError at line 1: process is not defined");
    const polluted = await failure(nodeRed("flow.set('__proto__.polluted', 1);\nreturn msg;", { input: [{ json: {} }] }));
    expect(polluted.message).toBe("Code threw TypeError at line 1: Cannot add property polluted, object is not extensible");
    expect(jsonOf((await nodeRed("return { payload: ({}).polluted === undefined };", { input: [{ json: {} }] })).items)).toEqual([{ payload: true }]);
  });
});

describe("compat settings", () => {
  it("keeps the same code apart in each mode", async () => {
    const code = "return { n: $json.n };";
    const ours = await failure(runNode(codeNode, { config: { code }, input: numbers }));
    expect(ours.message).toBe("Code threw ReferenceError at line 1: $json is not defined");
    expect(jsonOf((await n8n(code)).items)).toEqual([{ n: 1 }]);
    await expect(runNode(codeNode, { config: { code }, input: numbers })).rejects.toThrow("$json is not defined");
  });

  it("gives a Node-RED function one port per output and refuses settings of another mode", () => {
    const parse = (config: Record<string, unknown>) => codeNode.config.safeParse({ code: "return msg;", ...config });
    expect(codePorts(parse({ compat: "node-red", outputs: 3 }).data!)).toEqual(["out", "out-2", "out-3"]);
    expect(codePorts(parse({}).data!)).toEqual(["out"]);
    expect(parse({}).data).toMatchObject({ compat: "streamware", perItem: false, outputs: 1 });
    expect(parse({ outputs: 2 }).error?.issues.map((i) => i.path.join("."))).toEqual(["outputs"]);
    expect(parse({ compat: "node-red", perItem: true }).error?.issues.map((i) => i.path.join("."))).toEqual(["perItem"]);
    expect(parse({ compat: "node-red", outputs: 11 }).success).toBe(false);
  });
});
