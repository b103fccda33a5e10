"use client";

import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "@/app/_components/error-alert";
import type { Widget } from "@/nodes/_core/dashboard";
import { VariantList } from "../../experiments/variant-results";
import { useDashboardReads } from "./dashboard-reads";
import { useDashboardSource } from "./dashboard-source";

/** An A/B experiment's variants against its control, as the experiments page reads them, kept fresh. */
export function AbTestWidget({ experiment }: { experiment: NonNullable<Widget["experiment"]> }) {
  const reads = useDashboardReads(useDashboardSource());
  const results = useQuery(reads.abResults(experiment));
  if (results.error) return <ErrorAlert>{results.error.message}</ErrorAlert>;
  if (results.isPending) return <p className="px-3 text-xs text-slate-500 dark:text-slate-400">Loading…</p>;
  const found = results.data[0];
  if (!found) {
    return (
      <p className="flex h-full items-center justify-center p-2 text-center text-xs text-slate-500 dark:text-slate-400">
        No assignments to experiment {experiment.name} yet: it appears once its A/B split runs.
      </p>
    );
  }
  return (
    <div className="h-full overflow-auto">
      <p className="px-4 text-xs text-slate-500 dark:text-slate-400">
        Control: {found.control} · {Math.round(found.confidence * 100)}% confidence
      </p>
      <VariantList experiment={found} />
    </div>
  );
}
