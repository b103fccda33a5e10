"use client";

import { useCallback, useEffect, useState } from "react";

export type Notice = { kind: "error" | "info"; text: string; details?: string[] };
export type ShowNotice = (kind: Notice["kind"], text: string, details?: string[]) => void;

/** One message over the canvas at a time; a plain one goes away by itself, one with details waits to be dismissed. */
export function useNotice() {
  const [notice, setNotice] = useState<Notice | null>(null);
  const show = useCallback<ShowNotice>((kind, text, details) => setNotice({ kind, text, details }), []);
  useEffect(() => {
    if (!notice || notice.details?.length) return;
    const timer = setTimeout(() => setNotice(null), 7000);
    return () => clearTimeout(timer);
  }, [notice]);
  const dismiss = useCallback(() => setNotice(null), []);
  return { notice, show, dismiss };
}

export function NoticeBanner({ notice, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  return (
    <div
      role={notice.kind === "error" ? "alert" : "status"}
      className={`absolute top-2 left-1/2 z-20 flex max-w-[36rem] -translate-x-1/2 items-start gap-3 rounded-lg border px-3 py-2 text-sm shadow-md ${
        notice.kind === "error"
          ? "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          : "border-slate-200 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      }`}
    >
      <div>
        <p>{notice.text}</p>
        {notice.details && notice.details.length > 0 && (
          <ul className="mt-1 list-disc pl-5 text-xs">
            {notice.details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" aria-label="Dismiss" onClick={onDismiss} className="rounded px-1 hover:bg-black/5 dark:hover:bg-white/10">
        ✕
      </button>
    </div>
  );
}
