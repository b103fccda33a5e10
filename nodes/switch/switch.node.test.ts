import { describe, expect, it } from "vitest";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { switchNode } from "./switch.node";

const orders: Item[] = [
  { json: { id: 1, total: 250, country: "PL" } },
  { json: { id: 2, total: 40, country: "DE" } },
  { json: { id: 3, total: 120, country: "DE" } },
  { json: { id: 4, total: 10, country: "FR" } },
];

const big = { left: "{{ $json.total }}", operator: "greaterThan", right: 100 };
const german = { left: "{{ $json.country }}", operator: "equals", right: "DE" };
const ids = (items: Item[] | undefined) => (items ?? []).map((i) => i.json.id);

describe("core.switch", () => {
  it("derives its outputs from the rules: rule-1, rule-2, … and fallback when on", () => {
    const ports = (config: Record<string, unknown>) => switchNode.outputsFor(switchNode.config.parse(config));
    expect(ports({ rules: [big] })).toEqual(["rule-1", "fallback"]);
    expect(ports({ rules: [big, german, big] })).toEqual(["rule-1", "rule-2", "rule-3", "fallback"]);
    expect(ports({ rules: [big, german], fallback: false })).toEqual(["rule-1", "rule-2"]);
    expect(switchNode.inputsFor(switchNode.config.parse({ rules: [big] }))).toEqual(["in"]);
    expect(switchNode.dynamicPorts).toBe(true);
  });

  it("sends each item to the first rule it matches by default, the rest to fallback", async () => {
    const { output } = await runNode(switchNode, { input: orders, config: { rules: [big, german] } });
    expect({ rule1: ids(output["rule-1"]), rule2: ids(output["rule-2"]), fallback: ids(output.fallback) }).toEqual({
      rule1: [1, 3],
      rule2: [2],
      fallback: [4],
    });
  });

  it("sends each item to every rule it matches in mode all", async () => {
    const { output } = await runNode(switchNode, { input: orders, config: { rules: [big, german], mode: "all" } });
    expect({ rule1: ids(output["rule-1"]), rule2: ids(output["rule-2"]), fallback: ids(output.fallback) }).toEqual({
      rule1: [1, 3],
      rule2: [2, 3],
      fallback: [4],
    });
  });

  it("drops items that match nothing when the fallback is off", async () => {
    const { output } = await runNode(switchNode, { input: orders, config: { rules: [german], fallback: false } });
    expect(Object.keys(output)).toEqual(["rule-1"]);
    expect(ids(output["rule-1"])).toEqual([2, 3]);
  });

  it("only uses ports it declares", async () => {
    const config = { rules: [big, german, { left: "{{ $json.country }}", operator: "equals", right: "PL" }], mode: "all" };
    const { output } = await runNode(switchNode, { input: orders, config });
    const declared = switchNode.outputsFor(switchNode.config.parse(config));
    expect(Object.keys(output).every((port) => declared.includes(port))).toBe(true);
  });

  it("refuses a config without rules, and more than 50", async () => {
    for (const rules of [[], Array.from({ length: 51 }, () => big)]) {
      const err = await runNode(switchNode, { input: orders, config: { rules } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NodeConfigError);
      expect((err as Error).message).toMatch(/^Node "Switch" is not set up correctly: Rules(: add at least one rule| takes at most 50 entries)/);
    }
  });
});
