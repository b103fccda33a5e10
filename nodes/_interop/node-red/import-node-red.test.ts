import jsonata from "jsonata";
import { afterAll, describe, expect, it } from "vitest";
import { runNode } from "../../../runner/node-testing";
import { disposeCodeSandbox } from "../../../runner/sandbox";
import { codeNode } from "../../code/code.node";
import { nodeRegistry } from "../../registry";
import { importTotals } from "../import-report";
import { importNodeRed, isNodeRedExport, type NodeRedImport } from "./import-node-red";

afterAll(() => disposeCodeSandbox());

const tab = (id: string, label: string) => ({ id, type: "tab", label, disabled: false, info: "" });
const at = (x: number, y: number) => ({ x, y });

function ok(input: unknown): Extract<NodeRedImport, { ok: true }> {
  const result = importNodeRed(typeof input === "string" ? input : JSON.stringify(input));
  expect(result.report.problems.filter((p) => p.severity === "error")).toEqual([]);
  if (!result.ok) throw new Error("the import failed");
  // Every imported node's config is one its Streamware node type accepts.
  for (const flow of result.flows) {
    for (const node of flow.document.nodes) {
      const definition = nodeRegistry.get(node.type);
      expect(definition, node.type).toBeDefined();
      const parsed = definition!.config.safeParse(node.config);
      expect(parsed.success, `${node.name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  }
  return result;
}

type Imported = Extract<NodeRedImport, { ok: true }>;
const flowNamed = (result: Imported, name: string) => result.flows.find((f) => f.name === name)!.document;
const nodeNamed = (result: Imported, name: string) => result.flows.flatMap((f) => f.document.nodes).find((n) => n.name === name)!;

function edgesOf(result: Imported, flowName: string): string[] {
  const doc = flowNamed(result, flowName);
  const name = (id: string) => doc.nodes.find((n) => n.id === id)?.name;
  return doc.edges.map((e) => `${name(e.source)}:${e.sourcePort}->${name(e.target)}`);
}

describe("Node-RED import: flows", () => {
  it("makes each tab a flow and gathers nodes of tabs not in the file into one more, spreading positions so our wider cards do not overlap", () => {
    const result = ok({
      flows: [
        tab("t1", "Lights"),
        { id: "a", type: "inject", z: "t1", name: "Go", ...at(100, 40), wires: [["b"]], props: [{ p: "payload" }], payload: "", payloadType: "date", repeat: "", crontab: "" },
        { id: "b", type: "debug", z: "t1", name: "See", ...at(300, 40), wires: [] },
        { id: "c", type: "delay", z: "gone", ...at(10, 20), pauseType: "delay", timeout: "2", timeoutUnits: "seconds", wires: [["d"]] },
        { id: "d", type: "debug", z: "gone2", ...at(50, 20), wires: [] },
      ],
      rev: "abc",
    });
    expect(result.flows.map((f) => f.name)).toEqual(["Lights", "Imported from Node-RED"]);
    // Node-RED places a node by its centre, 160 or so from the next; our cards are 220 wide, placed by their corner.
    expect(nodeNamed(result, "Go").position).toEqual({ x: 100 * 1.75 - 110, y: 40 * 2.2 - 32 });
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["delay:out->debug"]);
    expect(nodeNamed(result, "delay").config).toEqual({ ms: 2000 });
    expect(importTotals(result.report)).toMatchObject({ nodes: 4, mapped: 4, connectionsKept: 2, connectionsDropped: 0 });
  });

  it("tells a Node-RED export from other JSON", () => {
    expect(isNodeRedExport([{ id: "a", type: "inject", z: "t", wires: [] }])).toBe(true);
    expect(isNodeRedExport({ flows: [tab("t", "T")], rev: "1" })).toBe(true);
    expect(isNodeRedExport({ nodes: [], connections: {} })).toBe(false);
    expect(isNodeRedExport([{ id: "a", type: "n8n-nodes-base.set", typeVersion: 3 }])).toBe(false);
  });
});

describe("Node-RED import: node types", () => {
  it("maps inject: interval and crontab to a schedule, none to a manual trigger, its message to a Set node after it", () => {
    const result = ok([
      { id: "i1", type: "inject", z: "t", name: "Every 5s", ...at(0, 0), repeat: "5", crontab: "", once: false, props: [{ p: "payload" }], payload: "", payloadType: "date", wires: [] },
      { id: "i2", type: "inject", z: "t", name: "Noon", ...at(0, 0), repeat: "", crontab: "00 12 * * 1-5", once: false, props: [{ p: "payload" }], payload: "", payloadType: "date", wires: [] },
      { id: "i3", type: "inject", z: "t", name: "Now", ...at(0, 0), repeat: "", crontab: "", once: true, props: [{ p: "payload" }, { p: "topic", vt: "str" }, { p: "n", v: "4", vt: "num" }], payload: '{"a":1}', payloadType: "json", topic: "t/1", wires: [["d"]] },
      { id: "i4", type: "inject", z: "t", name: "Every 7s", ...at(0, 0), repeat: "7", crontab: "", wires: [] },
      { id: "d", type: "debug", z: "t", ...at(0, 0), wires: [] },
    ]);
    expect(nodeNamed(result, "Every 5s")).toMatchObject({ type: "core.schedule", config: { cron: "*/5 * * * * *" } });
    expect(nodeNamed(result, "Noon")).toMatchObject({ type: "core.schedule", config: { cron: "00 12 * * 1-5" } });
    expect(nodeNamed(result, "Now").type).toBe("core.manual-trigger");
    expect(nodeNamed(result, "Now message").config).toEqual({ fields: [{ name: "payload", value: { a: 1 } }, { name: "topic", value: "t/1" }, { name: "n", value: 4 }], keepOnlySet: true });
    expect(nodeNamed(result, "Every 5s message").config).toEqual({ fields: [{ name: "payload", value: "{{ $millis() }}" }], keepOnlySet: true });
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(expect.arrayContaining(["Now:out->Now message", "Now message:out->debug"]));
    expect(nodeNamed(result, "Every 7s").type).toBe("core.placeholder");
    expect(result.report.flows[0]!.notes.join(" ")).toContain("fired once on deploy");
  });

  it("maps http in (with a Set node giving payload and req as Node-RED did), http response and http request", async () => {
    const result = ok([
      { id: "h", type: "http in", z: "t", name: "In", ...at(0, 0), url: "/orders/:id", method: "post", wires: [["r"]] },
      { id: "r", type: "http request", z: "t", name: "Call", ...at(0, 0), method: "GET", url: "https://api.example.com/{{{payload.id}}}", ret: "obj", wires: [["o"]] },
      { id: "o", type: "http response", z: "t", name: "Out", ...at(0, 0), statusCode: "201", headers: { "x-a": "1" }, wires: [] },
    ]);
    expect(nodeNamed(result, "In").config).toEqual({ path: "orders/id", methods: ["POST"], respond: "auto" });
    expect(nodeNamed(result, "Call").config).toMatchObject({ method: "GET", url: "https://api.example.com/{{ payload.id }}", responseFormat: "json", bodyMode: "none" });
    expect(nodeNamed(result, "Out").config).toEqual({ status: 201, headers: [{ name: "x-a", value: "1" }], body: "{{ payload }}" });
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["In:out->In message", "In message:out->Call", "Call:out->Out"]);
    const fields = nodeNamed(result, "In message").config.fields as { name: string; value: string }[];
    const request = { method: "POST", headers: { a: "1" }, query: { q: "x" }, body: { id: 7 } };
    expect(await jsonata(fields[0]!.value.slice(3, -3)).evaluate(request)).toEqual({ id: 7 });
    expect(await jsonata(fields[1]!.value.slice(3, -3)).evaluate(request)).toEqual({ query: { q: "x" }, headers: { a: "1" }, body: { id: 7 } });
  });

  it("maps change rules that set or replace; JSONata values become expressions that read the item as msg", async () => {
    const result = ok([
      {
        id: "c",
        type: "change",
        z: "t",
        name: "Shape",
        ...at(0, 0),
        rules: [
          { t: "set", p: "payload.total", pt: "msg", to: "payload.price * payload.qty", tot: "jsonata" },
          { t: "set", p: "topic", pt: "msg", to: "orders", tot: "str" },
          { t: "set", p: "copy", pt: "msg", to: "payload.price", tot: "msg" },
          { t: "change", p: "topic", pt: "msg", from: "ord", fromt: "str", to: "ORD", tot: "str" },
        ],
        wires: [],
      },
      { id: "x", type: "change", z: "t", name: "Drop", ...at(0, 0), rules: [{ t: "delete", p: "payload", pt: "msg" }], wires: [] },
    ]);
    const fields = nodeNamed(result, "Shape").config.fields as { name: string; value: string }[];
    expect(fields.map((f) => f.name)).toEqual(["payload.total", "topic", "copy", "topic"]);
    const evaluate = (value: string, item: unknown) => jsonata(value.replace(/^\{\{ | \}\}$/g, "")).evaluate(item);
    const item = { payload: { price: 3, qty: 4 }, topic: "orders" };
    expect(await evaluate(fields[0]!.value, item)).toBe(12);
    expect(await evaluate(fields[2]!.value, item)).toBe(3);
    expect(await evaluate(fields[3]!.value, item)).toBe("ORDers");
    expect(nodeNamed(result, "Drop").type).toBe("core.code");
    expect(importTotals(result.report)).toMatchObject({ mapped: 2, placeholders: 0 });
  });

  it("turns change rules that delete or move into generated code doing the same, checked by running it", async () => {
    const result = ok([
      {
        id: "c",
        type: "change",
        z: "t",
        name: "Tidy",
        ...at(0, 0),
        rules: [
          { t: "move", p: "payload.old", pt: "msg", to: "payload.new", tot: "msg" },
          { t: "delete", p: "secret", pt: "msg" },
          { t: "set", p: "topic", pt: "msg", to: "done", tot: "str" },
          { t: "change", p: "payload.text", pt: "msg", from: "a+", fromt: "re", to: "-", tot: "str" },
        ],
        wires: [],
      },
      { id: "j", type: "change", z: "t", name: "Computed", ...at(0, 0), rules: [{ t: "delete", p: "a", pt: "msg" }, { t: "set", p: "b", pt: "msg", to: "1 + 1", tot: "jsonata" }], wires: [] },
    ]);
    const { items } = await runNode(codeNode, { config: nodeNamed(result, "Tidy").config as { code: string }, input: [{ json: { payload: { old: 1, text: "baaad" }, secret: "x" } }], trigger: [{ json: {} }] });
    expect(items.map((i) => i.json)).toEqual([{ payload: { new: 1, text: "b-d" }, topic: "done" }]);
    expect(nodeNamed(result, "Computed")).toMatchObject({ type: "core.placeholder", config: { note: "rules[1]: its value is an expression, which generated code cannot evaluate" } });
  });

  it("maps switch rules to outputs in order, otherwise to the fallback, and wires each port", async () => {
    const result = ok([
      {
        id: "s",
        type: "switch",
        z: "t",
        name: "Route",
        ...at(0, 0),
        property: "payload.t",
        propertyType: "msg",
        rules: [{ t: "gt", v: "20", vt: "num" }, { t: "regex", v: "^co", case: true }, { t: "else" }],
        checkall: "false",
        outputs: 3,
        wires: [["a"], ["b"], ["c"]],
      },
      { id: "a", type: "debug", z: "t", name: "A", ...at(0, 0), wires: [] },
      { id: "b", type: "debug", z: "t", name: "B", ...at(0, 0), wires: [] },
      { id: "c", type: "debug", z: "t", name: "C", ...at(0, 0), wires: [] },
    ]);
    const config = nodeNamed(result, "Route").config as { rules: { left: string; operator: string; right?: unknown }[]; mode: string; fallback: boolean };
    expect(config).toMatchObject({ mode: "first", fallback: true, rules: [{ left: "{{ payload.t }}", operator: "greaterThan", right: 20 }, { operator: "isTrue" }] });
    expect(await jsonata(config.rules[1]!.left.slice(3, -3)).evaluate({ payload: { t: "Cold" } })).toBe(true);
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["Route:rule-1->A", "Route:rule-2->B", "Route:fallback->C"]);
  });

  it("reads switch rules saved without a value type as Node-RED does: numbers as numbers, the rest as text", () => {
    const result = ok([
      { id: "s", type: "switch", z: "t", name: "Old", ...at(0, 0), property: "payload", rules: [{ t: "eq", v: "3" }, { t: "eq", v: "on" }, { t: "btwn", v: 1, v2: "5" }], checkall: "true", outputs: 3, wires: [[], [], []] },
      { id: "i", type: "inject", z: "t", name: "Zero", ...at(0, 0), payload: "", payloadType: "num", repeat: "", crontab: "", once: false, wires: [["s"]] },
    ]);
    const config = nodeNamed(result, "Old").config as { rules: { left: string; operator: string; right?: unknown }[] };
    expect(config.rules[0]).toMatchObject({ operator: "equals", right: 3 });
    expect(config.rules[1]).toMatchObject({ operator: "equals", right: "on" });
    expect(config.rules[2]!.left).toBe("{{ payload >= 1 and payload <= 5 }}");
    expect(result.report.flows[0]!.placeholders).toEqual([]);
  });

  it("puts function code into a code node in Node-RED mode with its outputs, and runs it as written", async () => {
    const func = "node.warn('got ' + msg.payload);\nflow.set('n', (flow.get('n') || 0) + 1);\nif (msg.payload > 10) return [null, msg];\nreturn [msg, null];";
    const result = ok([
      { id: "f", type: "function", z: "t", name: "Fn", ...at(0, 0), func, outputs: 2, wires: [["a"], ["b"]] },
      { id: "a", type: "debug", z: "t", name: "A", ...at(0, 0), wires: [] },
      { id: "b", type: "debug", z: "t", name: "B", ...at(0, 0), wires: [] },
    ]);
    const fn = nodeNamed(result, "Fn");
    expect(fn).toMatchObject({ type: "core.code", config: { code: func, compat: "node-red", outputs: 2 } });
    const report = result.report.flows[0]!;
    expect(report.expressions.flagged).toEqual([]);
    expect(report.notes.filter((note) => note.startsWith('"Fn"'))).toEqual([]);
    expect(report.connections.dropped).toEqual([]);
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["Fn:out->A", "Fn:out-2->B"]);
    const run = await runNode(codeNode, { config: fn.config, input: [{ json: { payload: 5 } }, { json: { payload: 50 } }] });
    expect(run.output).toEqual({ out: [{ json: { payload: 5 } }], "out-2": [{ json: { payload: 50 } }] });
    expect(run.logs.map((l) => l.msg)).toEqual(["got 5", "got 50"]);
    expect(await run.kv.get("node-red:flow")).toEqual({ n: 2 });
  });

  it("turns change rules that write and read flow or global context into Node-RED mode code over the flow's state", async () => {
    const result = ok([
      { id: "w", type: "change", z: "t", name: "Remember", ...at(0, 0), rules: [{ t: "set", p: "state", pt: "flow", to: "payload", tot: "msg" }, { t: "set", p: "seen", pt: "global", to: "true", tot: "bool" }], wires: [["r"]] },
      { id: "r", type: "change", z: "t", name: "Recall", ...at(0, 0), rules: [{ t: "set", p: "before", pt: "msg", to: "state", tot: "flow" }, { t: "move", p: "payload", pt: "msg", to: "value", tot: "msg" }, { t: "delete", p: "state", pt: "flow" }], wires: [[]] },
    ]);
    const remember = nodeNamed(result, "Remember");
    const recall = nodeNamed(result, "Recall");
    expect(remember).toMatchObject({ type: "core.code", config: { compat: "node-red" } });
    expect(result.report.flows[0]!.placeholders).toEqual([]);
    const first = await runNode(codeNode, { config: remember.config, input: [{ json: { payload: { temp: 21 } } }] });
    expect(await first.kv.get("node-red:flow")).toEqual({ state: { temp: 21 } });
    expect(await first.kv.get("node-red:global")).toEqual({ seen: true });
    const second = await runNode(codeNode, { config: recall.config, input: [{ json: { payload: 7 } }], kv: first.kv });
    expect(second.items).toEqual([{ json: { before: { temp: 21 }, value: 7 } }]);
    expect((await second.kv.get("node-red:flow")) ?? {}).toEqual({});
  });

  it("flags function code that uses what the Node-RED mode does not give, saying what", () => {
    const func = "setTimeout(() => node.send(msg), 1000);\nreturn null;";
    const result = ok([{ id: "f", type: "function", z: "t", name: "Later", ...at(0, 0), func, libs: [{ var: "fs", module: "fs" }], wires: [[]] }]);
    const report = result.report.flows[0]!;
    expect(report.expressions.flagged).toEqual([
      {
        node: "Later",
        field: "code",
        text: func,
        reason: "Node-RED function code, kept as written: review it before running (it uses timers, which the sandbox does not have; it loads modules, which the sandbox does not allow)",
      },
    ]);
    expect(report.notes.join("\n")).toMatch(/timers[\s\S]*loads modules/);
  });

  it("maps simple mustache templates to a Set node, JSON output through $eval, and keeps sections as placeholders", async () => {
    const result = ok([
      { id: "m", type: "template", z: "t", name: "Say", ...at(0, 0), field: "payload", fieldType: "msg", syntax: "mustache", template: "Hi {{payload.name}}, {{{topic}}}!", output: "str", wires: [] },
      { id: "j", type: "template", z: "t", name: "Obj", ...at(0, 0), field: "payload", fieldType: "msg", syntax: "mustache", template: '{ "key": "{{topic}}", "n": {{payload}} }', output: "json", wires: [] },
      { id: "l", type: "template", z: "t", name: "List", ...at(0, 0), field: "payload", fieldType: "msg", syntax: "mustache", template: "{{#payload}}- {{.}}\n{{/payload}}", output: "str", wires: [] },
    ]);
    expect(nodeNamed(result, "Say").config).toEqual({ fields: [{ name: "payload", value: "Hi {{ payload.name }}, {{ topic }}!" }], keepOnlySet: false });
    const obj = (nodeNamed(result, "Obj").config.fields as { value: string }[])[0]!.value;
    expect(await jsonata(obj.slice(3, -3)).evaluate({ topic: "k", payload: 5 })).toEqual({ key: "k", n: 5 });
    expect(nodeNamed(result, "List").type).toBe("core.placeholder");
  });

  it("maps json to a Set node that parses or writes JSON text", async () => {
    const result = ok([{ id: "j", type: "json", z: "t", name: "Parse", ...at(0, 0), property: "payload", action: "", pretty: false, wires: [] }]);
    const value = (nodeNamed(result, "Parse").config.fields as { value: string }[])[0]!.value.slice(3, -3);
    expect(await jsonata(value).evaluate({ payload: '{"a":1}' })).toEqual({ a: 1 });
    expect(await jsonata(value).evaluate({ payload: { a: 1 } })).toBe('{"a":1}');
  });

  it("maps range to a Set node whose expression scales, clamps or wraps", async () => {
    const range = (id: string, action: string) => ({ id, type: "range", z: "t", name: id, ...at(0, 0), minin: "0", maxin: "10", minout: "0", maxout: "100", action, round: true, property: "payload", wires: [] });
    const result = ok([range("scale", "scale"), range("clamp", "clamp"), range("roll", "roll")]);
    const run = async (name: string, payload: number) => jsonata((nodeNamed(result, name).config.fields as { value: string }[])[0]!.value.slice(3, -3)).evaluate({ payload });
    expect(await run("scale", 5)).toBe(50);
    expect(await run("scale", 12)).toBe(120);
    expect(await run("clamp", 12)).toBe(100);
    expect(await run("roll", 12)).toBe(20);
  });

  it("maps sort of an array in the message to $sort, by element or by a JSONata key", async () => {
    const sort = (id: string, extra: Record<string, unknown>) => ({ id, type: "sort", z: "t", name: id, ...at(0, 0), target: "payload", targetType: "msg", msgKey: "", msgKeyType: "elem", order: "ascending", as_num: false, wires: [], ...extra });
    const result = ok([sort("down", { order: "descending", as_num: true }), sort("byPrice", { msgKey: "price", msgKeyType: "jsonata" }), sort("seq", { targetType: "seq" })]);
    const run = async (name: string, payload: unknown) => jsonata((nodeNamed(result, name).config.fields as { value: string }[])[0]!.value.slice(3, -3)).evaluate({ payload });
    expect(await run("down", ["2", "10", "1"])).toEqual(["10", "2", "1"]);
    expect(await run("byPrice", [{ price: 3 }, { price: 1 }])).toEqual([{ price: 1 }, { price: 3 }]);
    expect(nodeNamed(result, "seq").type).toBe("core.placeholder");
  });

  it("maps split and join to generated code that splits and puts back the step's items", async () => {
    const result = ok([
      { id: "s", type: "split", z: "t", name: "Split", ...at(0, 0), splt: "\\n", spltType: "str", arraySplt: 1, arraySpltType: "len", stream: false, addname: "", wires: [["j"]] },
      { id: "j", type: "join", z: "t", name: "Join", ...at(0, 0), mode: "auto", build: "object", property: "payload", propertyType: "msg", wires: [] },
      { id: "m", type: "join", z: "t", name: "Manual", ...at(0, 0), mode: "custom", build: "string", property: "payload", propertyType: "msg", joiner: ",", joinerType: "str", count: "", wires: [] },
      { id: "r", type: "join", z: "t", name: "Reduce", ...at(0, 0), mode: "reduce", wires: [] },
    ]);
    const run = async (name: string, input: Record<string, unknown>[]) =>
      (await runNode(codeNode, { config: nodeNamed(result, name).config as { code: string }, input: input.map((json) => ({ json })), trigger: [{ json: {} }] })).items.map((i) => i.json);
    const pieces = await run("Split", [{ payload: "a\nb", topic: "t" }]);
    expect(pieces).toEqual([
      { payload: "a", topic: "t", parts: { type: "string", ch: "\n", index: 0, count: 2 } },
      { payload: "b", topic: "t", parts: { type: "string", ch: "\n", index: 1, count: 2 } },
    ]);
    expect(await run("Join", pieces)).toEqual([{ payload: "a\nb", topic: "t" }]);
    expect(await run("Split", [{ payload: { x: 1, y: 2 } }])).toHaveLength(2);
    expect(await run("Manual", [{ payload: 1 }, { payload: 2 }])).toEqual([{ payload: "1,2" }]);
    expect(nodeNamed(result, "Reduce").type).toBe("core.placeholder");
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["Split:out->Join"]);
  });

  it("maps mqtt in and out with their broker as a credential reference by name", () => {
    const result = ok([
      { id: "broker1", type: "mqtt-broker", name: "Home broker", broker: "10.0.0.2", port: "1883" },
      { id: "broker2", type: "mqtt-broker", name: "", broker: "mqtt.local", port: "8883" },
      { id: "mi", type: "mqtt in", z: "t", name: "Sensors", ...at(0, 0), topic: "home/+/temp", qos: "1", datatype: "auto-detect", broker: "broker1", wires: [["mo"]] },
      { id: "mo", type: "mqtt out", z: "t", name: "Lamp", ...at(0, 0), topic: "", qos: "", retain: "true", broker: "broker2", wires: [] },
      { id: "lost", type: "mqtt out", z: "t", name: "Elsewhere", ...at(0, 0), topic: "x", broker: "nowhere", wires: [] },
    ]);
    expect(result.report.flows[0]!.problems).toEqual([{ path: "[4].broker", message: '"Elsewhere": its broker config node "nowhere" is not in the file; connect a credential by hand', severity: "warning" }]);
    expect(nodeNamed(result, "Sensors")).toMatchObject({ type: "mqtt.trigger", config: { topics: ["home/+/temp"], qos: 1, parseJson: true }, credentials: { "mqtt.broker": { name: "Home broker" } } });
    expect(nodeNamed(result, "Lamp")).toMatchObject({ type: "mqtt.publish", config: { topic: "{{ topic }}", payload: "{{ payload }}", qos: 0, retain: true }, credentials: { "mqtt.broker": { name: "mqtt.local:8883" } } });
    expect(result.report.flows[0]!.credentials).toEqual([
      { node: "Sensors", name: "Home broker", type: "mqtt.broker" },
      { node: "Lamp", name: "mqtt.local:8883", type: "mqtt.broker" },
      { node: "Elsewhere", name: "nowhere", type: "mqtt.broker" },
    ]);
  });

  it("maps comments and groups to notes, debug to a pass-through step, and junctions and same-tab links to edges", () => {
    const result = ok([
      tab("t", "Main"),
      { id: "g", type: "group", z: "t", name: "Box", x: 10, y: 10, w: 400, h: 200, nodes: ["a"] },
      { id: "n", type: "comment", z: "t", name: "Read me", info: "details", ...at(5, 5), wires: [] },
      { id: "a", type: "inject", z: "t", g: "g", name: "Go", ...at(0, 0), props: [], wires: [["j"]] },
      { id: "j", type: "junction", z: "t", ...at(0, 0), wires: [["lo", "d1"]] },
      { id: "lo", type: "link out", z: "t", ...at(0, 0), mode: "link", links: ["li"], wires: [] },
      { id: "li", type: "link in", z: "t", ...at(0, 0), links: ["lo"], wires: [["d2"]] },
      { id: "d1", type: "debug", z: "t", name: "D1", ...at(0, 0), wires: [] },
      { id: "d2", type: "debug", z: "t", name: "D2", ...at(0, 0), wires: [] },
    ]);
    const doc = flowNamed(result, "Main");
    expect(doc.notes.map((n) => [n.text, n.width, n.color])).toEqual([
      ["Box", 400 * 1.75, "gray"],
      ["Read me\n\ndetails", 160 * 1.75, "yellow"],
    ]);
    expect(nodeNamed(result, "D1")).toMatchObject({ type: "core.set", config: { fields: [] } });
    expect(edgesOf(result, "Main").sort()).toEqual(["Go:out->D1", "Go:out->D2"]);
    expect(importTotals(result.report)).toMatchObject({ nodes: 8, mapped: 8, connectionsKept: 4, connectionsDropped: 0 });
  });

  it("turns a link to another tab into Execute flow, whose link in starts that flow", () => {
    const result = ok([
      tab("t1", "Caller"),
      tab("t2", "Callee"),
      { id: "a", type: "inject", z: "t1", name: "Go", ...at(0, 0), props: [], wires: [["lo"]] },
      { id: "lo", type: "link out", z: "t1", name: "Send", ...at(0, 0), mode: "link", links: ["li"], wires: [] },
      { id: "li", type: "link in", z: "t2", name: "Receive", ...at(0, 0), links: ["lo"], wires: [["d"]] },
      { id: "d", type: "debug", z: "t2", name: "D", ...at(0, 0), wires: [] },
    ]);
    const callee = result.flows.find((f) => f.name === "Callee")!;
    expect(nodeNamed(result, "Send")).toMatchObject({ type: "core.execute-flow", config: { flowId: callee.key } });
    expect(nodeNamed(result, "Receive").type).toBe("core.manual-trigger");
    expect(edgesOf(result, "Callee")).toEqual(["Receive:out->D"]);
  });

  it("turns a link call into Execute flow of the called tab, whose return link ends that flow", () => {
    const result = ok([
      tab("t1", "Caller"),
      tab("t2", "Service"),
      { id: "a", type: "inject", z: "t1", name: "Go", ...at(0, 0), props: [], wires: [["call"]] },
      { id: "call", type: "link call", z: "t1", name: "Ask", ...at(0, 0), links: ["li"], linkType: "static", timeout: "30", wires: [["d"]] },
      { id: "d", type: "debug", z: "t1", name: "Answer", ...at(0, 0), wires: [] },
      { id: "li", type: "link in", z: "t2", name: "Service in", ...at(0, 0), links: [], wires: [["work"]] },
      { id: "work", type: "change", z: "t2", name: "Work", ...at(0, 0), rules: [{ t: "set", p: "payload", pt: "msg", to: "done", tot: "str" }], wires: [["ret"]] },
      { id: "ret", type: "link out", z: "t2", name: "Back", ...at(0, 0), mode: "return", links: [], wires: [] },
      { id: "dyn", type: "link call", z: "t1", name: "Dynamic", ...at(0, 0), links: [], linkType: "dynamic", wires: [[]] },
    ]);
    const service = result.flows.find((f) => f.name === "Service")!;
    expect(nodeNamed(result, "Ask")).toMatchObject({ type: "core.execute-flow", config: { flowId: service.key } });
    expect(edgesOf(result, "Caller")).toEqual(["Go:out->Ask", "Ask:out->Answer"]);
    expect(edgesOf(result, "Service")).toEqual(["Service in:out->Work", "Work:out->Back"]);
    expect(nodeNamed(result, "Dynamic").type).toBe("core.placeholder");
  });

  it("moves catch nodes and what only they lead to into the flow's error flow", () => {
    const result = ok([
      tab("t", "Main"),
      { id: "a", type: "inject", z: "t", name: "Go", ...at(0, 0), props: [], wires: [["b"]] },
      { id: "b", type: "debug", z: "t", name: "Work", ...at(0, 0), wires: [] },
      { id: "c", type: "catch", z: "t", name: "Oops", ...at(0, 0), scope: null, wires: [["e"]] },
      { id: "e", type: "debug", z: "t", name: "Log error", ...at(0, 0), wires: [] },
    ]);
    const main = result.flows.find((f) => f.name === "Main")!;
    const errors = result.flows.find((f) => f.name === "Main: errors")!;
    expect(main.document.settings.errorFlowId).toBe(errors.key);
    expect(main.document.nodes.map((n) => n.name)).toEqual(["Go", "Work"]);
    expect(edgesOf(result, "Main: errors")).toEqual(["Oops:out->Log error"]);
  });

  it("makes each subflow a flow of its own, run by Execute flow where it is used", () => {
    const result = ok([
      tab("t", "Main"),
      { id: "sf", type: "subflow", name: "Double", in: [{ x: 50, y: 30, wires: [{ id: "s1" }] }], out: [{ x: 300, y: 30, wires: [{ id: "s1", port: 0 }] }], env: [] },
      { id: "s1", type: "change", z: "sf", name: "x2", ...at(150, 30), rules: [{ t: "set", p: "payload", pt: "msg", to: "payload * 2", tot: "jsonata" }], wires: [[]] },
      { id: "a", type: "inject", z: "t", name: "Go", ...at(0, 0), props: [], wires: [["u"]] },
      { id: "u", type: "subflow:sf", z: "t", ...at(100, 0), wires: [["d"]] },
      { id: "d", type: "debug", z: "t", name: "D", ...at(0, 0), wires: [] },
    ]);
    const sub = result.flows.find((f) => f.name === "Subflow: Double")!;
    expect(nodeNamed(result, "Subflow: Double")).toMatchObject({ type: "core.execute-flow", config: { flowId: sub.key } });
    expect(edgesOf(result, "Subflow: Double")).toEqual(["Subflow input:out->x2"]);
    expect(edgesOf(result, "Main")).toEqual(["Go:out->Subflow: Double", "Subflow: Double:out->D"]);
  });

  it("keeps unknown types as placeholders with their parameters and config nodes, and flags ${ENV} values", () => {
    const result = ok([
      { id: "tls", type: "tls-config", name: "certs", cert: "/c.pem" },
      { id: "u", type: "ui_button", z: "t", name: "Press", ...at(0, 0), label: "Go ${ROOM}", tls: "tls", wires: [["d"], []] },
      { id: "d", type: "debug", z: "t", name: "D", ...at(0, 0), wires: [] },
    ]);
    expect(nodeNamed(result, "Press")).toMatchObject({
      type: "core.placeholder",
      config: { source: "node-red", sourceType: "ui_button", parameters: { label: "Go ${ROOM}", tls: "tls", configNodes: { tls: { id: "tls", type: "tls-config", cert: "/c.pem" } } }, outputs: ["out", "out-2"] },
    });
    expect(edgesOf(result, "Imported from Node-RED")).toEqual(["Press:out->D"]);
    expect(result.report.flows[0]!.expressions.flagged).toEqual([expect.objectContaining({ node: "Press", field: "label", text: "Go ${ROOM}" })]);
  });
});

describe("Node-RED import: bad input", () => {
  const errorOf = (input: unknown) => {
    const result = importNodeRed(input);
    expect(result.ok).toBe(false);
    return result.report.problems.filter((p) => p.severity === "error");
  };

  it("names the place of each problem and imports nothing", () => {
    expect(errorOf("[{ not json")[0]).toMatchObject({ path: "(file)", message: expect.stringContaining("is not JSON") });
    expect(errorOf('{"nodes": [], "connections": {}}')[0]!.message).toContain("is not a Node-RED export");
    expect(errorOf('[{"id": "a"}]')[0]).toMatchObject({ path: "[0]", message: expect.stringContaining("\"id\" and \"type\"") });
    expect(errorOf(JSON.stringify([{ id: "a", type: "debug", wires: [] }, { id: "a", type: "debug", wires: [] }]))[0]).toMatchObject({ path: "[1].id", message: 'duplicate id "a", also at [0]; give each node its own id' });
    expect(errorOf(JSON.stringify({ flows: [{ id: "a", type: "inject", name: "Go", wires: [["b", "zz"]] }, { id: "b", type: "debug", wires: [] }], rev: "1" }))[0]).toMatchObject({
      path: "flows[0].wires[0][1]",
      message: '"Go" is wired to "zz", which is not in the file',
    });
    let deep: unknown = "x";
    for (let i = 0; i < 500; i++) deep = { a: deep };
    expect(errorOf(JSON.stringify([{ id: "a", type: "function", deep, wires: [] }]))[0]!.path).toMatch(/^\[0\]\.deep\.a\.a/);
  });
});
