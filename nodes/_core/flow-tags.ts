import { z } from "zod";
import { storableName, unstorableNameMessage } from "./json-check";

export const MAX_TAG_LENGTH = 32;
export const MAX_TAGS = 20;

/** One tag as stored: trimmed, short, printable. */
export const flowTag = z
  .string()
  .trim()
  .min(1, "A tag cannot be empty")
  .max(MAX_TAG_LENGTH, `Keep each tag under ${MAX_TAG_LENGTH} characters`)
  .refine(storableName, unstorableNameMessage("A tag"));

/** A flow's tags: each once (ignoring case, the first spelling kept), in the order given. */
export const flowTags = z
  .array(flowTag)
  .transform((tags) => tags.filter((tag, i) => tags.findIndex((other) => other.toLowerCase() === tag.toLowerCase()) === i))
  .refine((tags) => tags.length <= MAX_TAGS, `A flow can have at most ${MAX_TAGS} tags`);

/**
 * Tags as a person types them, separated by commas ("billing, nightly"): the tags, or the first problem in words.
 * Blank pieces (a trailing comma) are left out.
 */
export function parseTagList(text: string): { ok: true; tags: string[] } | { ok: false; message: string } {
  const pieces = text.split(",").filter((piece) => piece.trim() !== "");
  const parsed = flowTags.safeParse(pieces);
  return parsed.success ? { ok: true, tags: parsed.data } : { ok: false, message: parsed.error.issues[0]!.message };
}
