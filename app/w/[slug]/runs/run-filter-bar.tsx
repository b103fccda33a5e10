"use client";

import { RUN_STATUSES } from "@/nodes/_core/run-types";
import { inputClass, secondaryButton } from "../credentials/form-controls";
import type { RunFilters } from "./run-filters";

/** Status, flow, trigger and days: each change goes into the page's URL at once. */
export function RunFilterBar({
  filters,
  flows,
  triggers,
  onChange,
}: {
  filters: RunFilters;
  flows: { id: string; name: string }[];
  triggers: string[];
  onChange(next: RunFilters): void;
}) {
  const set = (key: keyof RunFilters, value: string) => onChange({ ...filters, [key]: value || undefined });
  const field = "flex min-w-0 flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-400";
  // A trigger named in a shared URL stays choosable even when no run of it is left.
  const triggerOptions = filters.trigger && !triggers.includes(filters.trigger) ? [...triggers, filters.trigger] : triggers;
  return (
    <form role="search" aria-label="Filter runs" className="grid grid-cols-2 gap-3 md:grid-cols-[repeat(5,minmax(0,1fr))_auto] md:items-end" onSubmit={(e) => e.preventDefault()}>
      <label className={field}>
        Status
        <select value={filters.status ?? ""} onChange={(e) => set("status", e.target.value)} className={inputClass}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        Flow
        <select value={filters.flow ?? ""} onChange={(e) => set("flow", e.target.value)} className={inputClass}>
          <option value="">All flows</option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        Trigger
        <select value={filters.trigger ?? ""} onChange={(e) => set("trigger", e.target.value)} className={inputClass}>
          <option value="">Any trigger</option>
          {triggerOptions.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        From
        <input type="date" value={filters.from ?? ""} max={filters.to} onChange={(e) => set("from", e.target.value)} className={inputClass} />
      </label>
      <label className={field}>
        To
        <input type="date" value={filters.to ?? ""} min={filters.from} onChange={(e) => set("to", e.target.value)} className={inputClass} />
      </label>
      <button type="button" onClick={() => onChange({})} disabled={Object.keys(filters).length === 0} className={`${secondaryButton} col-span-2 md:col-span-1`}>
        Clear filters
      </button>
    </form>
  );
}
