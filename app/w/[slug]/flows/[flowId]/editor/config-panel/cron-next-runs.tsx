"use client";

import { formatFire, nextFires } from "./cron-preview";

/**
 * Under a cron field, as the person types: the next three runs in their own time zone (the schedule keeps its
 * own). When the expression cannot be read, the field says why (`cronError`) and this shows nothing.
 */
export function CronNextRuns({ id, cron, timezone }: { id: string; cron: string; timezone: string }) {
  const result = nextFires({ cron, timezone });
  if ("error" in result || result.times.length === 0) return null;
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <div id={id} role="status" aria-label="Next runs" className="rounded-md bg-slate-100 px-2 py-1 text-xs text-slate-700 dark:bg-slate-800/70 dark:text-slate-300">
      <p className="font-medium">
        Next runs, your time ({mine}){mine !== timezone ? ` · the schedule keeps ${timezone}` : ""}
      </p>
      <ol className="mt-0.5 space-y-0.5">
        {result.times.map((t) => (
          <li key={t.toISOString()}>
            <time dateTime={t.toISOString()}>{formatFire(t, mine)}</time>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Why the typed expression cannot be read, in the words the server uses for it, so the field shows it once. */
export function cronError(cron: unknown, timezone: string): string | null {
  if (typeof cron !== "string") return null;
  const result = nextFires({ cron, timezone });
  return "error" in result ? result.error : null;
}
