import { z } from "zod";
import { appRouter } from "../routers/_app";
import type { Permission } from "../services/workspace-roles";
import type { ProcedureMeta } from "../trpc";
import { createCredentialInput, listCredentialsInput } from "../routers/credential.schema";
import { createFlowInput, flowRefInput, getVersionInput, listFlowsInput, renameFlowInput, saveDraftInput, saveVersionInput } from "../routers/flow.schema";
import { activateInput, listRunsInput, runRefInput, startRunInput } from "../routers/run.schema";
import { bringsLiveVersions, IMPORT_MAX_CHARS, IMPORT_MAX_MB } from "../flow-import";
import { exportFlowInput, resolution } from "../routers/transfer.schema";
import { activation, credentialSummary, flowExportFile, importPreview, importResult, workspaceBundleFile, flowDetail, flowSummary, idOnly, runDetail, runPage, runRef, versionDetail, versionSummary } from "./rest-responses";

/**
 * One operation of the REST API: a tRPC procedure, called with its own input schema (the workspace comes from the
 * key, the rest from the path, the query of a GET or the JSON body) and its own permission, read from the procedure.
 */
export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "PATCH";
  /** Below /api/v1, with `{name}` for path parameters, as OpenAPI writes them. */
  path: string;
  /** The procedure it calls, such as "flow.get". */
  procedure: string;
  input: z.ZodObject;
  /** What a successful answer holds (see rest-responses). */
  response: z.ZodType;
  tag: "Flows" | "Versions" | "Activation" | "Runs" | "Credentials" | "Import and export";
  summary: string;
  description?: string;
  /** 200 unless said otherwise. */
  status?: 201 | 202;
  /** What the answer holds, in a sentence, for the document. */
  returns: string;
  /**
   * For an operation whose request is not shaped as its procedure's input: `input` is what the path, the query and
   * (with `bodyText`) the whole body as that text field hold, and `call` makes the procedure's input from it, and may
   * pick another procedure that takes the same permission (a dry run previews instead of importing).
   */
  request?: {
    input: z.ZodObject;
    bodyText?: { field: string; maxBytes: number; description: string };
    /** `alsoNeeds`: what else the key's scopes must grant for this request (an import that makes versions live). */
    call(input: Record<string, unknown>): { procedure: string; input: unknown; alsoNeeds?: Permission[] };
  };
  /** The procedure answers `{ fileName, text }`, sent as the file itself (JSON), named for download. */
  file?: true;
}

const importRequest = z.object({
  workspaceId: z.string(),
  text: z.string().max(IMPORT_MAX_CHARS),
  dryRun: z.boolean().default(false).meta({ description: "Only say what the import would do (flows created or replaced, conflicts, credentials, problems); nothing is written." }),
  onConflict: resolution.optional().meta({ description: "What to do with each flow that clashes with one of the workspace's (same id, same name, or a webhook path in use): `rename` (a new flow beside it), `replace` (the existing flow gets the imported draft and a new version) or `skip`. Without it such a file is refused, naming each clash." }),
});

export const restRoutes: RestRoute[] = [
  { method: "GET", path: "/flows", procedure: "flow.list", response: z.array(flowSummary), input: listFlowsInput, tag: "Flows", summary: "List flows", returns: "The workspace's flows, most recently changed first." },
  {
    method: "POST",
    path: "/flows",
    procedure: "flow.create", response: flowSummary,
    input: createFlowInput,
    tag: "Flows",
    summary: "Create a flow",
    description: "Creates an inactive flow whose draft is `document` (a flow document, `\"schema\": \"streamware.flow/1\"`), or an empty one.",
    status: 201,
    returns: "The new flow.",
  },
  { method: "GET", path: "/flows/{flowId}", procedure: "flow.get", response: flowDetail, input: flowRefInput, tag: "Flows", summary: "Get a flow", returns: "The flow with its draft document and its latest version." },
  { method: "PATCH", path: "/flows/{flowId}", procedure: "flow.rename", response: flowSummary, input: renameFlowInput, tag: "Flows", summary: "Rename a flow", returns: "The renamed flow." },
  {
    method: "PUT",
    path: "/flows/{flowId}/draft",
    procedure: "flow.saveDraft", response: flowSummary,
    input: saveDraftInput,
    tag: "Flows",
    summary: "Replace a flow's draft",
    description: "The draft is what the editor shows and what draft runs execute; saving a version makes it immutable.",
    returns: "The flow after the change.",
  },
  { method: "GET", path: "/flows/{flowId}/versions", procedure: "flow.versions", response: z.array(versionSummary), input: flowRefInput, tag: "Versions", summary: "List a flow's versions", returns: "The saved versions, newest first, without their documents." },
  {
    method: "POST",
    path: "/flows/{flowId}/versions",
    procedure: "flow.saveVersion", response: versionSummary,
    input: saveVersionInput,
    tag: "Versions",
    summary: "Save a version",
    description: "Saves `document` as the flow's next immutable version (and as its draft). Saving never changes which version is active.",
    status: 201,
    returns: "The new version.",
  },
  { method: "GET", path: "/flows/{flowId}/versions/{number}", procedure: "flow.version", response: versionDetail, input: getVersionInput, tag: "Versions", summary: "Get a version", returns: "The version with its document." },
  {
    method: "POST",
    path: "/flows/{flowId}/activate",
    procedure: "flow.activate", response: activation,
    input: activateInput,
    tag: "Activation",
    summary: "Activate a version",
    description: "Makes a saved version live (the latest when `versionNumber` is left out): its webhooks, schedules and listeners start. Activating an earlier version rolls back.",
    returns: "Which version is now active.",
  },
  {
    method: "POST",
    path: "/flows/{flowId}/deactivate",
    procedure: "flow.deactivate", response: idOnly,
    input: flowRefInput,
    tag: "Activation",
    summary: "Deactivate a flow",
    description: "Stops the flow's webhooks, schedules and listeners; runs already going on finish.",
    returns: "The flow's id.",
  },
  { method: "GET", path: "/runs", procedure: "run.list", response: runPage, input: listRunsInput, tag: "Runs", summary: "List runs", returns: "A page of runs, newest first, and the cursor of the next page (null on the last)." },
  {
    method: "POST",
    path: "/runs",
    procedure: "run.start", response: runRef,
    input: startRunInput,
    tag: "Runs",
    summary: "Start a run",
    description: 'Queues a run of the flow\'s draft or (with `"source": "active"`) of its active version, with `input` as the trigger\'s output. Follow it with `GET /runs/{runId}`.',
    status: 202,
    returns: "The new run's id.",
  },
  { method: "GET", path: "/runs/{runId}", procedure: "run.get", response: runDetail, input: runRefInput, tag: "Runs", summary: "Get a run", returns: "The run with its steps (input and output capped)." },
  { method: "POST", path: "/runs/{runId}/cancel", procedure: "run.cancel", response: runRef, input: runRefInput, tag: "Runs", summary: "Cancel a run", returns: "The run's id; the run stops at its next step boundary." },
  { method: "GET", path: "/credentials", procedure: "credential.list", response: z.array(credentialSummary), input: listCredentialsInput, tag: "Credentials", summary: "List credentials", returns: "The workspace's credentials: names, types and field names, never their values." },
  {
    method: "GET",
    path: "/flows/{flowId}/export",
    procedure: "transfer.exportFlow",
    response: flowExportFile,
    input: exportFlowInput,
    file: true,
    tag: "Import and export",
    summary: "Export a flow",
    description: "The flow's draft, or version `version`, as a file to import elsewhere (`POST /imports`). Credentials are referenced by name and type; no secret is ever exported. The same flow always gives the same bytes.",
    returns: "The export file, with a Content-Disposition naming it.",
  },
  {
    method: "GET",
    path: "/workspace/export",
    procedure: "transfer.exportWorkspace",
    response: workspaceBundleFile,
    input: z.object({ workspaceId: z.string() }),
    request: {
      input: z.object({ workspaceId: z.string(), versions: z.boolean().default(false).meta({ description: "Every version of each flow, not only its live one." }) }),
      call: ({ workspaceId, versions }) => ({ procedure: "transfer.exportWorkspace", input: { workspaceId, includeVersions: versions } }),
    },
    file: true,
    tag: "Import and export",
    summary: "Export the workspace",
    description: "Every flow of the key's workspace as a bundle (`streamware.workspace/1`): each flow's draft, tags and live version, or with `versions=true` every version. Credentials by name and type only.",
    returns: "The bundle, with a Content-Disposition naming it.",
  },
  {
    method: "POST",
    path: "/imports",
    procedure: "transfer.applyImport",
    response: z.union([importPreview, importResult]),
    input: z.object({ workspaceId: z.string() }),
    request: {
      input: importRequest,
      bodyText: {
        field: "text",
        maxBytes: IMPORT_MAX_CHARS,
        description: `The file to import, as it is: a flow export, a flow document, a workspace bundle, an n8n workflow export or a Node-RED flow export; less than ${IMPORT_MAX_MB} MB (this limit, not API_MAX_BODY_BYTES, applies here).`,
      },
      call: ({ workspaceId, text, dryRun, onConflict }) =>
        dryRun
          ? { procedure: "transfer.preview", input: { workspaceId, text } }
          : {
              procedure: "transfer.applyImport",
              input: { workspaceId, text, onConflict },
              // A bundle's live versions are made live again: a key that may not activate flows cannot bring them.
              alsoNeeds: bringsLiveVersions(text as string) ? ["flow.activate"] : [],
            },
    },
    tag: "Import and export",
    summary: "Import flows",
    description: "Imports the body's file in one transaction, or with `dryRun=true` previews it. Credentials are bound by name and type to the workspace's own; missing ones are listed. A bundle's live versions are made live again, which also needs a key that may activate flows (`run` or `admin` with `write`).",
    returns: "With dryRun, the preview (`ok: false` with the problems by path, or what each flow would do); otherwise what was done to each flow, the import report and the missing credentials.",
  },
  {
    method: "POST",
    path: "/credentials",
    procedure: "credential.create", response: credentialSummary,
    input: createCredentialInput,
    tag: "Credentials",
    summary: "Create a credential",
    description: "Stores `data` encrypted; no answer ever returns it.",
    status: 201,
    returns: "The new credential without its values.",
  },
];

/** The names of a path's parameters, in order: `/flows/{flowId}/versions/{number}` → flowId, number. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The permission a procedure's gate asks for (`workspaceProcedure("…")`); undefined for one outside a workspace. */
export function procedurePermission(procedure: string): Permission | undefined {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } } | undefined>;
  return procedures[procedure]?._def.meta?.permission;
}
