import { setImmediate as nextCheck } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { endOfTurn, TurnGrouping } from "./event-loop-turn";

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

describe("TurnGrouping", () => {
  it("lets work that comes alone go on at once, and groups a turn's work once more than one came", async () => {
    const grouping = new TurnGrouping();
    // A turn with one arrival: it goes on at once, and so does the next turn's first.
    expect(grouping.arrive()).toBeNull();
    await nextCheck();
    expect(grouping.arrive()).toBeNull();
    // A second arrival in the same turn waits for the turn's end.
    const second = grouping.arrive();
    expect(second).toBe(endOfTurn());
    await second;
    await nextCheck();
    // The turn after a busy one groups from its first arrival.
    expect(grouping.arrive()).not.toBeNull();
    await nextCheck();
    await nextCheck();
    // Quiet again: one arrival a turn goes on at once.
    expect(grouping.arrive()).toBeNull();
  });
});
