"use client";

import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { Widget } from "@/nodes/_core/dashboard";
import { VariantList } from "../../experiments/variant-results";
import { useWorkspace } from "../../workspace-context";

/** An A/B experiment's variants against its control, as the experiments page reads them, kept fresh. */
export function AbTestWidget({ experiment }: { experiment: NonNullable<Widget["experiment"]> }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const results = useQuery(
    trpc.abTest.results.queryOptions(
      { workspaceId: workspace.id, flowId: experiment.flowId, experiment: experiment.name },
      { refetchInterval: 15_000, placeholderData: (previous) => previous },
    ),
  );
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
