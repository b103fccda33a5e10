import type { FlowDocument } from "@/nodes/_core/flow-document";
import { importTotals, type ImportProblem, type ImportReport } from "@/nodes/_interop/import-report";
import { importN8n, looksLikeN8n } from "@/nodes/_interop/n8n/n8n-import";
import { importNodeRed, isNodeRedExport } from "@/nodes/_interop/node-red/import-node-red";

/**
 * Another tool's nodes on the clipboard (n8n copies `{ nodes, connections, pinData? }`, Node-RED an array of node
 * objects, often without their tab) as one flow document to paste, with the import report's summary. Loaded only
 * when a paste is not our own flow JSON, so the importers stay out of the editor's first bundle.
 */
export type ForeignPaste =
  | { ok: true; document: FlowDocument; summary: string; details: string[] }
  | { ok: false; reason: string; details: string[] };

const TOOL = { n8n: "n8n", "node-red": "Node-RED" } as const;

/** Reads a parsed clipboard value as n8n or Node-RED nodes; null when it is neither tool's. */
export function readForeignClipboard(value: unknown): ForeignPaste | null {
  if (looksLikeN8n(value)) return fromImport(importN8n(value));
  if (isNodeRedExport(value)) return fromImport(importNodeRed(value));
  return null;
}

function fromImport(result: { ok: true; flows: { name: string; document: FlowDocument }[]; report: ImportReport } | { ok: false; report: ImportReport }): ForeignPaste {
  const tool = TOOL[result.report.source];
  if (!result.ok) {
    const errors = allProblems(result.report).filter((p) => p.severity === "error");
    return { ok: false, reason: `The pasted ${tool} nodes could not be read (${errors.length} problem${errors.length === 1 ? "" : "s"}); nothing was pasted.`, details: errors.slice(0, 5).map(problemLine) };
  }
  if (result.flows.length !== 1) {
    // Several flows refer to each other by their keys (subflows, links across tabs): only an import keeps those ties.
    return { ok: false, reason: `The pasted ${tool} JSON holds ${result.flows.length} flows; use Import on the flow list to bring them in together.`, details: [] };
  }
  const document = result.flows[0]!.document;
  if (document.nodes.length === 0 && document.notes.length === 0) return { ok: false, reason: `The pasted ${tool} JSON has no nodes.`, details: [] };
  return { ok: true, document, summary: pasteSummary(result.report), details: reportDetails(result.report) };
}

function allProblems(report: ImportReport): ImportProblem[] {
  return [...report.problems, ...report.flows.flatMap((f) => f.problems)];
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "Pasted 5 n8n nodes: 4 mapped, 1 placeholder; 2 expressions translated, 1 kept as written". */
export function pasteSummary(report: ImportReport): string {
  const totals = importTotals(report);
  const parts = [`Pasted ${plural(totals.nodes, `${TOOL[report.source]} node`)}: ${totals.mapped} mapped, ${plural(totals.placeholders, "placeholder")}`];
  const expressions = [
    totals.expressionsTranslated ? `${plural(totals.expressionsTranslated, "expression")} translated` : null,
    totals.expressionsFlagged ? `${totals.expressionsTranslated ? totals.expressionsFlagged : plural(totals.expressionsFlagged, "expression")} kept as written` : null,
  ].filter(Boolean);
  if (expressions.length) parts.push(expressions.join(", "));
  if (totals.credentials > 0) parts.push(`${plural(totals.credentials, "credential")} to connect`);
  return `${parts.join("; ")}.`;
}

/** What needs a person's attention after the paste, one line each: placeholders, flagged fields, credentials, warnings. */
export function reportDetails(report: ImportReport): string[] {
  const lines: string[] = [];
  for (const flow of report.flows) {
    for (const p of flow.placeholders) lines.push(`“${p.name}” (${p.sourceType}) is a placeholder: Streamware has no equivalent yet`);
    for (const e of flow.expressions.flagged) lines.push(`“${e.node}” ${e.field}: kept as written (${e.reason})`);
    for (const c of flow.credentials) lines.push(`“${c.node}” needs the credential “${c.name}” (${c.type})`);
    for (const d of flow.connections.dropped) lines.push(`Connection “${d.from}” → “${d.to}” left out: ${d.reason}`);
  }
  for (const p of allProblems(report)) if (p.severity === "warning") lines.push(problemLine(p));
  return lines;
}

function problemLine(problem: ImportProblem): string {
  return `${problem.path}: ${problem.message}`;
}
