import { z } from "zod";
import { flowTags } from "../_core/flow-tags";

/**
 * The shapes of Streamware's own transfer files: one flow's export and a whole workspace's bundle. Pure, so the
 * server that writes and reads them and the editor that offers them agree on one definition. The flow documents
 * inside are left as `unknown` here: the flow document schema (with its own versions and migrations) judges them,
 * so their problems are reported with their paths inside the file.
 */

export const FLOW_EXPORT_VERSION = 1;
export const FLOW_EXPORT_TAG = `streamware.flow-export/${FLOW_EXPORT_VERSION}` as const;
export const WORKSPACE_BUNDLE_VERSION = 1;
export const WORKSPACE_BUNDLE_TAG = `streamware.workspace/${WORKSPACE_BUNDLE_VERSION}` as const;

/** A credential a flow refers to, by what identifies it in any workspace: never its id, never a secret. */
export const credentialReferenceSchema = z.object({
  name: z.string().min(1, "a credential needs its name").max(200),
  type: z.string().min(1, "a credential needs its type").max(200),
});
export type CredentialReference = z.infer<typeof credentialReferenceSchema>;

/** One flow: its name, one document (its draft or a chosen version) and the credentials that document uses. */
export const flowExportSchema = z.object({
  schema: z.literal(FLOW_EXPORT_TAG),
  name: z.string(),
  document: z.unknown(),
  credentials: z.array(credentialReferenceSchema).max(5000).default([]),
});
export type FlowExport = z.infer<typeof flowExportSchema>;

const flowIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 letters, digits, '-' or '_'");

export const bundleVersionSchema = z.object({
  number: z.number().int().min(1),
  message: z.string().max(500).default(""),
  document: z.unknown(),
});

export const bundleFlowSchema = z
  .object({
    /** The flow's id where it was exported: what the bundle's flows call each other by (Execute flow, error flow). */
    id: flowIdSchema,
    name: z.string(),
    tags: flowTags.default([]),
    draft: z.unknown(),
    /** Every saved version when the bundle was made with them, else only the live one (none for an inactive flow). */
    versions: z.array(bundleVersionSchema).max(10_000).default([]),
    /** The number of the live version, one of `versions`; null for an inactive flow. */
    activeVersion: z.number().int().min(1).nullable().default(null),
  })
  .superRefine((flow, ctx) => {
    const seen = new Set<number>();
    flow.versions.forEach((version, i) => {
      if (seen.has(version.number)) ctx.addIssue({ code: "custom", path: ["versions", i, "number"], message: `version ${version.number} appears twice` });
      seen.add(version.number);
    });
    if (flow.activeVersion !== null && !seen.has(flow.activeVersion)) {
      ctx.addIssue({ code: "custom", path: ["activeVersion"], message: `the live version ${flow.activeVersion} is not among the flow's versions` });
    }
  });
export type BundleFlow = z.infer<typeof bundleFlowSchema>;

export const workspaceBundleSchema = z
  .object({
    schema: z.literal(WORKSPACE_BUNDLE_TAG),
    workspace: z.object({ name: z.string().max(200) }),
    flows: z.array(bundleFlowSchema).max(5000),
    credentials: z.array(credentialReferenceSchema).max(5000).default([]),
  })
  .superRefine((bundle, ctx) => {
    // Flows call each other by id (Execute flow, error flow), so an id twice would be ambiguous. Names may repeat,
    // as they may in a workspace: a flow is never found by its name within a bundle.
    const ids = new Map<string, number>();
    bundle.flows.forEach((flow, i) => {
      const sameId = ids.get(flow.id);
      if (sameId !== undefined) ctx.addIssue({ code: "custom", path: ["flows", i, "id"], message: `the flow id "${flow.id}" is also the id of flows[${sameId}]; each flow needs its own` });
      else ids.set(flow.id, i);
    });
  });
export type WorkspaceBundle = z.infer<typeof workspaceBundleSchema>;

type Migration = (file: Record<string, unknown>) => Record<string, unknown>;

/**
 * Named steps from each earlier bundle version to the next: `workspaceBundleMigrations[n]` takes a version n
 * bundle to version n + 1. A change to the bundle's shape bumps WORKSPACE_BUNDLE_VERSION and adds its step here;
 * none yet, version 1 is the only one. (The flow documents inside migrate through their own steps.)
 */
export const workspaceBundleMigrations: Readonly<Partial<Record<number, Migration>>> = {};

/** The same for one flow's export file. */
export const flowExportMigrations: Readonly<Partial<Record<number, Migration>>> = {};

export type Migrated = { ok: true; file: Record<string, unknown> } | { ok: false; message: string };

/**
 * Brings a tagged file (`<kind>/<n>`) up to the version this build writes, one named step at a time. A newer
 * version, or an older one with no step, is refused with what to do.
 */
export function migrateTransferFile({
  file,
  kind,
  current,
  migrations,
}: {
  file: Record<string, unknown>;
  kind: string;
  current: number;
  migrations: Readonly<Partial<Record<number, Migration>>>;
}): Migrated {
  const tag = file.schema;
  const match = typeof tag === "string" ? new RegExp(`^${kind.replaceAll(".", "\\.")}/(\\d+)$`).exec(tag) : null;
  if (!match) return { ok: false, message: `schema: must be "${kind}/${current}"` };
  let version = Number(match[1]);
  if (version > current) {
    return { ok: false, message: `schema: "${String(tag)}" was written by a newer Streamware; this one reads ${kind} up to version ${current}. Update Streamware, or export again from the newer one as version ${current}.` };
  }
  let migrated = file;
  while (version < current) {
    const step = migrations[version];
    if (!step) return { ok: false, message: `schema: "${String(tag)}" is an old version this Streamware no longer reads (it reads ${kind}/${current}).` };
    migrated = step(migrated);
    version += 1;
  }
  return { ok: true, file: { ...migrated, schema: `${kind}/${current}` } };
}

/** Which of our transfer files the value says it is, by its `schema` tag; null for anything else. */
export function transferFileKind(value: unknown): "flow-export" | "workspace" | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const tag = (value as { schema?: unknown }).schema;
  if (typeof tag !== "string") return null;
  if (/^streamware\.workspace\/\d+$/.test(tag)) return "workspace";
  if (/^streamware\.flow-export\/\d+$/.test(tag)) return "flow-export";
  return null;
}
