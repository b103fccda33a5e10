import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { currentRuntime } from "@/server/runtime-handover";
import { receiveRecording } from "@/server/voice-recording";

export const dynamic = "force-dynamic";

/** A recording from the browser's hold-to-talk button starts a run of the flow; answers 202 with the run id. */
export async function POST(request: Request, { params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  const [user, db] = await Promise.all([currentUser(), getDb()]);
  return receiveRecording({ request, flowId, user, db, runtime: currentRuntime() });
}
