import { sharePointsQuery, shareAbResultsQuery } from "@/server/routers/dashboard-share.schema";
import { currentRuntime } from "@/server/runtime-handover";
import { dashboardActionService, type WidgetActor } from "@/server/services/dashboard-action-service";
import { dashboardShareService, type ResolvedShare } from "@/server/services/dashboard-share-service";
import { MAX_LIVE_VIEWERS_PER_SHARE, takeLiveViewer } from "@/server/share-settings";
import { receiveWidgetRecording } from "@/server/voice-recording";
import { seriesPointStream } from "../../dashboards/[dashboardId]/live/series-point-stream";
import { sharedHeaders, sharedJson, type ShareAnswer } from "./shared-request";

/** The largest body a control widget's use may send: a form's fields, a switch, a slider. */
export const MAX_ACT_BODY_BYTES = 64 * 1024;

const shareActor = (share: ResolvedShare): WidgetActor => ({ kind: "share", workspaceId: share.workspaceId, shareId: share.shareId });

/** The body of a widget's use, `{ input }`, read within MAX_ACT_BODY_BYTES; a refusal as the response to send. */
async function actBody(request: Request): Promise<{ input: unknown } | Response> {
  const refuse = (status: number, error: string) => sharedJson({ error }, { status });
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) return refuse(415, 'Send the widget\'s input as JSON: { "input": … }.');
  const tooLarge = () => refuse(413, `The widget's input is larger than ${MAX_ACT_BODY_BYTES / 1024} KB; send less.`);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_ACT_BODY_BYTES) return tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_ACT_BODY_BYTES) return tooLarge();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    return refuse(400, 'The body is not JSON; send { "input": … }.');
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return refuse(400, 'Send the widget\'s input as { "input": … }.');
  return { input: (body as { input?: unknown }).input };
}

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
    const runtime = currentRuntime();
    const stream = seriesPointStream({ events: runtime.events, ...watched, signal: request.signal, counted: () => runtime.metrics.streamOpened("dashboard") });
    return new Response(stream, {
      headers: { ...sharedHeaders, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
    });
  }) satisfies ShareAnswer,

  /**
   * Uses a control widget of the shared dashboard (`POST …/widgets/<widgetId>/act` with `{ input }`): only a widget
   * whose owner let shared links start it; answers the run's WidgetActResult.
   */
  act: ({ widgetId }: { widgetId: string }) =>
    (async ({ db, share, request }) => {
      const body = await actBody(request);
      if (body instanceof Response) return body;
      const result = await dashboardActionService.start({ db, runtime: currentRuntime(), dashboardId: share.dashboardId, widgetId, input: body.input, actor: shareActor(share) });
      return sharedJson(result);
    }) satisfies ShareAnswer,

  /** A hold-to-talk widget's recording (`POST …/widgets/<widgetId>/voice`, audio body), under the same rule. */
  voice: ({ widgetId }: { widgetId: string }) =>
    (async ({ db, share, request }) => {
      const response = await receiveWidgetRecording({ request, db, runtime: currentRuntime(), dashboardId: share.dashboardId, widgetId, actor: shareActor(share) });
      for (const [name, value] of Object.entries(sharedHeaders)) response.headers.set(name, value);
      return response;
    }) satisfies ShareAnswer,
};
