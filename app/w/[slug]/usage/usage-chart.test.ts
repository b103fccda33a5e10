import { describe, expect, it } from "vitest";
import { daysBetween, usageBars } from "./usage-chart";

describe("usage chart", () => {
  it("has a bar for every day of the range, stacked by model, empty days included", () => {
    const bars = usageBars({
      from: "2026-11-29",
      to: "2026-12-01",
      rows: [
        { day: "2026-11-29", provider: "openai", model: "gpt-4o", totalTokens: 100 },
        { day: "2026-11-29", provider: "ollama", model: "llama3", totalTokens: 50 },
        { day: "2026-12-01", provider: "openai", model: "gpt-4o", totalTokens: 7 },
      ],
    });
    expect(bars).toEqual([
      { day: "2026-11-29", total: 150, segments: [{ key: "openai · gpt-4o", tokens: 100 }, { key: "ollama · llama3", tokens: 50 }] },
      { day: "2026-11-30", total: 0, segments: [] },
      { day: "2026-12-01", total: 7, segments: [{ key: "openai · gpt-4o", tokens: 7 }] },
    ]);
  });

  it("counts days across a month's end", () => {
    expect(daysBetween("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
  });
});
