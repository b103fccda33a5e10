import { sharePointsQuery } from "@/server/routers/dashboard-share.schema";
import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { badRequest, sharedJson, sharedRequest } from "../shared-request";

export const dynamic = "force-dynamic";

/**
 * Points of series on the shared dashboard over a range, as `dashboard.points` answers them:
 * `?series=a&series=b&from=<ISO>&to=<ISO>&maxPoints=<n>`. A series not on the dashboard is not found.
 */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return sharedRequest({
    request,
    token,
    answer: async ({ db, share }) => {
      const url = new URL(request.url);
      const query = sharePointsQuery.safeParse({
        series: url.searchParams.getAll("series"),
        from: url.searchParams.get("from"),
        to: url.searchParams.get("to"),
        maxPoints: url.searchParams.get("maxPoints") ?? undefined,
      });
      if (!query.success) return badRequest(query.error.issues[0]!.message);
      const { series, from, to, maxPoints } = query.data;
      return sharedJson(await dashboardShareService.points({ db, share, series, from: new Date(from), to: new Date(to), maxPoints }));
    },
  });
}
