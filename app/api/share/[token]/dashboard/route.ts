import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { sharedJson, sharedRequest } from "../shared-request";

export const dynamic = "force-dynamic";

/** The shared dashboard (name, description, widgets) and its workspace's branding. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return sharedRequest({ request, token, answer: async ({ db, share }) => sharedJson(await dashboardShareService.view({ db, share })) });
}
