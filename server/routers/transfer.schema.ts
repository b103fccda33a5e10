import { z } from "zod";
import { IMPORT_MAX_CHARS, importTooLarge } from "../flow-import";

const workspaceId = z.string().min(1).max(64);
const flowId = z.string().min(1).max(64);
const fileName = z.string().trim().min(1).max(255).optional();
// The file's text; the import itself says what is wrong with it, by path, so only its size is checked here.
const text = z.string().max(IMPORT_MAX_CHARS, { error: (issue) => importTooLarge({ file: "The file", length: typeof issue.input === "string" ? issue.input.length : IMPORT_MAX_CHARS }) });

export const resolution = z.enum(["rename", "replace", "skip"]);

export const exportFlowInput = z.object({ workspaceId, flowId, version: z.number().int().min(1).optional() });
export const exportWorkspaceInput = z.object({ workspaceId, includeVersions: z.boolean() });
export const previewImportInput = z.object({ workspaceId, text, fileName });
export const applyImportInput = z.object({
  workspaceId,
  text,
  fileName,
  /** One per flow key the preview listed; a flow with conflicts and no resolution is refused, naming it. */
  resolutions: z.record(z.string().min(1).max(200), resolution).refine((r) => Object.keys(r).length <= 10_000, "Too many resolutions").default({}),
  /** For every conflicting flow that `resolutions` does not name (the CLI's and REST API's --on-conflict). */
  onConflict: resolution.optional(),
});
