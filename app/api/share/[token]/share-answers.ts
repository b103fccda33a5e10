import { sharePointsQuery, shareAbResultsQuery } from "@/server/routers/dashboard-share.schema";
import { currentRuntime } from "@/server/runtime-handover";
import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { MAX_LIVE_VIEWERS_PER_SHARE, takeLiveViewer } from "@/server/share-settings";
import { seriesPointStream } from "../../dashboards/[dashboardId]/live/series-point-stream";
import { sharedHeaders, sharedJson, type ShareAnswer } from "./shared-request";

/** A query string that does not read: its first issue's words, as a 400. */
const badQuery = (issues: readonly { message: string }[]) => sharedJson({ error: issues[0]!.message }, { status: 400 });

/** What each route under a share link answers; the routes only wire these to their paths. */
export const shareAnswers = {
  /** The shared dashboard (name, description, widgets) and its workspace's branding. */
  dashboard: (async ({ db, share }) => sharedJson(await dashboardShareService.view({ db, share }))) satisfies ShareAnswer,

  /** The series the shared dashboard shows, each with its latest point. */
  series: (async ({ db, share }) => sharedJson(await dashboardShareService.series({ db, share }))) satisfies ShareAnswer,

  /**
   * Points of series on the shared dashboard over a range, as `dashboard.points` answers them:
   * `?series=a&series=b&from=<ISO>&to=<ISO>&maxPoints=<n>`. A series not on the dashboard is not found.
   */
  points: (async ({ db, share, request }) => {
    const url = new URL(request.url);
    const query = sharePointsQuery.safeParse({
      series: url.searchParams.getAll("series"),
      from: url.searchParams.get("from") ?? undefined,
      to: url.searchParams.get("to") ?? undefined,
      maxPoints: url.searchParams.get("maxPoints") ?? undefined,
    });
    if (!query.success) return badQuery(query.error.issues);
    const { series, from, to, maxPoints } = query.data;
    return sharedJson(await dashboardShareService.points({ db, share, series, from: new Date(from), to: new Date(to), maxPoints }));
  }) satisfies ShareAnswer,

  /** The results of an experiment an A/B widget of the shared dashboard compares: `?flowId=…&experiment=…`. */
  abResults: (async ({ db, share, request }) => {
    const url = new URL(request.url);
    const query = shareAbResultsQuery.safeParse({ flowId: url.searchParams.get("flowId") ?? undefined, experiment: url.searchParams.get("experiment") ?? undefined });
    if (!query.success) return badQuery(query.error.issues);
    return sharedJson(await dashboardShareService.abResults({ db, share, ...query.data, confidence: 0.95 }));
  }) satisfies ShareAnswer,

  /** The shared dashboard's live values as server-sent events, as a member's live stream sends them; viewers bounded per link. */
  live: (async ({ db, share, request }) => {
    const watched = await dashboardShareService.watched({ db, share });
    if (!takeLiveViewer({ shareId: share.shareId, signal: request.signal })) {
      return sharedJson({ error: `This shared dashboard already has ${MAX_LIVE_VIEWERS_PER_SHARE} live viewers here; try again later.` }, { status: 429, headers: { "retry-after": "30" } });
    }
    const stream = seriesPointStream({ events: currentRuntime().events, ...watched, signal: request.signal });
    return new Response(stream, {
      headers: { ...sharedHeaders, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
    });
  }) satisfies ShareAnswer,
};
