import type { LiveState } from "./use-dashboard-points";

const LIVE_LABELS: Record<LiveState, { text: string; dot: string }> = {
  connecting: { text: "Connecting…", dot: "bg-slate-400" },
  live: { text: "Live", dot: "bg-emerald-500 motion-safe:animate-pulse" },
  reconnecting: { text: "Reconnecting…", dot: "bg-amber-400" },
};

/** Whether the dashboard's live stream is open: a dot and a word, as a status a screen reader announces. */
export function LiveBadge({ state, title }: { state: LiveState; title?: string }) {
  const live = LIVE_LABELS[state];
  return (
    <span role="status" title={title} className="flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400">
      <span aria-hidden className={`size-2 rounded-full ${live.dot}`} />
      {live.text}
    </span>
  );
}
