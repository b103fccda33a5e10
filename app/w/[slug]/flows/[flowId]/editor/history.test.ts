import { describe, expect, it } from "vitest";
import { COALESCE_PAUSE_MS, HISTORY_LIMIT, commit, createHistory, redo, undo } from "./history";

describe("editor history", () => {
  it("undoes and redoes each edit, and a new edit drops what was undone", () => {
    let h = createHistory("a");
    h = commit(h, "b", { now: 0 });
    h = commit(h, "c", { now: 10_000 });
    h = undo(h);
    expect(h.present).toBe("b");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe("b");
    h = commit(h, "d", { now: 20_000 });
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
    expect(h.past).toEqual(["a", "b"]);
  });

  it("coalesces typing in one field into one step per pause", () => {
    let h = createHistory("");
    for (const [i, text] of ["h", "he", "hel", "hell", "hello"].entries()) h = commit(h, text, { coalesce: "node-1:config.url", now: i * 100 });
    expect(h.past).toEqual([""]);
    // A pause, then more typing: a second step.
    h = commit(h, "hello w", { coalesce: "node-1:config.url", now: 400 + COALESCE_PAUSE_MS + 1 });
    h = commit(h, "hello wo", { coalesce: "node-1:config.url", now: 500 + COALESCE_PAUSE_MS });
    expect(h.past).toEqual(["", "hello"]);
    // Another field right away is its own step.
    h = commit(h, "other", { coalesce: "node-1:config.method", now: 600 + COALESCE_PAUSE_MS });
    expect(h.past).toEqual(["", "hello", "hello wo"]);
    expect(undo(undo(h)).present).toBe("hello");
  });

  it("never joins an edit to a step it was undone back to", () => {
    let h = createHistory("");
    h = commit(h, "a", { coalesce: "f", now: 0 });
    h = undo(h);
    h = commit(h, "b", { coalesce: "f", now: 1 });
    expect(h.past).toEqual([""]);
    expect(undo(h).present).toBe("");
  });

  it("keeps a bounded number of steps and ignores edits that change nothing", () => {
    let h = createHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 50; i++) h = commit(h, i, { now: i * 10_000 });
    expect(h.past.length).toBe(HISTORY_LIMIT);
    expect(commit(h, h.present)).toBe(h);
  });
});
