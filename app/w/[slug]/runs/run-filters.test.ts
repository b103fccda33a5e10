import { describe, expect, it } from "vitest";
import { parseRunFilters, runFiltersQuery, runListFilter } from "./run-filters";

describe("runs page filters in the URL", () => {
  it("reads what a shared URL holds and writes it back the same way", () => {
    const filters = parseRunFilters({ status: "failed", flow: "cflow1", trigger: "test webhook", from: "2026-12-01", to: "2026-12-04" });
    expect(filters).toEqual({ status: "failed", flow: "cflow1", trigger: "test webhook", from: "2026-12-01", to: "2026-12-04" });
    expect(runFiltersQuery(filters)).toBe("?status=failed&flow=cflow1&trigger=test+webhook&from=2026-12-01&to=2026-12-04");
    expect(parseRunFilters(Object.fromEntries(new URLSearchParams(runFiltersQuery(filters).slice(1))))).toEqual(filters);
  });

  it("leaves out what is malformed instead of failing the page", () => {
    expect(parseRunFilters({ status: "exploded", from: "yesterday", to: "2026-13-45", flow: ["a", "b"] })).toEqual({ flow: "a" });
    expect(runFiltersQuery({})).toBe("");
  });

  it("turns days into a range that holds the whole last day", () => {
    const range = runListFilter({ from: "2026-12-01", to: "2026-12-01" });
    expect(range.from).toEqual(new Date("2026-12-01T00:00"));
    expect(range.to).toEqual(new Date("2026-12-02T00:00"));
  });
});
