"use client";

import { useState } from "react";
import type { Problem } from "./editor-types";
import { problemsSummary } from "./problem-counts";
import { toolButton } from "./tool-button";

/** What picking a problem selects: its node, else the edge it names (a loop's closing edge is the last of its edges). */
function placeOf(problem: Problem): string | null {
  return problem.nodeId ?? problem.edgeIds.at(-1) ?? null;
}

/** The toolbar's count of problems and warnings, opening to a list; picking one selects its node or edge. */
export function IssuesMenu({ issues, onSelect }: { issues: Problem[]; onSelect: (ids: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const errors = issues.some((i) => i.severity === "error");
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
        className={`${toolButton} ${errors ? "text-red-700 dark:text-red-300" : issues.length ? "text-amber-800 dark:text-amber-300" : ""}`}
      >
        {problemsSummary(issues)}
      </button>
      {open && issues.length > 0 && (
        <ul aria-label="Problems" className="absolute top-9 left-0 z-20 max-h-80 w-96 overflow-y-auto rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {issues.map((issue) => {
            const place = placeOf(issue);
            return (
              <li key={`${issue.severity}:${issue.path}:${issue.message}`}>
                <button
                  type="button"
                  disabled={!place}
                  onClick={() => {
                    if (place) onSelect([place]);
                    setOpen(false);
                  }}
                  className="flex w-full items-start gap-1.5 rounded px-2 py-1 text-left text-xs hover:bg-slate-100 dark:hover:bg-slate-800"
                >
                  <span className={`shrink-0 font-semibold ${issue.severity === "error" ? "text-red-700 dark:text-red-300" : "text-amber-800 dark:text-amber-300"}`}>{issue.severity === "error" ? "Error" : "Warning"}</span>{" "}
                  <span>{issue.message}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
