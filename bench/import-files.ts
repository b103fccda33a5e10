// What `npm run bench:import -- <folder>` runs: imports every file of a folder (n8n workflows and Node-RED flows, told
// apart by their shape) through the pure importers (no database, nothing written) and prints
// `BENCH import.<tool>.<figure> <value> <unit>` lines: files imported without error,
// the share of nodes mapped (and of the node types the importer lists as mapped), of connections kept, of
// expressions translated, and of files whose import is stable (the same bytes when imported again, and a document
// the flow schema reads back unchanged).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseFlowDocument } from "../nodes/_core/flow-document";
import { importTotals } from "../nodes/_interop/import-report";
import { importN8n, looksLikeN8n } from "../nodes/_interop/n8n/n8n-import";
import { isListedN8nNode, N8N_LISTED_TYPES, shortType } from "../nodes/_interop/n8n/n8n-nodes";
import { importNodeRed, isNodeRedExport } from "../nodes/_interop/node-red/import-node-red";

const folder = process.argv[2];
if (!folder) {
  process.stderr.write("Usage: npm run bench:import -- <folder of n8n workflow or Node-RED flow files>\n");
  process.exit(2);
}

/** Every file under the folder, in a stable order. */
function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesOf(full) : name.endsWith(".json") ? [full] : [];
    });
}

/** What both tools' figures count alike. */
interface Tally {
  nodes: number;
  mapped: number;
  kept: number;
  dropped: number;
  translated: number;
  flagged: number;
}

function addTotals(tally: Tally, report: Parameters<typeof importTotals>[0]): void {
  const totals = importTotals(report);
  tally.nodes += totals.nodes;
  tally.mapped += totals.mapped;
  tally.kept += totals.connectionsKept;
  tally.dropped += totals.connectionsDropped;
  tally.translated += totals.expressionsTranslated;
  tally.flagged += totals.expressionsFlagged;
}

/** Stable: importing the same text again gives the same bytes, and the flow schema reads each document back unchanged. */
function isStable(flows: { document: unknown }[], again: { ok: boolean; flows?: unknown }): boolean {
  const sameBytes = again.ok && JSON.stringify(again.flows) === JSON.stringify(flows);
  return (
    sameBytes &&
    flows.every((f) => {
      const parsed = parseFlowDocument(JSON.parse(JSON.stringify(f.document)));
      return parsed.ok && JSON.stringify(parsed.document) === JSON.stringify(f.document);
    })
  );
}

const red = { files: 0, ok: 0, nodes: 0, mapped: 0, kept: 0, dropped: 0, translated: 0, flagged: 0, stable: 0 };
const redFailures: string[] = [];
const redPlaceholders = new Map<string, number>();
const figures = { files: 0, ok: 0, nodes: 0, mapped: 0, listed: 0, listedMapped: 0, kept: 0, dropped: 0, translated: 0, flagged: 0, stable: 0, skipped: 0 };
const failures: string[] = [];
const listedMisses = new Map<string, number>();
/** Nodes of listed types doing what the importer does not mean to map (a Telegram file download, an OpenAI image). */
const otherOperations = new Map<string, number>();

type N8nWorkflow = { nodes?: { name?: unknown; type?: unknown; parameters?: unknown }[]; connections?: Record<string, Record<string, { node?: string }[][]>> };

/** The workflow's nodes, each with whether the importer means to map it (a chat model by what it is wired into). */
function listedNodes(workflow: N8nWorkflow): { node: { name: string; type: string; parameters?: unknown }; listed: boolean }[] {
  const nodes = (workflow.nodes ?? []).filter((n): n is { name: string; type: string; parameters?: unknown } => typeof n?.name === "string" && typeof n.type === "string");
  const typeOf = new Map(nodes.map((n) => [n.name, n.type]));
  return nodes.map((node) => {
    const outputs = Object.values(workflow.connections?.[node.name] ?? {}).flat().flat();
    const feeds = outputs.map((target) => typeOf.get(target?.node ?? "")).filter((t): t is string => t !== undefined);
    return { node, listed: isListedN8nNode(node, feeds) };
  });
}
for (const file of filesOf(folder)) {
  const text = readFileSync(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value !== undefined && isNodeRedExport(value)) {
    measureNodeRed({ file, text });
    continue;
  }
  if (value !== undefined && !looksLikeN8n(value)) {
    figures.skipped += 1;
    continue;
  }
  figures.files += 1;
  const result = importN8n(text);
  if (!result.ok) {
    const problems = [...result.report.problems, ...result.report.flows.flatMap((f) => f.problems)].filter((p) => p.severity === "error");
    failures.push(`${path.relative(folder, file)}: ${problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    continue;
  }
  figures.ok += 1;
  addTotals(figures, result.report);
  const data = (value as { data?: unknown }).data;
  const workflows = (Array.isArray(value) ? value : Array.isArray(data) ? data : [value]) as N8nWorkflow[];
  workflows.forEach((workflow, w) => {
    const placeholders = new Set(result.report.flows[w]!.placeholders.map((p) => p.name));
    for (const { node, listed } of listedNodes(workflow)) {
      const type = shortType(node.type);
      if (listed) figures.listed += 1;
      if (!placeholders.has(node.name.trim().slice(0, 120))) continue;
      if (listed) listedMisses.set(type, (listedMisses.get(type) ?? 0) + 1);
      else if (N8N_LISTED_TYPES.has(type)) otherOperations.set(type, (otherOperations.get(type) ?? 0) + 1);
    }
  });
  if (isStable(result.flows, importN8n(text))) figures.stable += 1;
}
figures.listedMapped = figures.listed - [...listedMisses.values()].reduce((a, b) => a + b, 0);

/** Node-RED files, measured apart: its figures are printed as `import.node-red.*`. */
function measureNodeRed({ file, text }: { file: string; text: string }): void {
  red.files += 1;
  const result = importNodeRed(text);
  if (!result.ok) {
    const problems = result.report.problems.filter((p) => p.severity === "error");
    redFailures.push(`${path.relative(folder!, file)}: ${problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    return;
  }
  red.ok += 1;
  addTotals(red, result.report);
  for (const flow of result.report.flows) for (const p of flow.placeholders) redPlaceholders.set(p.sourceType, (redPlaceholders.get(p.sourceType) ?? 0) + 1);
  if (isStable(result.flows, importNodeRed(text))) red.stable += 1;
}

const share = (part: number, whole: number) => (whole === 0 ? "100.0" : ((100 * part) / whole).toFixed(1));
const bench = (name: string, value: string, unit: string, tool = "n8n") => process.stdout.write(`BENCH import.${tool}.${name} ${value} ${unit}\n`);
if (figures.files > 0 || red.files === 0) {
bench("files_imported", `${figures.ok}/${figures.files}`, "files");
bench("nodes_mapped", share(figures.mapped, figures.nodes), `% of ${figures.nodes} nodes`);
bench("listed_types_mapped", share(figures.listedMapped, figures.listed), `% of ${figures.listed} nodes of listed types`);
bench("connections_kept", share(figures.kept, figures.kept + figures.dropped), `% of ${figures.kept + figures.dropped} connections`);
bench("expressions_translated", share(figures.translated, figures.translated + figures.flagged), `% of ${figures.translated + figures.flagged} expressions`);
bench("round_trip_stable", `${figures.stable}/${figures.ok}`, "files");
if (figures.skipped) process.stdout.write(`skipped ${figures.skipped} files that are not n8n workflows\n`);
for (const line of failures) process.stdout.write(`failed ${line}\n`);
for (const [type, count] of [...listedMisses].sort((a, b) => b[1] - a[1])) process.stdout.write(`listed type kept as placeholder: ${type} × ${count}\n`);
for (const [type, count] of [...otherOperations].sort((a, b) => b[1] - a[1])) process.stdout.write(`listed type doing something not listed, kept as placeholder: ${type} × ${count}\n`);
}
if (red.files > 0) {
  const nr = (name: string, value: string, unit: string) => bench(name, value, unit, "node-red");
  nr("files_imported", `${red.ok}/${red.files}`, "files");
  nr("nodes_mapped", share(red.mapped, red.nodes), `% of ${red.nodes} nodes`);
  nr("connections_kept", share(red.kept, red.kept + red.dropped), `% of ${red.kept + red.dropped} connections`);
  nr("expressions_translated", share(red.translated, red.translated + red.flagged), `% of ${red.translated + red.flagged} expressions`);
  nr("round_trip_stable", `${red.stable}/${red.ok}`, "files");
  for (const line of redFailures) process.stdout.write(`failed ${line}\n`);
  for (const [type, count] of [...redPlaceholders].sort((a, b) => b[1] - a[1])) process.stdout.write(`Node-RED type kept as placeholder: ${type} × ${count}\n`);
}
