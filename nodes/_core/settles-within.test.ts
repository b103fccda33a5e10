import { describe, expect, it } from "vitest";
import { settlesWithin } from "./settles-within";

describe("settlesWithin", () => {
  it("is true for a promise that resolves or rejects in time, false for one that does not", async () => {
    expect(await settlesWithin(Promise.resolve(), 50)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error("no")), 50)).toBe(true);
    expect(await settlesWithin(new Promise(() => {}), 20)).toBe(false);
    expect(await settlesWithin(new Promise((resolve) => setTimeout(resolve, 5)), 1_000)).toBe(true);
  });

  it("does not wait at all when given no time", async () => {
    expect(await settlesWithin(Promise.resolve(), 0)).toBe(false);
  });
});
