import { describe, expect, it } from "vitest";
import { onFirstUse } from "./on-first-use";

describe("onFirstUse", () => {
  it("loads nothing until asked, then once for every caller", async () => {
    let loads = 0;
    const handler = onFirstUse(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    expect(handler.loaded()).toBeUndefined();
    const [a, b] = await Promise.all([handler.get(), handler.get()]);
    expect(a).toBe(b);
    expect(await handler.get()).toBe(a);
    expect(handler.loaded()).toBe(a);
    expect(loads).toBe(1);
  });

  it("tries a failed load again at the next call", async () => {
    let loads = 0;
    const handler = onFirstUse(async () => {
      if (++loads === 1) throw new Error("not yet");
      return loads;
    });
    await expect(handler.get()).rejects.toThrow("not yet");
    expect(handler.loaded()).toBeUndefined();
    expect(await handler.get()).toBe(2);
  });
});
