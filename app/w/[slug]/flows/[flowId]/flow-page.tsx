"use client";

import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useTRPC } from "@/app/_components/trpc-provider";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useWorkspace } from "../../workspace-context";
import { FlowEditor } from "./editor/flow-editor";

export function FlowPage({ flowId }: { flowId: string }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const ref = { workspaceId: workspace.id, flowId };
  const flow = useQuery(trpc.flow.get.queryOptions(ref));
  const catalog = useQuery({ ...trpc.nodeCatalog.list.queryOptions(), staleTime: Infinity });

  const error = flow.error ?? catalog.error;
  if (error) {
    return (
      <div className="space-y-4">
        <ErrorAlert>{flow.error?.data?.code === "NOT_FOUND" ? "This flow does not exist or you cannot see it." : error.message}</ErrorAlert>
        <Link href={`/w/${workspace.slug}`} className="text-indigo-600 hover:underline">
          All flows
        </Link>
      </div>
    );
  }
  if (!flow.data || !catalog.data) return <p className="text-sm text-slate-500">Loading flow…</p>;

  return (
    <ReactFlowProvider>
      {/* Keyed by flow: the draft is read once when the editor opens; after that the editor holds it and saves it. */}
      <FlowEditor key={flowId} flow={flow.data} catalog={catalog.data} workspace={workspace} />
    </ReactFlowProvider>
  );
}
