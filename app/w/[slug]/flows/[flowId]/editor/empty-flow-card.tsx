"use client";

import type { CatalogEntry } from "./editor-types";
import { NodeIcon } from "./node-icon";
import { usePaletteDrop } from "./use-palette-drop";

/**
 * What an empty flow shows in the middle of the canvas: a way to start. A node dragged from the palette may be
 * dropped on it as anywhere on the canvas; it lands where it was let go.
 */
export function EmptyFlowCard({ catalog, readOnly, onAdd }: { catalog: CatalogEntry[]; readOnly: boolean; onAdd(type: string, position?: { x: number; y: number }): void }) {
  const { onDragOver, onDrop } = usePaletteDrop(onAdd);
  return (
    <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
      <div
        onDragOver={readOnly ? undefined : onDragOver}
        onDrop={readOnly ? undefined : onDrop}
        className="pointer-events-auto max-w-sm rounded-xl border border-dashed border-slate-300 bg-white/90 p-6 text-center text-sm dark:border-slate-700 dark:bg-slate-900/90"
      >
        <p className="font-medium">This flow is empty.</p>
        <p className="mt-1 text-slate-600 dark:text-slate-400">{readOnly ? "Nothing to show yet." : "Drag a node from the palette, or start with a trigger:"}</p>
        {!readOnly && (
          <div className="mt-3 flex flex-wrap justify-center gap-2">
            {catalog
              .filter((e) => e.trigger)
              .map((e) => (
                <button
                  key={e.type}
                  type="button"
                  onClick={() => onAdd(e.type)}
                  className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
                >
                  <NodeIcon name={e.icon} className="size-3.5" />
                  Add {e.name}
                </button>
              ))}
          </div>
        )}
      </div>
    </div>
  );
}
