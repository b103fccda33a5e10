"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { inputClass } from "../credentials/form-controls";
import { useWorkspace } from "../workspace-context";
import { modelKey, usageBars } from "./usage-chart";

const RANGES = [7, 30, 90];
const count = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: "compact" });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
/** Colours for up to eight models, then again; readable on light and dark. */
const PALETTE = ["bg-indigo-500", "bg-emerald-500", "bg-amber-500", "bg-sky-500", "bg-rose-500", "bg-violet-500", "bg-teal-500", "bg-orange-500"];

const todayUtc = () => new Date().toISOString().slice(0, 10);
const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** Tokens the workspace's LLM calls used: totals, a bar per day stacked by model, and a table per model. */
export function UsagePage() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [days, setDays] = useState(30);
  const to = todayUtc();
  const usage = useQuery(trpc.usage.summary.queryOptions({ workspaceId: workspace.id, from: daysBefore(to, days - 1), to }, { placeholderData: (previous) => previous }));
  const data = usage.data;
  const colors = useMemo(() => new Map((data?.byModel ?? []).map((m, i) => [modelKey(m), PALETTE[i % PALETTE.length]!])), [data]);
  const bars = data ? usageBars({ from: data.from, to: data.to, rows: data.byDayAndModel }) : [];
  const highest = Math.max(1, ...bars.map((bar) => bar.total));

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Usage</h1>
          <p className="max-w-2xl text-sm text-slate-600 dark:text-slate-400">Tokens the LLM nodes of {workspace.name} used, per model and day (UTC). Kept when runs are deleted.</p>
        </div>
        <label className="flex items-center gap-2 text-sm">
          Period
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} className={`${inputClass} w-auto`}>
            {RANGES.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {usage.error && <ErrorAlert>{usage.error.message}</ErrorAlert>}
      {usage.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {data && (
        <>
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
            {[
              ["Total tokens", data.total.totalTokens],
              ["Prompt tokens", data.total.promptTokens],
              ["Completion tokens", data.total.completionTokens],
              ["Model calls", data.total.calls],
            ].map(([label, value]) => (
              <div key={label} className="rounded-xl border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
                <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
                <dd className="text-xl font-semibold tabular-nums">{count.format(value as number)}</dd>
              </div>
            ))}
          </dl>
          <section aria-label="Tokens per day" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <h2 className="mb-3 text-sm font-semibold">Tokens per day</h2>
            {data.total.totalTokens === 0 ? (
              <p className="py-8 text-center text-sm text-slate-600 dark:text-slate-400">No model calls in this period. Runs of LLM nodes count here as they finish.</p>
            ) : (
              <>
                <div role="img" aria-label={`Tokens per day from ${data.from} to ${data.to}; highest ${count.format(highest)}`} className="flex h-40 items-end gap-px">
                  {bars.map((bar) => (
                    <div key={bar.day} title={`${bar.day}: ${count.format(bar.total)} tokens`} className="flex h-full min-w-0 flex-1 flex-col-reverse">
                      {bar.segments.map((segment) => (
                        <div key={segment.key} className={`${colors.get(segment.key) ?? PALETTE[0]} w-full first:rounded-b-none last:rounded-t-sm`} style={{ height: `${(segment.tokens / highest) * 100}%` }} />
                      ))}
                    </div>
                  ))}
                </div>
                <div className="mt-1 flex justify-between text-xs text-slate-500 dark:text-slate-400">
                  <span>{dayLabel.format(new Date(`${data.from}T00:00:00Z`))}</span>
                  <span>highest {compact.format(highest)} tokens a day</span>
                  <span>{dayLabel.format(new Date(`${data.to}T00:00:00Z`))}</span>
                </div>
              </>
            )}
          </section>
          <section aria-label="Tokens per model" className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="w-full min-w-[32rem] text-sm">
              <caption className="sr-only">Tokens per model from {data.from} to {data.to}</caption>
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Model
                  </th>
                  {["Calls", "Prompt", "Completion", "Total"].map((heading) => (
                    <th key={heading} scope="col" className="px-4 py-2 text-right font-medium">
                      {heading}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {data.byModel.length === 0 && (
                  <tr>
                    <td colSpan={5} className="px-4 py-4 text-center text-slate-500 dark:text-slate-400">
                      No models used in this period.
                    </td>
                  </tr>
                )}
                {data.byModel.map((row) => (
                  <tr key={modelKey(row)}>
                    <th scope="row" className="px-4 py-2 text-left font-medium">
                      <span aria-hidden className={`mr-2 inline-block size-2.5 rounded-sm ${colors.get(modelKey(row))}`} />
                      {modelKey(row)}
                    </th>
                    <td className="px-4 py-2 text-right tabular-nums">{count.format(row.calls)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{count.format(row.promptTokens)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{count.format(row.completionTokens)}</td>
                    <td className="px-4 py-2 text-right font-medium tabular-nums">{count.format(row.totalTokens)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
