import { describe, expect, it } from "vitest";
import { LLM_LAYOUT_LIMITS, llmLayoutPrompt, widgetsFromLlmAnswer } from "./dashboard-llm-layout";
import { proposeWidgets } from "./dashboard-proposals";

const proposals = proposeWidgets({
  flowId: "f1",
  samples: [{ nodeName: "Shop", nodeType: "core.set", items: [{ open: 3, note: "Quiet", orders: [{ id: "a", total: 10 }] }] }],
});

describe("a layout described to a model", () => {
  it("bounds the prompt, offering proposals until it is full", () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...proposals[0]!, reason: `reason ${i} `.repeat(30) }));
    const { system, prompt, offered } = llmLayoutPrompt({ description: "d".repeat(10_000), proposals: many });
    expect(system.length + prompt.length).toBeLessThanOrEqual(LLM_LAYOUT_LIMITS.prompt);
    expect(prompt).toContain("d".repeat(LLM_LAYOUT_LIMITS.description));
    expect(prompt).not.toContain("d".repeat(LLM_LAYOUT_LIMITS.description + 1));
    expect(offered).toBeGreaterThan(0);
    expect(offered).toBeLessThan(many.length);
  });

  it("reads an answer that is not a list of widgets as none, with a note", () => {
    expect(widgetsFromLlmAnswer({ answer: { layout: "grid" }, proposals, flowId: "f1" })).toEqual({ widgets: [], notes: ['The model did not answer with a list of widgets ({"widgets": [...]}).'] });
  });

  it("keeps at most a dashboard's widgets, in the model's order, packed on the grid", () => {
    const widgets = Array.from({ length: 60 }, (_, i) => ({ kind: "stat", title: `Open ${i}`, series: ["Shop.open"] }));
    const result = widgetsFromLlmAnswer({ answer: { widgets }, proposals, flowId: "f1" });
    expect(result.widgets).toHaveLength(50);
    expect(result.widgets.slice(0, 5).map((w) => w.layout)).toEqual([0, 3, 6, 9, 0].map((x, i) => ({ x, y: i < 4 ? 0 : 2, w: 3, h: 2 })));
    expect(result.notes).toHaveLength(10);
    expect(result.notes[0]).toBe('Widget "Open 50" was left out: a dashboard holds at most 50 widgets.');
  });
});
