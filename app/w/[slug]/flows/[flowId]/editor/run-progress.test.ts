import { describe, expect, it } from "vitest";
import { withProgress } from "./run-progress";

describe("a running node's progress", () => {
  it("appends streamed tokens to their item's text and keeps the last percent and message", () => {
    let state = withProgress(undefined, { percent: 10, message: "Asking the model" });
    state = withProgress(state, { token: "Hello", item: 0 });
    state = withProgress(state, { token: ", world", item: 0 });
    state = withProgress(state, { token: "Second", item: 1 });
    expect(state).toEqual({ status: "running", progress: { percent: 10, message: "Asking the model" }, streams: ["Hello, world", "Second"] });
  });

  it("empties an item's text on a restart and shows the restart's message", () => {
    let state = withProgress({ status: "running" }, { token: "Half an ans", item: 0 });
    state = withProgress(state, { message: "Retrying with the next provider", restart: true, item: 0 });
    expect(state.streams).toEqual([""]);
    expect(state.progress).toEqual({ message: "Retrying with the next provider" });
    state = withProgress(state, { token: "A whole answer", item: 0 });
    expect(state.streams).toEqual(["A whole answer"]);
  });

  it("fills items that stream out of order, and takes a missing or odd item as the first", () => {
    const state = withProgress(withProgress(undefined, { token: "third", item: 2 }), { token: "first", item: -1 });
    expect(state.streams).toEqual(["first", "", "third"]);
  });

  it("replaces percent and message for transcoding and keeps what it reports besides", () => {
    const first = withProgress({ status: "running", attempt: 1 }, { percent: 40, message: "Transcoding: 1.2 of 3.0 s at 1.5x", speed: 1.5, fps: 30 });
    const next = withProgress(first, { percent: 80, message: "Transcoding: 2.4 of 3.0 s at 1.6x", speed: 1.6 });
    expect(next).toEqual({ status: "running", attempt: 1, progress: { percent: 80, message: "Transcoding: 2.4 of 3.0 s at 1.6x", speed: 1.6 }, streams: undefined });
  });
});
