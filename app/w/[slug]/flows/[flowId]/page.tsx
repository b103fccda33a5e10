import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { flowService } from "@/server/services/flow-service";
import { nodeCatalog } from "@/server/services/node-catalog-service";
import { workspacesOf } from "../../workspaces";
import { FlowPage, type FlowPageInitial } from "./flow-page";

/**
 * The flow and the node catalog are read here, with the page, so the editor draws the canvas as soon as its code
 * has loaded instead of asking for them afterwards. The same services and role checks as `flow.get` and
 * `nodeCatalog.list`; whatever fails here (no such flow, no access) is left to the page's own queries, which say so.
 */
async function initialData(slug: string, flowId: string): Promise<FlowPageInitial | undefined> {
  try {
    // The workspace layout sends a visitor who is not signed in to the sign-in page.
    const user = await currentUser();
    if (!user) return undefined;
    const workspace = (await workspacesOf(user.id)).find((w) => w.slug === slug);
    if (!workspace) return undefined;
    const flow = await flowService.get({ db: await getDb(), userId: user.id, workspaceId: workspace.id, flowId });
    return { flow, catalog: nodeCatalog(), at: Date.now() };
  } catch {
    return undefined;
  }
}

export default async function FlowRoute({ params }: { params: Promise<{ slug: string; flowId: string }> }) {
  const { slug, flowId } = await params;
  return <FlowPage flowId={flowId} initial={await initialData(slug, flowId)} />;
}
