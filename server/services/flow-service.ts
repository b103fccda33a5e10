import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { nodeRegistry } from "../../nodes/registry";
import { validateFlow } from "../../nodes/_core/validate";
import { upgradeNodes } from "../../nodes/_core/node-upgrade";
import { ignoredRespondWarnings } from "../../nodes/webhook/respond-mode";
import { disconnectedNodeIssues } from "../../nodes/_core/graph-checks";
import { describeIssues, emptyFlowDocument, locateProblem, parseFlowDocument, type FlowDocument, type FlowDocumentIssue } from "../../nodes/_core/flow-document";
import { declaredWebhookPaths, withCopiedWebhookPaths } from "../../nodes/webhook/webhook-triggers";
import { portableDocument } from "../flow-import";
import { requireActivatable } from "./activation-service";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

const flowSummarySelect = {
  id: true,
  name: true,
  activeVersionId: true,
  activeVersion: { select: { number: true } },
  tags: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { versions: true } },
} as const;

const versionSelect = { id: true, number: true, message: true, authorId: true, createdAt: true } as const;

export interface FlowSummary {
  id: string;
  name: string;
  active: boolean;
  /** The version triggers run; null while the flow is inactive. */
  liveVersionNumber: number | null;
  versionCount: number;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

function toSummary(flow: Prisma.FlowGetPayload<{ select: typeof flowSummarySelect }>): FlowSummary {
  return {
    id: flow.id,
    name: flow.name,
    active: flow.activeVersionId !== null,
    liveVersionNumber: flow.activeVersion?.number ?? null,
    versionCount: flow._count.versions,
    tags: flow.tags,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
  };
}

/** A parsed flow document holds only JSON values (it came from JSON or from the schema's defaults). */
function asJson(document: FlowDocument): Prisma.InputJsonObject {
  return document as unknown as Prisma.InputJsonObject;
}

function parseOrThrow(input: unknown): FlowDocument {
  const parsed = parseFlowDocument(input);
  if (!parsed.ok) {
    throw new ServiceError({
      code: "BAD_REQUEST",
      message: `The flow document is invalid: ${describeIssues(parsed.issues)}`,
      details: { issues: parsed.issues },
    });
  }
  return parsed.document;
}

/**
 * The caller acting in a workspace. Procedures reach this service through `workspaceProcedure`, which has checked
 * the caller's role already; the functions also called from the CLI and pages (get, create, delete, saveVersion,
 * export) check it again themselves.
 */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

type Tx = Prisma.TransactionClient;

const notFound = () => new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });

/** Every query is scoped by workspaceId as well as id: a flow id from another workspace finds nothing. */
async function requireFlow({ db, workspaceId, flowId }: { db: Db | Prisma.TransactionClient; workspaceId: string; flowId: string }) {
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true, name: true } });
  if (!flow) throw notFound();
  return flow;
}

/**
 * A problem found in a document, with the node and config field, or the connections, it is about. Errors stop the
 * flow from running or being saved as a version; warnings (a node no trigger leads to) do not.
 */
export interface LocatedIssue extends FlowDocumentIssue {
  nodeId: string | null;
  field: string | null;
  edgeIds: string[];
  severity: "error" | "warning";
}

/** "<name> (copy)", else "<name> (copy 2)", …: the first no flow of the workspace has, within the name limit. */
function copyName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? " (copy)" : ` (copy ${n})`;
    const candidate = `${name.slice(0, 120 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The webhook paths a stored draft holds; a draft that no longer parses holds none we can read. */
function draftWebhookPaths(draft: unknown): string[] {
  const parsed = parseFlowDocument(draft);
  return parsed.ok ? declaredWebhookPaths(parsed.document).map((d) => d.path) : [];
}

export const flowService = {
  /**
   * Everything that would stop a document from saving or running, and what would keep part of it from ever
   * running, each problem with its node and config field or its edges, so the editor can flag them before a save.
   * Nothing is stored.
   */
  async validate({ db, workspaceId, flowId, document }: Scope & { flowId: string; document: unknown }): Promise<{ issues: LocatedIssue[] }> {
    await requireFlow({ db, workspaceId, flowId });
    const parsed = parseFlowDocument(document);
    const errors = parsed.ok ? validateFlow(parsed.document, nodeRegistry) : parsed.issues;
    const warnings = parsed.ok ? [...disconnectedNodeIssues(parsed.document, nodeRegistry), ...ignoredRespondWarnings(parsed.document, nodeRegistry)] : [];
    const located = parsed.ok ? parsed.document : document && typeof document === "object" ? (document as Partial<FlowDocument>) : {};
    const nodes = Array.isArray(located.nodes) ? located.nodes.filter((n) => n && typeof n === "object") : [];
    const edges = Array.isArray(located.edges) ? located.edges.filter((e) => e && typeof e === "object") : [];
    const locate = (severity: LocatedIssue["severity"]) => (issue: FlowDocumentIssue) => ({ ...issue, ...locateProblem({ nodes, edges }, issue), severity });
    return { issues: [...errors.map(locate("error")), ...warnings.map(locate("warning"))] };
  },

  async list({ db, workspaceId }: Scope): Promise<FlowSummary[]> {
    const flows = await db.flow.findMany({ where: { workspaceId }, select: flowSummarySelect, orderBy: { updatedAt: "desc" } });
    return flows.map(toSummary);
  },

  async get({ db, userId, workspaceId, flowId }: Scope & { flowId: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const flow = await db.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { ...flowSummarySelect, draft: true, versions: { select: versionSelect, orderBy: { number: "desc" }, take: 1 } },
    });
    if (!flow) throw notFound();
    return {
      ...toSummary(flow),
      draft: upgradeNodes(flow.draft as FlowDocument, nodeRegistry),
      latestVersion: flow.versions[0] ?? null,
    };
  },

  async create({ db, userId, workspaceId, name, document }: Scope & { name: string; document?: unknown }): Promise<FlowSummary> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const draft = document === undefined ? emptyFlowDocument() : parseOrThrow(document);
    return db.$transaction((tx) => flowService.createWithin({ tx, userId, workspaceId, name, draft }));
  },

  /**
   * The writes of `create` inside a caller's transaction (an import stores many flows in one): the caller has
   * checked the role and parsed the draft. `id` keeps a flow's id from another instance when it is free.
   */
  async createWithin({ tx, userId, workspaceId, name, draft, tags = [], id }: { tx: Tx; userId: string; workspaceId: string; name: string; draft: FlowDocument; tags?: string[]; id?: string }): Promise<FlowSummary> {
    const flow = await tx.flow.create({
      data: { ...(id ? { id } : {}), workspaceId, name, draft: asJson(draft), tags, createdById: userId },
      select: flowSummarySelect,
    });
    await auditService.record({
      tx,
      entry: { workspaceId, actorId: userId, action: "flow.create", targetType: "flow", targetId: flow.id, data: { name } },
    });
    return toSummary(flow);
  },

  async rename({ db, userId, workspaceId, flowId, name }: Scope & { flowId: string; name: string }): Promise<FlowSummary> {
    return db.$transaction(async (tx) => {
      const before = await requireFlow({ db: tx, workspaceId, flowId });
      const flow = await tx.flow.update({ where: { id: flowId }, data: { name }, select: flowSummarySelect });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "flow.rename", targetType: "flow", targetId: flowId, data: { from: before.name, to: name } },
      });
      return toSummary(flow);
    });
  },

  /** Replaces the flow's tags (already checked and made unique by the `flowTags` schema). */
  async setTags({ db, userId, workspaceId, flowId, tags }: Scope & { flowId: string; tags: string[] }): Promise<FlowSummary> {
    return db.$transaction(async (tx) => {
      const before = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { tags: true } });
      if (!before) throw notFound();
      const flow = await tx.flow.update({ where: { id: flowId }, data: { tags }, select: flowSummarySelect });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "flow.tags", targetType: "flow", targetId: flowId, data: { from: before.tags, to: tags } },
      });
      return toSummary(flow);
    });
  },

  /**
   * A new, inactive flow named "<name> (copy)" with the original's draft and tags. Its webhook paths get a suffix
   * no flow of the workspace uses, so activating both never clashes; `renamedPaths` says which, to tell the person.
   */
  async duplicate({ db, userId, workspaceId, flowId }: Scope & { flowId: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const original = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { name: true, draft: true, tags: true } });
    if (!original) throw notFound();
    const others = await db.flow.findMany({ where: { workspaceId }, select: { name: true, draft: true } });
    const routes = await db.webhookRoute.findMany({ where: { workspaceId }, select: { path: true } });
    const taken = new Set([...routes.map((r) => r.path), ...others.flatMap((f) => draftWebhookPaths(f.draft))]);
    const { document, renamed } = withCopiedWebhookPaths({ document: parseOrThrow(original.draft), taken });
    const name = copyName(original.name, new Set(others.map((f) => f.name)));
    return db.$transaction(async (tx) => {
      const flow = await tx.flow.create({
        data: { workspaceId, name, draft: asJson(document), tags: original.tags, createdById: userId },
        select: flowSummarySelect,
      });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "flow.duplicate", targetType: "flow", targetId: flow.id, data: { from: flowId, name } },
      });
      return { flow: toSummary(flow), copiedFrom: original.name, renamedPaths: renamed };
    });
  },

  async delete({ db, userId, workspaceId, flowId }: Scope & { flowId: string }): Promise<{ id: string; wasActive: boolean }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    return db.$transaction(async (tx) => {
      const flow = await requireFlow({ db: tx, workspaceId, flowId });
      const { activeVersionId } = await tx.flow.delete({ where: { id: flowId }, select: { activeVersionId: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "flow.delete", targetType: "flow", targetId: flowId, data: { name: flow.name } },
      });
      return { id: flowId, wasActive: activeVersionId !== null };
    });
  },

  /** Keeps the editor's working copy; it is validated like a version so a broken draft is never stored. */
  async saveDraft({ db, userId, workspaceId, flowId, document }: Scope & { flowId: string; document: unknown }) {
    const draft = parseOrThrow(document);
    return db.$transaction(async (tx) => {
      await requireFlow({ db: tx, workspaceId, flowId });
      return flowService.saveDraftWithin({ tx, userId, workspaceId, flowId, draft });
    });
  },

  /** The writes of `saveDraft` inside a caller's transaction, for a flow the caller has found in the workspace. */
  async saveDraftWithin({ tx, userId, workspaceId, flowId, draft, tags }: { tx: Tx; userId: string; workspaceId: string; flowId: string; draft: FlowDocument; tags?: string[] }) {
    const flow = await tx.flow.update({ where: { id: flowId }, data: { draft: asJson(draft), ...(tags ? { tags } : {}) }, select: flowSummarySelect });
    await auditService.record({
      tx,
      entry: { workspaceId, actorId: userId, action: "flow.draft.save", targetType: "flow", targetId: flowId },
    });
    return toSummary(flow);
  },

  /**
   * Saving creates a new immutable version (and makes it the draft); stored versions are never changed. A version
   * is checked as activation checks it, so none is numbered that could never run; the draft may stay incomplete.
   */
  async saveVersion({ db, userId, workspaceId, flowId, document, message }: Scope & { flowId: string; document: unknown; message: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    // Found first, so another workspace's flow is "not found" whatever the document holds.
    await requireFlow({ db, workspaceId, flowId });
    const parsed = requireActivatable(parseOrThrow(document), "Not saved as a version, since the flow could not run (save it as a draft until it is complete)");
    return db.$transaction((tx) => flowService.saveVersionWithin({ tx, userId, workspaceId, flowId, document: parsed, message }));
  },

  /**
   * The writes of `saveVersion` inside a caller's transaction, for a document the caller has checked with
   * `requireActivatable`. `number` keeps a version's number from another instance (into a flow that has no
   * versions yet); otherwise the next one is taken.
   */
  async saveVersionWithin({ tx, userId, workspaceId, flowId, document, message, number }: { tx: Tx; userId: string; workspaceId: string; flowId: string; document: FlowDocument; message: string; number?: number }) {
    // Updating the flow row first locks it, so concurrent saves number their versions one after another.
    const updated = await tx.flow.updateMany({ where: { id: flowId, workspaceId }, data: { draft: asJson(document) } });
    if (updated.count === 0) throw notFound();
    const last = number === undefined ? await tx.flowVersion.findFirst({ where: { flowId }, select: { number: true }, orderBy: { number: "desc" } }) : null;
    const version = await tx.flowVersion.create({
      data: { workspaceId, flowId, number: number ?? (last?.number ?? 0) + 1, document: asJson(document), message, authorId: userId },
      select: versionSelect,
    });
    await auditService.record({
      tx,
      entry: { workspaceId, actorId: userId, action: "flow.version.create", targetType: "flow", targetId: flowId, data: { number: version.number } },
    });
    return version;
  },

  /**
   * The active version (else the draft), ready to import elsewhere: credentials are referenced by name only. The
   * export file (`transferService.exportFlow`) adds the schema tag and the credentials' types.
   */
  async export({ db, userId, workspaceId, flowId }: Scope & { flowId: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const flow = await db.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { name: true, draft: true, activeVersion: { select: { document: true } } },
    });
    if (!flow) throw notFound();
    return { name: flow.name, document: portableDocument((flow.activeVersion?.document ?? flow.draft) as FlowDocument) };
  },

  /** The flow's workspace, for callers (the CLI) that have only its id; null when there is no such flow. */
  async workspaceOf({ db, flowId }: { db: Db; flowId: string }): Promise<string | null> {
    const flow = await db.flow.findUnique({ where: { id: flowId }, select: { workspaceId: true } });
    return flow?.workspaceId ?? null;
  },

  async listVersions({ db, workspaceId, flowId }: Scope & { flowId: string }) {
    await requireFlow({ db, workspaceId, flowId });
    return db.flowVersion.findMany({ where: { flowId, workspaceId }, select: versionSelect, orderBy: { number: "desc" } });
  },

  async getVersion({ db, workspaceId, flowId, number }: Scope & { flowId: string; number: number }) {
    const version = await db.flowVersion.findFirst({
      where: { flowId, workspaceId, number },
      select: { ...versionSelect, document: true },
    });
    if (!version) throw new ServiceError({ code: "NOT_FOUND", message: `Version ${number} of this flow not found` });
    return { ...version, document: upgradeNodes(version.document as FlowDocument, nodeRegistry) };
  },
};
