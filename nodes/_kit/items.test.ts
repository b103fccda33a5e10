import { describe, expect, it } from "vitest";
import { allItems, copyJson, type Item } from "./items";

describe("copyJson", () => {
  it("copies JSON data deeply: changing the copy leaves the original as it was", () => {
    const original = { body: { name: "Ada", numbers: [1, 2, { n: 3 }] }, flag: true, none: null, text: "t" };
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    copy.body.numbers.push(4);
    (copy.body.numbers[2] as { n: number }).n = 30;
    copy.body.name = "Grace";
    expect(original).toEqual({ body: { name: "Ada", numbers: [1, 2, { n: 3 }] }, flag: true, none: null, text: "t" });
    expect([copyJson(5), copyJson("s"), copyJson(null), copyJson(undefined)]).toEqual([5, "s", null, undefined]);
  });

  it("copies as structuredClone does: __proto__ stays a key, other objects keep their kind, a null prototype becomes plain", () => {
    const withProto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = copyJson(withProto);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copy).toEqual(structuredClone(withProto));

    const at = new Date("2026-12-07T10:00:00Z");
    const withDate = copyJson({ at, list: [at] });
    expect(withDate.at).toBeInstanceOf(Date);
    expect(withDate.at).not.toBe(at);
    expect(withDate.list[0]!.getTime()).toBe(at.getTime());

    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: { y: 1 } });
    const plain = copyJson(bare);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(plain).toEqual(structuredClone(bare));
  });
});

describe("allItems", () => {
  it("gives every port's items in the ports' order, in an array of its own", () => {
    const a: Item = { json: { n: 1 } };
    const b: Item = { json: { n: 2 } };
    const c: Item = { json: { n: 3 } };
    const ports = { in: [a, b], extra: [], other: [c] };
    const all = allItems(ports);
    expect(all).toEqual([a, b, c]);
    expect(all[0]).toBe(a);
    all.push({ json: {} });
    expect(ports.in).toEqual([a, b]);
    expect(allItems({ in: [a] })).not.toBe(ports.in);
    expect(allItems({})).toEqual([]);
  });
});
