import { describe, expect, it } from "vitest";
import { parseEnv } from "../../server/env";
import { checkJson, jsonMaxDepth, storableJson, storableName, storableText, storableValue, unstorableText } from "./json-check";

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { k: value } : [value];
  return value;
};

describe("checkJson", () => {
  it("walks a million levels without overflowing the stack", () => {
    expect(checkJson(JSON.parse(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`), { maxDepth: 100 })).toMatchObject({ kind: "depth", maxDepth: 100 });
    expect(checkJson(nested(1_000_000), { maxDepth: 100, text: true })).toMatchObject({ kind: "depth" });
  });

  it("counts containers: a scalar is 0, [] is 1, and the limit itself is allowed", () => {
    expect(checkJson("x", { maxDepth: 0 })).toBeNull();
    expect(checkJson([], { maxDepth: 0 })).toMatchObject({ kind: "depth", path: "(value)" });
    expect(checkJson(nested(10), { maxDepth: 10 })).toBeNull();
    expect(checkJson(nested(11), { maxDepth: 10 })).toMatchObject({ kind: "depth" });
  });

  it("names where, shortening a long path", () => {
    expect(checkJson({ a: { "b c": [[[1]]] } }, { maxDepth: 3, root: "body" })).toEqual({ kind: "depth", path: 'body.a["b c"][0]', maxDepth: 3 });
    expect(checkJson(nested(40), { maxDepth: 30, root: "body" })).toMatchObject({ path: "body.k[0].k[0].k[0]….k[0].k[0].k[0]" });
  });

  it("finds NUL and lone surrogates in strings and keys when asked", () => {
    expect(checkJson({ a: ["ok", "x\u0000"] }, { maxDepth: 10 })).toBeNull();
    expect(checkJson({ a: ["ok", "x\u0000"] }, { maxDepth: 10, text: true })).toEqual({ kind: "text", path: "a[1]", what: "a NUL character (U+0000)" });
    expect(checkJson({ "k\uDC00": 1 }, { maxDepth: 10, text: true })).toMatchObject({ kind: "text", what: "a lone surrogate (U+DC00) in its key" });
    expect(checkJson({ emoji: "😀" }, { maxDepth: 10, text: true })).toBeNull();
  });
});

describe("storableJson", () => {
  it("turns escaped NUL and lone surrogates into U+FFFD, and nothing else", () => {
    const value = { a: "x\u0000y", b: "\uD800", c: "\uDFFF!", d: "\\u0000 is text", e: "😀", f: "\\\u0000", g: "\u001b" };
    expect(JSON.parse(storableJson(JSON.stringify(value)))).toEqual({ ...value, a: "x\uFFFDy", b: "\uFFFD", c: "\uFFFD!", f: "\\\uFFFD" });
    expect(storableJson('{"plain":"text"}')).toBe('{"plain":"text"}');
  });
});

describe("names and settings", () => {
  it("refuses control characters and broken Unicode in names", () => {
    expect(storableName("Kitchen sensors – 2 😀")).toBe(true);
    for (const bad of ["a\u0000b", "a\nb", "\uD83D", "a\u007F"]) expect(storableName(bad)).toBe(false);
    expect(unstorableText("tab\tis fine in data")).toBeNull();
  });

  it("reads JSON_MAX_DEPTH, keeping the default when unset or out of range", () => {
    expect(jsonMaxDepth({})).toBe(100);
    expect(jsonMaxDepth({ JSON_MAX_DEPTH: "32" })).toBe(32);
    expect(jsonMaxDepth({ JSON_MAX_DEPTH: "100000" })).toBe(100);
    expect(parseEnv({ JSON_MAX_DEPTH: "64" }).JSON_MAX_DEPTH).toBe(64);
    expect(() => parseEnv({ JSON_MAX_DEPTH: "100000" })).toThrow(/JSON_MAX_DEPTH: JSON_MAX_DEPTH must be at most 1000/);
  });
});

describe("storableText and storableValue", () => {
  it("replace NUL and lone surrogates with U+FFFD, keeping pairs and returning the same value when clean", () => {
    expect(storableText("a\u0000b\uD800c\uDC00😀")).toBe("a\uFFFDb\uFFFDc\uFFFD😀");
    const clean = { a: ["x"] };
    expect(storableValue(clean)).toBe(clean);
    expect(storableValue({ "k\u0000": ["\uD800"] })).toEqual({ "k\uFFFD": ["\uFFFD"] });
  });
});
