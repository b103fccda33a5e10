import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import { PLACEHOLDER_PARAMETERS_MAX_CHARS, PLACEHOLDER_SOURCES, type PlaceholderSource } from "../_interop/placeholder-source";

const SOURCE_NAMES: Record<PlaceholderSource, string> = { n8n: "n8n", "node-red": "Node-RED" };

const port = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a port name of letters, digits, '-' or '_'");

const config = z.object({
  source: z.enum(PLACEHOLDER_SOURCES).meta({ title: "Imported from", ...ui({ optionLabels: SOURCE_NAMES }) }),
  sourceType: z.string().trim().min(1, "name the node type it was imported as").max(200).meta({ title: "Original type", description: "The node type in the tool it came from." }),
  sourceVersion: z.string().max(40).optional().meta({ title: "Original version" }),
  parameters: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((value) => JSON.stringify(value).length <= PLACEHOLDER_PARAMETERS_MAX_CHARS, `must be at most ${PLACEHOLDER_PARAMETERS_MAX_CHARS} characters as JSON`)
    .meta({ title: "Original parameters", description: "Kept as they were, never evaluated, for finishing the node by hand.", ...ui({ widget: "json" }) }),
  inputs: z.array(port).max(20).default(["in"]).meta({ title: "Inputs", description: "The input ports its connections arrive at." }),
  outputs: z.array(port).max(50).default(["out"]).meta({ title: "Outputs", description: "The output ports its connections leave from." }),
  note: z.string().max(2000).optional().meta({ title: "Why it is not mapped", ...ui({ widget: "textarea" }) }),
});

export type PlaceholderConfig = z.output<typeof config>;

/**
 * Stands in for an imported node that has no Streamware equivalent yet, keeping everything the source said about
 * it and its connections, so nothing is dropped and a person can finish the flow by hand. It never runs.
 */
export const placeholderNode = defineNode({
  type: "core.placeholder",
  version: 1,
  name: "Imported (not supported)",
  description: "A node imported from another tool that Streamware has no equivalent for yet; replace it before running.",
  category: "flow",
  icon: "puzzle",
  // Imported parameters may hold the other tool's "{{ }}" syntax; nothing here is a Streamware expression.
  literalFields: ["source", "sourceType", "sourceVersion", "parameters", "inputs", "outputs", "note"],
  config,
  inputs: (value) => value.inputs,
  outputs: (value) => value.outputs,
  async execute({ config: value, ctx }) {
    const version = value.sourceVersion ? ` (version ${value.sourceVersion})` : "";
    const why = value.note ? ` (${value.note})` : "";
    throw new NodeConfigError(
      `"${ctx.node.name}" was imported from ${SOURCE_NAMES[value.source]} as ${value.sourceType}${version}, which Streamware has no equivalent for yet${why}; replace it with Streamware nodes, or delete it`,
      { details: { source: value.source, sourceType: value.sourceType } },
    );
  },
});
