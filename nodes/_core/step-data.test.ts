import { describe, expect, it } from "vitest";
import { resolveStoredSteps, inRunOrder } from "./step-data";

const trigger = [{ json: { n: 1 } }];

/** A line of `length` steps from the trigger, each passing its items on, as a flow of pass-through nodes stores them. */
function passingLine(length: number) {
  const steps = Array.from({ length }, (_, i) => ({
    nodeId: `n${i}`,
    input: i === 0 ? { items: {}, fromTrigger: true } : { items: {}, fromUpstream: true },
    output: i === 0 ? { items: {}, fromTrigger: true } : { items: {}, sameAsInput: true },
  }));
  const edges = Array.from({ length: length - 1 }, (_, i) => ({ source: `n${i}`, sourcePort: "out", target: `n${i + 1}`, targetPort: "in" }));
  return { steps, edges };
}

describe("resolveStoredSteps", () => {
  it("follows a line of 5,000 steps that pass their items on without overflowing the stack", () => {
    const { steps, edges } = passingLine(5000);
    const resolved = resolveStoredSteps(steps, edges, trigger);
    expect(resolved.outputOf("n4999")).toEqual({ out: trigger });
    expect(resolved.inputOf("n4999")).toEqual({ in: trigger });
  });

  it("puts inputs together from upstream outputs by port, and keeps stored items as they are", () => {
    const steps = [
      { nodeId: "t", input: { items: {}, fromTrigger: true }, output: { items: {}, fromTrigger: true } },
      { nodeId: "a", input: { items: {}, fromUpstream: true }, output: { items: { out: [{ json: { a: 1 } }], other: [{ json: { o: 1 } }] } } },
      { nodeId: "b", input: { items: {}, fromUpstream: true }, output: { items: {}, sameAsInput: true } },
    ];
    const edges = [
      { source: "t", sourcePort: "out", target: "a", targetPort: "in" },
      { source: "a", sourcePort: "out", target: "b", targetPort: "in" },
      { source: "a", sourcePort: "other", target: "b", targetPort: "second" },
      { source: "gone", sourcePort: "out", target: "b", targetPort: "in" },
    ];
    const resolved = resolveStoredSteps(steps, edges, trigger);
    expect(resolved.inputOf("b")).toEqual({ in: [{ json: { a: 1 } }], second: [{ json: { o: 1 } }] });
    expect(resolved.outputOf("b")).toEqual({ out: [{ json: { a: 1 } }, { json: { o: 1 } }] });
    expect(resolved.inputOf("a")).toEqual({ in: trigger });
  });
});

describe("steps in the order they ran", () => {
  const at = (ms: number) => new Date(1_800_000_000_000 + ms);
  it("orders by start, and steps that started in the same millisecond by their place in the flow", () => {
    const edges = [
      { source: "start", target: "check" },
      { source: "check", target: "call" },
      { source: "start", target: "side" },
    ];
    const steps = [
      { nodeId: "call", startedAt: at(1) },
      { nodeId: "check", startedAt: at(1) },
      { nodeId: "start", startedAt: at(1) },
      { nodeId: "later", startedAt: at(5) },
      { nodeId: "side", startedAt: at(0) },
    ];
    expect(inRunOrder(steps, edges).map((s) => s.nodeId)).toEqual(["side", "start", "check", "call", "later"]);
  });

  it("still ends on a flow whose edges loop", () => {
    const edges = [
      { source: "a", target: "b" },
      { source: "b", target: "a" },
    ];
    expect(inRunOrder([{ nodeId: "b", startedAt: at(0) }, { nodeId: "a", startedAt: at(0) }], edges)).toHaveLength(2);
  });
});
