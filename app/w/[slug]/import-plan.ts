import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

/** What the server says an import would do, before anything is written. */
export type ImportPreview = inferRouterOutputs<AppRouter>["transfer"]["preview"];
export type ReadyPreview = Extract<ImportPreview, { ok: true }>;
export type PreviewFlow = ReadyPreview["flows"][number];
export type ImportResult = inferRouterOutputs<AppRouter>["transfer"]["applyImport"];
export type Resolution = NonNullable<inferRouterInputs<AppRouter>["transfer"]["applyImport"]["resolutions"]>[string];

/** A person's choice for one flow: a flow without conflicts is created or skipped; one with them also renamed or replacing. */
export type FlowChoice = Resolution | "create";

/** Whether importing this flow as it is would clash with something in the workspace. */
export function conflicting(flow: PreviewFlow): boolean {
  return flow.existing !== null || flow.conflicts.length > 0;
}

/** The choices a flow offers: replacing needs a flow to replace. */
export function choicesFor(flow: PreviewFlow): FlowChoice[] {
  if (!conflicting(flow)) return ["create", "skip"];
  return flow.existing ? ["rename", "replace", "skip"] : ["rename", "skip"];
}

/** Rename where a flow clashes (nothing in the workspace changes), create where it does not. */
export function defaultChoices(flows: readonly PreviewFlow[]): Record<string, FlowChoice> {
  return Object.fromEntries(flows.map((flow) => [flow.key, conflicting(flow) ? "rename" : "create"]));
}

/** The resolutions the server takes: a flow that clashes with nothing needs none unless it is skipped. */
export function resolutionsOf(choices: Readonly<Record<string, FlowChoice>>): Record<string, Resolution> {
  return Object.fromEntries(Object.entries(choices).filter((entry): entry is [string, Resolution] => entry[1] !== "create"));
}

export const choiceLabels: Record<FlowChoice, string> = { create: "Create", rename: "Import as a copy", replace: "Replace", skip: "Skip" };

/** What will happen to a flow, in a sentence. */
export function outcomeOf(flow: PreviewFlow, choice: FlowChoice): string {
  switch (choice) {
    case "skip":
      return "Skipped: nothing is written for it.";
    case "replace":
      return flow.existing ? `Replaces the draft of “${flow.existing.name}”, which keeps its id and its saved versions.` : `Creates “${flow.name}”.`;
    case "rename":
      return `Creates a new flow beside it, with a new name, and new webhook paths where they clash.`;
    case "create":
      return `Creates “${flow.name}”.`;
  }
}

/** How many flows each action will touch, for the Import button: "Import 2 flows, replace 1". */
export function applyLabel(choices: Readonly<Record<string, FlowChoice>>): string {
  const values = Object.values(choices);
  const writing = values.filter((c) => c !== "skip").length;
  const replacing = values.filter((c) => c === "replace").length;
  if (writing === 0) return "Nothing to import";
  const flows = `${writing} flow${writing === 1 ? "" : "s"}`;
  return replacing ? `Import ${flows} (${replacing} replacing)` : `Import ${flows}`;
}

const FORMAT_NAMES: Record<ReadyPreview["format"], string> = {
  streamware: "Streamware flow",
  "streamware.workspace": "Streamware workspace export",
  n8n: "n8n workflow",
  "node-red": "Node-RED flows",
};

export function formatName(format: ReadyPreview["format"]): string {
  return FORMAT_NAMES[format];
}

/** What an import did, in a sentence: "Created 2 flows, replaced 1, skipped 1." */
export function resultSummary(result: ImportResult): string {
  const count = (action: ImportResult["flows"][number]["action"]) => result.flows.filter((f) => f.action === action).length;
  const parts = [
    count("created") ? `created ${count("created")} flow${count("created") === 1 ? "" : "s"}` : null,
    count("replaced") ? `replaced ${count("replaced")}` : null,
    count("skipped") ? `skipped ${count("skipped")}` : null,
  ].filter(Boolean);
  const text = parts.length ? parts.join(", ") : "imported nothing";
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}
