import { describe, expect, it } from "vitest";
import { applyLabel, choicesFor, defaultChoices, outcomeOf, resolutionsOf, resultSummary, type PreviewFlow } from "./import-plan";

const fresh: PreviewFlow = { key: "a", name: "Greeter", nodes: 3, existing: null, conflicts: [], draftOnly: null };
const sameName: PreviewFlow = { key: "b", name: "Orders", nodes: 5, existing: { flowId: "f1", name: "Orders" }, conflicts: [{ kind: "name", message: "a flow is already called “Orders”" }], draftOnly: null };
const samePath: PreviewFlow = { key: "c", name: "Hook", nodes: 2, existing: null, conflicts: [{ kind: "webhookPath", message: "the webhook path “hook” is used by “Other”" }], draftOnly: null };

describe("the import plan", () => {
  it("renames what clashes and creates the rest by default; replacing is offered only where there is a flow to replace", () => {
    expect(defaultChoices([fresh, sameName, samePath])).toEqual({ a: "create", b: "rename", c: "rename" });
    expect(choicesFor(fresh)).toEqual(["create", "skip"]);
    expect(choicesFor(sameName)).toEqual(["rename", "replace", "skip"]);
    expect(choicesFor(samePath)).toEqual(["rename", "skip"]);
  });

  it("sends resolutions only for flows that need one", () => {
    expect(resolutionsOf({ a: "create", b: "replace", c: "skip" })).toEqual({ b: "replace", c: "skip" });
  });

  it("says what happens to each flow and what the button will do", () => {
    expect(outcomeOf(sameName, "replace")).toMatch(/^Replaces the draft of “Orders”/);
    expect(outcomeOf(fresh, "create")).toBe("Creates “Greeter”.");
    expect(outcomeOf(samePath, "skip")).toMatch(/^Skipped/);
    expect(applyLabel({ a: "create", b: "replace", c: "skip" })).toBe("Import 2 flows (1 replacing)");
    expect(applyLabel({ a: "create" })).toBe("Import 1 flow");
    expect(applyLabel({ a: "skip" })).toBe("Nothing to import");
  });

  it("sums up what the import did", () => {
    const flows = [
      { key: "a", flowId: "1", name: "Greeter", action: "created" as const },
      { key: "b", flowId: "2", name: "Orders", action: "created" as const },
      { key: "c", flowId: "3", name: "Hook", action: "replaced" as const },
      { key: "d", flowId: null, name: "Old", action: "skipped" as const },
    ];
    expect(resultSummary({ flows, report: null, credentialsMissing: [] })).toBe("Created 2 flows, replaced 1, skipped 1.");
    expect(resultSummary({ flows: [flows[3]!], report: null, credentialsMissing: [] })).toBe("Skipped 1.");
  });
});
