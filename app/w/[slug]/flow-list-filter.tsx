"use client";

import type { FlowFilter } from "./flow-filter";

/** The search box and the tag filter above the flow list. */
export function FlowListFilter({ filter, onChange, tags }: { filter: FlowFilter; onChange: (filter: FlowFilter) => void; tags: string[] }) {
  const field = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
  return (
    <div role="search" className="mb-4 flex flex-wrap items-center gap-2">
      <input
        type="search"
        aria-label="Search flows"
        placeholder="Search by name or tag"
        value={filter.query}
        onChange={(e) => onChange({ ...filter, query: e.target.value })}
        className={`min-w-0 flex-1 basis-56 ${field}`}
      />
      {tags.length > 0 && (
        <select aria-label="Tag" value={filter.tag} onChange={(e) => onChange({ ...filter, tag: e.target.value })} className={`max-w-full ${field}`}>
          <option value="">All tags</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
