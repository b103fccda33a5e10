import { locateProblem, type FlowDocument, type FlowDocumentIssue } from "@/nodes/_core/flow-document";
import type { Problem, ShownProblem } from "./editor-types";

export const countLabel = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** The header's words for a list of problems: "2 problems, 1 warning", "1 warning", or "No problems". */
export function problemsSummary(problems: readonly ShownProblem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const parts = [errors ? countLabel(errors, "problem") : "", warnings ? countLabel(warnings, "warning") : ""].filter(Boolean);
  return parts.length ? parts.join(", ") : "No problems";
}

/** Errors a refused save or activation reported, located in the document as the server locates its own. */
export function locateErrors(document: FlowDocument, issues: readonly FlowDocumentIssue[]): Problem[] {
  return issues.map((issue) => ({ ...issue, ...locateProblem(document, issue), severity: "error" as const }));
}

/**
 * The flow's problems: one list, whatever found them (the check after each change, a refused activation, a failed
 * save). The same problem found twice is listed once, so the header, the problems list, the node cards and the
 * edges all count the same things.
 */
export function mergeProblems(...lists: ReadonlyArray<readonly Problem[]>): Problem[] {
  const seen = new Set<string>();
  const merged: Problem[] = [];
  for (const problem of lists.flat()) {
    const key = `${problem.severity}\n${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(problem);
  }
  return merged;
}

/** Each node's problems and each edge's, from the one list. */
export function problemsByPlace(problems: readonly Problem[]) {
  const byNode = new Map<string, ShownProblem[]>();
  const byEdge = new Map<string, ShownProblem[]>();
  for (const { message, severity, nodeId, edgeIds } of problems) {
    if (nodeId) byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), { message, severity }]);
    else for (const edgeId of edgeIds) byEdge.set(edgeId, [...(byEdge.get(edgeId) ?? []), { message, severity }]);
  }
  return { byNode, byEdge };
}
