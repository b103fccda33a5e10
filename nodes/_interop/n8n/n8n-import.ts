import { n8nSpacing, spreadForCards } from "../card-spacing";
import { checkJson, jsonMaxDepth } from "../../_core/json-check";
import { FLOW_SCHEMA_TAG, isTimeZone, parseFlowDocument, type FlowDocument } from "../../_core/flow-document";
import { PLACEHOLDER_PARAMETERS_MAX_CHARS } from "../placeholder-source";
import { flowReportBuilder, type FlowReportBuilder, type ImportProblem, type ImportReport } from "../import-report";
import { literalText, translateJsonParameter, translateParameterString } from "./n8n-expressions";
import { chainMapper, LLM_CHAIN_TYPES, modelOf, N8N_MAPPERS, chainCannot, outputSchemaOf, shortType, type ChainParts, type Mapped, type MapContext, type N8nNode } from "./n8n-nodes";

/**
 * n8n workflow JSON → Streamware flow documents and an import report. Pure: it reads a value (or text) and
 * returns documents; nothing is written. A file may hold one workflow, an array of them, or the API's shape
 * (`{ data: [...] }`). Every node is kept: mapped to ours where we have an equivalent, else as a placeholder.
 */
export interface ImportedN8nFlow {
  name: string;
  document: FlowDocument;
}

export type N8nImportResult = { ok: true; flows: ImportedN8nFlow[]; report: ImportReport } | { ok: false; report: ImportReport };

/** Whether a parsed JSON value looks like n8n's: a workflow (nodes with `type` and `parameters` or `connections`). */
export function looksLikeN8n(value: unknown): boolean {
  const first = workflowsOf(value)?.[0];
  return !!first && Array.isArray(first.value.nodes) && isRecord(first.value.connections ?? {}) && !("schema" in first.value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function workflowsOf(value: unknown): { value: Record<string, unknown>; path: string }[] | null {
  if (Array.isArray(value)) return value.every(isRecord) ? value.map((v, i) => ({ value: v as Record<string, unknown>, path: `[${i}]` })) : null;
  if (!isRecord(value)) return null;
  if (Array.isArray(value.data) && !("nodes" in value)) return workflowsOf(value.data)?.map((w) => ({ ...w, path: `data${w.path}` })) ?? null;
  return [{ value, path: "" }];
}

const fail = (problems: ImportProblem[]): N8nImportResult => ({ ok: false, report: { source: "n8n", flows: [], problems } });

/**
 * Imports n8n text (the file's content) or an already parsed value. A workflow without a name (a copied or
 * hand-made file) is called `unnamed`, numbered when the file holds several: the file's name, when there is one.
 */
export function importN8n(input: string | unknown, { unnamed = "Imported n8n workflow" }: { unnamed?: string } = {}): N8nImportResult {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (err) {
      return fail([{ path: "(file)", message: `is not JSON: ${(err as Error).message}`, severity: "error" }]);
    }
  }
  const deep = checkJson(value, { maxDepth: jsonMaxDepth() });
  if (deep) return fail([{ path: deep.path, message: deep.kind === "depth" ? `nests deeper than ${deep.maxDepth} levels; flatten it` : `holds ${deep.what}, which cannot be stored`, severity: "error" }]);
  const workflows = workflowsOf(value);
  if (!workflows || workflows.length === 0 || !workflows.every((w) => Array.isArray(w.value.nodes))) {
    return fail([{ path: "(file)", message: "is not an n8n workflow: expected an object with \"nodes\" and \"connections\", an array of them, or { \"data\": [...] }", severity: "error" }]);
  }
  const flows: ImportedN8nFlow[] = [];
  const report: ImportReport = { source: "n8n", flows: [], problems: [] };
  for (const [i, { value: workflow, path }] of workflows.entries()) {
    const result = importWorkflow(workflow, path, workflows.length > 1 ? `${unnamed} ${i + 1}` : unnamed);
    report.flows.push(result.report);
    if (result.document) flows.push({ name: result.name, document: result.document });
  }
  const failed = report.flows.some((f) => f.problems.some((p) => p.severity === "error"));
  return failed ? { ok: false, report } : { ok: true, flows, report };
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Placed {
  source: N8nNode;
  index: number;
  id: string;
  /** Our node, or null when folded into another (a chat model into the LLM node). */
  mapped: (Mapped & { placeholder: boolean }) | null;
}

function readNode(raw: unknown, index: number, report: FlowReportBuilder, path: string): N8nNode | null {
  const where = `${path}nodes[${index}]`;
  if (!isRecord(raw)) {
    report.problem({ path: where, message: "is not a node object", severity: "error" });
    return null;
  }
  if (typeof raw.name !== "string" || raw.name.trim() === "") {
    report.problem({ path: `${where}.name`, message: "a node needs a name", severity: "error" });
    return null;
  }
  if (typeof raw.type !== "string" || raw.type === "") {
    report.problem({ path: `${where}.type`, message: `node "${raw.name}" has no type`, severity: "error" });
    return null;
  }
  const pos = Array.isArray(raw.position) && raw.position.length >= 2 && raw.position.slice(0, 2).every((n) => typeof n === "number" && Number.isFinite(n)) ? (raw.position.slice(0, 2) as [number, number]) : ([0, 0] as [number, number]);
  return {
    id: typeof raw.id === "string" ? raw.id : undefined,
    name: raw.name.trim().slice(0, 120),
    type: raw.type,
    typeVersion: typeof raw.typeVersion === "number" ? raw.typeVersion : 1,
    position: pos,
    parameters: isRecord(raw.parameters) ? raw.parameters : {},
    credentials: isRecord(raw.credentials) ? raw.credentials : undefined,
  };
}

/** `connections[source][type][outputIndex] = [{ node, type, index }]`, flattened. */
interface Connection {
  from: string;
  type: string;
  output: number;
  to: string;
  input: number;
  path: string;
}

function readConnections(value: unknown, path: string, report: FlowReportBuilder): Connection[] {
  const out: Connection[] = [];
  if (value === undefined) return out;
  if (!isRecord(value)) {
    report.problem({ path: `${path}connections`, message: "must be an object of connections by node name", severity: "error" });
    return out;
  }
  for (const [from, byType] of Object.entries(value)) {
    if (!isRecord(byType)) continue;
    for (const [type, outputs] of Object.entries(byType)) {
      if (!Array.isArray(outputs)) continue;
      outputs.forEach((targets, output) => {
        if (!Array.isArray(targets)) return;
        targets.forEach((t, k) => {
          if (!isRecord(t) || typeof t.node !== "string") return;
          out.push({ from, type, output, to: t.node, input: typeof t.index === "number" ? t.index : 0, path: `${path}connections[${JSON.stringify(from)}].${type}[${output}][${k}]` });
        });
      });
    }
  }
  return out;
}

function portName(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index + 1}`;
}

function importWorkflow(workflow: Record<string, unknown>, path: string, unnamed: string): { name: string; report: ReturnType<FlowReportBuilder["build"]>; document: FlowDocument | null } {
  const name = typeof workflow.name === "string" && workflow.name.trim() ? workflow.name.trim().slice(0, 200) : unnamed;
  const report = flowReportBuilder(name);
  const nodes: N8nNode[] = [];
  const notes: FlowDocument["notes"] = [];
  const byName = new Map<string, N8nNode>();
  (workflow.nodes as unknown[]).forEach((raw, i) => {
    const node = readNode(raw, i, report, path);
    if (!node) return;
    if (byName.has(node.name)) {
      report.problem({ path: `${path}nodes[${i}].name`, message: `two nodes are named "${node.name}"; n8n connects nodes by name, so rename one`, severity: "error" });
      return;
    }
    byName.set(node.name, node);
    if (shortType(node.type) === "stickyNote") {
      const p = node.parameters;
      notes.push({
        id: `note-${notes.length + 1}`,
        text: String(p.content ?? "").slice(0, 10_000),
        position: { x: node.position[0], y: node.position[1] },
        width: Math.min(5000, Math.max(1, typeof p.width === "number" ? p.width : 240)),
        height: Math.min(5000, Math.max(1, typeof p.height === "number" ? p.height : 160)),
        color: (["yellow", "yellow", "blue", "green", "pink", "gray", "blue", "gray"] as const)[typeof p.color === "number" ? p.color : 1] ?? "yellow",
      });
      report.mapped();
      return;
    }
    nodes.push(node);
  });
  const connections = readConnections(workflow.connections, path, report);
  if (report.build().problems.some((p) => p.severity === "error")) return { name, report: report.build(), document: null };

  const { chains, folds, foldedNodes } = foldAiSubNodes({ nodes, byName, connections });

  const usedIds = new Set<string>();
  const placed: Placed[] = nodes.map((node, index) => {
    let id = node.id && ID.test(node.id) && !usedIds.has(node.id) ? node.id : `node-${index + 1}`;
    while (usedIds.has(id)) id = `${id}-x`;
    usedIds.add(id);
    return { source: node, index, id, mapped: null };
  });

  for (const entry of placed) {
    const node = entry.source;
    const where = `${path}nodes[${(workflow.nodes as unknown[]).indexOf(findRaw(workflow.nodes as unknown[], node.name))}]`;
    if (foldedNodes.has(node.name)) {
      report.mapped();
      continue;
    }
    const type = shortType(node.type);
    const pending: { translated: number; flagged: { field: string; text: string; reason: string }[] } = { translated: 0, flagged: [] };
    const nodeNotes: string[] = [];
    const ctx: MapContext = {
      node,
      value: (v, field) => translateValue(v, field, pending),
      json: (v, field) => translateJson(v, field, pending),
      note: (text) => nodeNotes.push(text),
      credentialName: (n8nType) => credentialName(node, n8nType),
    };
    const chain = chains.get(node.name);
    const mapper = chain ? chainMapper(chain.parts) : node.type.startsWith("n8n-nodes-base.") || type === "openAi" ? N8N_MAPPERS[type] : undefined;
    let mapped: Mapped | null = null;
    try {
      mapped = mapper ? mapper(ctx) : null;
    } catch (err) {
      report.problem({ path: where, message: `"${node.name}" (${node.type}) could not be mapped, so it became a placeholder: ${(err as Error).message}`, severity: "warning" });
      mapped = null;
    }
    if (chain) nodeNotes.push(...chain.notes);
    else if (LLM_CHAIN_TYPES.has(type)) nodeNotes.push(chainUnfolded(node, aiInputsOf(connections, node.name), byName));
    if (mapped) {
      entry.mapped = { ...mapped, placeholder: false };
      report.mapped();
      for (let k = 0; k < pending.translated; k++) report.expressionTranslated();
      for (const f of pending.flagged) report.expressionFlagged({ node: node.name, ...f });
      for (const n of nodeNotes) report.note(`"${node.name}": ${n}`);
      const credential = mapped.credential;
      if (credential) {
        const credName = credential.name ?? credentialName(node, credential.from) ?? credentialName(node);
        if (credName) report.credential({ node: node.name, name: credName, type: credential.type });
        else report.credential({ node: node.name, name: `${node.name} credential`, type: credential.type });
      }
    } else {
      const servedChain = connections.find((c) => c.from === node.name && c.type.startsWith("ai_") && chains.has(c.to) && !folds.has(foldKey(c.from, c.to)));
      if (servedChain) nodeNotes.push(subNodeLeft(servedChain));
      const why = nodeNotes.length > 0 ? nodeNotes.join("; ") : mapper ? "its settings use something our node cannot do" : undefined;
      entry.mapped = { ...placeholderFor(node, connections, why), placeholder: true };
      report.placeholder({ name: node.name, sourceType: node.type, ...(why ? { note: why } : {}) });
      for (const [n8nType, ref] of Object.entries(node.credentials ?? {})) {
        const credName = typeof ref === "string" ? ref : isRecord(ref) && typeof ref.name === "string" ? ref.name : undefined;
        if (credName) report.credential({ node: node.name, name: credName, type: n8nType });
      }
    }
  }

  const idOf = new Map(placed.map((p) => [p.source.name, p]));
  const edges: FlowDocument["edges"] = [];
  const edgeKeys = new Set<string>();
  for (const c of connections) {
    const from = idOf.get(c.from);
    const to = idOf.get(c.to);
    const drop = (reason: string) => {
      report.connectionDropped({ from: c.from, to: c.to, reason });
      report.problem({ path: c.path, message: reason, severity: "warning" });
    };
    if (!byName.has(c.from) || !byName.has(c.to)) {
      drop(`no node named "${!byName.has(c.from) ? c.from : c.to}"`);
      continue;
    }
    if (folds.has(foldKey(c.from, c.to))) {
      report.connectionKept();
      continue;
    }
    if (!from?.mapped || !to?.mapped) {
      drop("it connects a sticky note");
      continue;
    }
    const errorPort = onErrorOf(findRaw(workflow.nodes as unknown[], c.from) as Record<string, unknown>) === "errorPort";
    const sourcePort = outputPort(from.mapped, c, errorPort);
    const targetPort = inputPort(to.mapped, c);
    if (!sourcePort || !targetPort) {
      const end = !sourcePort ? `"${c.from}" has no output ${c.output + 1}` : `"${c.to}" has no input ${c.input + 1}`;
      drop(c.type === "main" ? `${end} in Streamware` : chains.has(c.to) ? subNodeLeft(c) : `"${c.to}" takes no ${c.type} connection in Streamware; connect what it did by hand`);
      continue;
    }
    if (from.id === to.id) {
      drop("it connects a node to itself");
      continue;
    }
    const key = `${from.id}:${sourcePort}>${to.id}:${targetPort}`;
    if (edgeKeys.has(key)) {
      report.connectionKept();
      continue;
    }
    edgeKeys.add(key);
    edges.push({ id: `e${edges.length + 1}`, source: from.id, sourcePort, target: to.id, targetPort });
    report.connectionKept();
  }

  const rawNodes = workflow.nodes as unknown[];
  const documentNodes: FlowDocument["nodes"] = [];
  for (const p of placed) {
    if (!p.mapped) continue;
    const raw = findRaw(rawNodes, p.source.name) as Record<string, unknown>;
    const flowNode: FlowDocument["nodes"][number] = {
      id: p.id,
      type: p.mapped.placeholder ? "core.placeholder" : p.mapped.type,
      typeVersion: 1,
      name: p.source.name,
      position: { x: p.source.position[0], y: p.source.position[1] },
      config: stripUndefined(p.mapped.config),
      credentials: {},
      disabled: raw.disabled === true,
      onError: onErrorOf(raw),
    };
    if (!p.mapped.placeholder && p.mapped.credential) {
      const credName = p.mapped.credential.name ?? credentialName(p.source, p.mapped.credential.from) ?? credentialName(p.source) ?? `${p.source.name} credential`;
      flowNode.credentials[p.mapped.credential.type] = { name: credName };
    }
    if (raw.retryOnFail === true) {
      const tries = typeof raw.maxTries === "number" ? raw.maxTries : 3;
      const wait = typeof raw.waitBetweenTries === "number" ? raw.waitBetweenTries : 1000;
      flowNode.retry = { maxAttempts: Math.min(10, Math.max(1, Math.round(tries))), backoffMs: Math.min(3_600_000, Math.max(0, Math.round(wait))) };
    }
    if (typeof raw.notes === "string" && raw.notes.trim()) {
      notes.push({ id: `note-${notes.length + 1}`, text: `${p.source.name}: ${raw.notes}`.slice(0, 10_000), position: { x: p.source.position[0], y: p.source.position[1] + 120 }, width: 240, height: 120, color: "gray" });
    }
    documentNodes.push(flowNode);
  }

  const settings = isRecord(workflow.settings) ? workflow.settings : {};
  const timezone = typeof settings.timezone === "string" && settings.timezone !== "DEFAULT" && isTimeZone(settings.timezone) ? settings.timezone : "UTC";
  if (typeof settings.errorWorkflow === "string" && settings.errorWorkflow) report.note(`its error workflow (n8n id "${settings.errorWorkflow}") must be chosen again in the flow's settings`);
  if (typeof settings.executionTimeout === "number" && settings.executionTimeout > 0) report.note(`its execution timeout of ${settings.executionTimeout} s is not carried over`);

  const pinData = pinnedData(workflow.pinData, idOf, report, path);
  const candidate = { schema: FLOW_SCHEMA_TAG, nodes: documentNodes, edges, notes, settings: { timezone, keepRuns: "all" }, ...(pinData ? { pinData } : {}) };
  const parsed = parseFlowDocument(candidate);
  if (!parsed.ok) {
    for (const issue of parsed.issues) report.problem({ path: `${path}(imported flow).${issue.path}`, message: issue.message, severity: "error" });
    return { name, report: report.build(), document: null };
  }
  return { name, report: report.build(), document: spreadForCards(parsed.document, n8nSpacing) };
}

/** The `ai_*` connections into a node, in input order. */
function aiInputsOf(connections: Connection[], name: string): Connection[] {
  return connections.filter((c) => c.to === name && c.type.startsWith("ai_")).sort((a, b) => a.input - b.input);
}

const foldKey = (from: string, to: string) => `${from}\u0000${to}`;

/**
 * Chains and agents become our LLM node: their chat model is folded in as its provider, and a structured output
 * parser (alone, or inside an auto-fixing one, whose sending back of a bad reply our LLM node does itself) as its
 * reply schema. Tools, memory and other sub-nodes are not folded: they stay in the flow as placeholders, and the
 * chain says what it no longer does. A sub-node disappears only when everything it feeds folded it in.
 */
function foldAiSubNodes(args: { nodes: N8nNode[]; byName: Map<string, N8nNode>; connections: Connection[] }) {
  const { nodes, byName, connections } = args;
  const chains = new Map<string, { parts: ChainParts; notes: string[] }>();
  const folds = new Set<string>();
  for (const node of nodes) {
    if (!LLM_CHAIN_TYPES.has(shortType(node.type))) continue;
    // A wire from a node not in the file is reported with the connections; it folds nothing in.
    const inbound = aiInputsOf(connections, node.name).filter((c) => byName.has(c.from));
    const models = inbound.filter((c) => c.type === "ai_languageModel");
    const model = models.length >= 1 && models.length <= 2 ? modelOf(byName.get(models[0]!.from)!) : null;
    // A chain whose prompt our LLM node cannot send stays whole, its sub-nodes beside it.
    if (!model || chainCannot(node)) continue;
    const notes: string[] = [];
    const parts: ChainParts = { model };
    const chainFolds = [foldKey(models[0]!.from, node.name)];
    const fallback = models[1] ? modelOf(byName.get(models[1].from)!) : null;
    // One credential of a kind serves the node's providers: a fallback asked with another stays beside it.
    if (fallback && fallback.kind === model.kind && fallback.baseUrl === model.baseUrl && fallback.credential === model.credential) {
      parts.fallback = fallback;
      chainFolds.push(foldKey(models[1]!.from, node.name));
    } else if (models[1]) notes.push(`its fallback model "${models[1].from}" is asked with another credential or server; add it as a second provider by hand`);
    const parsers = inbound.filter((c) => c.type === "ai_outputParser");
    if (parsers.length === 1) {
      const parsed = parserSchema({ parser: byName.get(parsers[0]!.from)!, connections, byName });
      if (!parsed) continue;
      parts.jsonSchema = parsed.schema;
      chainFolds.push(foldKey(parsers[0]!.from, node.name), ...parsed.folds);
      if (parsed.note) notes.push(parsed.note);
    } else if (parsers.length > 1) continue;
    const tools = inbound.filter((c) => c.type === "ai_tool").map((c) => `"${c.from}"`);
    if (tools.length > 0) {
      notes.push(`its tool${tools.length > 1 ? "s" : ""} ${[...new Set(tools)].join(", ")} ${tools.length > 1 ? "are" : "is"} not called: our LLM node answers from the prompt alone, so what the agent looked up or did with them must be done by nodes before it`);
    }
    if (inbound.some((c) => c.type === "ai_memory")) notes.push("its chat memory is not carried over; each run asks the model afresh");
    const others = [...new Set(inbound.map((c) => c.type).filter((t) => !["ai_languageModel", "ai_outputParser", "ai_tool", "ai_memory"].includes(t)))];
    if (others.length > 0) continue;
    chains.set(node.name, { parts, notes });
    for (const key of chainFolds) folds.add(key);
  }
  const foldedNodes = new Set<string>();
  for (const key of folds) {
    const from = key.split("\u0000")[0]!;
    if (connections.filter((c) => c.from === from).every((c) => folds.has(foldKey(c.from, c.to)))) foldedNodes.add(from);
  }
  return { chains, folds, foldedNodes };
}

/** A structured output parser's schema, or an auto-fixing parser's around one (with the model it retries with). */
function parserSchema(args: { parser: N8nNode; connections: Connection[]; byName: Map<string, N8nNode> }): { schema: Record<string, unknown>; folds: string[]; note?: string } | null {
  const { parser, connections, byName } = args;
  const type = shortType(parser.type);
  if (type === "outputParserStructured" || type === "outputParserItemList") {
    const schema = outputSchemaOf(parser);
    return schema ? { schema, folds: [] } : null;
  }
  if (type !== "outputParserAutofixing") return null;
  const inbound = aiInputsOf(connections, parser.name);
  const inner = inbound.filter((c) => c.type === "ai_outputParser");
  const innerNode = inner.length === 1 ? byName.get(inner[0]!.from) : undefined;
  const schema = innerNode ? outputSchemaOf(innerNode) : null;
  if (!schema || inbound.some((c) => c.type !== "ai_outputParser" && c.type !== "ai_languageModel")) return null;
  return {
    schema,
    folds: inbound.map((c) => foldKey(c.from, parser.name)),
    note: "its auto-fixing output parser became the LLM node's own retry: a reply that does not fit the schema is sent back once to the same model",
  };
}

/** What becomes of a tool, a memory or another sub-node of a chain that became our LLM node. */
function subNodeLeft(c: Connection): string {
  const what = c.type === "ai_tool" ? "calls no tools" : c.type === "ai_memory" ? "keeps no chat memory" : `takes no ${c.type}`;
  return `"${c.to}" became an LLM node, which ${what}; "${c.from}" stays beside it for reference`;
}

/** Why a chain or an agent could not become our LLM node. */
function chainUnfolded(node: N8nNode, inbound: Connection[], byName: Map<string, N8nNode>): string {
  const models = inbound.filter((c) => c.type === "ai_languageModel");
  const cannot = chainCannot(node);
  if (cannot) return cannot;
  if (models.length === 0) return "no chat model is wired into it";
  if (models.length > 2) return "more than two chat models are wired into it";
  const model = byName.get(models[0]!.from);
  if (model && !modelOf(model)) return `its chat model ${model.type} is not one our LLM node can ask (OpenAI, an OpenAI-compatible server or Ollama)`;
  const parsers = inbound.filter((c) => c.type === "ai_outputParser").map((c) => byName.get(c.from)?.type ?? c.from);
  if (parsers.length > 0) return `its output parser ${parsers.join(", ")} has no Streamware equivalent: our LLM node checks replies against a JSON Schema only`;
  const others = [...new Set(inbound.map((c) => c.type).filter((t) => !["ai_languageModel", "ai_outputParser", "ai_tool", "ai_memory"].includes(t)))];
  return `its ${others.join(", ")} input has no Streamware equivalent yet`;
}

function findRaw(nodes: unknown[], name: string): unknown {
  return nodes.find((n) => isRecord(n) && typeof n.name === "string" && n.name.trim().slice(0, 120) === name) ?? {};
}

function stripUndefined(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}

function onErrorOf(raw: Record<string, unknown>): "stop" | "continue" | "errorPort" {
  if (raw.onError === "continueRegularOutput" || raw.continueOnFail === true) return "continue";
  if (raw.onError === "continueErrorOutput") return "errorPort";
  return "stop";
}

function credentialName(node: N8nNode, n8nType?: string): string | undefined {
  const entries = Object.entries(node.credentials ?? {});
  const found = n8nType ? entries.find(([t]) => t === n8nType) : entries[0];
  const ref = found?.[1];
  const name = typeof ref === "string" ? ref : isRecord(ref) && typeof ref.name === "string" ? ref.name : undefined;
  return name?.trim() ? name.trim() : undefined;
}

function outputPort(mapped: Mapped & { placeholder: boolean }, c: Connection, errorPort: boolean): string | null {
  if (mapped.placeholder) return c.type === "main" ? portName("out", c.output) : portName(c.type, c.output);
  if (c.type !== "main") return null;
  const outputs = mapped.outputs ?? ["out"];
  // With "continue (using error output)", n8n adds the error output after the node's own.
  if (errorPort && c.output === outputs.length) return "error";
  return outputs[c.output] || null;
}

function inputPort(mapped: Mapped & { placeholder: boolean }, c: Connection): string | null {
  if (mapped.placeholder) return c.type === "main" ? portName("in", c.input) : portName(c.type, c.input);
  if (c.type !== "main") return null;
  const inputs = mapped.inputs ?? ["in"];
  return inputs[c.input] ?? null;
}

function placeholderFor(node: N8nNode, connections: Connection[], note?: string): Mapped {
  const outputs = new Set<string>(["out"]);
  const inputs = new Set<string>(["in"]);
  for (const c of connections) {
    if (c.from === node.name) outputs.add(c.type === "main" ? portName("out", c.output) : portName(c.type, c.output));
    if (c.to === node.name) inputs.add(c.type === "main" ? portName("in", c.input) : portName(c.type, c.input));
  }
  let parameters = node.parameters;
  if (JSON.stringify(parameters).length > PLACEHOLDER_PARAMETERS_MAX_CHARS) parameters = { tooLarge: `the parameters were larger than ${PLACEHOLDER_PARAMETERS_MAX_CHARS} characters and are not kept` };
  const sortPorts = (ports: Set<string>) => [...ports].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return {
    type: "core.placeholder",
    config: { source: "n8n", sourceType: node.type, sourceVersion: String(node.typeVersion), parameters, inputs: sortPorts(inputs).slice(0, 20), outputs: sortPorts(outputs).slice(0, 50), ...(note ? { note } : {}) },
  };
}

/** Walks a parameter value, translating n8n expression strings and keeping literal `{{` literal. */
function translateValue(value: unknown, field: string, pending: { translated: number; flagged: { field: string; text: string; reason: string }[] }): unknown {
  if (typeof value === "string") {
    const t = translateParameterString(value);
    if (t.expression && t.translated) pending.translated += 1;
    if (t.expression && !t.translated) pending.flagged.push({ field, text: value, reason: t.reason ?? "not translatable" });
    return t.value;
  }
  if (Array.isArray(value)) return value.map((v, i) => translateValue(v, `${field}[${i}]`, pending));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translateValue(v, `${field}.${k}`, pending)]));
  return value;
}

/** Literal JSON, its `{{` kept literal. */
function literalValue(value: unknown): unknown {
  if (typeof value === "string") return literalText(value);
  if (Array.isArray(value)) return value.map(literalValue);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalValue(v)]));
  return value;
}

/** A parameter n8n parses as JSON after filling in its expressions; other values are walked as any parameter. */
function translateJson(value: unknown, field: string, pending: { translated: number; flagged: { field: string; text: string; reason: string }[] }): unknown {
  if (typeof value !== "string") return translateValue(value, field, pending);
  const t = translateJsonParameter(value);
  if (!t.expression) return literalValue(t.value);
  if (t.translated) pending.translated += 1;
  else pending.flagged.push({ field, text: value, reason: t.reason ?? "not translatable" });
  return t.value;
}

function pinnedData(value: unknown, idOf: Map<string, Placed>, report: FlowReportBuilder, path: string): Record<string, { json: Record<string, unknown> }[]> | null {
  if (!isRecord(value)) return null;
  const out: Record<string, { json: Record<string, unknown> }[]> = {};
  for (const [name, items] of Object.entries(value)) {
    const target = idOf.get(name);
    if (!target?.mapped || !Array.isArray(items)) {
      report.problem({ path: `${path}pinData[${JSON.stringify(name)}]`, message: `pinned data for "${name}", which is not a node of this workflow; it was left out`, severity: "warning" });
      continue;
    }
    out[target.id] = items.slice(0, 1000).map((item) => (isRecord(item) && isRecord(item.json) ? { json: item.json } : { json: isRecord(item) ? item : { value: item } }));
  }
  return Object.keys(out).length ? out : null;
}
