import { currentRuntime } from "@/server/runtime-handover";
import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { seriesPointStream } from "../../../dashboards/[dashboardId]/live/series-point-stream";
import { sharedHeaders, sharedRequest } from "../shared-request";

export const dynamic = "force-dynamic";

/** The shared dashboard's live values as server-sent events, as a member's live stream sends them. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return sharedRequest({
    request,
    token,
    answer: async ({ db, share }) => {
      const watched = await dashboardShareService.watched({ db, share });
      const stream = seriesPointStream({ events: currentRuntime().events, ...watched, signal: request.signal });
      return new Response(stream, {
        headers: { ...sharedHeaders, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
      });
    },
  });
}
