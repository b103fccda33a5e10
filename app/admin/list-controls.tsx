"use client";

import { useState, type FormEvent } from "react";

export const inputClass = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
/** A small status label in a list row (Disabled, Admin, Pending, …); its colours come beside it. */
export const badgeClass = "rounded px-1.5 py-0.5 text-xs font-medium";

export const secondaryClass = "whitespace-nowrap rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800";

/** A search box that applies what was typed when submitted. */
export function SearchForm({ label, placeholder, onSearch }: { label: string; placeholder: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    onSearch(text.trim());
  }
  return (
    <form role="search" onSubmit={submit} className="flex flex-wrap items-end gap-2">
      <div className="min-w-56 flex-1 space-y-1 sm:max-w-sm">
        <label htmlFor="admin-search" className="block text-xs font-medium text-slate-600 dark:text-slate-400">
          {label}
        </label>
        <input id="admin-search" type="search" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} className={`w-full ${inputClass}`} />
      </div>
      <button type="submit" className={secondaryClass}>
        Search
      </button>
    </form>
  );
}

/** Where a paged list is, and the way to the pages before and after. */
export function Pager({ page, pageSize, total, noun, onPage }: { page: number; pageSize: number; total: number; noun: string; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600 dark:text-slate-400">
      <p>
        {total === 0 ? `No ${noun}s` : `${first}–${last} of ${total} ${total === 1 ? noun : `${noun}s`}`}
      </p>
      <div className="flex gap-2">
        <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)} className={secondaryClass}>
          Previous page
        </button>
        <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)} className={secondaryClass}>
          Next page
        </button>
      </div>
    </nav>
  );
}

export function formatDate(value: Date | string | null): string {
  return value ? new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "never";
}
