import { describe, expect, it } from "vitest";
import { allTags, filterFlows } from "./flow-filter";

const flows = [
  { name: "Invoice sync", tags: ["billing", "Nightly"] },
  { name: "Nightly report", tags: ["reports"] },
  { name: "Kitchen lights", tags: [] },
];

describe("filterFlows", () => {
  it("finds the query in names and tags, ignoring case and surrounding spaces", () => {
    expect(filterFlows(flows, { query: " INVOICE ", tag: "" }).map((f) => f.name)).toEqual(["Invoice sync"]);
    expect(filterFlows(flows, { query: "nightly", tag: "" }).map((f) => f.name)).toEqual(["Invoice sync", "Nightly report"]);
    expect(filterFlows(flows, { query: "", tag: "" })).toEqual(flows);
    expect(filterFlows(flows, { query: "nothing", tag: "" })).toEqual([]);
  });

  it("keeps only flows with the tag, together with the query", () => {
    expect(filterFlows(flows, { query: "", tag: "nightly" }).map((f) => f.name)).toEqual(["Invoice sync"]);
    expect(filterFlows(flows, { query: "report", tag: "billing" })).toEqual([]);
  });
});

describe("allTags", () => {
  it("lists each tag once, sorted", () => {
    expect(allTags([...flows, { name: "More", tags: ["Billing", "alerts"] }])).toEqual(["alerts", "billing", "Nightly", "reports"]);
  });
});
