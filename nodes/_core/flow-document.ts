import { z } from "zod";
import { checkJson, ENVELOPE_DEPTH, jsonMaxDepth } from "./json-check";

/**
 * The flow document: what the editor edits, what a flow version stores and what export/import moves.
 * One schema, used on every boundary (save, import, run).
 */
export const FLOW_SCHEMA_VERSION = 1;
export const FLOW_SCHEMA_TAG = `streamware.flow/${FLOW_SCHEMA_VERSION}` as const;

type FlowDocumentMigration = (document: Record<string, unknown>) => Record<string, unknown>;

/**
 * Named steps from each stored version of the document to the next: `flowDocumentMigrations[n]` takes a version n
 * document to version n + 1. A change to the document's shape bumps FLOW_SCHEMA_VERSION and adds its step here;
 * none yet, version 1 is the only one.
 */
const flowDocumentMigrations: Readonly<Partial<Record<number, FlowDocumentMigration>>> = {};

/**
 * Brings a document of an earlier version up to FLOW_SCHEMA_VERSION, one step at a time. Anything else (the
 * current version, an unknown tag, not a document at all) is returned as it is, for the schema to judge.
 */
export function migrateFlowDocument(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const tag = (input as { schema?: unknown }).schema;
  const match = typeof tag === "string" ? /^streamware\.flow\/(\d+)$/.exec(tag) : null;
  let version = match ? Number(match[1]) : FLOW_SCHEMA_VERSION;
  if (version >= FLOW_SCHEMA_VERSION) return input;
  let document = input as Record<string, unknown>;
  while (version < FLOW_SCHEMA_VERSION) {
    const step = flowDocumentMigrations[version];
    if (!step) return input;
    document = step(document);
    version += 1;
  }
  return { ...document, schema: FLOW_SCHEMA_TAG };
}

const id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 letters, digits, '-' or '_'");

const position = z.object({ x: z.number().finite(), y: z.number().finite() });

const port = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a port name of letters, digits, '-' or '_'");

export const credentialRefSchema = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1, "a credential reference needs the credential's name"),
});

export const retrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(10),
  backoffMs: z.number().int().min(0).max(3_600_000).default(1000),
});

export const flowNodeSchema = z.object({
  id,
  type: z
    .string()
    .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, "must be a dotted node type such as \"core.webhook\""),
  typeVersion: z.number().int().min(1).default(1),
  name: z.string().trim().min(1, "a node needs a name").max(120),
  position,
  config: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), credentialRefSchema).default({}),
  disabled: z.boolean().default(false),
  retry: retrySchema.optional(),
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  onError: z.enum(["stop", "continue", "errorPort"]).default("stop"),
});

export const flowEdgeSchema = z.object({
  id,
  source: id,
  sourcePort: port.default("out"),
  target: id,
  targetPort: port.default("in"),
});

export const stickyNoteSchema = z.object({
  id,
  text: z.string().max(10_000),
  position,
  width: z.number().positive().max(5000).default(240),
  height: z.number().positive().max(5000).default(160),
  color: z.enum(["yellow", "blue", "green", "pink", "gray"]).default("yellow"),
});

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const flowSettingsSchema = z.object({
  timezone: z.string().refine(isTimeZone, "must be an IANA time zone such as \"Europe/Warsaw\"").default("UTC"),
  keepRuns: z.enum(["all", "failed", "none"]).default("all"),
  errorFlowId: z.string().min(1).optional(),
});

const binaryRefSchema = z.object({
  id: z.string().min(1),
  mimeType: z.string().min(1),
  fileName: z.string().optional(),
  size: z.number().int().min(0),
});

/** One item as it travels along an edge. */
export const itemSchema = z.object({
  json: z.record(z.string(), z.unknown()),
  binary: z.record(z.string(), binaryRefSchema).optional(),
});

export const flowDocumentSchema = z
  .object({
    schema: z.literal(FLOW_SCHEMA_TAG, { error: (issue) => schemaTagMessage(issue.input) }),
    nodes: z.array(flowNodeSchema).max(5000).default([]),
    edges: z.array(flowEdgeSchema).max(20000).default([]),
    notes: z.array(stickyNoteSchema).max(1000).default([]),
    settings: flowSettingsSchema.default({ timezone: "UTC", keepRuns: "all" }),
    /** Test data: a pinned node is not run by manual runs of the draft; its pinned items are its output. */
    pinData: z.record(id, z.array(itemSchema).max(1000)).optional(),
  })
  // Cross-references are checked even when some node is malformed, so one save reports every problem.
  .superRefine(checkReferences, {
    when: ({ value }) => isRecord(value) && Array.isArray(value.nodes) && Array.isArray(value.edges),
  });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** A document from a newer Streamware is told apart from one that is not a flow document at all. */
function schemaTagMessage(input: unknown): string {
  const match = typeof input === "string" ? /^streamware\.flow\/(\d+)$/.exec(input) : null;
  if (match && Number(match[1]) > FLOW_SCHEMA_VERSION) {
    return `"${String(input)}" is a flow document from a newer Streamware; this one reads versions up to ${FLOW_SCHEMA_VERSION} ("${FLOW_SCHEMA_TAG}"): update Streamware to import it`;
  }
  return `must be "${FLOW_SCHEMA_TAG}"`;
}

function checkReferences(doc: { nodes: unknown[]; edges: unknown[]; pinData?: unknown }, ctx: z.RefinementCtx): void {
  const nodeIds = new Set<unknown>();
  const names = new Set<unknown>();
  doc.nodes.forEach((node, i) => {
    if (!isRecord(node)) return;
    if (nodeIds.has(node.id)) {
      ctx.addIssue({ code: "custom", path: ["nodes", i, "id"], message: `duplicate node id "${String(node.id)}"` });
    }
    nodeIds.add(node.id);
    // Expressions refer to earlier nodes by name, so names must be unambiguous.
    if (names.has(node.name)) {
      ctx.addIssue({ code: "custom", path: ["nodes", i, "name"], message: `duplicate node name "${String(node.name)}"` });
    }
    names.add(node.name);
  });
  const edgeIds = new Set<unknown>();
  doc.edges.forEach((edge, i) => {
    if (!isRecord(edge)) return;
    if (edgeIds.has(edge.id)) {
      ctx.addIssue({ code: "custom", path: ["edges", i, "id"], message: `duplicate edge id "${String(edge.id)}"` });
    }
    edgeIds.add(edge.id);
    for (const end of ["source", "target"] as const) {
      if (!nodeIds.has(edge[end])) {
        ctx.addIssue({ code: "custom", path: ["edges", i, end], message: `no node with id "${String(edge[end])}"` });
      }
    }
    if (edge.source === edge.target) {
      ctx.addIssue({ code: "custom", path: ["edges", i, "target"], message: "an edge cannot connect a node to itself" });
    }
  });
  if (isRecord(doc.pinData)) {
    for (const nodeId of Object.keys(doc.pinData)) {
      if (!nodeIds.has(nodeId)) ctx.addIssue({ code: "custom", path: ["pinData", nodeId], message: `pinned data for "${nodeId}", which is not a node of this flow` });
    }
  }
}

export type FlowDocument = z.infer<typeof flowDocumentSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;

export interface FlowDocumentIssue {
  /** Where the problem is, e.g. `nodes[2].position.x`: for locating it, never for showing. */
  path: string;
  /** The problem in words, naming the node and field when it is about one ("Weather: City is required"). */
  message: string;
  /** The same problem as its field shows it, beside the field ("City is required"). */
  fieldMessage?: string;
  /** A warning does not stop the flow from saving, running or activating; it says something will not work as drawn. */
  severity?: "error" | "warning";
  /** The connections a problem is about when it is about several (the edges of a loop), by id. */
  edgeIds?: string[];
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === "number") return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, "");
}

export type ParseFlowDocumentResult =
  | { ok: true; document: FlowDocument }
  | { ok: false; issues: FlowDocumentIssue[] };

/** How deep a flow document may nest: a node's config or pinned item as deep as a value may be, in its envelope. */
export const flowDocumentMaxDepth = () => jsonMaxDepth() + ENVELOPE_DEPTH;

/**
 * Checked before the schema, with a walker that cannot overflow the stack: a document too deep for the code that
 * reads it, or holding text PostgreSQL cannot store, is refused whole with where and why.
 */
function unsafeDocument(input: unknown, maxDepth: number): FlowDocumentIssue | null {
  const problem = checkJson(input, { maxDepth, text: true });
  if (!problem) return null;
  const message =
    problem.kind === "depth"
      ? `nests deeper than ${problem.maxDepth} levels, the limit for flow documents (JSON_MAX_DEPTH + ${ENVELOPE_DEPTH}); flatten it`
      : `holds ${problem.what}, which cannot be stored; remove it`;
  return { path: problem.path === "(value)" ? "(document)" : problem.path, message };
}

export function parseFlowDocument(input: unknown, { maxDepth = flowDocumentMaxDepth() }: { maxDepth?: number } = {}): ParseFlowDocumentResult {
  const unsafe = unsafeDocument(input, maxDepth);
  if (unsafe) return { ok: false, issues: [unsafe] };
  const result = flowDocumentSchema.safeParse(migrateFlowDocument(input));
  if (result.success) return { ok: true, document: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path) || "(document)", message: issue.message })),
  };
}

/**
 * The node an issue is about, and the config field when it is about one: `nodes[2].config.url` → the third
 * node's id and `url`; an edge's issue belongs to the node at the end it names.
 */
export function locateIssue(document: { nodes: { id: string }[]; edges: { source: string; target: string }[] }, path: string): { nodeId: string | null; field: string | null } {
  const node = /^nodes\[(\d+)\](?:\.config\.?(.*))?/.exec(path);
  if (node) return { nodeId: document.nodes[Number(node[1])]?.id ?? null, field: node[2] !== undefined ? node[2] || null : null };
  const edge = /^edges\[(\d+)\](?:\.(source|target|sourcePort|targetPort))?/.exec(path);
  if (edge) {
    const found = document.edges[Number(edge[1])];
    const end = edge[2]?.startsWith("source") ? found?.source : found?.target;
    return { nodeId: end ?? null, field: null };
  }
  const pin = /^pinData\.([A-Za-z0-9_-]+)/.exec(path);
  if (pin) return { nodeId: pin[1] ?? null, field: null };
  return { nodeId: null, field: null };
}

/**
 * An issue as a person reads it, in a notice or a list: the node (or connection) it is about by name, never its
 * internal path. Messages that already name their node are kept as they are.
 */
export function issueInWords(document: { nodes: { id: string; name: string }[]; edges: { source: string; target: string }[] }, issue: FlowDocumentIssue): string {
  if (issue.message.startsWith("Node \"") || issue.message.startsWith("The flow")) return issue.message;
  const node = /^nodes\[(\d+)\]/.exec(issue.path);
  if (node) {
    const name = document.nodes[Number(node[1])]?.name;
    return name ? `Node "${name}": ${issue.message}` : issue.message;
  }
  const edge = /^edges\[(\d+)\]/.exec(issue.path);
  if (edge) {
    const found = document.edges[Number(edge[1])];
    const nameOf = (id: string | undefined) => document.nodes.find((n) => n.id === id)?.name ?? "?";
    return found ? `The connection from "${nameOf(found.source)}" to "${nameOf(found.target)}": ${issue.message}` : issue.message;
  }
  if (issue.path.startsWith("settings")) return `Flow settings: ${issue.message}`;
  return issue.message;
}

/**
 * Where a problem shows in the editor: on its node (and config field), or on its connections. A port that does not
 * exist is its node's problem; a loop, or anything else about an edge as a whole, is the edges'.
 */
export function locateProblem(document: { nodes: { id: string }[]; edges: { id: string; source: string; target: string }[] }, issue: FlowDocumentIssue): { nodeId: string | null; field: string | null; edgeIds: string[] } {
  const whole = /^edges\[(\d+)\]$/.exec(issue.path);
  if (whole) {
    const edge = document.edges[Number(whole[1])];
    return { nodeId: null, field: null, edgeIds: issue.edgeIds ?? (typeof edge?.id === "string" ? [edge.id] : []) };
  }
  const port = /^edges\[(\d+)\]\./.exec(issue.path);
  const edge = port ? document.edges[Number(port[1])] : undefined;
  return { ...locateIssue(document, issue.path), edgeIds: issue.edgeIds ?? (typeof edge?.id === "string" ? [edge.id] : []) };
}

export function describeIssues(issues: FlowDocumentIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}

export function emptyFlowDocument(): FlowDocument {
  return flowDocumentSchema.parse({ schema: FLOW_SCHEMA_TAG });
}
