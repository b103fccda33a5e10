"use client";

import { memo, useMemo, useState } from "react";
import type { CatalogEntry } from "./editor-types";
import { NodeIcon } from "./node-icon";
import { PALETTE_DRAG_TYPE } from "./use-palette-drop";

const categoryOrder = ["trigger", "flow", "data", "network"];

// Only an import creates placeholders (they stand in for another tool's node); nobody adds one by hand.
const NOT_IN_PALETTE = new Set(["core.placeholder"]);

function categoryLabel(category: string): string {
  return category.charAt(0).toUpperCase() + category.slice(1);
}

/** Every node type from the catalog, by category, searchable; drag one onto the canvas, or press it to add it. */
export const NodePalette = memo(function NodePalette({ catalog, onAdd }: { catalog: CatalogEntry[]; onAdd(type: string): void }) {
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = catalog.filter((entry) => {
      if (NOT_IN_PALETTE.has(entry.type)) return false;
      const text = `${entry.name} ${entry.type} ${entry.description} ${entry.category}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    const byCategory = new Map<string, CatalogEntry[]>();
    for (const entry of matches) {
      const list = byCategory.get(entry.category);
      if (list) list.push(entry);
      else byCategory.set(entry.category, [entry]);
    }
    const rank = (c: string) => (categoryOrder.includes(c) ? categoryOrder.indexOf(c) : categoryOrder.length);
    return [...byCategory.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  }, [catalog, query]);

  return (
    <nav aria-label="Node palette" className="flex h-full w-60 shrink-0 select-none flex-col border-r border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="border-b border-slate-200 p-2 dark:border-slate-800">
        <label htmlFor="palette-search" className="sr-only">
          Search nodes
        </label>
        <input
          id="palette-search"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search nodes…"
          className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
        />
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {groups.length === 0 && <p className="p-2 text-sm text-slate-500 dark:text-slate-400">No node matches “{query}”.</p>}
        {groups.map(([category, entries]) => (
          <section key={category} aria-labelledby={`palette-${category}`} className="mb-3">
            <h3 id={`palette-${category}`} className="mb-1 px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              {categoryLabel(category)}
            </h3>
            <ul className="space-y-1">
              {entries.map((entry) => (
                <li key={entry.type}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(e) => {
                      e.dataTransfer.setData(PALETTE_DRAG_TYPE, entry.type);
                      e.dataTransfer.effectAllowed = "copy";
                    }}
                    onClick={() => onAdd(entry.type)}
                    aria-label={`Add ${entry.name}`}
                    title={entry.description}
                    className="flex w-full cursor-grab items-start gap-2 rounded-md border border-transparent px-2 py-1.5 text-left hover:border-slate-200 hover:bg-slate-50 active:cursor-grabbing dark:hover:border-slate-700 dark:hover:bg-slate-800"
                  >
                    <span className="mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-md bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200">
                      <NodeIcon name={entry.icon} className="size-3.5" />
                    </span>
                    <span className="min-w-0">
                      <span className="block text-sm font-medium">{entry.name}</span>
                      <span className="line-clamp-2 block text-xs text-slate-500 dark:text-slate-400">{entry.description}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </nav>
  );
});
