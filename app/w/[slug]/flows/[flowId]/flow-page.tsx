"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { AppRouter } from "@/server/routers/_app";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useWorkspace } from "../../workspace-context";
import { FlowEditor } from "./editor/flow-editor";

/** The flow and the catalog as the server read them with the page, and when. */
export interface FlowPageInitial {
  flow: inferRouterOutputs<AppRouter>["flow"]["get"];
  catalog: inferRouterOutputs<AppRouter>["nodeCatalog"]["list"];
  at: number;
}

export function FlowPage({ flowId, initial }: { flowId: string; initial?: FlowPageInitial }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const ref = { workspaceId: workspace.id, flowId };
  // Read with the page: fresh for a few seconds, so opening the editor does not ask for them again at once.
  const flow = useQuery({ ...trpc.flow.get.queryOptions(ref), initialData: initial?.flow, initialDataUpdatedAt: initial?.at, staleTime: 5_000 });
  const catalog = useQuery({ ...trpc.nodeCatalog.list.queryOptions(), initialData: initial?.catalog, initialDataUpdatedAt: initial?.at, staleTime: Infinity });

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
