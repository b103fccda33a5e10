import path from "node:path";
import { formatPath, parseFlowDocument, type FlowDocument, type FlowDocumentIssue, type FlowNode } from "../nodes/_core/flow-document";
import type { ImportReport } from "../nodes/_interop/import-report";
import { referencedFirst } from "../nodes/_interop/flow-references";
import { importN8n, looksLikeN8n } from "../nodes/_interop/n8n/n8n-import";
import { importNodeRed, isNodeRedExport } from "../nodes/_interop/node-red/import-node-red";
import {
  FLOW_EXPORT_VERSION,
  flowExportMigrations,
  flowExportSchema,
  migrateTransferFile,
  transferFileKind,
  WORKSPACE_BUNDLE_VERSION,
  workspaceBundleMigrations,
  workspaceBundleSchema,
  type CredentialReference,
} from "../nodes/_interop/transfer-files";
import { nodeRegistry } from "../nodes/registry";
import { flowName } from "./routers/flow.schema";
import { requireActivatable } from "./services/activation-service";
import { ServiceError } from "./services/service-error";

/**
 * Reading an import file, apart from storing it, so it can be tried without a database: every format we take is
 * recognised here, each of its flow documents parsed and checked, and every problem named by its path in the file.
 * Nothing here knows the workspace; `transferService` compares the result with it (conflicts, credentials).
 */

/** From this size on an import is refused before it is parsed: the largest real exports are a few megabytes. */
export const IMPORT_MAX_MB = 20;
export const IMPORT_MAX_CHARS = IMPORT_MAX_MB * 1024 * 1024;

/** What a file too large to import is told, wherever it is stopped. */
export function importTooLarge({ file, length }: { file: string; length: number }): string {
  return `${file} is ${(length / 1024 / 1024).toFixed(1)} MB; an import takes less than ${IMPORT_MAX_MB} MB. Export fewer flows at a time (one flow, or a bundle without every version).`;
}

export type ImportFormat = "streamware" | "streamware.workspace" | "n8n" | "node-red";

export interface FileProblem {
  /** Where in the file: `flows[2].draft.nodes[0].type`, `edges[1].target`, `(file)` for the file as a whole. */
  path: string;
  message: string;
}

export interface ImportedVersion {
  number: number;
  message: string;
  document: FlowDocument;
}

/** One flow a file holds, parsed and checked, before it meets a workspace. */
export interface ImportedFlow {
  /** What the file's flows call this one by: its id in a bundle, an importer's key, else its place in the file. */
  key: string;
  /** The flow's id where it was exported (bundles only): kept when it is free here. */
  sourceId: string | null;
  name: string;
  tags: string[];
  draft: FlowDocument;
  /** The versions to store, oldest first: a bundle's own, or the file's document when it can run. */
  versions: ImportedVersion[];
  /** The number of the version to make live, one of `versions`; null to leave the flow inactive. */
  activeVersion: number | null;
  /** Why the flow comes in as a draft only (it could not run as imported); null when it brings its versions. */
  draftOnly: string | null;
}

export type ImportFile =
  | { ok: true; format: ImportFormat; flows: ImportedFlow[]; credentials: CredentialReference[]; report: ImportReport | null; problems: FileProblem[] }
  | { ok: false; message: string; problems: FileProblem[] };

const ACCEPTED =
  "Streamware takes a flow export, a flow document, a workspace bundle (streamware.workspace/1), an n8n workflow export (one workflow, an array, or the API's { \"data\": [...] }) or a Node-RED flow export (a flow array, or { \"flows\", \"rev\" })";

export function issueList(issues: FlowDocumentIssue[]): string {
  return issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The issues a service error carries (a flow document's problems with their paths), if it carries any. */
export function issuesOf(err: unknown): FlowDocumentIssue[] | null {
  if (!(err instanceof ServiceError) || !isRecord(err.details) || !Array.isArray(err.details.issues)) return null;
  return err.details.issues as FlowDocumentIssue[];
}

/** The activation checks' problems with a document, or null when it can become a version. */
function activationProblems(document: FlowDocument): FlowDocumentIssue[] | null {
  try {
    requireActivatable(document);
    return null;
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    return issues;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const within = (prefix: string, issues: FlowDocumentIssue[]): FileProblem[] =>
  issues.map((issue) => ({ path: prefix ? (issue.path === "(document)" ? prefix : `${prefix}.${issue.path}`) : issue.path, message: issue.message }));

/**
 * The type of the credential a node refers to in a slot: the slot names it when it is one of the node's credential
 * types (an LLM node's Ollama slot), else it is the node's main credential.
 */
export function credentialTypeOf(node: FlowNode, slot: string): string {
  const definition = nodeRegistry.get(node.type);
  if (!definition) return slot;
  if (definition.credential?.type === slot || definition.moreCredentials.includes(slot)) return slot;
  return definition.credential?.type ?? slot;
}

/** The credentials the documents refer to, by name and type, each once, in a stable order. */
export function credentialReferences(documents: FlowDocument[]): CredentialReference[] {
  const found = new Map<string, CredentialReference>();
  for (const document of documents) {
    for (const node of document.nodes) {
      for (const [slot, ref] of Object.entries(node.credentials)) {
        const type = credentialTypeOf(node, slot);
        found.set(JSON.stringify([ref.name, type]), { name: ref.name, type });
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** Each credential reference as `{ name }` only: an id means something in one workspace alone. */
export function portableDocument(document: FlowDocument): FlowDocument {
  return {
    ...document,
    nodes: document.nodes.map((node) => ({ ...node, credentials: Object.fromEntries(Object.entries(node.credentials).map(([slot, ref]) => [slot, { name: ref.name }])) })),
  };
}

/**
 * Reads an import file's text in any format we take. `activate` is the CLI's `--activate`: a flow from a plain
 * document or export must then be able to run, as it has always been; otherwise a flow that cannot run yet comes
 * in as a draft to finish in the editor.
 */
export function readImportFile({ text, fileName, activate = false }: { text: string; fileName?: string; activate?: boolean }): ImportFile {
  const file = fileName ?? "The file";
  if (text.length >= IMPORT_MAX_CHARS) {
    return refused(importTooLarge({ file, length: text.length }), [{ path: "(file)", message: `larger than ${IMPORT_MAX_MB} MB` }]);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (err) {
    return refused(`${file} is not JSON: ${(err as Error).message}. ${ACCEPTED}.`, [{ path: "(file)", message: `not JSON: ${(err as Error).message}` }]);
  }
  const message = `Imported from ${fileName ? path.basename(fileName) : "a file"}`;
  const kind = transferFileKind(content);
  if (kind === "workspace") return readBundle({ content: content as Record<string, unknown>, file });
  if (kind === "flow-export") return readFlowExport({ content: content as Record<string, unknown>, file, fileName, message, activate });
  if (looksLikeN8n(content)) return readForeign({ file, fileName, message, activate, format: "n8n", content });
  if (isNodeRedExport(content)) return readForeign({ file, fileName, message, activate, format: "node-red", content });
  if (isRecord(content) && ("document" in content || (typeof content.schema === "string" && content.schema.startsWith("streamware.flow/")))) {
    return readDocument({ content, file, fileName, message, activate, legacy: true });
  }
  const tag = isRecord(content) && typeof content.schema === "string" ? ` (its schema is "${content.schema}")` : "";
  return refused(`${file} is JSON, but not a file Streamware can import${tag}. ${ACCEPTED}.`, [{ path: "(file)", message: "not a format Streamware imports" }]);
}

/** Whether importing the text would make versions live (a bundle's active flows), which needs `flow.activate`. */
export function bringsLiveVersions(text: string): boolean {
  const file = readImportFile({ text });
  return file.ok && file.flows.some((flow) => flow.activeVersion !== null);
}

function refused(message: string, problems: FileProblem[]): ImportFile {
  return { ok: false, message, problems };
}

/** A refusal listing every problem with its path, as the CLI prints it. */
function refusal(what: string, problems: FileProblem[]): ImportFile {
  return refused(`${what} (${plural(problems.length, "problem")}):\n${issueList(problems)}\nNothing was imported.`, problems);
}

function readFlowExport({ content, file, fileName, message, activate }: { content: Record<string, unknown>; file: string; fileName?: string; message: string; activate: boolean }): ImportFile {
  const migrated = migrateTransferFile({ file: content, kind: "streamware.flow-export", current: FLOW_EXPORT_VERSION, migrations: flowExportMigrations });
  if (!migrated.ok) return refusal(`${file} cannot be read`, [{ path: migrated.message.split(": ")[0]!, message: migrated.message.slice(migrated.message.indexOf(": ") + 2) }]);
  const parsed = flowExportSchema.safeParse(migrated.file);
  if (!parsed.success) return refusal(`${file} is not a valid flow export`, parsed.error.issues.map((i) => ({ path: formatPath(i.path) || "(file)", message: i.message })));
  return readDocument({ content: parsed.data, file, fileName, message, activate, legacy: false });
}

/**
 * One flow from its document: an export `{ name, document }` (tagged, or the older untagged one), or a bare flow
 * document named after its file. An untagged file's document must be one activation accepts, since it becomes a
 * version, as it always has; a tagged export may carry a draft still being written, which then comes in as a draft.
 */
function readDocument({ content, file, fileName, message, activate, legacy }: { content: Record<string, unknown>; file: string; fileName?: string; message: string; activate: boolean; legacy: boolean }): ImportFile {
  const exported = "document" in content;
  const rawName = exported && typeof content.name === "string" ? content.name : fileName ? path.basename(fileName, path.extname(fileName)) : "Imported flow";
  const name = flowName.safeParse(rawName);
  if (!name.success) return refused(`The flow name "${rawName}" from ${file} is not usable: ${name.error.issues[0]?.message ?? "invalid"}`, [{ path: exported ? "name" : "(file)", message: name.error.issues[0]?.message ?? "invalid" }]);
  const prefix = exported ? "document" : "";
  const parsed = parseFlowDocument(exported ? content.document : content);
  const where = legacy ? `The flow document in ${file}` : file;
  if (!parsed.ok) return refusal(`${where} is invalid`, within(prefix, parsed.issues));
  const problems = activationProblems(parsed.document);
  if (problems && (legacy || activate)) return refusal(`${where} ${activate ? "cannot be activated" : "cannot run, so it cannot be saved as a version"}`, within(prefix, problems));
  const flow: ImportedFlow = {
    key: "flow",
    sourceId: null,
    name: name.data,
    tags: [],
    draft: parsed.document,
    versions: problems ? [] : [{ number: 1, message, document: parsed.document }],
    activeVersion: null,
    draftOnly: problems ? problems.map((p) => p.message).join("; ") : null,
  };
  return { ok: true, format: "streamware", flows: [flow], credentials: credentialReferences([parsed.document]), report: null, problems: [] };
}

/**
 * A workspace bundle: every flow with its draft, versions and live version. A version that cannot run here (a node
 * type this instance lacks) leaves its flow a draft only, with the version's problems listed by path; the rest of
 * the bundle still comes in.
 */
function readBundle({ content, file }: { content: Record<string, unknown>; file: string }): ImportFile {
  const migrated = migrateTransferFile({ file: content, kind: "streamware.workspace", current: WORKSPACE_BUNDLE_VERSION, migrations: workspaceBundleMigrations });
  if (!migrated.ok) return refusal(`${file} cannot be read`, [{ path: "schema", message: migrated.message.replace(/^schema: /, "") }]);
  const parsed = workspaceBundleSchema.safeParse(migrated.file);
  if (!parsed.success) return refusal(`${file} is not a valid workspace bundle`, parsed.error.issues.map((i) => ({ path: formatPath(i.path) || "(file)", message: i.message })));
  const errors: FileProblem[] = [];
  const warnings: FileProblem[] = [];
  const flows: ImportedFlow[] = [];
  parsed.data.flows.forEach((source, i) => {
    const name = flowName.safeParse(source.name);
    if (!name.success) errors.push({ path: `flows[${i}].name`, message: name.error.issues[0]?.message ?? "invalid" });
    const draft = parseFlowDocument(source.draft);
    if (!draft.ok) errors.push(...within(`flows[${i}].draft`, draft.issues));
    const versions: ImportedVersion[] = [];
    const unrunnable: string[] = [];
    source.versions.forEach((version, j) => {
      const document = parseFlowDocument(version.document);
      if (!document.ok) return errors.push(...within(`flows[${i}].versions[${j}].document`, document.issues));
      const problems = activationProblems(document.document);
      if (problems) {
        warnings.push(...within(`flows[${i}].versions[${j}].document`, problems));
        unrunnable.push(`version ${version.number} cannot run here: ${problems.map((p) => p.message).join("; ")}`);
        return;
      }
      versions.push({ number: version.number, message: version.message, document: document.document });
    });
    if (!name.success || !draft.ok) return;
    versions.sort((a, b) => a.number - b.number);
    flows.push({
      key: source.id,
      sourceId: source.id,
      name: name.data,
      tags: source.tags,
      draft: draft.document,
      versions: unrunnable.length ? [] : versions,
      activeVersion: unrunnable.length ? null : source.activeVersion,
      draftOnly: unrunnable.length ? unrunnable.join("; ") : null,
    });
  });
  if (errors.length) return refusal(`${file} is not a valid workspace bundle`, errors);
  const documents = flows.flatMap((f) => [f.draft, ...f.versions.map((v) => v.document)]);
  const ordered = referencedFirst(flows.map((flow) => ({ key: flow.key, document: flow.draft, flow }))).map((entry) => entry.flow);
  return { ok: true, format: "streamware.workspace", flows: ordered, credentials: credentialReferences(documents), report: null, problems: warnings };
}

/**
 * An n8n or Node-RED export: each workflow (each tab, subflow and error flow) becomes a flow, with the report of
 * what was mapped. A flow that cannot run as imported (a placeholder trigger, a loop) comes in as a draft to finish
 * by hand, unless `activate` asks for more, which it then cannot have: nothing is imported.
 */
function readForeign({ content, file, fileName, message, activate, format }: { content: unknown; file: string; fileName?: string; message: string; activate: boolean; format: "n8n" | "node-red" }): ImportFile {
  const tool = format === "n8n" ? "n8n" : "Node-RED";
  const result = format === "n8n" ? importN8n(content, fileName ? { unnamed: path.basename(fileName, path.extname(fileName)) } : {}) : importNodeRed(content);
  if (!result.ok) {
    const problems = [...result.report.problems, ...result.report.flows.flatMap((f) => f.problems)].filter((p) => p.severity === "error");
    return { ok: false, message: `${file} could not be imported from ${tool} (${plural(problems.length, "problem")}):\n${issueList(problems)}\nNothing was imported.`, problems: problems.map(({ path, message }) => ({ path, message })) };
  }
  const keyed = result.flows.map((flow, i) => ({ ...flow, key: "key" in flow && typeof flow.key === "string" ? flow.key : `${format}-${i + 1}` }));
  const flows: ImportedFlow[] = [];
  for (const [i, flow] of (format === "node-red" ? referencedFirst(keyed) : keyed).entries()) {
    const name = flowName.safeParse(flow.name);
    const problems = activationProblems(flow.document);
    if (problems && activate) {
      return refused(`The ${tool} ${format === "n8n" ? "workflow" : "flow"} "${flow.name}" in ${file} cannot be activated as imported (${plural(problems.length, "problem")}):\n${issueList(problems)}\nImport it without --activate to finish it in the editor. Nothing was imported.`, problems);
    }
    flows.push({
      key: flow.key,
      sourceId: null,
      name: name.success ? name.data : `Imported ${tool} ${format === "n8n" ? "workflow" : "flow"} ${i + 1}`,
      tags: [],
      draft: flow.document,
      versions: problems ? [] : [{ number: 1, message, document: flow.document }],
      activeVersion: null,
      draftOnly: problems ? problems.map((p) => p.message).join("; ") : null,
    });
  }
  return { ok: true, format, flows, credentials: credentialReferences(flows.map((f) => f.draft)), report: result.report, problems: [] };
}
