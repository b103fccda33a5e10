"use client";

import type { ReconnectOffer } from "./use-reconnecting-delete";

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(", ");

/** After a delete in the middle of a flow: the connection made around it (to take back), or offered (to make). */
export function ReconnectBanner({ offer, onTakeBack, onTakeUp, onDismiss }: { offer: ReconnectOffer; onTakeBack(): void; onTakeUp(): void; onDismiss(): void }) {
  return (
    <div
      role="status"
      aria-label="Reconnect"
      className="absolute top-14 left-1/2 z-20 flex max-w-[36rem] -translate-x-1/2 items-center gap-3 rounded-lg border border-indigo-200 bg-white px-3 py-2 text-sm shadow-md dark:border-indigo-800 dark:bg-slate-900 dark:text-slate-100"
    >
      <p>
        {offer.kind === "made" ? `Deleted ${quoted(offer.deleted)} and connected ${offer.joins.join(", ")}.` : `Deleted ${quoted(offer.deleted)}. Connect ${offer.joins.join(", ")}?`}
      </p>
      {offer.kind === "made" ? (
        <button type="button" onClick={onTakeBack} className="shrink-0 rounded-md border border-slate-300 px-2 py-1 font-medium hover:bg-slate-50 dark:border-slate-600 dark:hover:bg-slate-800">
          Undo reconnect
        </button>
      ) : (
        <button type="button" onClick={onTakeUp} className="shrink-0 rounded-md bg-indigo-600 px-2 py-1 font-medium text-white hover:bg-indigo-500">
          Connect
        </button>
      )}
      <button type="button" aria-label="Dismiss" onClick={onDismiss} className="rounded px-1 hover:bg-black/5 dark:hover:bg-white/10">
        ✕
      </button>
    </div>
  );
}
