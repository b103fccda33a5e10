import { z } from "zod";
import { RUN_STATUSES } from "../../nodes/_core/run-types";

/**
 * What the REST API answers, as JSON (dates as ISO 8601 text), for the OpenAPI document. The procedures declare no
 * output schemas, so these are written here; the REST tests hold every answer they get to its route's schema, so
 * a field a service adds or drops fails them until this file says so.
 */
const instant = z.iso.datetime();
const id = z.string();

const document = z.looseObject({ schema: z.string(), nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })) }).meta({ description: "A flow document (`\"schema\": \"streamware.flow/1\"`)." });

export const flowSummary = z.strictObject({
  id,
  name: z.string(),
  active: z.boolean(),
  liveVersionNumber: z.number().int().nullable().meta({ description: "The version triggers run; null while the flow is inactive." }),
  versionCount: z.number().int(),
  tags: z.array(z.string()),
  createdAt: instant,
  updatedAt: instant,
});

export const versionSummary = z.strictObject({ id, number: z.number().int(), message: z.string(), authorId: z.string().nullable(), createdAt: instant });

export const flowDetail = flowSummary.extend({ draft: document, latestVersion: versionSummary.nullable() });
export const versionDetail = versionSummary.extend({ document });

export const activation = z.strictObject({
  versionNumber: z.number().int(),
  webhooks: z.array(z.strictObject({ path: z.string(), methods: z.array(z.string()), url: z.string().meta({ description: "Path of the webhook on this server." }) })),
});
export const idOnly = z.strictObject({ id });

const runSummary = z.strictObject({
  id,
  flowId: id,
  flowName: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.string(),
  error: z.looseObject({ message: z.string() }).nullable(),
  versionNumber: z.number().int().nullable().meta({ description: "The version run; null for a run of the draft." }),
  queuedAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  durationMs: z.number().nullable(),
});
export const runPage = z.strictObject({ runs: z.array(runSummary), nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last." }) });
export const runDetail = runSummary.extend({
  input: z.unknown().meta({ description: "What the trigger was given." }),
  output: z.unknown().meta({ description: "The run's output items by port." }),
  steps: z.array(
    z.looseObject({
      nodeId: z.string(),
      nodeName: z.string(),
      nodeType: z.string(),
      status: z.string(),
      attempt: z.number().int(),
      startedAt: instant.nullable(),
      finishedAt: instant.nullable(),
    }),
  ),
}).loose();
export const runRef = z.strictObject({ runId: id });

export const credentialSummary = z.strictObject({
  id,
  name: z.string(),
  type: z.string(),
  fields: z.array(z.string()).meta({ description: "The names of its fields; secret values are never returned." }),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({ description: "Its non-secret fields (URLs, hosts, user names) by name." }),
  createdAt: instant,
  updatedAt: instant,
});

const credentialReference = z.strictObject({ name: z.string(), type: z.string() });

export const flowExportFile = z
  .looseObject({ schema: z.literal("streamware.flow-export/1"), name: z.string(), document, credentials: z.array(credentialReference) })
  .meta({ description: "One flow's export file (`streamware.flow-export/1`), keys sorted: what `POST /imports` takes back." });

export const workspaceBundleFile = z
  .looseObject({
    schema: z.literal("streamware.workspace/1"),
    workspace: z.looseObject({ name: z.string() }),
    flows: z.array(z.looseObject({ id, name: z.string(), tags: z.array(z.string()), draft: document, versions: z.array(z.looseObject({ number: z.number().int(), message: z.string(), document })), activeVersion: z.number().int().nullable() })),
    credentials: z.array(credentialReference),
  })
  .meta({ description: "A workspace bundle (`streamware.workspace/1`), keys sorted: every flow with its draft, tags and live version (or every version)." });

const problem = z.strictObject({ path: z.string().meta({ description: "Where in the file, such as `flows[2].draft.nodes[0].type`." }), message: z.string() });
const importReport = z.looseObject({ source: z.string(), flows: z.array(z.looseObject({ name: z.string() })), problems: z.array(z.looseObject({ path: z.string(), message: z.string() })) }).nullable().meta({ description: "For n8n and Node-RED files: what was mapped, what became a placeholder, which expressions and credentials need a look." });

export const importPreview = z.union([
  z.strictObject({ ok: z.literal(false), message: z.string(), problems: z.array(problem) }),
  z.strictObject({
    ok: z.literal(true),
    format: z.enum(["streamware", "streamware.workspace", "n8n", "node-red"]),
    flows: z.array(
      z.strictObject({
        key: z.string().meta({ description: "What `onConflict` and the editor's resolutions name the flow by." }),
        name: z.string(),
        nodes: z.number().int(),
        existing: z.strictObject({ flowId: id, name: z.string() }).nullable().meta({ description: "The flow of this workspace it would replace (same id, else same name)." }),
        conflicts: z.array(z.strictObject({ kind: z.enum(["id", "name", "webhookPath"]), message: z.string() })),
        draftOnly: z.string().nullable().meta({ description: "Why the flow comes in as a draft only (it cannot run yet)." }),
      }),
    ),
    credentials: z.array(z.strictObject({ name: z.string(), type: z.string(), credentialId: id.nullable().meta({ description: "The credential of this workspace it binds to; null when missing." }) })),
    report: importReport,
    problems: z.array(problem),
  }),
]);

export const importResult = z.strictObject({
  flows: z.array(z.strictObject({ key: z.string(), flowId: id.nullable(), name: z.string(), action: z.enum(["created", "replaced", "skipped"]) })),
  report: importReport,
  credentialsMissing: z.array(credentialReference),
});
