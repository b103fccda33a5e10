import { describe, expect, it } from "vitest";
import { isUnreachable } from "./redis-outage";

describe("isUnreachable", () => {
  it("is true for a socket that cannot reach Redis, or a connection that closed under a command", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"]) expect(isUnreachable(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isUnreachable(new Error("Connection is closed."))).toBe(true);
  });

  it("is false for what Redis answered, or what a job did", () => {
    expect(isUnreachable(Object.assign(new Error("WRONGTYPE Operation against a key holding the wrong kind of value"), { command: { name: "get" } }))).toBe(false);
    expect(isUnreachable(new Error("Missing lock for job 42. moveToFinished"))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });
});
