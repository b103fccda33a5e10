"use client";

import { useState } from "react";

/**
 * Shown while an active flow's live version is not its latest: after a newer version was saved (one click makes
 * it live, checked as activation checks it), or after rolling back.
 */
export function LiveVersionBar({
  liveNumber,
  latestNumber,
  canActivate,
  onActivate,
}: {
  liveNumber: number;
  latestNumber: number;
  canActivate: boolean;
  onActivate: (versionNumber: number) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <div
      role="region"
      aria-label="Live version"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-sky-200 bg-sky-50 px-3 py-1.5 text-sm text-sky-950 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-100"
    >
      <span>
        <strong className="font-semibold">v{liveNumber} is live</strong>: the flow&apos;s triggers run it. v{latestNumber}, the latest version, is saved but not live.
      </span>
      {canActivate && (
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onActivate(latestNumber);
            } finally {
              setBusy(false);
            }
          }}
          className="ml-auto shrink-0 rounded-md bg-sky-700 px-3 py-1 font-medium text-white hover:bg-sky-600 disabled:opacity-60 dark:bg-sky-600 dark:hover:bg-sky-500"
        >
          {busy ? "Activating…" : `Activate v${latestNumber}`}
        </button>
      )}
    </div>
  );
}
