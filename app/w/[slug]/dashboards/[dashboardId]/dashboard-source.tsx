"use client";

import { createContext, useContext } from "react";

/**
 * Where a dashboard on screen reads from and acts through: a member of its workspace, by their role, or anyone
 * holding a share link, through the link's own routes. Widgets read it rather than the workspace, so that the same
 * widgets draw wherever the dashboard is shown.
 */
export type DashboardSource =
  | {
      via: "member";
      workspaceId: string;
      dashboardId: string;
      /** The viewer may start the flows of the dashboard's control widgets. */
      canRun: boolean;
    }
  | {
      via: "share";
      /** The share link's token: every read goes through `/api/share/<token>/…`. */
      token: string;
      dashboardId: string;
      /** A shared page starts no flow by role; a control widget acts only when its owner shared its action. */
      canRun: false;
    };

const DashboardSourceContext = createContext<DashboardSource | null>(null);

export const DashboardSourceProvider = DashboardSourceContext.Provider;

export function useDashboardSource(): DashboardSource {
  const source = useContext(DashboardSourceContext);
  if (!source) throw new Error("useDashboardSource is used inside a DashboardSourceProvider");
  return source;
}
