"use client";

import { useMemo } from "react";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { jsonDiffHunks } from "./json-diff";

const lineLook = {
  added: { sign: "+", className: "bg-emerald-50 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100" },
  removed: { sign: "−", className: "bg-red-50 text-red-950 dark:bg-red-950 dark:text-red-100" },
  context: { sign: " ", className: "text-slate-700 dark:text-slate-300" },
} as const;

/** A unified diff of two flow documents as stable JSON, hunk by hunk, with the line numbers of both sides. */
export function JsonDiffView({ before, after }: { before: FlowDocument; after: FlowDocument }) {
  const hunks = useMemo(() => jsonDiffHunks(before, after), [before, after]);
  if (hunks.length === 0) return <p className="p-4 text-sm text-slate-500 dark:text-slate-400">The two documents are the same.</p>;
  return (
    <div className="p-4 font-mono text-xs leading-5">
      {hunks.map((hunk) => (
        <section key={hunk.header} aria-label={hunk.header} className="mb-3 overflow-hidden rounded-md border border-slate-200 dark:border-slate-700">
          <p className="bg-slate-100 px-2 text-slate-500 dark:bg-slate-800 dark:text-slate-400">{hunk.header}</p>
          {hunk.lines.map((line, i) => (
            <div key={i} data-line={line.kind} className={`flex whitespace-pre ${lineLook[line.kind].className}`}>
              <span aria-hidden className="w-10 shrink-0 select-none pr-2 text-right text-slate-400 dark:text-slate-500">{line.oldLine ?? ""}</span>
              <span aria-hidden className="w-10 shrink-0 select-none pr-2 text-right text-slate-400 dark:text-slate-500">{line.newLine ?? ""}</span>
              <span className="w-4 shrink-0 select-none text-center">{lineLook[line.kind].sign}</span>
              <span className="pr-4">{line.text}</span>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
