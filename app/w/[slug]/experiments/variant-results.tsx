"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

/** How an experiment's variants read against its control: shared by the experiments page and dashboards' A/B widgets. */

export type ExperimentResult = inferRouterOutputs<AppRouter>["abTest"]["results"][number];
export type Variant = ExperimentResult["variants"][number];

export const count = new Intl.NumberFormat();
export const percent = (value: number | null, digits = 1) => (value === null ? "—" : `${(value * 100).toFixed(digits)}%`);
export const signedPercent = (value: number | null) => (value === null ? "—" : `${value > 0 ? "+" : ""}${(value * 100).toFixed(1)}%`);
export const pValue = (value: number | null) => (value === null ? "—" : value < 0.0001 ? "< 0.0001" : value.toFixed(4));

/** What a variant's comparison with the control says, in words. */
export function verdict(variant: Variant, confidence: number): { text: string; className: string } {
  if (variant.control) return { text: "Control", className: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300" };
  if (variant.pValue === null) return { text: "Not enough data", className: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-400" };
  if (!variant.significant) return { text: "Not significant", className: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300" };
  const better = (variant.difference ?? 0) > 0;
  return {
    text: `${better ? "Better" : "Worse"} at ${Math.round(confidence * 100)}%`,
    className: better ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" : "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  };
}

/** Each variant as a short card: its rate, and against the control its lift, difference with interval, and p-value. */
export function VariantList({ experiment, className = "" }: { experiment: ExperimentResult; className?: string }) {
  return (
    <ul className={`divide-y divide-slate-200 dark:divide-slate-800 ${className}`}>
      {experiment.variants.map((variant) => {
        const result = verdict(variant, experiment.confidence);
        return (
          <li key={variant.name} className="space-y-1 px-4 py-3 text-sm">
            <div className="flex items-center gap-2">
              <span className="font-medium">{variant.name}</span>
              {variant.weight !== null && <span className="text-xs text-slate-500 dark:text-slate-400">weight {variant.weight}</span>}
              <span className={`ml-auto whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${result.className}`}>{result.text}</span>
            </div>
            <p className="tabular-nums">
              {percent(variant.rate)} converted ({count.format(variant.conversions)} of {count.format(variant.exposures)})
            </p>
            {!variant.control && (
              <p className="text-xs tabular-nums text-slate-600 dark:text-slate-400">
                Lift {signedPercent(variant.lift)} · difference {signedPercent(variant.difference)}
                {variant.interval && ` (${signedPercent(variant.interval.low)} to ${signedPercent(variant.interval.high)})`} · p {pValue(variant.pValue)}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
