import path from "node:path";
import { parseFlowDocument, type FlowDocument, type FlowDocumentIssue } from "../nodes/_core/flow-document";
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
}

export type ImportCheck = { ok: true; flow: ImportedFlow } | { ok: false; message: string };

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
  return { ok: true, flow: { name: name.data, document: parsed.document } };
}
