import type { ReactNode } from "react";
import type { FlowImportReport, ImportProblem, ImportReport } from "@/nodes/_interop/import-report";

const TOOL = { n8n: "n8n", "node-red": "Node-RED" } as const;

/** Problems by the place in the file they were found at. */
export function ProblemList({ problems, label = "Problems" }: { problems: readonly { path: string; message: string; severity?: ImportProblem["severity"] }[]; label?: string }) {
  if (problems.length === 0) return null;
  return (
    <ul aria-label={label} className="space-y-1 text-sm">
      {problems.map((p, i) => (
        <li key={`${p.path}-${i}`} className="rounded-md bg-slate-50 px-2 py-1 dark:bg-slate-800/60">
          {p.severity === "warning" && <span className="mr-1 text-xs font-medium text-amber-700 uppercase dark:text-amber-400">warning</span>}
          <code className="font-mono text-xs break-all text-slate-600 dark:text-slate-300">{p.path}</code> <span>{p.message}</span>
        </li>
      ))}
    </ul>
  );
}

/** What an import of another tool's flows mapped, left as placeholders, translated and flagged, flow by flow. */
export function ImportReportView({ report }: { report: ImportReport }) {
  return (
    <section aria-label="Import report" className="space-y-3">
      <h3 className="text-sm font-semibold">Report: from {TOOL[report.source]}</h3>
      <ProblemList problems={report.problems} label="Problems with the file" />
      {report.flows.map((flow, i) => (
        <FlowReport key={`${flow.name}-${i}`} flow={flow} />
      ))}
    </section>
  );
}

function FlowReport({ flow }: { flow: FlowImportReport }) {
  const flagged = flow.expressions.flagged;
  return (
    <div aria-label={`Report for ${flow.name}`} role="group" className="space-y-2 rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-700">
      <p className="font-medium">{flow.name}</p>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-4">
        <Figure term="Nodes mapped" value={`${flow.nodes.mapped} of ${flow.nodes.total}`} />
        <Figure term="Placeholders" value={flow.placeholders.length} warn={flow.placeholders.length > 0} />
        <Figure term="Expressions translated" value={flow.expressions.translated} />
        <Figure term="Expressions flagged" value={flagged.length} warn={flagged.length > 0} />
      </dl>
      {flow.placeholders.length > 0 && (
        <Listing title="Placeholders: not supported yet, finish them by hand">
          {flow.placeholders.map((p) => (
            <li key={p.name}>
              <strong>{p.name}</strong> <code className="text-xs">{p.sourceType}</code>
              {p.note && <span className="text-slate-600 dark:text-slate-400"> — {p.note}</span>}
            </li>
          ))}
        </Listing>
      )}
      {flagged.length > 0 && (
        <Listing title="Expressions kept as written">
          {flagged.map((e, i) => (
            <li key={`${e.node}-${e.field}-${i}`} className="break-words">
              <strong>{e.node}</strong> › <code className="text-xs">{e.field}</code>: <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{e.text}</code>
              <span className="block text-xs text-slate-600 dark:text-slate-400">{e.reason}</span>
            </li>
          ))}
        </Listing>
      )}
      {flow.credentials.length > 0 && (
        <Listing title="Credentials the nodes use">
          {flow.credentials.map((c) => (
            <li key={`${c.node}-${c.name}`}>
              <strong>{c.node}</strong>: “{c.name}” <code className="text-xs">{c.type}</code>
            </li>
          ))}
        </Listing>
      )}
      {flow.connections.dropped.length > 0 && (
        <Listing title={`Connections: ${flow.connections.kept} kept, ${flow.connections.dropped.length} left out`}>
          {flow.connections.dropped.map((d, i) => (
            <li key={`${d.from}-${d.to}-${i}`}>
              {d.from} → {d.to}: {d.reason}
            </li>
          ))}
        </Listing>
      )}
      {flow.notes.length > 0 && (
        <Listing title="Notes">
          {flow.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </Listing>
      )}
      <ProblemList problems={flow.problems} label={`Problems in ${flow.name}`} />
    </div>
  );
}

function Figure({ term, value, warn }: { term: string; value: string | number; warn?: boolean }) {
  return (
    <div>
      <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
      <dd className={`text-sm font-medium ${warn ? "text-amber-700 dark:text-amber-400" : ""}`}>{value}</dd>
    </div>
  );
}

function Listing({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <p className="text-xs font-medium text-slate-600 dark:text-slate-300">{title}</p>
      <ul aria-label={title} className="mt-1 list-disc space-y-1 pl-5">
        {children}
      </ul>
    </div>
  );
}
