import { getRuntime } from "@/runner/runtime";
import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { runService } from "@/server/services/run-service";
import { ServiceError } from "@/server/services/service-error";

export const dynamic = "force-dynamic";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * The run's live events as server-sent events: first a `snapshot` of the run as stored, then each run and step
 * event as it happens, until the run finishes. Another workspace's run is not found, like a missing one.
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
    if (err instanceof ServiceError) return Response.json({ error: "Run not found" }, { status: 404 });
    throw err;
  }

  const encoder = new TextEncoder();
  const runtime = getRuntime();
  const events = runtime.events;
  // While this stream is open, every process sends this flow's run events across.
  await runtime.watch(snapshot.flowId).catch(() => {});
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const close = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      const off = events.subscribe(runId, (event) => {
        send(event.type, event);
        if (event.type === "run.finished") close();
      });
      const keepAlive = setInterval(() => {
        controller.enqueue(encoder.encode(": keep-alive\n\n"));
        runtime.watch(snapshot.flowId).catch(() => {});
      }, 15_000);
      cleanup = () => {
        off();
        clearInterval(keepAlive);
      };
      request.signal.addEventListener("abort", close, { once: true });
      send("snapshot", snapshot);
      if (FINISHED.has(snapshot.status)) return close();
      // The run may have finished between the snapshot and the subscription.
      void runService.status({ db, runId }).then((run) => {
        if (run && FINISHED.has(run.status)) {
          send("run.finished", { type: "run.finished", runId, status: run.status, error: run.error, at: new Date().toISOString() });
          close();
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
