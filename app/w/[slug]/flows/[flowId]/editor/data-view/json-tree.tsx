"use client";

import { useState } from "react";

const PAGE = 100;

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="text-slate-500">null</span>;
  if (typeof value === "string") return <span className="break-all text-emerald-700 dark:text-emerald-400">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="text-sky-700 dark:text-sky-400">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-violet-700 dark:text-violet-400">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

/**
 * A collapsible JSON tree: each object or array opens and closes with its own button (Enter or Space), so it is
 * worked with the keyboard like any list of buttons. Long arrays show a hundred entries at a time.
 */
export function JsonTree({ value, label, depth = 0, openDepth = 2 }: { value: unknown; label?: string; depth?: number; openDepth?: number }) {
  const [open, setOpen] = useState(depth < openDepth);
  const [shown, setShown] = useState(PAGE);
  const name = label !== undefined && <span className="text-slate-700 dark:text-slate-300">{label}: </span>;
  if (!isContainer(value)) {
    return (
      <div className="pl-4 font-mono text-xs leading-5">
        {name}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) {
    return (
      <div className="pl-4 font-mono text-xs leading-5">
        {name}
        <span className="text-slate-500">{Array.isArray(value) ? "[]" : "{}"}</span>
      </div>
    );
  }
  return (
    <div className="font-mono text-xs leading-5">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-baseline gap-1 rounded text-left hover:bg-slate-100 dark:hover:bg-slate-800"
      >
        <span aria-hidden className="inline-block w-3 text-slate-500">
          {open ? "▾" : "▸"}
        </span>
        {name}
        <span className="text-slate-500">{summary}</span>
      </button>
      {open && (
        <div className="ml-1.5 border-l border-slate-200 pl-1 dark:border-slate-700">
          {entries.slice(0, shown).map(([key, child]) => (
            <JsonTree key={key} value={child} label={key} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > shown && (
            <button type="button" onClick={() => setShown(shown + PAGE)} className="pl-4 text-indigo-700 hover:underline dark:text-indigo-300">
              Show {Math.min(PAGE, entries.length - shown)} more of {entries.length - shown}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
