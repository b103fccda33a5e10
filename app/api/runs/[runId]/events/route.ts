import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { currentRuntime } from "@/server/runtime-handover";
import { runService } from "@/server/services/run-service";
import { ServiceError, serviceErrorStatus } from "@/server/services/service-error";
import { runEventStream } from "./run-event-stream";

export const dynamic = "force-dynamic";

/**
 * The run's live events as server-sent events (see `runEventStream`). Another workspace's run is not found, like
 * a missing one.
 */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const user = await currentUser();
  if (!user) return Response.json({ error: "Sign in to continue." }, { status: 401 });
  const db = await getDb();
  const workspaceId = await runService.workspaceOf({ db, runId });
  let snapshot;
  try {
    if (!workspaceId) throw new ServiceError({ code: "NOT_FOUND", message: "Run not found" });
    snapshot = await runService.get({ db, userId: user.id, workspaceId, runId });
  } catch (err) {
    // Whatever the service said (such as "Workspace not found"), the run is not found: its existence is not told.
    if (err instanceof ServiceError) return Response.json({ error: "Run not found" }, { status: serviceErrorStatus.NOT_FOUND.http });
    throw err;
  }

  const runtime = currentRuntime();
  const flowId = snapshot.flowId;
  // While this stream is open, every process sends this flow's run events across.
  await runtime.watch(flowId).catch(() => {});
  const stream = runEventStream({
    events: runtime.events,
    runId,
    snapshot,
    storedEnd: () => runService.status({ db, runId }),
    keepWatching: () => void runtime.watch(flowId).catch(() => {}),
    signal: request.signal,
    counted: () => runtime.metrics.streamOpened("run"),
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
