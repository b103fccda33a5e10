import type { PlaceholderSource } from "./placeholder-source";

/**
 * What an import of another tool's flows did, flow by flow: what was mapped, what became a placeholder, which
 * expressions were translated or kept as written, which credentials must be connected, which connections were kept
 * or dropped, and every problem by path. Pure data, so the CLI, the API and the editor show the same thing.
 */
export type ImportSource = PlaceholderSource;

export interface ImportProblem {
  /** Where in the source file, such as `nodes[3].parameters.url` or `connections.Webhook.main[0][1]`. */
  path: string;
  message: string;
  /** An error stops the flow from importing; a warning says something will not work as it did. */
  severity: "error" | "warning";
}

export interface PlaceholderEntry {
  name: string;
  sourceType: string;
  note?: string;
}

export interface FlaggedExpression {
  node: string;
  /** The field's path in the node's config, such as `rules[0].left`. */
  field: string;
  /** The expression as the source wrote it, kept verbatim in the field. */
  text: string;
  reason: string;
}

export interface CredentialToConnect {
  node: string;
  /** The credential's name in the source tool, which the imported node refers to. */
  name: string;
  /** The Streamware credential type to create, or the source's own type when there is none. */
  type: string;
}

export interface DroppedConnection {
  from: string;
  to: string;
  reason: string;
}

export interface FlowImportReport {
  /** The flow's name as the source file gives it. */
  name: string;
  nodes: { total: number; mapped: number };
  placeholders: PlaceholderEntry[];
  expressions: { translated: number; flagged: FlaggedExpression[] };
  credentials: CredentialToConnect[];
  connections: { kept: number; dropped: DroppedConnection[] };
  /** Things mapped only in part: a field the Streamware node has no place for, a setting left behind. */
  notes: string[];
  problems: ImportProblem[];
}

export interface ImportReport {
  source: ImportSource;
  flows: FlowImportReport[];
  /** Problems with the file as a whole (not JSON, not this tool's export). */
  problems: ImportProblem[];
}

/** Collects one flow's report as an importer walks it. */
export interface FlowReportBuilder {
  mapped(): void;
  placeholder(entry: PlaceholderEntry): void;
  expressionTranslated(): void;
  expressionFlagged(entry: FlaggedExpression): void;
  credential(entry: CredentialToConnect): void;
  connectionKept(): void;
  connectionDropped(entry: DroppedConnection): void;
  note(text: string): void;
  problem(problem: ImportProblem): void;
  build(): FlowImportReport;
}

export function flowReportBuilder(name: string): FlowReportBuilder {
  const report: FlowImportReport = {
    name,
    nodes: { total: 0, mapped: 0 },
    placeholders: [],
    expressions: { translated: 0, flagged: [] },
    credentials: [],
    connections: { kept: 0, dropped: [] },
    notes: [],
    problems: [],
  };
  return {
    mapped() {
      report.nodes.total += 1;
      report.nodes.mapped += 1;
    },
    placeholder(entry) {
      report.nodes.total += 1;
      report.placeholders.push(entry);
    },
    expressionTranslated() {
      report.expressions.translated += 1;
    },
    expressionFlagged(entry) {
      report.expressions.flagged.push(entry);
    },
    credential(entry) {
      if (!report.credentials.some((c) => c.name === entry.name && c.type === entry.type && c.node === entry.node)) report.credentials.push(entry);
    },
    connectionKept() {
      report.connections.kept += 1;
    },
    connectionDropped(entry) {
      report.connections.dropped.push(entry);
    },
    note(text) {
      if (!report.notes.includes(text)) report.notes.push(text);
    },
    problem(problem) {
      report.problems.push(problem);
    },
    build: () => structuredClone(report),
  };
}

export interface ImportTotals {
  flows: number;
  nodes: number;
  mapped: number;
  placeholders: number;
  expressionsTranslated: number;
  expressionsFlagged: number;
  connectionsKept: number;
  connectionsDropped: number;
  credentials: number;
  errors: number;
  warnings: number;
}

/** The report's counts added up over every flow. */
export function importTotals(report: ImportReport): ImportTotals {
  const totals: ImportTotals = { flows: report.flows.length, nodes: 0, mapped: 0, placeholders: 0, expressionsTranslated: 0, expressionsFlagged: 0, connectionsKept: 0, connectionsDropped: 0, credentials: 0, errors: 0, warnings: 0 };
  const count = (problems: ImportProblem[]) => {
    for (const p of problems) totals[p.severity === "error" ? "errors" : "warnings"] += 1;
  };
  count(report.problems);
  for (const flow of report.flows) {
    totals.nodes += flow.nodes.total;
    totals.mapped += flow.nodes.mapped;
    totals.placeholders += flow.placeholders.length;
    totals.expressionsTranslated += flow.expressions.translated;
    totals.expressionsFlagged += flow.expressions.flagged.length;
    totals.connectionsKept += flow.connections.kept;
    totals.connectionsDropped += flow.connections.dropped.length;
    totals.credentials += flow.credentials.length;
    count(flow.problems);
  }
  return totals;
}

/** A long or multi-line text shortened to one line, for a list; the report itself keeps it whole. */
function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const SOURCE_NAMES: Record<ImportSource, string> = { n8n: "n8n", "node-red": "Node-RED" };

/** The report as plain lines, for the CLI. */
export function formatImportReport(report: ImportReport): string {
  const lines: string[] = [];
  const problemLine = (p: ImportProblem) => `  ${p.severity === "error" ? "error" : "warning"} at ${p.path}: ${p.message}`;
  lines.push(`Imported from ${SOURCE_NAMES[report.source]}: ${report.flows.length} flow${report.flows.length === 1 ? "" : "s"}`);
  for (const p of report.problems) lines.push(problemLine(p));
  for (const flow of report.flows) {
    lines.push("", `Flow "${flow.name}"`);
    lines.push(`  nodes: ${flow.nodes.mapped} of ${flow.nodes.total} mapped, ${flow.placeholders.length} placeholder${flow.placeholders.length === 1 ? "" : "s"}`);
    for (const p of flow.placeholders) lines.push(`    placeholder "${p.name}" (${p.sourceType})${p.note ? `: ${p.note}` : ""}`);
    lines.push(`  expressions: ${flow.expressions.translated} translated, ${flow.expressions.flagged.length} kept as written`);
    for (const e of flow.expressions.flagged) lines.push(`    "${e.node}" ${e.field}: ${oneLine(e.text)} (${e.reason})`);
    lines.push(`  connections: ${flow.connections.kept} kept, ${flow.connections.dropped.length} dropped`);
    for (const d of flow.connections.dropped) lines.push(`    "${d.from}" → "${d.to}": ${d.reason}`);
    if (flow.credentials.length > 0) lines.push(`  credentials to connect:`);
    for (const c of flow.credentials) lines.push(`    "${c.name}" (${c.type}) for "${c.node}"`);
    for (const n of flow.notes) lines.push(`  note: ${n}`);
    for (const p of flow.problems) lines.push(problemLine(p));
  }
  return lines.join("\n");
}
