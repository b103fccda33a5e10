import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { setNode } from "../../set/set.node";
import { runNode } from "../../../runner/node-testing";
import { translateExpression, translateParameterString } from "./n8n-expressions";

const ok = (source: string) => {
  const result = translateExpression(source);
  if (!result.ok) throw new Error(`${source}: ${result.reason}`);
  return result.value;
};

type Json = Record<string, unknown>;
type Item = { json: Json };

/** What an n8n expression sees, built from plain data: the same data our expressions get as bindings. */
interface Context {
  json: Json;
  nodes: Record<string, Item[]>;
}

/** The n8n side: the expression written again as a plain function of n8n's variables. */
type N8nSide = (v: {
  // n8n's expressions are untyped JavaScript over JSON; the fixture repeats them as written, so $json is as loose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  $json: any;
  $: (name: string) => { item: Item; first: () => Item; last: () => Item; all: () => Item[] };
  $node: Record<string, Item>;
  $input: { item: Item };
  $execution: { id: string };
  $workflow: { id: string };
  $itemIndex: number;
}) => unknown;

/** n8n's own `isEmpty()` (an expression extension), for the fixture. */
const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) ? v.length === 0 : typeof v === "object" && Object.keys(v).length === 0);

/** n8n's `first()` and `last()`, which only arrays have. */
const arrayOf = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new TypeError("first() and last() are methods of arrays");
  return v;
};

const RUN_ID = "run-1";
const FLOW_ID = "flow-1";

function n8nValue(context: Context, fn: N8nSide): { value: unknown } | { threw: true } {
  const $ = (name: string) => {
    const items = context.nodes[name]!;
    return { item: items[0]!, first: () => items[0]!, last: () => items.at(-1)!, all: () => items };
  };
  const $node = Object.fromEntries(Object.entries(context.nodes).map(([name, items]) => [name, items[0]!]));
  let value: unknown;
  try {
    value = fn({ $json: context.json, $, $node, $input: { item: { json: context.json } }, $execution: { id: RUN_ID }, $workflow: { id: FLOW_ID }, $itemIndex: 0 });
  } catch {
    // Where n8n's JavaScript throws, any answer of ours is as good; nothing to compare.
    return { threw: true };
  }
  // NaN, and text that says "undefined", come from missing or mistyped data: the translation's known differences.
  const unusual = JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v))?.match(/NaN|undefined/);
  return unusual ? { threw: true } : { value };
}

/** Our side: the translation evaluated by JSONata with the bindings our expression scope gives (engine.ts). */
async function oursValue(context: Context, expression: string): Promise<unknown> {
  const node = Object.fromEntries(Object.entries(context.nodes).map(([name, items]) => [name, { json: items[0]?.json ?? null, items: items.map((i) => i.json) }]));
  return jsonata(expression).evaluate(context.json, { json: context.json, node, binary: {}, trigger: {}, itemIndex: 0, runId: RUN_ID, flowId: FLOW_ID });
}

/** Values as JSON carries them: what both tools finally store. */
const plain = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown));

const nodes = {
  "Get Order": [{ json: { shop: "Corner", id: "o-7" } }],
  Rows: [{ json: { id: 1, tags: ["a"] } }, { json: { id: 2, tags: ["b", "c"] } }],
};

/** Three shapes of the same fields: usual values, all of them missing, and values of surprising types. */
const contexts: Context[] = [
  {
    json: {
      a: { b: 2, c: "x", x: "found" }, name: "  Ada  Lovelace ", "first name": "Ada", tags: ["x", "y"], one: ["solo"], count: 3, price: 2.5, empty: "", zero: 0,
      list: [], obj: {}, text: "order 0-3-42 done", status: "active", items: [{ id: 1, score: 0.9 }, { id: 2, score: 0.5 }], csv: "a, b ,c",
      when: "2024-03-01T10:00:00.000Z", ms: 1700000000000, payload: '{"k":[1,2],"s":"t"}', nested: [[1, 2], [3]], negative: -2.5,
    },
    nodes,
  },
  { json: {}, nodes },
  {
    json: {
      a: { b: "2" }, name: "", tags: "x,y", one: [0], count: 0, price: -0.5, empty: [], zero: {}, list: [0], obj: { k: 1 }, text: "", status: null,
      items: [], csv: "", when: "2024-03-01", ms: 0, payload: "[]", nested: [], negative: 2.5,
    },
    nodes,
  },
];

/** Each n8n expression with the same JavaScript as a function, compared on every context where it does not throw. */
const cases: [string, N8nSide][] = [
  // reads
  ["$json.a.b", ({ $json }) => $json.a.b],
  ['$json["first name"]', ({ $json }) => $json["first name"]],
  ["$json?.a?.c", ({ $json }) => $json?.a?.c],
  ["$json.items[0].id", ({ $json }) => $json.items[0].id],
  ["$json['a']['b']", ({ $json }) => $json["a"]["b"]],
  ["$('Get Order').item.json.shop", ({ $ }) => $("Get Order").item.json.shop],
  ['$("Rows").first().json.id', ({ $ }) => $("Rows").first().json.id],
  ["$('Rows').last().json.id", ({ $ }) => $("Rows").last().json.id],
  ["$('Rows').all().length", ({ $ }) => $("Rows").all().length],
  ["$('Rows').all()[1].json.id", ({ $ }) => $("Rows").all()[1]!.json.id],
  ["$('Rows').all().map(i => i.json.id)", ({ $ }) => $("Rows").all().map((i) => i.json.id)],
  ["$('Rows').all().map(i => i.json.tags)", ({ $ }) => $("Rows").all().map((i) => i.json.tags)],
  ["$('Rows').all()", ({ $ }) => $("Rows").all()],
  ["$('Rows').first()", ({ $ }) => $("Rows").first()],
  ['$node["Get Order"].json.shop', ({ $node }) => $node["Get Order"]!.json.shop],
  ["$input.item.json.count", ({ $input }) => $input.item.json.count],
  ["$execution.id", ({ $execution }) => $execution.id],
  ["$workflow.id", ({ $workflow }) => $workflow.id],
  ["$itemIndex", ({ $itemIndex }) => $itemIndex],
  // literals
  ['{ id: $json.count, "the tags": [$json.tags, "z"], none: null, inner: { one: $json.one } }', ({ $json }) => ({ id: $json.count, "the tags": [$json.tags, "z"], none: null, inner: { one: $json.one } })],
  ['[1, "a", true, $json.count]', ({ $json }) => [1, "a", true, $json.count]],
  ["{ ...$json.a, c: 1 }", ({ $json }) => ({ ...$json.a, c: 1 })],
  ['[...$json.tags, "z"]', ({ $json }) => [...$json.tags, "z"]],
  ["`Hi ${$json.name}, ${$json.count} left`", ({ $json }) => `Hi ${$json.name}, ${$json.count} left`],
  ["`${$json.count}`", ({ $json }) => `${$json.count}`],
  ["`plain`", () => `plain`],
  // tests, logic and comparisons
  ['$json.status ? "yes" : "no"', ({ $json }) => ($json.status ? "yes" : "no")],
  ["$json.list ? 1 : 2", ({ $json }) => ($json.list ? 1 : 2)],
  ["$json.obj ? 1 : 2", ({ $json }) => ($json.obj ? 1 : 2)],
  ["$json.zero ? 1 : 2", ({ $json }) => ($json.zero ? 1 : 2)],
  ["!$json.empty", ({ $json }) => !$json.empty],
  ["!!$json.list", ({ $json }) => !!$json.list],
  ["!$json.count", ({ $json }) => !$json.count],
  ["!($json.count > 1)", ({ $json }) => !($json.count > 1)],
  ["Boolean($json.name)", ({ $json }) => Boolean($json.name)],
  ['$json.name || "anon"', ({ $json }) => $json.name || "anon"],
  ["$json.zero || 5", ({ $json }) => $json.zero || 5],
  ["$json.list || 5", ({ $json }) => $json.list || 5],
  ["$json.status && $json.count", ({ $json }) => $json.status && $json.count],
  ['$json.missing ?? "d"', ({ $json }) => $json.missing ?? "d"],
  ['$json.status ?? "d"', ({ $json }) => $json.status ?? "d"],
  ['$json.count > 2 && $json.status === "active" ? "go" : "stop"', ({ $json }) => ($json.count > 2 && $json.status === "active" ? "go" : "stop")],
  ['$json.count === 3 || $json.count === 0 ? "S" : "F"', ({ $json }) => ($json.count === 3 || $json.count === 0 ? "S" : "F")],
  ["$json.count === 3", ({ $json }) => $json.count === 3],
  ["$json.count !== 3", ({ $json }) => $json.count !== 3],
  ["$json.missing === $json.other", ({ $json }) => $json.missing === $json.other],
  ["$json.a.b === $json.count", ({ $json }) => $json.a.b === $json.count],
  ["$json.missing === undefined", ({ $json }) => $json.missing === undefined],
  ["$json.count !== undefined", ({ $json }) => $json.count !== undefined],
  ["$json.status == null", ({ $json }) => $json.status == null],
  ["$json.status != null", ({ $json }) => $json.status != null],
  ['$json.status == "active"', ({ $json }) => $json.status == "active"],
  ["$json.count >= 3", ({ $json }) => $json.count >= 3],
  ['$if($json.count > 2, "big", "small")', ({ $json }) => ($json.count > 2 ? "big" : "small")],
  // arithmetic
  ["$json.count * 2 + 1", ({ $json }) => $json.count * 2 + 1],
  ["($json.count - 1) / 2 % 2", ({ $json }) => (($json.count - 1) / 2) % 2],
  ['"n" + $json.count', ({ $json }) => "n" + $json.count],
  ['$json.name + " " + $json.status', ({ $json }) => $json.name + " " + $json.status],
  ["$json.items.length + 1", ({ $json }) => $json.items.length + 1],
  ['1 + 2 + "x"', () => 1 + 2 + "x"],
  ["-$json.count", ({ $json }) => -$json.count],
  // calls
  ["$json.name.toUpperCase()", ({ $json }) => $json.name.toUpperCase()],
  ["$json.name.toLowerCase()", ({ $json }) => $json.name.toLowerCase()],
  ["$json.name.trim()", ({ $json }) => $json.name.trim()],
  ['$json.csv.split(",")', ({ $json }) => $json.csv.split(",")],
  ['$json.csv.split(",")[1].trim()', ({ $json }) => $json.csv.split(",")[1].trim()],
  ['$json.tags.join("-")', ({ $json }) => $json.tags.join("-")],
  ["$json.tags.join()", ({ $json }) => $json.tags.join()],
  ['$json.text.replace("o", "0")', ({ $json }) => $json.text.replace("o", "0")],
  ['$json.text.replace(/o/g, "0")', ({ $json }) => $json.text.replace(/o/g, "0")],
  ['$json.text.replace(/O/i, "0")', ({ $json }) => $json.text.replace(/O/i, "0")],
  ['$json.text.replace(/(\\d+)-(\\d+)/, "$2-$1 [$&]")', ({ $json }) => $json.text.replace(/(\d+)-(\d+)/, "$2-$1 [$&]")],
  ['$json.text.replaceAll("o", "0")', ({ $json }) => $json.text.replaceAll("o", "0")],
  ['$json.text.includes("0-3")', ({ $json }) => $json.text.includes("0-3")],
  ['$json.tags.includes("y")', ({ $json }) => $json.tags.includes("y")],
  ['$json.text.startsWith("order")', ({ $json }) => $json.text.startsWith("order")],
  ['$json.text.endsWith("done")', ({ $json }) => $json.text.endsWith("done")],
  ["$json.text.slice(0, 5)", ({ $json }) => $json.text.slice(0, 5)],
  ["$json.text.slice(6)", ({ $json }) => $json.text.slice(6)],
  ["$json.text.slice(-4)", ({ $json }) => $json.text.slice(-4)],
  ["$json.text.slice(2, -5)", ({ $json }) => $json.text.slice(2, -5)],
  ["$json.text.substring(6, 2)", ({ $json }) => $json.text.substring(6, 2)],
  ["$json.name.length", ({ $json }) => $json.name.length],
  ["$json.tags.length", ({ $json }) => $json.tags.length],
  ["$json.name.toUpperCase().length", ({ $json }) => $json.name.toUpperCase().length],
  ["$json.count.toString()", ({ $json }) => $json.count.toString()],
  ["String($json.count)", ({ $json }) => String($json.count)],
  ["JSON.stringify($json.a)", ({ $json }) => JSON.stringify($json.a)],
  ["JSON.stringify($json.status)", ({ $json }) => JSON.stringify($json.status)],
  ["JSON.stringify($json.a, null, 2)", ({ $json }) => JSON.stringify($json.a, null, 2)],
  ["$json.a.toJsonString()", ({ $json }) => JSON.stringify($json.a)],
  ["JSON.parse($json.payload).k", ({ $json }) => JSON.parse($json.payload).k],
  ["Number($json.price)", ({ $json }) => Number($json.price)],
  ['parseFloat("2.5")', () => parseFloat("2.5")],
  ["parseInt($json.price)", ({ $json }) => parseInt($json.price)],
  ["parseInt($json.negative, 10)", ({ $json }) => parseInt($json.negative, 10)],
  ["Math.round($json.price)", ({ $json }) => Math.round($json.price)],
  ["Math.round($json.negative)", ({ $json }) => Math.round($json.negative)],
  ["Math.floor($json.price)", ({ $json }) => Math.floor($json.price)],
  ["Math.ceil($json.price)", ({ $json }) => Math.ceil($json.price)],
  ["Math.abs($json.negative)", ({ $json }) => Math.abs($json.negative)],
  ["Math.max($json.count, 10, 4)", ({ $json }) => Math.max($json.count, 10, 4)],
  ["Math.min($json.count, 10)", ({ $json }) => Math.min($json.count, 10)],
  ["Object.keys($json.a)", ({ $json }) => Object.keys($json.a)],
  ["Object.keys($json.obj).length", ({ $json }) => Object.keys($json.obj).length],
  ["$json.items.map(x => x.id)", ({ $json }) => $json.items.map((x: Json) => x.id)],
  ["$json.items.map((x, i) => x.id * 10 + i)", ({ $json }) => $json.items.map((x: { id: number }, i: number) => x.id * 10 + i)],
  ["$json.nested.map(x => x)", ({ $json }) => $json.nested.map((x: unknown) => x)],
  ["$json.items.filter(x => x.score > 0.8)", ({ $json }) => $json.items.filter((x: { score: number }) => x.score > 0.8)],
  ["$json.items.filter(x => { return x.score })", ({ $json }) => $json.items.filter((x: { score: number }) => x.score)],
  ["$json.items.find(x => x.id === 2).score", ({ $json }) => $json.items.find((x: Json) => x.id === 2).score],
  ["$('Rows').all().filter(i => i.json.id > 1).length", ({ $ }) => $("Rows").all().filter((i) => (i.json.id as number) > 1).length],
  ["$json.text.match(/0-3-(\\d+)/)[1]", ({ $json }) => $json.text.match(/0-3-(\d+)/)[1]],
  ["$json.text.match(/0-3-\\d+/)[0]", ({ $json }) => $json.text.match(/0-3-\d+/)[0]],
  ["new Date($json.when).toISOString()", ({ $json }) => new Date($json.when).toISOString()],
  ["new Date($json.ms).toISOString()", ({ $json }) => new Date($json.ms).toISOString()],
  ["encodeURIComponent($json.text)", ({ $json }) => encodeURIComponent($json.text)],
  ['$json.text.startsWith("order") ? 1 : 2', ({ $json }) => ($json.text.startsWith("order") ? 1 : 2)],
  ['$json.text.toLowerCase().includes("done") && $json.count > 1', ({ $json }) => $json.text.toLowerCase().includes("done") && $json.count > 1],
  ["`over: ${$json.count > 3}`", ({ $json }) => `over: ${$json.count > 3}`],
  ['{ big: $json.count > 2, list: [$json.count < 2] }', ({ $json }) => ({ big: $json.count > 2, list: [$json.count < 2] })],
  ["$json.items.map(x => x.missing)", ({ $json }) => $json.items.map((x: Json) => x.missing)],
  ["Object.keys($json.obj)", ({ $json }) => Object.keys($json.obj)],
  ["$json.isEmpty()", ({ $json }) => isEmpty($json)],
  ["$json.obj.isEmpty()", ({ $json }) => isEmpty($json.obj)],
  ["$json.list.isNotEmpty()", ({ $json }) => !isEmpty($json.list)],
  ["!$json.text.isEmpty()", ({ $json }) => !isEmpty($json.text)],
  ["$json.tags.first()", ({ $json }) => arrayOf($json.tags)[0]],
  ["$json.tags.last()", ({ $json }) => arrayOf($json.tags).at(-1)],
  ["$json.a[Object.keys($json.a)[Object.keys($json.a).length - 1]]", ({ $json }) => $json.a[Object.keys($json.a)[Object.keys($json.a).length - 1]!]],
  ["$json.items[$json.count - 3].id", ({ $json }) => $json.items[$json.count - 3].id],
  ["$json.payload.parseJson().s", ({ $json }) => JSON.parse($json.payload).s],
  ['$json.csv.split(",").map(part => part.trim().toUpperCase())', ({ $json }) => $json.csv.split(",").map((part: string) => part.trim().toUpperCase())],
  ["$json.items.map(node => node.id).includes(2)", ({ $json }) => $json.items.map((node: Json) => node.id).includes(2)],
  ['$json.a && $json.a.c ? $json.a.c : ($json.text ? $json.text : "none")', ({ $json }) => ($json.a && $json.a.c ? $json.a.c : $json.text ? $json.text : "none")],
  ["!($json.status || $json.list)", ({ $json }) => !($json.status || $json.list)],
  ["$if($json.zero || $json.obj && !$json.empty, 1, 2)", ({ $json }) => ($json.zero || ($json.obj && !$json.empty) ? 1 : 2)],
  ["$json.tags.includes($json.a.c)", ({ $json }) => $json.tags.includes($json.a.c)],
  ['$json.empty || $json.zero || $json.status || "last"', ({ $json }) => $json.empty || $json.zero || $json.status || "last"],
  ["$json.count && $json.status && $json.name", ({ $json }) => $json.count && $json.status && $json.name],
  ['$json.missing ?? $json.status ?? "d"', ({ $json }) => $json.missing ?? $json.status ?? "d"],
  ["$json.length", ({ $json }) => $json.length],
  ["$json.a[$json.a.c.toLowerCase()]", ({ $json }) => $json.a[$json.a.c.toLowerCase()]],
  ["$('Rows').first().json.length", ({ $ }) => $("Rows").first().json.length],
  ["$json.a.b;", ({ $json }) => $json.a.b],
  ["$json.a.b // the b\n", ({ $json }) => $json.a.b],
];

describe("n8n expressions", () => {
  it.each(cases)("%s means the same in ours", async (source, fn) => {
    const translated = ok(source);
    let compared = 0;
    for (const context of contexts) {
      const n8n = n8nValue(context, fn);
      if ("threw" in n8n) continue;
      expect(plain(await oursValue(context, translated)), `${source} → ${translated} on ${JSON.stringify(context.json).slice(0, 60)}`).toEqual(plain(n8n.value));
      compared += 1;
    }
    expect(compared, "compared on at least one context").toBeGreaterThan(0);
  });

  it("translates the current time and clock", async () => {
    for (const source of ["$now", "$now.toISO()", "DateTime.now().toISO()", "new Date().toISOString()"]) {
      const value = await oursValue(contexts[0]!, ok(source));
      expect(value, source).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(value as string) - Date.now()), source).toBeLessThan(60_000);
    }
    const millis = (await oursValue(contexts[0]!, ok("Date.now()"))) as number;
    expect(Math.abs(millis - Date.now())).toBeLessThan(60_000);
    for (const source of ["DateTime.now().minus({ hours: 24 }).toISO()", "$now.minus(24, 'hours').toISO()", "$now.plus({ hours: -25, minutes: 60 })"]) {
      const earlier = (await oursValue(contexts[0]!, ok(source))) as string;
      expect(Math.abs(Date.parse(earlier) - (Date.now() - 86_400_000)), source).toBeLessThan(60_000);
    }
  });

  it("writes readable JSONata for the usual forms", () => {
    expect(ok("$json.a.b")).toBe("$json.a.b");
    expect(ok('$json["first name"]')).toBe("$json.`first name`");
    expect(ok("$('Get Order').item.json.id")).toBe("$node.`Get Order`.json.id");
    expect(ok('$("Webhook").first().json.body.email')).toBe("$node.Webhook.json.body.email");
    expect(ok("$('Rows').last().json.id")).toBe("$node.Rows.items[-1].id");
    expect(ok('$node["HTTP Request"].json.data')).toBe("$node.`HTTP Request`.json.data");
    expect(ok("$(`Get Order`).item.json.id")).toBe("$node.`Get Order`.json.id");
    expect(ok("$json.cost/100")).toBe("$json.cost / 100");
    expect(ok('$json.a === "x" ? 1 : 2')).toBe('($json.a = "x") ? 1 : 2');
    expect(ok('"Bearer " + $json.token')).toBe('"Bearer " & $json.token');
    expect(ok("$json.text.replace('a', 'b')")).toBe('$replace($json.text, "a", "b", 1)');
    expect(ok("$('Rows').all().map(i => i.json.id)")).toBe("[$map($node.Rows.items, function($i) { ($exists($i.id) ? $i.id : null) })[]]");
  });

  it("refuses JavaScript it cannot say the same way, naming the construct", () => {
    const refused: [string, string][] = [
      ["$env.TOKEN", "$env"],
      ["$json.a + 1", "+ adds numbers or joins text"],
      ["$json.a + $json.b", "+ adds numbers or joins text"],
      ["$json.a == 1", "=="],
      ["$input.all()", "$input.all()"],
      ["$input.first().json.x", "$input.first()"],
      ["$json.x = 1", "assignment"],
      ["(() => 1)()", "called right away"],
      ["$json.t.toDateTime()", "toDateTime()"],
      ['$json.a.replace(/x/s, "y")', "flag s"],
      ['$json.a.replace("x", "$$")', "$ patterns"],
      ['$json.a.replace("x", "[$&]")', "$ patterns"],
      ['$json.a.replace(/x/, "$<name>")', "$ patterns"],
      ["$json.list.map($json => 1)", "parameter named $json"],
      ["$json.list.includes({ a: 1 })", "includes() of an object"],
      ["$json[0]", "a position in an object"],
      ["$today", "$today"],
      ["$json.text.match(/x/g)[0]", "g flag"],
      ["$json.text.match(/x/)", "match()"],
      ["$workflow.name", "$workflow.name"],
      ["$json.a.toFixed(2)", "toFixed() rounds halves"],
      ["$json.a; $json.b", "statements"],
      ["$json.a +", "not a JavaScript expression"],
      ["new Map()", "new Map"],
      ["$now.plus(1, 'day')", "calendar unit"],
      ["$now.format('yyyy')", "format()"],
      ["$('Rows')", "$('Node') must be followed by"],
      ["$('Rows').item.binary", "binary"],
      ["typeof $json.a", "typeof"],
      ["$json.list.map(x => x.a, 1)", "map()"],
      ["$json.list.map(fn)", "written in place"],
      ["$json.a.slice($json.n)", "whole numbers"],
      ["new Date($json.when)", "Date as a value"],
      ['$json.csv.split(",").name', "of an array"],
    ];
    for (const [source, words] of refused) {
      const result = translateExpression(source);
      expect(result.ok, source).toBe(false);
      if (!result.ok) expect(result.reason, source).toContain(words);
    }
  });

  it("stays within what our expressions take, whatever the input", () => {
    const chain = Array.from({ length: 40 }, (_, i) => `$json.f${i}`).join(" || ");
    expect(ok(chain).length).toBeLessThan(4000);
    const repeated = translateExpression(Array.from({ length: 12 }, () => "($json.a ? $json.b : $json.c)").reduce((a, b) => `(${a} || ${b}) && ${b}`));
    expect(repeated.ok ? repeated.value.length : 0).toBeLessThanOrEqual(10_000);
    expect(translateExpression(`$json.a + "${"x".repeat(10_001)}"`)).toMatchObject({ ok: false, reason: expect.stringContaining("longer than") });
    expect(translateExpression(`${"(".repeat(50)}$json.a${")".repeat(50)}`)).toEqual({ ok: true, value: "$json.a" });
    expect(translateExpression(`${"[".repeat(4000)}1${"]".repeat(4000)}`)).toMatchObject({ ok: false, reason: expect.stringContaining("stack") });
    // The parser or the translation runs out of stack first, depending on the stack the test runs on.
    expect(translateExpression(`${"!".repeat(9000)}$json.a`)).toMatchObject({ ok: false, reason: expect.stringMatching(/nested too deeply|stack/) });
  });

  it("translates whole parameter strings: mixed text, several {{ }}, literal {{ without =", () => {
    expect(translateParameterString("={{ $json.a }}")).toEqual({ value: "{{ $json.a }}", expression: true, translated: true });
    expect(translateParameterString("=Hello {{ $json.name }}, order {{ $('Order').item.json.id }}!").value).toBe("Hello {{ $json.name }}, order {{ $node.Order.json.id }}!");
    expect(translateParameterString("=plain")).toEqual({ value: "plain", expression: true, translated: true });
    expect(translateParameterString("Dear {{name}}")).toEqual({ value: '{{ "Dear {{name}}" }}', expression: false, translated: false });
    expect(translateParameterString("no braces")).toEqual({ value: "no braces", expression: false, translated: false });
    expect(translateParameterString('={{ { "ids": [$json.id] } }}').value).toBe('{{ {"ids": [($type($json.id) = "array" ? [[$json.id]] : ($exists($json.id) ? $json.id : null))]} }}');
    const kept = translateParameterString("=Token {{ $env.TOKEN }} for {{ $json.a }}");
    expect(kept).toMatchObject({ value: "=Token {{ $env.TOKEN }} for {{ $json.a }}", expression: true, translated: false });
    expect(kept.reason).toContain("$env");
  });

  it("means the same when our evaluator runs the translation", async () => {
    const fields = [
      { name: "greeting", value: translateParameterString("=Hi {{ $json.user.name }} from {{ $('Get Order').item.json.shop }}").value },
      { name: "count", value: translateParameterString("={{ $('Rows').all().length }}").value },
      { name: "literal", value: translateParameterString("Use {{ name }} here").value },
      { name: "first", value: translateParameterString("={{ $node[\"Rows\"].json.id }}").value },
      { name: "parts", value: translateParameterString("={{ $json.user.name.toUpperCase().split('A') }}").value },
      { name: "half", value: translateParameterString("={{ $('Rows').last().json.id / 2 }}").value },
      { name: "ids", value: translateParameterString("={{ $('Rows').all().map(i => i.json.id) }}").value },
      { name: "fallback", value: translateParameterString("={{ $json.user.nick || 'anon' }}").value },
      { name: "label", value: translateParameterString("={{ `${$json.user.name} (${$('Rows').all().length})` }}").value },
      { name: "status", value: translateParameterString("={{ $json.user.age >= 18 ? 'adult' : 'minor' }}").value },
    ];
    const { items } = await runNode(setNode, {
      input: [{ json: { user: { name: "Ada", age: 36 } } }],
      config: { fields, keepOnlySet: true },
      nodeOutputs: { "Get Order": [{ json: { shop: "Corner" } }], Rows: [{ json: { id: 1 } }, { json: { id: 2 } }] },
    });
    expect(items[0]?.json).toEqual({
      greeting: "Hi Ada from Corner", count: 2, literal: "Use {{ name }} here", first: 1, parts: ["", "D", ""], half: 1, ids: [1, 2], fallback: "anon",
      label: "Ada (2)", status: "adult",
    });
  });
});
