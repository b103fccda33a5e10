import { describe, expect, it } from "vitest";
import { Batcher, type BatcherOptions } from "./batcher";

/** A batcher whose batches are each held until the test releases them, oldest first. */
function heldBatcher(options?: BatcherOptions<number>) {
  const releases: (() => void)[] = [];
  const sent: number[][] = [];
  const batcher = new Batcher<number, number>(async (items) => {
    sent.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items;
  }, options);
  return { batcher, releases, sent };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("Batcher", () => {
  it("sends the calls of one turn together and answers each in order", async () => {
    const sent: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      sent.push(items);
      return items.map((n) => n * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(answers).toEqual([10, 20, 30]);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it("holds the calls made while a batch is out and sends them as the next one", async () => {
    const sent: number[][] = [];
    let release!: () => void;
    const batcher = new Batcher<number, number>(async (items) => {
      sent.push(items);
      if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    });
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [batcher.add(2), batcher.add(3)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(sent).toEqual([[1], [2, 3]]);
  });

  it("has room at once below its limit, and otherwise once the batch in flight has returned", async () => {
    const { batcher, releases } = heldBatcher();
    await batcher.room(2);
    void batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    // One batch in flight, two calls waiting behind it: at the limit.
    void batcher.add(2);
    void batcher.add(3);
    let roomy = false;
    const room = batcher.room(2).then(() => (roomy = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(roomy).toBe(false);
    expect(await Promise.race([batcher.room(3).then(() => "room below a higher limit"), room])).toBe("room below a higher limit");
    releases.shift()!();
    await room;
    expect(roomy).toBe(true);
    releases.shift()!();
  });

  it("waits for room no longer than it is told to", async () => {
    const { batcher, releases } = heldBatcher();
    void batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    void batcher.add(2);
    expect(await batcher.room(1, 20)).toBe(false);
    expect(await batcher.room(1, 0)).toBe(false);
    const room = batcher.room(1, 10_000);
    releases.shift()!();
    expect(await room).toBe(true);
    // Room at once needs no wait at all.
    expect(await batcher.room(5, 0)).toBe(true);
    releases.shift()!();
  });

  it("fails every call of a batch that fails, and goes on with the next", async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(async (items) => {
      if (fail) throw new Error("the database is gone");
      return items;
    });
    const failed = [batcher.add(1), batcher.add(2)].map((p) => p.catch((err: Error) => err.message));
    expect(await Promise.all(failed)).toEqual(["the database is gone", "the database is gone"]);
    fail = false;
    expect(await batcher.add(3)).toBe(3);
  });

  it("drains: resolves once everything added so far has been answered", async () => {
    const done: number[] = [];
    const batcher = new Batcher<number, void>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(...items);
      return items.map(() => undefined);
    });
    void batcher.add(1);
    void batcher.add(2);
    await batcher.drain();
    expect(done).toEqual([1, 2]);
  });

  it("with room for two batches in flight, sends the next while one is out, and a third once one returns", async () => {
    const { batcher, releases, sent } = heldBatcher({ inFlight: 2 });
    const first = batcher.add(1);
    await nextTurn();
    const second = [batcher.add(2), batcher.add(3)];
    await nextTurn();
    expect(sent).toEqual([[1], [2, 3]]);
    const third = batcher.add(4);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toHaveLength(2);
    // The second returns first: its calls are answered, and the waiting call leaves in its place.
    releases[1]!();
    expect(await Promise.all(second)).toEqual([2, 3]);
    await nextTurn();
    expect(sent).toEqual([[1], [2, 3], [4]]);
    releases[0]!();
    releases[2]!();
    expect(await Promise.all([first, third])).toEqual([1, 4]);
  });

  it("holds a call whose key is in a batch out until that batch returns, and sends the others meanwhile", async () => {
    const { batcher, releases, sent } = heldBatcher({ inFlight: 2, keyOf: (n) => String(n % 10) });
    const first = batcher.add(1);
    await nextTurn();
    // 11 is about what 1 is about; 2 is not.
    const later = [batcher.add(11), batcher.add(2)];
    await nextTurn();
    expect(sent).toEqual([[1], [2]]);
    releases[1]!();
    await nextTurn();
    expect(sent).toHaveLength(2);
    releases[0]!();
    expect(await first).toBe(1);
    await nextTurn();
    expect(sent).toEqual([[1], [2], [11]]);
    releases[2]!();
    expect(await Promise.all(later)).toEqual([11, 2]);
  });

  it("with two batches out, has room once either returns, and drains once both have", async () => {
    const { batcher, releases } = heldBatcher({ inFlight: 2 });
    void batcher.add(1);
    await nextTurn();
    void batcher.add(2);
    await nextTurn();
    void batcher.add(3);
    let roomy = false;
    const room = batcher.room(1).then(() => (roomy = true));
    let drained = false;
    const drain = batcher.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(roomy).toBe(false);
    releases[1]!();
    await room;
    expect(drained).toBe(false);
    releases[0]!();
    await nextTurn();
    releases[2]!();
    await drain;
    expect(drained).toBe(true);
  });
});
