/**
 * What a placeholder node records of where it came from. Here, beside the importers, rather than in the placeholder
 * node's module: the importers are pure and run in the browser too (pasting another tool's nodes onto the canvas),
 * and node modules stay out of the browser bundle.
 */

/** The tools an importer brings flows from. */
export const PLACEHOLDER_SOURCES = ["n8n", "node-red"] as const;
export type PlaceholderSource = (typeof PLACEHOLDER_SOURCES)[number];

/** How much of the source node's parameters a placeholder keeps, as JSON text. */
export const PLACEHOLDER_PARAMETERS_MAX_CHARS = 256_000;
