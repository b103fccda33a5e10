import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { currentRuntime } from "@/server/runtime-handover";
import { dashboardService } from "@/server/services/dashboard-service";
import { ServiceError } from "@/server/services/service-error";
import { seriesPointStream } from "./series-point-stream";

export const dynamic = "force-dynamic";

/** The dashboard's live values as server-sent events (see `seriesPointStream`); another workspace's dashboard is not found. */
export async function GET(request: Request, { params }: { params: Promise<{ dashboardId: string }> }) {
  const { dashboardId } = await params;
  const user = await currentUser();
  if (!user) return Response.json({ error: "Sign in to continue." }, { status: 401 });
  let watched;
  try {
    watched = await dashboardService.watched({ db: await getDb(), userId: user.id, dashboardId });
  } catch (err) {
    if (err instanceof ServiceError) return Response.json({ error: err.message }, { status: err.httpStatus });
    throw err;
  }
  const runtime = currentRuntime();
  const stream = seriesPointStream({ events: runtime.events, ...watched, signal: request.signal, counted: () => runtime.metrics.streamOpened("dashboard") });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
