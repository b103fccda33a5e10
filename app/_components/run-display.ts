/** How runs look wherever they are listed (the editor's runs panel, the workspace's runs page): pure, no React. */

/** A run's or a step's duration, short: "830 ms", "2.41 s", "3 min 5 s". */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The text colour of each run status. */
export const runStatusClass: Record<string, string> = {
  succeeded: "text-emerald-700 dark:text-emerald-300",
  failed: "text-red-700 dark:text-red-300",
  running: "text-sky-700 dark:text-sky-300",
  queued: "text-slate-600 dark:text-slate-300",
  cancelled: "text-amber-700 dark:text-amber-300",
};
