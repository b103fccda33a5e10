import { AudioLines, Bell, ChartLine, Clock, CloudSun, Code, Coins, Film, GitBranch, Globe, Goal, Hand, Merge, Mic, Pencil, Puzzle, Radio, Reply, Route, Rss, Send, Sparkles, Split, Timer, Webhook, Workflow, Box, type LucideIcon } from "lucide-react";
import type { NodeIconName } from "@/nodes/_core/node-icons";

// Every name a node type may pick has its drawing here; the type makes a missing one a compile error.
const ICONS: Record<NodeIconName, LucideIcon> = {
  hand: Hand,
  webhook: Webhook,
  clock: Clock,
  rss: Rss,
  radio: Radio,
  mic: Mic,
  split: Split,
  goal: Goal,
  bell: Bell,
  code: Code,
  coins: Coins,
  timer: Timer,
  workflow: Workflow,
  globe: Globe,
  branch: GitBranch,
  sparkles: Sparkles,
  merge: Merge,
  send: Send,
  reply: Reply,
  pencil: Pencil,
  route: Route,
  film: Film,
  "audio-lines": AudioLines,
  "cloud-sun": CloudSun,
  puzzle: Puzzle,
  "chart-line": ChartLine,
};

/** A node type's icon, as the palette and the canvas card show it; a type the editor does not know gets a box. */
export function NodeIcon({ name, className }: { name: NodeIconName | undefined; className?: string }) {
  const Icon = (name && ICONS[name]) || Box;
  return <Icon aria-hidden focusable={false} strokeWidth={2} className={className ?? "size-4"} />;
}
