import { shareAbResultsQuery } from "@/server/routers/dashboard-share.schema";
import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { badRequest, sharedJson, sharedRequest } from "../shared-request";

export const dynamic = "force-dynamic";

/** The results of an experiment an A/B widget of the shared dashboard compares: `?flowId=…&experiment=…`. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return sharedRequest({
    request,
    token,
    answer: async ({ db, share }) => {
      const url = new URL(request.url);
      const query = shareAbResultsQuery.safeParse({ flowId: url.searchParams.get("flowId"), experiment: url.searchParams.get("experiment") });
      if (!query.success) return badRequest(query.error.issues[0]!.message);
      return sharedJson(await dashboardShareService.abResults({ db, share, ...query.data, confidence: 0.95 }));
    },
  });
}
