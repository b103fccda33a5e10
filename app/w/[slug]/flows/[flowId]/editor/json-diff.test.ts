import { describe, expect, it } from "vitest";
import { jsonDiffHunks } from "./json-diff";

describe("jsonDiffHunks", () => {
  it("gives nothing for equal values, whatever their key order", () => {
    expect(jsonDiffHunks({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toEqual([]);
  });

  it("shows the changed lines with their numbers and a little context", () => {
    const before = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10, k: 11 };
    const after = { ...before, c: 30, l: 12 };
    const hunks = jsonDiffHunks(before, after, 1);
    expect(hunks.map((h) => h.header)).toEqual(["@@ -3,3 +3,3 @@", "@@ -11,3 +11,4 @@"]);
    expect(hunks[0]!.lines).toEqual([
      { kind: "context", text: '  "b": 2,', oldLine: 3, newLine: 3 },
      { kind: "removed", text: '  "c": 3,', oldLine: 4 },
      { kind: "added", text: '  "c": 30,', newLine: 4 },
      { kind: "context", text: '  "d": 4,', oldLine: 5, newLine: 5 },
    ]);
    expect(hunks[1]!.lines.map((l) => [l.kind, l.text])).toEqual([
      ["context", '  "j": 10,'],
      ["removed", '  "k": 11'],
      ["added", '  "k": 11,'],
      ["added", '  "l": 12'],
      ["context", "}"],
    ]);
  });
});
