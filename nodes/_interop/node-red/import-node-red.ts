import { nodeRedSpacing, spreadForCards } from "../card-spacing";
import { FLOW_SCHEMA_TAG, flowDocumentMaxDepth, parseFlowDocument, type FlowDocument } from "../../_core/flow-document";
import { checkJson, describeJsonProblem } from "../../_core/json-check";
import { PLACEHOLDER_PARAMETERS_MAX_CHARS } from "../placeholder-source";
import { flowReportBuilder, type FlowReportBuilder, type ImportProblem, type ImportReport } from "../import-report";
import { mapNode, type Mapped, type NodeRedNode } from "./map-node";

/**
 * The Node-RED importer: an export (a flow array, or `{ flows, rev }` as the admin API gives it) → Streamware flow
 * documents and an import report. Pure: it reads nothing and writes nothing; the caller stores the flows.
 *
 * - Each tab becomes a flow; nodes whose tab is not in the file (a copied snippet) go together into one new flow.
 * - Subflows become flows of their own, and each instance an Execute flow node calling it: a subflow is defined once
 *   and used in many places, so one flow keeps one place to change it, where inlining would copy it into every user.
 * - Links within a tab and junctions become direct connections; a link to another tab (or a link call) becomes an
 *   Execute flow node, and the link in it reaches a manual trigger of that flow.
 * - Catch nodes, with what only they lead to, become the tab's error flow.
 * - Comments and groups become notes; debug nodes pass-through steps; unknown types placeholders. Nothing is dropped
 *   without the report saying so.
 *
 * Flows refer to each other (Execute flow's `flowId`, the settings' `errorFlowId`) by their `key` here; whoever
 * stores them replaces the keys with the stored flows' ids.
 */

export interface ImportedFlow {
  key: string;
  name: string;
  document: FlowDocument;
}

/** As the n8n importer answers: flows only when the whole file imports, else the report says why, by path. */
export type NodeRedImport = { ok: true; flows: ImportedFlow[]; report: ImportReport } | { ok: false; report: ImportReport };

/** Files past this are refused before parsing: the largest real Node-RED exports are a few megabytes. */
export const NODE_RED_MAX_CHARS = 20_000_000;

const STRUCTURAL = new Set(["tab", "subflow", "group"]);
const PASS_THROUGH_NOTE = "junctions and links within a tab became direct connections";
const TRIGGER_TYPES = new Set(["inject", "http in", "mqtt in", "catch", "status", "complete", "link in", "tcp in", "udp in", "websocket in", "watch"]);

/** Whether a parsed JSON value looks like a Node-RED export, for telling it from other tools' files. */
export function isNodeRedExport(value: unknown): boolean {
  const flows = Array.isArray(value) ? value : isRecord(value) && "rev" in value && Array.isArray(value.flows) ? value.flows : null;
  if (!flows || flows.length === 0) return false;
  return flows.every((n) => isRecord(n) && typeof n.id === "string" && typeof n.type === "string" && !("typeVersion" in n)) && flows.some((n) => isRecord(n) && ("wires" in n || "z" in n || n.type === "tab"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function failed(problems: ImportProblem[]): NodeRedImport {
  return { ok: false, report: { source: "node-red", flows: [], problems } };
}

const error = (path: string, message: string): ImportProblem => ({ path, message, severity: "error" });

/** Reads the file into its nodes, or says what is wrong with it and where. */
function readExport(input: unknown): { nodes: NodeRedNode[]; base: string } | { problems: ImportProblem[] } {
  let value = input;
  if (typeof input === "string") {
    if (input.length > NODE_RED_MAX_CHARS) return { problems: [error("(file)", `is ${Math.round(input.length / 1e6)} MB; a Node-RED export is at most ${NODE_RED_MAX_CHARS / 1e6} MB here; split it by tab`)] };
    try {
      value = JSON.parse(input) as unknown;
    } catch (err) {
      return { problems: [error("(file)", `is not JSON (${(err as Error).message}); export the flows from Node-RED's menu (Export → JSON)`)] };
    }
  }
  const maxDepth = flowDocumentMaxDepth();
  const deep = checkJson(value, { maxDepth, text: true });
  if (deep) return { problems: [error(deep.path === "(value)" ? "(file)" : deep.path, describeJsonProblem(deep, { what: "a Node-RED export" }))] };
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.flows) ? value.flows : null;
  if (!list) return { problems: [error("(file)", "is not a Node-RED export: expected an array of nodes, or an object with \"flows\" and \"rev\"")] };
  const base = Array.isArray(value) ? "" : "flows";
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  list.forEach((node, i) => {
    const at = `${base}[${i}]`;
    if (!isRecord(node) || typeof node.id !== "string" || !node.id || typeof node.type !== "string" || !node.type) {
      problems.push(error(at, "is not a Node-RED node: each needs a text \"id\" and \"type\""));
      return;
    }
    const first = seen.get(node.id);
    if (first !== undefined) problems.push(error(`${at}.id`, `duplicate id "${node.id}", also at ${base}[${first}]; give each node its own id`));
    else seen.set(node.id, i);
    if (node.wires !== undefined && !(Array.isArray(node.wires) && node.wires.every((port) => Array.isArray(port) && port.every((t) => typeof t === "string")))) {
      problems.push(error(`${at}.wires`, "must be a list of outputs, each a list of node ids"));
    }
  });
  if (problems.length > 0) return { problems };
  const nodes = list as NodeRedNode[];
  nodes.forEach((node, i) => {
    node.wires?.forEach((port, o) =>
      port.forEach((target, k) => {
        if (!seen.has(target)) problems.push(error(`${base}[${i}].wires[${o}][${k}]`, `"${node.name || node.id}" is wired to "${target}", which is not in the file`));
      }),
    );
  });
  return problems.length > 0 ? { problems } : { nodes, base };
}

/** Config nodes (brokers, TLS settings, dashboards' themes) have no position and no wires. */
function isConfigNode(node: NodeRedNode): boolean {
  return !STRUCTURAL.has(node.type) && node.wires === undefined && node.x === undefined && node.type !== "comment";
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 56) || "node";

interface Container {
  key: string;
  name: string;
  /** The tab or subflow node, or null for the flow of nodes whose tab is not in the file. */
  source: NodeRedNode | null;
  members: NodeRedNode[];
}

/** One real node of a built flow, with our ports for its Node-RED outputs. */
interface Built {
  id: string;
  name: string;
  outputs: (string | null)[];
  input: boolean;
  /** The node an inject's message is built in, whose outputs are the inject's. */
  outFrom: string;
}

class FlowBuilder {
  readonly document: FlowDocument;
  private readonly ids = new Set<string>();
  private readonly names = new Set<string>();
  private edgeCount = 0;

  constructor(readonly report: FlowReportBuilder) {
    this.document = { schema: FLOW_SCHEMA_TAG, nodes: [], edges: [], notes: [], settings: { timezone: "UTC", keepRuns: "all" } };
  }

  id(wanted: string): string {
    let id = safeId(wanted);
    for (let n = 2; this.ids.has(id); n++) id = `${safeId(wanted)}-${n}`;
    this.ids.add(id);
    return id;
  }

  name(wanted: string): string {
    const base = wanted.replace(/[\u0000-\u001F\u007F]/g, " ").trim().slice(0, 110) || "node";
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base} ${n}`;
    this.names.add(name);
    return name;
  }

  edge(source: string, sourcePort: string, target: string): void {
    this.edgeCount += 1;
    this.document.edges.push({ id: `e${this.edgeCount}`, source, sourcePort, target, targetPort: "in" });
  }
}

function positionOf(node: { x?: unknown; y?: unknown }): { x: number; y: number } {
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return { x: num(node.x), y: num(node.y) };
}

/** Properties a placeholder keeps: everything but what the flow document holds itself. */
function parametersOf(node: NodeRedNode, configNode: (id: string) => NodeRedNode | undefined): Record<string, unknown> {
  const { id: _id, type: _type, z: _z, g: _g, x: _x, y: _y, wires: _wires, name: _name, d: _d, ...rest } = node;
  const configNodes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    const config = typeof value === "string" ? configNode(value) : undefined;
    if (config) configNodes[key] = config;
  }
  const parameters = Object.keys(configNodes).length > 0 ? { ...rest, configNodes } : rest;
  return JSON.stringify(parameters).length <= PLACEHOLDER_PARAMETERS_MAX_CHARS ? parameters : { tooLarge: `the original parameters were ${JSON.stringify(parameters).length} characters; see the source file` };
}

const ENV_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;

/** `${NAME}` in any of a node's text properties: Node-RED substitutes environment variables there, we do not. */
function flagEnvironment(node: NodeRedNode, name: string, report: FlowReportBuilder): void {
  const walk = (value: unknown, field: string): void => {
    if (typeof value === "string") {
      if (ENV_REFERENCE.test(value)) report.expressionFlagged({ node: name, field, text: value.slice(0, 200), reason: "Node-RED put an environment variable here; Streamware flows have none, so it is kept as written" });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${field}[${i}]`));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, field ? `${field}.${k}` : k);
  };
  for (const [key, value] of Object.entries(node)) if (!["id", "type", "z", "g", "wires"].includes(key)) walk(value, key);
}

export function importNodeRed(input: unknown): NodeRedImport {
  const read = readExport(input);
  if ("problems" in read) return failed(read.problems);
  const all = read.nodes;
  const byId = new Map(all.map((n) => [n.id, n]));
  const indexOf = new Map(all.map((n, i) => [n.id, i]));
  const configNode = (id: string) => {
    const found = byId.get(id);
    return found && isConfigNode(found) ? found : undefined;
  };
  const fileProblems: ImportProblem[] = [];

  const containers = new Map<string, Container>();
  const keys = new Set<string>();
  const uniqueKey = (wanted: string) => {
    let key = safeId(wanted);
    for (let n = 2; keys.has(key); n++) key = `${safeId(wanted)}-${n}`;
    keys.add(key);
    return key;
  };
  for (const node of all) {
    if (node.type === "tab") containers.set(node.id, { key: uniqueKey(node.id), name: String(node.label || `Flow ${containers.size + 1}`), source: node, members: [] });
    if (node.type === "subflow") containers.set(node.id, { key: uniqueKey(`subflow-${node.id}`), name: `Subflow: ${String(node.name || node.id)}`, source: node, members: [] });
  }
  let loose: Container | null = null;
  const containerOf = new Map<string, Container>();
  for (const node of all) {
    if (STRUCTURAL.has(node.type) && node.type !== "group") continue;
    if (isConfigNode(node)) continue;
    let container = node.z ? containers.get(node.z) : undefined;
    if (!container) container = loose ??= { key: uniqueKey("imported"), name: "Imported from Node-RED", source: null, members: [] };
    container.members.push(node);
    containerOf.set(node.id, container);
  }
  const ordered = [...containers.values(), ...(loose ? [loose] : [])].filter((c) => c.members.length > 0 || c.source);

  // Links: a link in reached from another flow (a link out or call there) starts its flow as a manual trigger.
  const linkTargets = (node: NodeRedNode) => (Array.isArray(node.links) ? (node.links as unknown[]).filter((l): l is string => typeof l === "string" && byId.get(l)?.type === "link in") : []);
  const calledLinkIns = new Set<string>();
  for (const node of all) {
    if (node.type !== "link out" && node.type !== "link call") continue;
    for (const target of linkTargets(node)) if (node.type === "link call" || containerOf.get(target) !== containerOf.get(node.id)) calledLinkIns.add(target);
  }

  const flows: ImportedFlow[] = [];
  const reports: ReturnType<FlowReportBuilder["build"]>[] = [];
  for (const container of ordered) {
    const built = buildContainer({ container, containerOf, byId, configNode, calledLinkIns, linkTargets, placeOf: (id) => `${read.base}[${indexOf.get(id)}]` });
    for (const flow of built) {
      const parsed = parseFlowDocument(flow.document);
      if (!parsed.ok) {
        for (const issue of parsed.issues) fileProblems.push(error(`flows.${flow.key}.${issue.path}`, `the imported flow "${flow.name}" is not valid: ${issue.message}`));
        continue;
      }
      flows.push({ key: flow.key, name: flow.name, document: spreadForCards(parsed.document, nodeRedSpacing) });
      reports.push(flow.report.build());
    }
  }
  all.forEach((node, i) => {
    if (!isConfigNode(node) || node.type === "mqtt-broker") return;
    const used = all.some((other) => other !== node && !isConfigNode(other) && Object.values(other).includes(node.id));
    if (!used) fileProblems.push({ path: `[${i}]`, message: `config node "${String(node.name || node.id)}" (${node.type}) is used by no node, so it was not imported`, severity: "warning" });
  });
  if (fileProblems.some((p) => p.severity === "error")) return failed(fileProblems);
  return { ok: true, flows, report: { source: "node-red", flows: reports, problems: fileProblems } };
}

interface ContainerInput {
  container: Container;
  containerOf: Map<string, Container>;
  byId: Map<string, NodeRedNode>;
  configNode: (id: string) => NodeRedNode | undefined;
  calledLinkIns: Set<string>;
  linkTargets: (node: NodeRedNode) => string[];
  /** Where a node is in the file, such as `flows[3]`, for problems about it. */
  placeOf: (id: string) => string;
}

interface BuiltFlow {
  key: string;
  name: string;
  document: FlowDocument;
  report: FlowReportBuilder;
}

function buildContainer({ container, containerOf, byId, configNode, calledLinkIns, linkTargets, placeOf }: ContainerInput): BuiltFlow[] {
  const report = flowReportBuilder(container.name);
  const flow = new FlowBuilder(report);
  const built = new Map<string, Built>();
  /** Junctions and same-tab links: where a wire into them really goes. */
  const passThrough = new Map<string, string[]>();
  const catches: string[] = [];
  const disabledTab = container.source?.type === "tab" && container.source.disabled === true;
  const sameContainer = (id: string) => containerOf.get(id) === container;
  const flowKeyOf = (id: string) => containerOf.get(id)?.key;

  const addNode = (node: NodeRedNode, spec: { type: string; config: Record<string, unknown>; input: boolean; outputs: (string | null)[] }, label: string) => {
    const id = flow.id(node.id);
    const name = flow.name(label);
    flow.document.nodes.push({
      id,
      type: spec.type,
      typeVersion: 1,
      name,
      position: positionOf(node),
      config: spec.config,
      credentials: {},
      disabled: node.d === true || disabledTab,
      onError: "stop",
    });
    const entry: Built = { id, name, outputs: spec.outputs, input: spec.input, outFrom: id };
    built.set(node.id, entry);
    return entry;
  };
  const addPlaceholder = (node: NodeRedNode, label: string, reason: string) => {
    const outputs = Array.from({ length: node.wires?.length ?? 0 }, (_, i) => (i === 0 ? "out" : `out-${i + 1}`));
    const entry = addNode(
      node,
      {
        type: "core.placeholder",
        config: { source: "node-red", sourceType: node.type, parameters: parametersOf(node, configNode), inputs: TRIGGER_TYPES.has(node.type) ? [] : ["in"], outputs, note: reason.slice(0, 2000) },
        input: !TRIGGER_TYPES.has(node.type),
        outputs,
      },
      label,
    );
    report.placeholder({ name: entry.name, sourceType: node.type, note: reason });
  };

  // The subflow's input is where an Execute flow node's items arrive.
  if (container.source?.type === "subflow") {
    const sub = container.source;
    const inputs = Array.isArray(sub.in) ? (sub.in as { x?: number; y?: number; wires?: { id?: string }[] }[]) : [];
    const entry = inputs[0];
    if (entry) {
      const id = flow.id("subflow-input");
      const name = flow.name("Subflow input");
      flow.document.nodes.push({ id, type: "core.manual-trigger", typeVersion: 1, name, position: positionOf(entry), config: {}, credentials: {}, disabled: false, onError: "stop" });
      built.set(`${sub.id}#in`, { id, name, outputs: ["out"], input: false, outFrom: id });
      passThrough.set(`${sub.id}#in-wires`, (entry.wires ?? []).map((w) => String(w.id)));
    }
    const outputs = Array.isArray(sub.out) ? sub.out.length : 0;
    if (outputs > 1) report.note(`the subflow has ${outputs} outputs; the flow returns its last step's items as one`);
    if (Array.isArray(sub.env) && sub.env.length > 0) report.note("the subflow's environment properties were not carried over");
  }
  if (container.source?.type === "tab" && Array.isArray(container.source.env) && container.source.env.length > 0) report.note("the tab's environment variables were not carried over");
  if (disabledTab) report.note("the tab was disabled in Node-RED, so every node of it is disabled");

  for (const node of container.members) {
    const label = String(node.name || node.type);
    if (node.type === "comment") {
      const info = typeof node.info === "string" && node.info.trim() ? `\n\n${node.info}` : "";
      // Node-RED draws a comment as a node-sized box around its position; the note takes that box, in Node-RED's
      // units like the rest of the canvas (spread for our cards afterwards).
      const centre = positionOf(node);
      flow.document.notes.push({ id: flow.id(node.id), text: `${String(node.name || "")}${info}`.slice(0, 10_000), position: { x: centre.x - 80, y: centre.y - 20 }, width: 160, height: 50, color: "yellow" });
      report.mapped();
      continue;
    }
    if (node.type === "group") {
      const size = (v: unknown, fallback: number) => (typeof v === "number" && v > 0 ? Math.min(v, 5000) : fallback);
      const info = typeof node.info === "string" && node.info.trim() ? `\n\n${node.info}` : "";
      flow.document.notes.push({ id: flow.id(node.id), text: `${String(node.name || "Group")}${info}`.slice(0, 10_000), position: positionOf(node), width: size(node.w, 240), height: size(node.h, 160), color: "gray" });
      report.mapped();
      continue;
    }
    if (node.type === "junction") {
      passThrough.set(node.id, node.wires?.[0] ?? []);
      report.mapped();
      report.note(PASS_THROUGH_NOTE);
      continue;
    }
    if (node.type === "link in" && !calledLinkIns.has(node.id)) {
      passThrough.set(node.id, node.wires?.[0] ?? []);
      report.mapped();
      report.note(PASS_THROUGH_NOTE);
      continue;
    }
    if (node.type === "link in") {
      addNode(node, { type: "core.manual-trigger", config: {}, input: false, outputs: ["out"] }, label);
      report.mapped();
      report.note(`"${label}" is reached from another flow, so it starts this flow when an Execute flow node calls it`);
      continue;
    }
    if (node.type === "link out" && node.mode === "return") {
      addNode(node, { type: "core.set", config: { fields: [], keepOnlySet: false }, input: true, outputs: [] }, label);
      report.mapped();
      report.note(`"${label}" returned to the link call; the flow's last items go back to the Execute flow node that called it`);
      continue;
    }
    if (node.type === "link out" || node.type === "link call") {
      const targets = linkTargets(node);
      if (node.type === "link call" && targets.length === 0) {
        addPlaceholder(node, label, "it calls a link chosen at run time (or one not in the file), which an Execute flow node cannot do");
        continue;
      }
      const local = node.type === "link out" ? targets.filter(sameContainer) : [];
      const remote = [...new Set(targets.filter((t) => node.type === "link call" || !sameContainer(t)).map((t) => flowKeyOf(t)))];
      if (remote.length === 0) {
        passThrough.set(node.id, local);
        report.mapped();
        report.note(PASS_THROUGH_NOTE);
        continue;
      }
      if (remote.length > 1 || local.length > 0) {
        addPlaceholder(node, label, "it links to several flows at once; use one Execute flow node per flow");
        continue;
      }
      if (remote[0] === container.key) {
        addPlaceholder(node, label, "it calls a link in the same flow, which an Execute flow node cannot do");
        continue;
      }
      addNode(node, { type: "core.execute-flow", config: { flowId: remote[0] }, input: true, outputs: node.type === "link call" ? ["out"] : [] }, label);
      report.mapped();
      continue;
    }
    if (node.type.startsWith("subflow:")) {
      const target = containerOf.get(node.type.slice("subflow:".length)) ?? [...containerOf.values()].find((c) => c.source?.id === node.type.slice("subflow:".length));
      if (!target) {
        addPlaceholder(node, label, `the subflow "${node.type.slice(8)}" it runs is not in the file`);
        continue;
      }
      const outputs = Array.from({ length: node.wires?.length ?? 0 }, (_, i) => (i === 0 ? "out" : null));
      addNode(node, { type: "core.execute-flow", config: { flowId: target.key }, input: true, outputs }, label === node.type ? target.name : label);
      report.mapped();
      if (Array.isArray(node.env) && node.env.length > 0) report.note(`"${label}": the values it set for the subflow's properties were not carried over`);
      flagEnvironment(node, label, report);
      continue;
    }
    if (node.type === "catch") {
      const entry = addNode(node, { type: "core.manual-trigger", config: {}, input: false, outputs: ["out"] }, label);
      catches.push(node.id);
      report.mapped();
      if (Array.isArray(node.scope) && node.scope.length > 0) report.note(`"${entry.name}" caught errors of some nodes only; the error flow runs for any failure of the flow`);
      continue;
    }
    const outcome = mapNode(node, { configNode });
    if (outcome.kind === "placeholder") {
      addPlaceholder(node, label, outcome.reason);
      flagEnvironment(node, label, report);
      continue;
    }
    const entry = addNode(node, outcome, label);
    recordMapped({ outcome, entry, report });
    if (outcome.credential) {
      flow.document.nodes.at(-1)!.credentials = { [outcome.credential.type]: { name: outcome.credential.name } };
      if (!configNode(String(node.broker ?? ""))) report.problem({ path: `${placeOf(node.id)}.broker`, message: `"${entry.name}": its broker config node "${String(node.broker ?? "")}" is not in the file; connect a credential by hand`, severity: "warning" });
    }
    if (outcome.follower) {
      const id = flow.id(`${node.id}-msg`);
      const name = flow.name(`${entry.name} message`);
      const at = positionOf(node);
      flow.document.nodes.push({ id, type: "core.set", typeVersion: 1, name, position: { x: at.x + 160, y: at.y + 60 }, config: outcome.follower.config, credentials: {}, disabled: node.d === true || disabledTab, onError: "stop" });
      flow.edge(entry.id, "out", id);
      entry.outFrom = id;
    }
    flagEnvironment(node, entry.name, report);
  }

  // Wires: through junctions and same-tab links to the real nodes they reach.
  const resolve = (id: string, seen: Set<string>): string[] => {
    if (built.has(id)) return [id];
    const next = passThrough.get(id);
    if (!next || seen.has(id)) return [];
    seen.add(id);
    return next.flatMap((t) => resolve(t, seen));
  };
  const wires: { from: Built; port: string | null; to: string; fromLabel: string }[] = [];
  const wireSources: [string, string[][], string][] = container.members.filter((n) => n.wires).map((n) => [n.id, n.wires!, String(n.name || n.type)]);
  const subIn = built.get(`${container.source?.id}#in`);
  if (subIn) wireSources.push([`${container.source!.id}#in`, [passThrough.get(`${container.source!.id}#in-wires`) ?? []], subIn.name]);
  for (const [sourceId, ports, fromLabel] of wireSources) {
    const from = built.get(sourceId);
    ports.forEach((targets, o) => {
      for (const target of targets) {
        const name = String(byId.get(target)?.name || byId.get(target)?.type || target);
        if (!from) {
          // A wire out of a junction or link is kept when what it leads to is reached.
          if (passThrough.has(sourceId) && resolve(target, new Set()).length > 0) report.connectionKept();
          else if (passThrough.has(sourceId)) report.connectionDropped({ from: fromLabel, to: name, reason: "it leads to no node" });
          continue;
        }
        if (!sameContainer(target) && !passThrough.has(target)) {
          report.connectionDropped({ from: from.name, to: name, reason: "the node it leads to is in another flow" });
          continue;
        }
        const port = from.outputs[o] ?? null;
        if (port === null) {
          report.connectionDropped({ from: from.name, to: name, reason: `the Streamware node has no output ${o + 1}` });
          continue;
        }
        const reached = resolve(target, new Set());
        if (reached.length === 0) report.connectionDropped({ from: from.name, to: name, reason: "it leads to no node" });
        else report.connectionKept();
        for (const t of reached) wires.push({ from, port, to: t, fromLabel: from.name });
      }
    });
  }

  // Catch nodes, with what only they lead to, move to an error flow of this flow.
  const sourceIds = new Map([...built].map(([sourceId, entry]) => [entry, sourceId]));
  const sourceOf = (entry: Built) => sourceIds.get(entry)!;
  const incoming = new Map<string, string[]>();
  for (const wire of wires) incoming.set(wire.to, [...(incoming.get(wire.to) ?? []), sourceOf(wire.from)]);
  const inError = new Set<string>(catches);
  let grew = catches.length > 0;
  while (grew) {
    grew = false;
    for (const [nodeId, sources] of incoming) {
      if (!inError.has(nodeId) && sources.every((s) => inError.has(s))) {
        inError.add(nodeId);
        grew = true;
      }
    }
  }
  const seenEdges = new Set<string>();
  const errorFlow = inError.size > 0 ? new FlowBuilder(flowReportBuilder(`${container.name}: errors`)) : null;
  for (const wire of wires) {
    const target = built.get(wire.to)!;
    const key = `${wire.from.outFrom}|${wire.port}|${target.id}`;
    if (seenEdges.has(key) || wire.from.outFrom === target.id) continue;
    seenEdges.add(key);
    const fromError = inError.has(sourceOf(wire.from));
    if (fromError !== inError.has(wire.to)) {
      report.connectionDropped({ from: wire.fromLabel, to: target.name, reason: "it leads from the error flow back into the flow" });
      continue;
    }
    (fromError ? errorFlow! : flow).edge(wire.from.outFrom, wire.port!, target.id);
  }
  const key = container.key;
  const flows: BuiltFlow[] = [{ key, name: container.name, document: flow.document, report }];
  if (errorFlow) {
    const errorKey = `${key}-errors`.slice(0, 64);
    const moved = new Set([...inError].map((id) => built.get(id)!.id));
    for (const b of built.values()) if (moved.has(b.id) && b.outFrom !== b.id) moved.add(b.outFrom);
    errorFlow.document.nodes.push(...flow.document.nodes.filter((n) => moved.has(n.id)));
    flow.document.nodes = flow.document.nodes.filter((n) => !moved.has(n.id));
    flow.document.edges = flow.document.edges.filter((e) => {
      if (!moved.has(e.source)) return true;
      errorFlow.document.edges.push({ ...e, id: `${e.id}-err` });
      return false;
    });
    flow.document.settings.errorFlowId = errorKey;
    report.note(`its catch nodes and what they lead to became the error flow "${container.name}: errors", which runs when this flow fails`);
    flows.push({ key: errorKey, name: `${container.name}: errors`, document: errorFlow.document, report: errorFlow.report });
  }
  return flows;
}

function recordMapped({ outcome, entry, report }: { outcome: Mapped; entry: Built; report: FlowReportBuilder }): void {
  report.mapped();
  for (let i = 0; i < outcome.translated; i++) report.expressionTranslated();
  for (const flag of outcome.flags) report.expressionFlagged({ node: entry.name, field: flag.field, text: flag.text, reason: flag.reason });
  for (const note of outcome.notes) report.note(`"${entry.name}": ${note}`);
  if (outcome.credential) report.credential({ node: entry.name, name: outcome.credential.name, type: outcome.credential.type });
}
