import { setImmediate as nextCheck } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { endOfTurn } from "./event-loop-turn";

describe("endOfTurn", () => {
  it("gives every caller in a turn one promise, settled in the turn's check phase, and the next turn a new one", async () => {
    const order: string[] = [];
    const first = endOfTurn();
    const second = endOfTurn();
    expect(second).toBe(first);
    void first.then(() => order.push("first"));
    void second.then(() => order.push("second"));
    // Scheduled after the promise: settles after it, in the same check phase.
    const later = nextCheck().then(() => order.push("scheduled after"));
    await Promise.resolve();
    expect(order).toEqual([]);
    await first;
    await later;
    expect(order).toEqual(["first", "second", "scheduled after"]);
    const next = endOfTurn();
    expect(next).not.toBe(first);
    await next;
  });
});
