"use client";

import { useState } from "react";
import { toolButton } from "./tool-button";
import type { LocatedIssue } from "./use-flow-issues";

/** The toolbar's count of problems, opening to a list; picking one selects its node. Warnings are listed too, marked. */
export function IssuesMenu({ issues, onSelectNode }: { issues: LocatedIssue[]; onSelectNode: (nodeId: string) => void }) {
  const [open, setOpen] = useState(false);
  const errors = issues.filter((i) => i.severity !== "warning").length;
  return (
    <div
      className="relative"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) setOpen(false);
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") setOpen(false);
      }}
    >
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        disabled={issues.length === 0}
        className={`${toolButton} ${errors ? "text-red-700 dark:text-red-300" : issues.length ? "text-amber-700 dark:text-amber-300" : ""}`}
      >
        {issues.length ? `${issues.length} problem${issues.length === 1 ? "" : "s"}` : "No problems"}
      </button>
      {open && issues.length > 0 && (
        <ul aria-label="Problems" className="absolute top-9 left-0 z-20 max-h-80 w-96 overflow-y-auto rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <button
                type="button"
                disabled={!issue.nodeId}
                onClick={() => {
                  if (issue.nodeId) onSelectNode(issue.nodeId);
                  setOpen(false);
                }}
                className="w-full rounded px-2 py-1 text-left text-xs hover:bg-slate-100 dark:hover:bg-slate-800"
              >
                {issue.severity === "warning" && <span className="mr-1 font-semibold text-amber-700 dark:text-amber-300">Warning:</span>}
                {issue.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
