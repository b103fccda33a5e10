"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { AppRouter } from "@/server/routers/_app";
import { inputClass } from "../credentials/form-controls";
import { useWorkspace } from "../workspace-context";
import { count, percent, pValue, signedPercent, VariantList, verdict } from "./variant-results";

type Experiment = inferRouterOutputs<AppRouter>["abTest"]["overview"][number];

const CONFIDENCES = [0.9, 0.95, 0.99];

function ExperimentCard({ experiment, slug }: { experiment: Experiment; slug: string }) {
  const headings = ["Variant", "Weight", "Exposures", "Conversions", "Rate", "Lift", `Difference (${Math.round(experiment.confidence * 100)}% interval)`, "p-value", "Result"];
  return (
    <section aria-label={`Experiment ${experiment.experiment}`} className="rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 className="text-lg font-semibold">{experiment.experiment}</h2>
        <Link prefetch={false} href={`/w/${slug}/flows/${experiment.flowId}`} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
          {experiment.flowName}
        </Link>
        <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">Control: {experiment.control}</span>
      </div>
      {/* A phone gets each variant as a card; a wider screen the table. */}
      <VariantList experiment={experiment} className="md:hidden" />
      <div className="hidden overflow-x-auto md:block">
        <table className="w-full min-w-[44rem] text-sm">
          <caption className="sr-only">Variants of {experiment.experiment} against the control</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
            <tr>
              {headings.map((heading, i) => (
                <th key={heading} scope="col" className={`px-4 py-2 font-medium ${i > 0 && i < 8 ? "text-right" : ""}`}>
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {experiment.variants.map((variant) => {
              const result = verdict(variant, experiment.confidence);
              return (
                <tr key={variant.name}>
                  <th scope="row" className="px-4 py-2 text-left font-medium">
                    {variant.name}
                  </th>
                  <td className="px-4 py-2 text-right tabular-nums">{variant.weight ?? "—"}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{count.format(variant.exposures)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{count.format(variant.conversions)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{percent(variant.rate)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{variant.control ? "" : signedPercent(variant.lift)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {variant.control ? "" : variant.interval ? `${signedPercent(variant.difference)} (${signedPercent(variant.interval.low)} to ${signedPercent(variant.interval.high)})` : signedPercent(variant.difference)}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{variant.control ? "" : pValue(variant.pValue)}</td>
                  <td className="px-4 py-2">
                    <span className={`whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${result.className}`}>{result.text}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Every A/B experiment of the workspace: its variants against the control, with the test's verdict. */
export function ExperimentsPage() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [confidence, setConfidence] = useState(0.95);
  const experiments = useQuery(trpc.abTest.overview.queryOptions({ workspaceId: workspace.id, confidence }, { refetchInterval: 15_000, placeholderData: (previous) => previous }));

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Experiments</h1>
          <p className="max-w-2xl text-sm text-slate-600 dark:text-slate-400">
            A/B splits of your flows: how many saw each variant, how many converted, and whether the difference from the control is more than chance
            (two-proportion z-test).
          </p>
        </div>
        <label className="flex items-center gap-2 text-sm">
          Confidence
          <select value={confidence} onChange={(e) => setConfidence(Number(e.target.value))} className={`${inputClass} w-auto`}>
            {CONFIDENCES.map((c) => (
              <option key={c} value={c}>
                {Math.round(c * 100)}%
              </option>
            ))}
          </select>
        </label>
      </div>
      {experiments.error && <ErrorAlert>{experiments.error.message}</ErrorAlert>}
      {experiments.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {experiments.data?.length === 0 && (
        <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No experiments yet. Add an A/B split node to a flow: its experiment appears here the first time it runs, and an A/B goal node counts conversions.
        </p>
      )}
      {experiments.data?.map((experiment) => (
        <ExperimentCard key={`${experiment.flowId}/${experiment.experiment}`} experiment={experiment} slug={workspace.slug} />
      ))}
    </div>
  );
}
