"use client";

import { createContext, useContext, type ReactNode } from "react";
import { can, type WorkspaceSummary } from "@/server/services/workspace-roles";

const WorkspaceContext = createContext<WorkspaceSummary | null>(null);

export function WorkspaceProvider({ workspace, children }: { workspace: WorkspaceSummary; children: ReactNode }) {
  return <WorkspaceContext.Provider value={workspace}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceSummary {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace is used outside a workspace page");
  return workspace;
}

/** Whether the editor offers running and activating flows (operators and up); the server enforces the same rule. */
export function canOperate(workspace: WorkspaceSummary): boolean {
  return can({ role: workspace.role, permission: "run.control" });
}

/** Whether the flow editor and lists offer editing; the server enforces the same rule (`permissions`). */
export function canEdit(workspace: WorkspaceSummary): boolean {
  return can({ role: workspace.role, permission: "flow.edit" });
}

/** Whether the dashboard pages offer making, arranging and removing dashboards and widgets (`dashboard.edit`). */
export function canEditDashboards(workspace: WorkspaceSummary): boolean {
  return can({ role: workspace.role, permission: "dashboard.edit" });
}
