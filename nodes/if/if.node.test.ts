import { describe, expect, it } from "vitest";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { test, type Condition, type Operator } from "./conditions";
import { ifNode } from "./if.node";

const readings: Item[] = [
  { json: { room: "kitchen", temp: 23.5 } },
  { json: { room: "hall", temp: "19" } },
  { json: { room: "attic", temp: "31" } },
  { json: { room: "cellar" } },
];

const rooms = (items: Item[]) => items.map((i) => i.json.room);

describe("core.if", () => {
  it("routes each item by its own value: {{ $json.temp }} is evaluated per item", async () => {
    const { output } = await runNode(ifNode, {
      input: readings,
      config: { conditions: [{ left: "{{ $json.temp }}", operator: "greaterThan", right: 20 }] },
    });
    expect(rooms(output.true!)).toEqual(["kitchen", "attic"]);
    expect(rooms(output.false!)).toEqual(["hall", "cellar"]);
  });

  it("combines conditions with and / or", async () => {
    const conditions = [
      { left: "{{ $json.temp }}", operator: "greaterOrEqual", right: "19" },
      { left: "{{ $json.room }}", operator: "startsWith", right: "k" },
    ];
    const and = await runNode(ifNode, { input: readings, config: { conditions, combine: "and" } });
    expect(rooms(and.output.true!)).toEqual(["kitchen"]);
    const or = await runNode(ifNode, { input: readings, config: { conditions, combine: "or" } });
    expect(rooms(or.output.true!)).toEqual(["kitchen", "hall", "attic"]);
    expect(rooms(or.output.false!)).toEqual(["cellar"]);
  });

  it("compares against earlier nodes and the trigger", async () => {
    const { output } = await runNode(ifNode, {
      input: readings.slice(0, 3),
      trigger: [{ json: { limit: 30 } }],
      nodeOutputs: { Thresholds: [{ json: { low: 20 } }] },
      config: {
        conditions: [
          { left: "{{ $json.temp }}", operator: "greaterThan", right: "{{ $node.Thresholds.json.low }}" },
          { left: "{{ $json.temp }}", operator: "lessThan", right: "{{ $trigger.limit }}" },
        ],
      },
    });
    expect(rooms(output.true!)).toEqual(["kitchen"]);
  });

  it("always has both outputs, even when one gets nothing", async () => {
    const { output } = await runNode(ifNode, { input: readings, config: { conditions: [{ left: true, operator: "isTrue" }] } });
    expect(output).toEqual({ true: readings, false: [] });
    expect(ifNode.outputsFor({ conditions: [], combine: "and" })).toEqual(["true", "false"]);
  });

  it("refuses a config without conditions, and unknown operators", async () => {
    for (const config of [{ conditions: [] }, { conditions: [{ left: 1, operator: "approximately", right: 1 }] }]) {
      const err = await runNode(ifNode, { input: readings, config }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NodeConfigError);
      expect((err as Error).message).toMatch(/^Node "If" is not set up correctly: (Conditions: add at least one condition|Condition 1: Operator must be one of: )/);
    }
  });
});

describe("if conditions", () => {
  const cases: [unknown, Operator, unknown, boolean][] = [
    // Numbers compare as numbers even when one or both sides are numeric text.
    ["21", "greaterThan", 20, true],
    ["100", "greaterThan", "9", true],
    [" 7 ", "equals", 7, true],
    ["1e3", "equals", 1000, true],
    [5, "lessOrEqual", "5", true],
    [5, "greaterOrEqual", 5.5, false],
    ["abc", "greaterThan", 1, false],
    ["abc", "lessThan", 1, false],
    ["", "lessThan", 1, false],
    [null, "lessThan", 1, false],
    ["a", "equals", "a", true],
    ["a", "equals", "A", false],
    ["5", "notEquals", 5, false],
    [{ a: 1 }, "equals", { a: 1 }, true],
    [[1, 2], "notEquals", [1, 2], false],
    ["hello world", "contains", "lo w", true],
    [["red", "green"], "contains", "green", true],
    [[1, 2, 3], "contains", "2", true],
    [["red"], "notContains", "blue", true],
    ["hello", "notContains", "ell", false],
    ["report.pdf", "endsWith", ".pdf", true],
    ["report.pdf", "startsWith", "rep", true],
    [42, "startsWith", "4", true],
    [undefined, "isEmpty", undefined, true],
    ["", "isEmpty", undefined, true],
    [[], "isEmpty", undefined, true],
    [{}, "isEmpty", undefined, true],
    [0, "isEmpty", undefined, false],
    [" ", "isNotEmpty", undefined, true],
    [true, "isTrue", undefined, true],
    ["true", "isTrue", undefined, true],
    [1, "isTrue", undefined, false],
    ["false", "isFalse", undefined, true],
    [null, "isFalse", undefined, false],
  ];

  for (const [left, operator, right, expected] of cases) {
    it(`${JSON.stringify(left)} ${operator} ${JSON.stringify(right)} is ${expected}`, () => {
      expect(test({ left, operator, right } as Condition)).toBe(expected);
    });
  }
});
