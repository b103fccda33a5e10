"use client";

/** What will not work as drawn, though nothing stops the flow from running (a Respond node a webhook ignores). */
export function NodeWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div role="status" aria-label="Warnings" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100">
      <ul className="space-y-1">
        {warnings.map((w) => (
          <li key={w}>
            <span aria-hidden>⚠ </span>
            {w}
          </li>
        ))}
      </ul>
    </div>
  );
}
