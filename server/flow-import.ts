import path from "node:path";
import { parseFlowDocument, type FlowDocument, type FlowDocumentIssue } from "../nodes/_core/flow-document";
import { formatImportReport, type ImportReport } from "../nodes/_interop/import-report";
import { referencedFirst } from "../nodes/_interop/flow-references";
import { importN8n, looksLikeN8n } from "../nodes/_interop/n8n/n8n-import";
import { importNodeRed, isNodeRedExport } from "../nodes/_interop/node-red/import-node-red";
import { flowName } from "./routers/flow.schema";
import { requireActivatable } from "./services/activation-service";
import { ServiceError } from "./services/service-error";

/**
 * The checks of an import file (the CLI's `import`), apart from reading it, so they can be tried without a file:
 * everything is decided before anything is created.
 */
export interface ImportedFlow {
  name: string;
  document: FlowDocument;
  /**
   * Why the document cannot become a version yet (a flow imported from another tool often needs finishing by
   * hand): it is then imported as the flow's draft only.
   */
  draftOnly?: string;
  /** What the file's other flows call this one by (Execute flow, error flow) until it is stored and has an id. */
  key?: string;
}

/** A file may hold several flows (an n8n array); another tool's file comes with the report of what was mapped. */
export type ImportCheck = { ok: true; flows: ImportedFlow[]; report?: ImportReport } | { ok: false; message: string };

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

/**
 * An import file's text: an export `{ name, document }`, or a bare flow document named after its file. The
 * document must be one activation accepts, since it becomes a version; a refusal lists every problem.
 */
export function checkImport({ text, file, activate }: { text: string; file: string; activate: boolean }): ImportCheck {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${file} is not JSON: ${(err as Error).message}` };
  }
  if (looksLikeN8n(content)) return checkN8nImport({ content, file, activate });
  if (isNodeRedExport(content)) return checkNodeRedImport({ content, file, activate });
  const exported = isRecord(content) && "document" in content ? content : null;
  const rawName = typeof exported?.name === "string" ? exported.name : path.basename(file, path.extname(file));
  const name = flowName.safeParse(rawName);
  if (!name.success) return { ok: false, message: `The flow name "${rawName}" from ${file} is not usable: ${name.error.issues[0]?.message ?? "invalid"}` };

  const parsed = parseFlowDocument(exported ? exported.document : content);
  const refusal = (what: string, issues: FlowDocumentIssue[]): ImportCheck => ({
    ok: false,
    message: `The flow document in ${file} ${what} (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):\n${issueList(issues)}\nNothing was imported.`,
  });
  if (!parsed.ok) return refusal("is invalid", parsed.issues);
  try {
    requireActivatable(parsed.document);
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    return refusal(activate ? "cannot be activated" : "cannot run, so it cannot be saved as a version", issues);
  }
  return { ok: true, flows: [{ name: name.data, document: parsed.document }] };
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

/**
 * An n8n export: every workflow in it becomes a flow, with the report of what was mapped. A flow that cannot run
 * as imported (a placeholder trigger, a loop) is imported as a draft to finish by hand, unless --activate asks
 * for more, which it then cannot have: nothing is imported.
 */
function checkN8nImport({ content, file, activate }: { content: unknown; file: string; activate: boolean }): ImportCheck {
  const result = importN8n(content);
  if (!result.ok) return { ok: false, message: `${file} could not be imported from n8n:\n${formatImportReport(result.report)}\nNothing was imported.` };
  const flows: ImportedFlow[] = [];
  for (const [i, flow] of result.flows.entries()) {
    const name = flowName.safeParse(flow.name);
    const usable = name.success ? name.data : `Imported n8n workflow ${i + 1}`;
    const problems = activationProblems(flow.document);
    if (problems && activate) {
      return { ok: false, message: `The n8n workflow "${flow.name}" in ${file} cannot be activated as imported (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):\n${issueList(problems)}\nImport it without --activate to finish it in the editor. Nothing was imported.` };
    }
    flows.push(problems ? { name: usable, document: flow.document, draftOnly: problems.map((p) => p.message).join("; ") } : { name: usable, document: flow.document });
  }
  return { ok: true, flows, report: result.report };
}

/**
 * A Node-RED export: each tab, subflow and error flow becomes a flow, stored after the flows it calls so its
 * references can be rebound to their ids. As with n8n, a flow that cannot run as imported is kept as a draft.
 */
function checkNodeRedImport({ content, file, activate }: { content: unknown; file: string; activate: boolean }): ImportCheck {
  const result = importNodeRed(content);
  if (!result.ok) return { ok: false, message: `${file} could not be imported from Node-RED:\n${formatImportReport(result.report)}\nNothing was imported.` };
  const flows: ImportedFlow[] = [];
  for (const [i, flow] of referencedFirst(result.flows).entries()) {
    const name = flowName.safeParse(flow.name);
    const usable = name.success ? name.data : `Imported Node-RED flow ${i + 1}`;
    const problems = activationProblems(flow.document);
    if (problems && activate) {
      return { ok: false, message: `The Node-RED flow "${flow.name}" in ${file} cannot be activated as imported (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):\n${issueList(problems)}\nImport it without --activate to finish it in the editor. Nothing was imported.` };
    }
    flows.push({ name: usable, document: flow.document, key: flow.key, ...(problems ? { draftOnly: problems.map((p) => p.message).join("; ") } : {}) });
  }
  return { ok: true, flows, report: result.report };
}
