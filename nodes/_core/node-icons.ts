/**
 * The icons a node type may show in the editor's palette and on its canvas card, by name. A node type picks one
 * in its definition (`icon`); the editor draws each name with the matching icon of its icon set.
 */
export const NODE_ICONS = [
  "hand",
  "webhook",
  "clock",
  "rss",
  "radio",
  "mic",
  "split",
  "goal",
  "bell",
  "code",
  "coins",
  "timer",
  "workflow",
  "globe",
  "branch",
  "sparkles",
  "merge",
  "send",
  "reply",
  "pencil",
  "route",
  "film",
  "audio-lines",
  "cloud-sun",
  "puzzle",
  "chart-line",
] as const;

export type NodeIconName = (typeof NODE_ICONS)[number];
