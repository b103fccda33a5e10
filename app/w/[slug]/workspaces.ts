import { cache } from "react";
import { getDb } from "@/server/db";
import { workspaceService } from "@/server/services/workspace-service";

/** The workspaces a user belongs to, read once per request for the layout and the page under it. */
export const workspacesOf = cache(async (userId: string) => workspaceService.listForUser({ db: await getDb(), userId }));
