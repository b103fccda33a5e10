import { describe, expect, it } from "vitest";
import { panToKeepInView } from "./keep-in-view";

const node = (x: number, y = 0) => ({ x, y, width: 220, height: 68 });
const base = { viewport: { x: 0, y: 0, zoom: 1 }, previousWidth: 1000, height: 600, margin: 20 };

describe("panToKeepInView", () => {
  it("does not pan when what was in view still fits", () => {
    expect(panToKeepInView({ ...base, width: 600, boxes: [node(40), node(300)] })).toBe(0);
  });

  it("pans left by what a narrower canvas cuts off on the right", () => {
    // The rightmost node ends at 820; the canvas is now 600 wide, so 820 - 580 = 240 to the left.
    expect(panToKeepInView({ ...base, width: 600, boxes: [node(300), node(600)] })).toBe(-240);
  });

  it("does not push the leftmost node out of view when they no longer all fit", () => {
    expect(panToKeepInView({ ...base, width: 400, boxes: [node(100), node(700)] })).toBe(-80);
  });

  it("brings the focused node into view even when the others then leave it", () => {
    const x = panToKeepInView({ ...base, width: 400, boxes: [node(100), node(700)], focus: node(700) });
    expect(x).toBe(-540);
    expect(700 + 220 + x).toBe(380);
  });

  it("ignores nodes that were out of view before, and takes zoom and the current pan into account", () => {
    expect(panToKeepInView({ ...base, width: 600, boxes: [node(100), node(2000)] })).toBe(0);
    // At zoom 0.5 and panned 100 right, the node at 1000 is drawn from 600 to 710.
    expect(panToKeepInView({ ...base, viewport: { x: 100, y: 0, zoom: 0.5 }, width: 600, boxes: [node(400), node(1000)] })).toBe(100 - 130);
  });

  it("does not pan when the canvas grows", () => {
    expect(panToKeepInView({ ...base, width: 1400, boxes: [node(100), node(700)] })).toBe(0);
  });
});
