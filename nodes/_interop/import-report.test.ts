import { describe, expect, it } from "vitest";
import { flowReportBuilder, formatImportReport, importTotals } from "./import-report";

describe("import report", () => {
  it("counts what an importer did, per flow, and adds it up", () => {
    const flow = flowReportBuilder("Orders");
    flow.mapped();
    flow.mapped();
    flow.placeholder({ name: "Airtable", sourceType: "n8n-nodes-base.airtable" });
    flow.expressionTranslated();
    flow.expressionFlagged({ node: "Set", field: "fields[0].value", text: "={{ $env.X }}", reason: "$env has no equivalent" });
    flow.credential({ node: "HTTP", name: "Shop API", type: "core.header-auth" });
    flow.credential({ node: "HTTP", name: "Shop API", type: "core.header-auth" });
    flow.connectionKept();
    flow.connectionDropped({ from: "A", to: "Gone", reason: "no node named \"Gone\"" });
    flow.note("timeout setting not carried over");
    flow.problem({ path: "connections.A.main[0][0]", message: "no node named \"Gone\"", severity: "warning" });
    const built = flow.build();
    expect(built.nodes).toEqual({ total: 3, mapped: 2 });
    expect(built.credentials).toHaveLength(1);
    const report = { source: "n8n" as const, flows: [built, flowReportBuilder("Empty").build()], problems: [] };
    expect(importTotals(report)).toMatchObject({ flows: 2, nodes: 3, mapped: 2, placeholders: 1, expressionsTranslated: 1, expressionsFlagged: 1, connectionsKept: 1, connectionsDropped: 1, credentials: 1, warnings: 1, errors: 0 });
    const text = formatImportReport(report);
    expect(text).toContain('Flow "Orders"');
    expect(text).toContain('placeholder "Airtable" (n8n-nodes-base.airtable)');
    expect(text).toContain('"Shop API" (core.header-auth) for "HTTP"');
    expect(text).toContain("warning at connections.A.main[0][0]");
    const long = flowReportBuilder("Long");
    long.expressionFlagged({ node: "Body", field: "jsonBody", text: `={\n  "a": "{{ ${"x".repeat(200)} }}"\n}`, reason: "why" });
    const line = formatImportReport({ source: "n8n", flows: [long.build()], problems: [] }).split("\n").find((l) => l.includes('"Body"'))!;
    expect(line).toMatch(/^ {4}"Body" jsonBody: =\{ "a": "\{\{ x+… \(why\)$/);
  });

  it("hands out a copy, so a built report does not change as the builder goes on", () => {
    const flow = flowReportBuilder("F");
    const first = flow.build();
    flow.mapped();
    expect(first.nodes.total).toBe(0);
  });
});
