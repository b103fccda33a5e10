import { structuredPatch } from "diff";
import { canonicalJson } from "@/nodes/_core/canonical-json";

export interface JsonDiffLine {
  kind: "added" | "removed" | "context";
  text: string;
  /** Line numbers in the earlier and the later text; a line has the one of each side it is on. */
  oldLine?: number;
  newLine?: number;
}

export interface JsonDiffHunk {
  /** Where the hunk is, as a unified diff names it: "@@ -3,7 +3,8 @@". */
  header: string;
  lines: JsonDiffLine[];
}

/**
 * A unified diff of two values as stable JSON (sorted keys, two-space indents): only the hunks that differ, each
 * with `context` unchanged lines around it. Equal values give no hunks.
 */
export function jsonDiffHunks(before: unknown, after: unknown, context = 3): JsonDiffHunk[] {
  const patch = structuredPatch("before", "after", canonicalJson(before), canonicalJson(after), undefined, undefined, { context });
  return patch.hunks.map((hunk) => {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    const lines: JsonDiffLine[] = [];
    for (const line of hunk.lines) {
      const text = line.slice(1);
      if (line.startsWith("+")) lines.push({ kind: "added", text, newLine: newLine++ });
      else if (line.startsWith("-")) lines.push({ kind: "removed", text, oldLine: oldLine++ });
      else if (line.startsWith(" ")) lines.push({ kind: "context", text, oldLine: oldLine++, newLine: newLine++ });
    }
    return { header: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, lines };
  });
}
