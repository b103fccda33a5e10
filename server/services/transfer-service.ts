import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { canonicalJson } from "../../nodes/_core/canonical-json";
import type { FlowDocument } from "../../nodes/_core/flow-document";
import { upgradeNodes } from "../../nodes/_core/node-upgrade";
import { rebindFlowReferences } from "../../nodes/_interop/flow-references";
import type { ImportReport } from "../../nodes/_interop/import-report";
import { FLOW_EXPORT_TAG, WORKSPACE_BUNDLE_TAG, type CredentialReference, type FlowExport, type WorkspaceBundle } from "../../nodes/_interop/transfer-files";
import { nodeRegistry } from "../../nodes/registry";
import { declaredWebhookPaths, withCopiedWebhookPaths } from "../../nodes/webhook/webhook-triggers";
import { credentialReferences, credentialTypeOf, portableDocument, readImportFile, type FileProblem, type ImportedFlow, type ImportFile, type ImportFormat } from "../flow-import";
import { activationService, isRouteClash, requireActivatable, routeClash, webhookRoutes } from "./activation-service";
import { auditService } from "./audit-service";
import { flowService } from "./flow-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

/**
 * Moving flows in and out of a workspace as files: one flow's export, a whole workspace's bundle, and imports of
 * those and of n8n and Node-RED exports. An import is previewed against the workspace before anything is written
 * (what each flow would create or replace, every conflict, which credentials are here), then applied in one
 * transaction with a resolution per conflicting flow. Files are written with `canonicalJson`, so the same flows
 * always give the same bytes.
 */

interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

type Tx = Prisma.TransactionClient;

export type Resolution = "rename" | "replace" | "skip";

export interface Conflict {
  kind: "id" | "name" | "webhookPath";
  message: string;
}

export interface PlannedFlow {
  key: string;
  name: string;
  nodes: number;
  /** The flow of this workspace the imported one would replace: the one with its id, else with its name. */
  existing: { flowId: string; name: string } | null;
  conflicts: Conflict[];
  draftOnly: string | null;
}

export type Preview =
  | { ok: false; message: string; problems: FileProblem[] }
  | {
      ok: true;
      format: ImportFormat;
      flows: PlannedFlow[];
      /** Each credential the file's flows use, with the credential of this workspace it binds to (same name and type). */
      credentials: { name: string; type: string; credentialId: string | null }[];
      report: ImportReport | null;
      problems: FileProblem[];
    };

export interface AppliedImport {
  flows: { key: string; flowId: string | null; name: string; action: "created" | "replaced" | "skipped" }[];
  report: ImportReport | null;
  credentialsMissing: CredentialReference[];
}

/** What an import is compared with: the workspace's flows, their webhook paths, and its credentials. */
interface WorkspaceState {
  flows: { id: string; name: string; paths: string[] }[];
  credentials: { id: string; name: string; type: string }[];
}

async function workspaceState({ db, workspaceId }: { db: Db | Tx; workspaceId: string }): Promise<WorkspaceState> {
  const [flows, routes, credentials] = await Promise.all([
    db.flow.findMany({ where: { workspaceId }, select: { id: true, name: true, draft: true } }),
    db.webhookRoute.findMany({ where: { workspaceId }, select: { flowId: true, path: true } }),
    db.credential.findMany({ where: { workspaceId }, select: { id: true, name: true, type: true } }),
  ]);
  return {
    flows: flows.map((flow) => ({
      id: flow.id,
      name: flow.name,
      // A stored draft was parsed when it was saved; the live version's paths are its routes.
      paths: [...new Set([...declaredWebhookPaths(flow.draft as FlowDocument).map((d) => d.path), ...routes.filter((r) => r.flowId === flow.id).map((r) => r.path)])],
    })),
    credentials,
  };
}

function webhookPathsOf(flow: ImportedFlow): string[] {
  return [...new Set([flow.draft, ...flow.versions.map((v) => v.document)].flatMap((document) => declaredWebhookPaths(document).map((d) => d.path)))];
}

/** Each imported flow against the workspace: what it would replace and what it clashes with. Pure. */
function planFlows({ flows, state }: { flows: ImportedFlow[]; state: WorkspaceState }): PlannedFlow[] {
  return flows.map((flow) => {
    const byId = flow.sourceId ? state.flows.find((f) => f.id === flow.sourceId) : undefined;
    const byName = state.flows.find((f) => f.name === flow.name);
    const existing = byId ?? byName ?? null;
    const conflicts: Conflict[] = [];
    if (byId) conflicts.push({ kind: "id", message: `This workspace already has this flow (same id), named "${byId.name}".` });
    if (byName) conflicts.push({ kind: "name", message: `A flow named "${byName.name}" is already in this workspace.` });
    for (const path of webhookPathsOf(flow)) {
      const holder = state.flows.find((f) => f.id !== existing?.id && f.paths.includes(path));
      if (holder) conflicts.push({ kind: "webhookPath", message: `The webhook path "${path}" is already used by the flow "${holder.name}".` });
    }
    return {
      key: flow.key,
      name: flow.name,
      nodes: flow.draft.nodes.length,
      existing: existing ? { flowId: existing.id, name: existing.name } : null,
      conflicts,
      draftOnly: flow.draftOnly,
    };
  });
}

function bindCredentials({ credentials, state }: { credentials: CredentialReference[]; state: WorkspaceState }) {
  return credentials.map(({ name, type }) => ({ name, type, credentialId: state.credentials.find((c) => c.name === name && c.type === type)?.id ?? null }));
}

/**
 * Each credential reference pointed at this workspace's credential of the same name and type, by id; one with no
 * such credential keeps its name only, to be created later (the run then says which is missing).
 */
function rebindCredentials(document: FlowDocument, state: WorkspaceState): FlowDocument {
  return {
    ...document,
    nodes: document.nodes.map((node) => ({
      ...node,
      credentials: Object.fromEntries(
        Object.entries(node.credentials).map(([slot, ref]) => {
          const type = credentialTypeOf(node, slot);
          const found = state.credentials.find((c) => c.name === ref.name && c.type === type);
          // An id from the file means something in the workspace it came from alone.
          return [slot, found ? { id: found.id, name: ref.name } : { name: ref.name }];
        }),
      ),
    })),
  };
}

/** "<name> (2)", else "(3)", …: the first no flow of the workspace has, within the name limit. */
function renamed(name: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${name.slice(0, 120 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A file name from a flow's or workspace's name: letters, digits and dashes. */
function fileNameOf(name: string): string {
  return (
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "flow"
  );
}

function documentOf(stored: unknown): FlowDocument {
  return portableDocument(upgradeNodes(stored as FlowDocument, nodeRegistry));
}

function previewOf({ file, state }: { file: Extract<ImportFile, { ok: true }>; state: WorkspaceState }): Extract<Preview, { ok: true }> {
  return {
    ok: true,
    format: file.format,
    flows: planFlows({ flows: file.flows, state }),
    credentials: bindCredentials({ credentials: file.credentials, state }),
    report: file.report,
    problems: file.problems,
  };
}

export const transferService = {
  /** A flow's draft, or its version `version`, as an export file; credentials by name and type only. */
  async exportFlow({ db, userId, workspaceId, flowId, version }: Scope & { flowId: string; version?: number }): Promise<{ fileName: string; text: string }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { name: true, draft: true } });
    if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
    let stored: unknown = flow.draft;
    if (version !== undefined) {
      const found = await db.flowVersion.findFirst({ where: { flowId, workspaceId, number: version }, select: { document: true } });
      if (!found) throw new ServiceError({ code: "NOT_FOUND", message: `Version ${version} of this flow not found` });
      stored = found.document;
    }
    const document = documentOf(stored);
    const file: FlowExport = { schema: FLOW_EXPORT_TAG, name: flow.name, document, credentials: credentialReferences([document]) };
    return { fileName: `${fileNameOf(flow.name)}${version !== undefined ? `-v${version}` : ""}.json`, text: canonicalJson(file) };
  },

  /**
   * Every flow of the workspace as a bundle: its draft, tags and live version, or with `includeVersions` every
   * version. Flows are listed by name (then id), so the bundle does not depend on the order they were stored in.
   */
  async exportWorkspace({ db, userId, workspaceId, includeVersions }: Scope & { includeVersions: boolean }): Promise<{ fileName: string; text: string }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true, slug: true } });
    const flows = await db.flow.findMany({
      where: { workspaceId },
      select: {
        id: true,
        name: true,
        tags: true,
        draft: true,
        activeVersion: { select: { number: true } },
        versions: { select: { number: true, message: true, document: true }, orderBy: { number: "asc" } },
      },
    });
    const bundleFlows: WorkspaceBundle["flows"] = flows
      .sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1))
      .map((flow) => {
        const live = flow.activeVersion?.number ?? null;
        const versions = flow.versions.filter((v) => includeVersions || v.number === live);
        return {
          id: flow.id,
          name: flow.name,
          tags: flow.tags,
          draft: documentOf(flow.draft),
          versions: versions.map((v) => ({ number: v.number, message: v.message, document: documentOf(v.document) })),
          activeVersion: live,
        };
      });
    const documents = bundleFlows.flatMap((f) => [f.draft, ...f.versions.map((v) => v.document)]) as FlowDocument[];
    const bundle: WorkspaceBundle = { schema: WORKSPACE_BUNDLE_TAG, workspace: { name: workspace.name }, flows: bundleFlows, credentials: credentialReferences(documents) };
    return { fileName: `${fileNameOf(workspace.slug)}${includeVersions ? "-with-versions" : ""}.workspace.json`, text: canonicalJson(bundle) };
  },

  /** What importing the file would do here, and every problem with it; nothing is written. */
  async preview({ db, userId, workspaceId, text, fileName }: Scope & { text: string; fileName?: string }): Promise<Preview> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const file = readImportFile({ text, fileName });
    if (!file.ok) return file;
    return previewOf({ file, state: await workspaceState({ db, workspaceId }) });
  },

  /**
   * Imports the file in one transaction: flows, versions, live versions and audit events land together or not at
   * all. Each flow that conflicts needs a resolution: `rename` (a new flow beside the existing one, with a new name,
   * id and, where they clash, webhook paths), `replace` (the existing flow keeps its id and gets the imported draft,
   * and a new version when the file has one) or `skip`; `onConflict` resolves every conflicting flow that
   * `resolutions` does not name. `sameName: "keep"` (the CLI without --on-conflict) lets a
   * flow whose only conflict is its name come in beside the other under the same name, as imports always did.
   * `activate` makes each flow's newest imported version live (the CLI's --activate); a bundle's live versions are
   * live again in any case. Returns, besides what was done, the flows whose triggers the runtime must reload once
   * the transaction has committed.
   */
  async apply({
    db,
    userId,
    workspaceId,
    text,
    fileName,
    resolutions,
    onConflict,
    activate = false,
    sameName = "resolve",
  }: Scope & { text: string; fileName?: string; resolutions: Record<string, Resolution>; onConflict?: Resolution; activate?: boolean; sameName?: "resolve" | "keep" }): Promise<AppliedImport & { triggersChanged: string[]; versions: Record<string, number | null>; webhooks: Record<string, { path: string; methods: string[] }[]> }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const file = readImportFile({ text, fileName, activate });
    if (!file.ok) throw new ServiceError({ code: "BAD_REQUEST", message: file.message, details: { issues: file.problems } });
    const activates = activate || file.flows.some((f) => f.activeVersion !== null);
    if (activates) await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.activate" });

    const unknownKeys = Object.keys(resolutions).filter((key) => !file.flows.some((f) => f.key === key));
    if (unknownKeys.length) throw new ServiceError({ code: "BAD_REQUEST", message: `The file has no flow with the key ${unknownKeys.map((k) => `"${k}"`).join(", ")}; preview it again and use the keys it lists.` });

    try {
      const done = await db.$transaction(
        async (tx) => {
          const state = await workspaceState({ db: tx, workspaceId });
          const planned = planFlows({ flows: file.flows, state });
          const resolutionOf = (p: PlannedFlow): Resolution | undefined => resolutions[p.key] ?? (p.conflicts.length ? onConflict : undefined);
          const unresolved = planned.filter((p) => p.conflicts.length && !resolutionOf(p) && !(sameName === "keep" && p.conflicts.every((c) => c.kind === "name")));
          if (unresolved.length) {
            throw new ServiceError({
              code: "CONFLICT",
              message: `Choose rename, replace or skip for ${unresolved.map((p) => `"${p.name}" (${p.conflicts.map((c) => c.message).join(" ")})`).join("; ")}`,
              details: { keys: unresolved.map((p) => p.key) },
            });
          }
          const takenNames = new Set(state.flows.map((f) => f.name));
          const takenPaths = new Set(state.flows.flatMap((f) => f.paths));
          const idsByKey = new Map<string, string>();
          const flows: AppliedImport["flows"] = [];
          const triggersChanged: string[] = [];
          const versions: Record<string, number | null> = {};
          const webhooks: Record<string, { path: string; methods: string[] }[]> = {};

          for (const [i, flow] of file.flows.entries()) {
            const plan = planned[i]!;
            const resolution = resolutionOf(plan);
            if (resolution === "skip") {
              if (plan.existing) idsByKey.set(flow.key, plan.existing.flowId);
              flows.push({ key: flow.key, flowId: plan.existing?.flowId ?? null, name: plan.existing?.name ?? flow.name, action: "skipped" });
              continue;
            }
            const prepare = (document: FlowDocument) => rebindCredentials(rebindFlowReferences(document, idsByKey), state);
            let draft = prepare(flow.draft);
            let flowVersions = flow.versions.map((v) => ({ ...v, document: prepare(v.document) }));
            const replacing = resolution === "replace" && plan.existing ? plan.existing : null;
            const renaming = resolution === "rename";
            if (renaming && webhookPathsOf(flow).some((p) => takenPaths.has(p))) {
              draft = withCopiedWebhookPaths({ document: draft, taken: takenPaths }).document;
              flowVersions = flowVersions.map((v) => ({ ...v, document: withCopiedWebhookPaths({ document: v.document, taken: takenPaths }).document }));
            }

            let flowId: string;
            let name: string;
            let storedVersions: { id: string; number: number; document: FlowDocument }[] = [];
            if (replacing) {
              flowId = replacing.flowId;
              name = replacing.name;
              // The file's live version, else its newest, becomes the flow's next version; the flow's own stay.
              const source = flowVersions.find((v) => v.number === flow.activeVersion) ?? flowVersions.at(-1);
              if (source) {
                const version = await flowService.saveVersionWithin({ tx, userId, workspaceId, flowId, document: source.document, message: source.message || `Imported from ${fileName ?? "a file"}` });
                storedVersions = [{ id: version.id, number: version.number, document: source.document }];
              }
              await flowService.saveDraftWithin({ tx, userId, workspaceId, flowId, draft, ...(file.format === "streamware.workspace" ? { tags: flow.tags } : {}) });
              if (source && (flow.activeVersion !== null || activate)) webhooks[flow.key] = await activateStored({ tx, userId, workspaceId, flowId, version: storedVersions[0]! });
              triggersChanged.push(flowId);
              flows.push({ key: flow.key, flowId, name, action: "replaced" });
            } else {
              name = renaming && takenNames.has(flow.name) ? renamed(flow.name, takenNames) : flow.name;
              const idFree = !renaming && flow.sourceId !== null && (await tx.flow.findUnique({ where: { id: flow.sourceId }, select: { id: true } })) === null;
              const created = await flowService.createWithin({ tx, userId, workspaceId, name, draft, tags: flow.tags, ...(idFree ? { id: flow.sourceId! } : {}) });
              flowId = created.id;
              for (const version of flowVersions) {
                const stored = await flowService.saveVersionWithin({ tx, userId, workspaceId, flowId, document: version.document, message: version.message, number: version.number });
                storedVersions.push({ id: stored.id, number: stored.number, document: version.document });
              }
              // Saving a version makes it the draft; the file's draft may have moved on since.
              if (storedVersions.length && canonicalJson(storedVersions.at(-1)!.document) !== canonicalJson(draft)) {
                await flowService.saveDraftWithin({ tx, userId, workspaceId, flowId, draft });
              }
              const live = storedVersions.find((v) => v.number === flow.activeVersion) ?? (activate ? storedVersions.at(-1) : undefined);
              if (live) {
                webhooks[flow.key] = await activateStored({ tx, userId, workspaceId, flowId, version: live });
                triggersChanged.push(flowId);
              }
              flows.push({ key: flow.key, flowId, name, action: "created" });
            }
            versions[flow.key] = storedVersions.at(-1)?.number ?? null;
            takenNames.add(name);
            for (const path of [draft, ...flowVersions.map((v) => v.document)].flatMap((d) => declaredWebhookPaths(d).map((p) => p.path))) takenPaths.add(path);
            idsByKey.set(flow.key, flowId);
          }

          await auditService.record({
            tx,
            entry: {
              workspaceId,
              actorId: userId,
              action: "flow.import",
              targetType: "workspace",
              targetId: workspaceId,
              data: { file: fileName ?? null, format: file.format, flows: flows.map((f) => ({ key: f.key, flowId: f.flowId, name: f.name, action: f.action })) },
            },
          });
          return { flows, triggersChanged, versions, webhooks };
        },
        // A bundle of many flows with every version is many writes; the default 5 s would cut a large one off.
        { timeout: 120_000, maxWait: 10_000 },
      );
      const credentials = bindCredentials({ credentials: file.credentials, state: await workspaceState({ db, workspaceId }) });
      return {
        ...done,
        report: file.report,
        credentialsMissing: credentials.filter((c) => c.credentialId === null).map(({ name, type }) => ({ name, type })),
      };
    } catch (err) {
      // Another import or activation took a path between the check above and the write.
      if (isRouteClash(err)) throw routeClash(undefined);
      throw err;
    }
  },
};

/** Makes a stored version live; a webhook path another active flow holds refuses the whole import, naming both. */
async function activateStored({ tx, userId, workspaceId, flowId, version }: { tx: Tx; userId: string; workspaceId: string; flowId: string; version: { id: string; number: number; document: FlowDocument } }) {
  const routes = webhookRoutes(requireActivatable(version.document));
  const holder = await tx.webhookRoute.findFirst({ where: { workspaceId, path: { in: routes.map((r) => r.path) }, NOT: { flowId } }, select: { path: true, flow: { select: { name: true } } } });
  if (holder) {
    throw new ServiceError({ code: "CONFLICT", message: `The webhook path "${holder.path}" is already used by the active flow "${holder.flow.name}"; rename the imported flow (new paths), deactivate "${holder.flow.name}", or change its path. Nothing was imported.` });
  }
  await activationService.activateWithin({ tx, userId, workspaceId, flowId, version, routes });
  return routes.map(({ path, methods }) => ({ path, methods }));
}
