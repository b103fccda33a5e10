/** What the flow list is narrowed to: words to find in a flow's name or tags, and one tag a flow must have. */
export interface FlowFilter {
  query: string;
  /** Compared ignoring case; empty for every tag. */
  tag: string;
}

/** The flows whose name or one of whose tags holds the query (ignoring case), and that carry the tag. */
export function filterFlows<T extends { name: string; tags: string[] }>(flows: T[], { query, tag }: FlowFilter): T[] {
  const words = query.trim().toLowerCase();
  const wanted = tag.toLowerCase();
  return flows.filter(
    (flow) =>
      (wanted === "" || flow.tags.some((t) => t.toLowerCase() === wanted)) &&
      (words === "" || flow.name.toLowerCase().includes(words) || flow.tags.some((t) => t.toLowerCase().includes(words))),
  );
}

/** Every tag of the workspace's flows once (ignoring case, the first spelling met), sorted. */
export function allTags(flows: { tags: string[] }[]): string[] {
  const byKey = new Map<string, string>();
  for (const flow of flows) for (const tag of flow.tags) if (!byKey.has(tag.toLowerCase())) byKey.set(tag.toLowerCase(), tag);
  return [...byKey.values()].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" }));
}
