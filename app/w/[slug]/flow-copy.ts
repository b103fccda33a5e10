import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

export type DuplicateResult = inferRouterOutputs<AppRouter>["flow"]["duplicate"];

/** What a person needs to know about a copy: one line per webhook path that was changed so it does not clash. */
export function renamedPathLines(result: DuplicateResult): string[] {
  return result.renamedPaths.map((r) => `Webhook “${r.name}” answers at “${r.to}” in the copy, so it does not clash with “${result.copiedFrom}”.`);
}

/**
 * A copy made from the editor opens in an editor of its own, which says what it is: the notice waits here, by the
 * copy's id, for that editor to take it once.
 */
const pending = new Map<string, { text: string; details: string[] }>();

export function rememberCopyNotice(result: DuplicateResult): void {
  pending.set(result.flow.id, { text: `This is a copy of “${result.copiedFrom}”, inactive.`, details: renamedPathLines(result) });
}

export function takeCopyNotice(flowId: string): { text: string; details: string[] } | undefined {
  const notice = pending.get(flowId);
  pending.delete(flowId);
  return notice;
}
