import type { FlowDocumentIssue, FlowDocument } from "./flow-document";
import type { NodeDefinition } from "../_kit/define-node";
import { migrateConfig, splitLiteralFields } from "../_kit/define-node";
import { NodeError } from "../_kit/errors";
import { describeConfigIssue } from "./config-messages";
import { checkExpressions, hasExpressions } from "./expressions";
import { findStartNode, planGraph } from "./graph";
import { loopIssues } from "./graph-checks";

function valueAt(config: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = config;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Everything that would stop a flow from running, found before it runs: unknown node types, configs that do not
 * fit their node (fields holding expressions are checked when they run), expressions that do not parse, edges to
 * ports that do not exist, missing credentials, loops (on the edge that closes each) and a missing trigger.
 */
export function validateFlow(document: FlowDocument, registry: ReadonlyMap<string, NodeDefinition>): FlowDocumentIssue[] {
  const issues: FlowDocumentIssue[] = [];
  const outputs = new Map<string, string[]>();
  const inputs = new Map<string, string[]>();

  document.nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    const definition = registry.get(node.type);
    if (!definition) {
      issues.push({ path: `${at}.type`, message: `Node "${node.name}" has the unknown type "${node.type}"` });
      return;
    }
    let config: Record<string, unknown>;
    try {
      config = migrateConfig(definition, node.config, node.typeVersion);
    } catch (err) {
      issues.push({ path: `${at}.typeVersion`, message: `Node "${node.name}": ${(err as Error).message}` });
      return;
    }
    for (const problem of checkExpressions(splitLiteralFields(definition, config).evaluated, node.name)) {
      issues.push({ path: `${at}.config.${String(problem.details?.field)}`, message: problem.message });
    }
    const parsed = definition.config.safeParse(config);
    if (parsed.success) {
      outputs.set(node.id, definition.outputsFor(parsed.data));
      inputs.set(node.id, definition.inputsFor(parsed.data));
    } else {
      for (const issue of parsed.error.issues) {
        if (!definition.literalFields.includes(String(issue.path[0])) && hasExpressions(valueAt(config, issue.path))) continue;
        const field = issue.path.map(String).join(".");
        const words = describeConfigIssue({ schema: definition.config, issue, config });
        const path = `${at}.config${field ? `.${field}` : ""}`;
        // zod may report one place twice (a union's branches); it is shown once.
        if (issues.some((i) => i.path === path && i.fieldMessage === words.field)) continue;
        issues.push({ path, message: `Node "${node.name}": ${words.full}`, fieldMessage: words.field });
      }
    }
    if (definition.credential?.required && Object.keys(node.credentials).length === 0) {
      issues.push({ path: `${at}.credentials`, message: `Node "${node.name}" needs a ${definition.credential.type} credential` });
    }
  });

  document.edges.forEach((edge, i) => {
    const source = document.nodes.find((n) => n.id === edge.source);
    const target = document.nodes.find((n) => n.id === edge.target);
    const out = outputs.get(edge.source);
    if (source && out && !out.includes(edge.sourcePort) && !(edge.sourcePort === "error" && source.onError === "errorPort")) {
      issues.push({ path: `edges[${i}].sourcePort`, message: `Node "${source.name}" has no output "${edge.sourcePort}" (it has ${out.join(", ") || "none"})` });
    }
    const into = inputs.get(edge.target);
    if (target && into && !into.includes(edge.targetPort)) {
      const has = into.length ? `it has ${into.join(", ")}` : "it is a trigger and takes no input";
      issues.push({ path: `edges[${i}].targetPort`, message: `Node "${target.name}" has no input "${edge.targetPort}" (${has})` });
    }
  });

  const triggers = document.nodes.filter((n) => registry.get(n.type)?.trigger && !n.disabled);
  if (!findStartNode(document, registry, "manual")) {
    issues.push({ path: "nodes", message: "The flow has no trigger; add a manual, webhook or schedule trigger" });
  }
  // Loops are found anywhere in the graph and named on their edges; walking from the triggers finds only those it reaches.
  const loops = loopIssues(document);
  issues.push(...loops);
  for (const trigger of loops.length ? [] : triggers) {
    try {
      planGraph(document, registry, { startNodeId: trigger.id, trigger: "manual" });
    } catch (err) {
      if (!(err instanceof NodeError)) throw err;
      if (!issues.some((i) => i.message === err.message)) issues.push({ path: "edges", message: err.message });
    }
  }
  return issues;
}
