import { describe, expect, it } from "vitest";
import { NodeCancelledError, NodeConfigError } from "../_kit/errors";
import { runNode } from "../../runner/node-testing";
import { delayNode } from "./delay.node";

const input = [{ json: { n: 1 } }, { json: { n: 2 } }];

describe("core.delay", () => {
  it("passes the items on after waiting", async () => {
    expect((await runNode(delayNode, { input, config: { ms: 20 } })).items).toEqual(input);
    expect((await runNode(delayNode, { input, config: { ms: 0 } })).items).toEqual(input);
  });

  it("ends the wait with a cancel error when the run is cancelled", async () => {
    const controller = new AbortController();
    // An hour-long wait: only the cancel can end it within the test's time.
    const waiting = runNode(delayNode, { input, config: { ms: 3_600_000 }, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(waiting).rejects.toBeInstanceOf(NodeCancelledError);
  });

  it("does not start waiting when the run is already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await runNode(delayNode, { input, config: { ms: 3_600_000 }, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeCancelledError);
    expect(err).toMatchObject({ code: "CANCELLED", retryable: false });
  });

  it("refuses waits longer than an hour, or negative", async () => {
    const tooLong = await runNode(delayNode, { input, config: { ms: 3_600_001 } }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(NodeConfigError);
    expect((tooLong as Error).message).toContain("Wait (ms): wait at most an hour; use a schedule for longer");
    expect(await runNode(delayNode, { input, config: { ms: -1 } }).catch((e: unknown) => e)).toBeInstanceOf(NodeConfigError);
  });
});
