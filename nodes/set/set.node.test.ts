import { describe, expect, it } from "vitest";
import { NodeConfigError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { setNode } from "./set.node";

const photo: BinaryRef = { id: "bin-1", mimeType: "image/png", size: 3 };

async function refusal(config: Record<string, unknown>): Promise<Error> {
  const err = await runNode(setNode, { input: [{ json: {} }], config }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeConfigError);
  return err as Error;
}

describe("core.set", () => {
  it("evaluates each field's expression against its own item, keeping types", async () => {
    const input: Item[] = [{ json: { first: "Ada", last: "Lovelace", born: 1815 } }, { json: { first: "Grace", last: "Hopper", born: 1906 } }];
    const { items } = await runNode(setNode, {
      input,
      trigger: [{ json: { source: "crm" } }],
      config: {
        fields: [
          { name: "name", value: "{{ first & ' ' & last }}" },
          { name: "age", value: "{{ 2000 - $json.born }}" },
          { name: "source", value: "{{ $trigger.source }}" },
          { name: "label", value: "#{{ $itemIndex }}" },
          { name: "fixed", value: true },
        ],
      },
    });
    expect(items).toEqual([
      { json: { first: "Ada", last: "Lovelace", born: 1815, name: "Ada Lovelace", age: 185, source: "crm", label: "#0", fixed: true } },
      { json: { first: "Grace", last: "Hopper", born: 1906, name: "Grace Hopper", age: 94, source: "crm", label: "#1", fixed: true } },
    ]);
  });

  it("gives each item its own copy of an object in the config, which later fields and later runs never change", async () => {
    // No expressions: the config is parsed once and its objects are the flow's own.
    const config = {
      json: { meta: { tags: ["a"] } },
      fields: [
        { name: "address", value: { city: "London" } },
        { name: "address.zip", value: "N1" },
      ],
    };
    const before = structuredClone(config);
    const first = await runNode(setNode, { input: [{ json: { id: 1 } }, { json: { id: 2 } }], config });
    expect(first.items.map((item) => item.json.address)).toEqual([{ city: "London", zip: "N1" }, { city: "London", zip: "N1" }]);
    expect(first.items[0]!.json.address).not.toBe(first.items[1]!.json.address);
    (first.items[0]!.json.meta as { tags: string[] }).tags.push("changed downstream");
    expect((first.items[1]!.json.meta as { tags: string[] }).tags).toEqual(["a"]);
    expect(config).toEqual(before);
    const second = await runNode(setNode, { input: [{ json: { id: 3 } }], config });
    expect(second.items[0]!.json).toEqual({ id: 3, meta: { tags: ["a"] }, address: { city: "London", zip: "N1" } });
  });

  it("writes nested fields along dot paths, creating or replacing what is in the way", async () => {
    const { items } = await runNode(setNode, {
      input: [{ json: { address: { street: "Main 1" }, meta: "flat" } }],
      config: {
        fields: [
          { name: "address.city", value: "Warsaw" },
          { name: "meta.source.kind", value: "import" },
          { name: "geo.lat", value: 52.23 },
        ],
      },
    });
    expect(items[0]!.json).toEqual({ address: { street: "Main 1", city: "Warsaw" }, meta: { source: { kind: "import" } }, geo: { lat: 52.23 } });
  });

  it("keeps only the set fields when asked, and keeps binary either way", async () => {
    const input: Item[] = [{ json: { id: 1, secret: "x" }, binary: { data: photo } }];
    const { items } = await runNode(setNode, { input, config: { keepOnlySet: true, fields: [{ name: "id", value: "{{ $json.id }}" }] } });
    expect(items).toEqual([{ json: { id: 1 }, binary: { data: photo } }]);
  });

  it("leaves the input items untouched", async () => {
    const input: Item[] = [{ json: { a: { b: 1 } } }];
    await runNode(setNode, { input, config: { fields: [{ name: "a.b", value: 2 }, { name: "a.c", value: 3 }] } });
    expect(input).toEqual([{ json: { a: { b: 1 } } }]);
  });

  it("refuses __proto__, constructor and prototype anywhere in a path, and pollutes nothing", async () => {
    for (const name of ["__proto__", "__proto__.polluted", "a.__proto__.polluted", "constructor.prototype.polluted", "x.prototype"]) {
      const err = await refusal({ fields: [{ name, value: "yes" }] });
      expect(err.message, name).toContain("Field 1: Field must not name __proto__, constructor or prototype");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a field name produced by an expression when it is dangerous", async () => {
    const err = await refusal({ fields: [{ name: "{{ '__proto__' }}.polluted", value: 1 }] });
    expect(err.message).toContain("must not name __proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses field names with spaces or a leading dot", async () => {
    for (const name of ["first name", ".hidden", ""]) {
      expect((await refusal({ fields: [{ name, value: 1 }] })).message, name).toContain('must be a field name; use dots for nesting, such as "address.city"');
    }
  });

  it("sets fields from a JSON object or an expression giving one, names kept as they are, before the named fields", async () => {
    const { items } = await runNode(setNode, {
      input: [{ json: { order: { id: 7, total: 40 }, keep: 1 } }],
      config: { json: "{{ $merge([$json.order, { 'Order total': $json.order.total * 2 }]) }}", fields: [{ name: "id", value: 8 }], keepOnlySet: true },
    });
    expect(items).toEqual([{ json: { id: 8, total: 40, "Order total": 80 } }]);
    const text = await runNode(setNode, { input: [{ json: { a: 1 } }], config: { json: '{ "b.c": 2 }' } });
    expect(text.items).toEqual([{ json: { a: 1, "b.c": 2 } }]);
  });

  it("refuses JSON that is not an object, or that names __proto__", async () => {
    expect((await refusal({ json: "{{ [1, 2] }}" })).message).toContain('"Fields from JSON" must give an object such as {"status": "ok"}, but gave a list');
    expect((await refusal({ json: "not json" })).message).toContain("but gave text that is not a JSON object");
    expect((await refusal({ json: '{ "__proto__": { "polluted": true } }' })).message).toContain("must not name __proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("converts values to their field's type, as text, numbers, true/false, lists and objects", async () => {
    const { items } = await runNode(setNode, {
      input: [{ json: { n: 5, s: " 3.5 ", yes: "TRUE", off: 0, list: "[1, 2]", obj: '{"a": {"b": 1}}', o: { k: 1 } } }],
      config: {
        keepOnlySet: true,
        fields: [
          { name: "text", value: "{{ $json.n }}" },
          { name: "objText", value: "{{ $json.o }}" },
          { name: "number", value: "{{ $json.s }}" },
          { name: "yes", value: "{{ $json.yes }}" },
          { name: "off", value: "{{ $json.off }}" },
          { name: "list", value: "{{ $json.list }}" },
          { name: "obj", value: "{{ $json.obj }}" },
        ],
        types: { text: "string", objText: "string", number: "number", yes: "boolean", off: "boolean", list: "array", obj: "object" },
      },
    });
    expect(items[0]!.json).toEqual({ text: "5", objText: '{"k":1}', number: 3.5, yes: true, off: false, list: [1, 2], obj: { a: { b: 1 } } });
  });

  it("fails on a value that does not convert, naming the field, unless asked to keep it", async () => {
    const err = await refusal({ fields: [{ name: "count", value: "many" }], types: { count: "number" } });
    expect(err.message).toBe('Node "Set": field "count" is "many", which is not a number; change its type or turn on keeping values that do not convert');
    const { items } = await runNode(setNode, { input: [{ json: {} }], config: { keepUnconverted: true, fields: [{ name: "count", value: "many" }, { name: "list", value: "[1]" }], types: { count: "number", list: "array" } } });
    expect(items[0]!.json).toEqual({ count: "many", list: [1] });
  });
});
