import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { concatenationOf, fieldPathOf } from "./expression-shapes";

const shape = (expression: string) => jsonata(expression).ast();

describe("fieldPathOf", () => {
  it("names the root and the names of a plain path, and nothing else", () => {
    expect(fieldPathOf(shape("body.name"))).toEqual({ root: "json", names: ["body", "name"] });
    expect(fieldPathOf(shape("$node.`My Node`.json.x"))).toEqual({ root: "node", names: ["My Node", "json", "x"] });
    for (const other of ["body[0].name", "$uppercase(body.name)", "$itemIndex", "body.*", "'text'"]) expect(fieldPathOf(shape(other)), other).toBeNull();
  });
});

describe("concatenationOf", () => {
  it("lists the text and paths that `&` joins, in order, at any length", () => {
    expect(concatenationOf(shape("'Hello ' & body.name"))).toEqual(["Hello ", { root: "json", names: ["body", "name"] }]);
    expect(concatenationOf(shape('a & "-" & $trigger.id & `x y`.z & \'\''))).toEqual([
      { root: "json", names: ["a"] },
      "-",
      { root: "trigger", names: ["id"] },
      { root: "json", names: ["x y", "z"] },
      "",
    ]);
  });

  it("refuses anything more than text and plain paths joined with `&`", () => {
    const others = ["body.name", "'text'", "'a' & 1", "'a' & body[0]", "'a' & $string(n)", "('a' & b)", "'a' & (b & c)", "a + b", "'a' & b & $itemIndex", "a & b.*"];
    for (const other of others) expect(concatenationOf(shape(other)), other).toBeNull();
  });
});
