import type { BinaryRef } from "../nodes/_kit/items";
import type { RunSpec } from "../nodes/_core/run-types";
import type { ContextUser } from "./context";
import type { Db } from "./db";
import { ServiceError } from "./services/service-error";
import { dashboardActionService, type WidgetActor, type WidgetRuntime } from "./services/dashboard-action-service";
import { voiceService } from "./services/voice-service";

/** What a recording route needs of the runtime: binary storage and starting runs. */
export interface RecordingRuntime {
  executor: { storeBinary(workspaceId: string, data: Buffer, meta: { mimeType: string; fileName?: string }): Promise<BinaryRef> };
  enqueue(spec: RunSpec): Promise<string>;
}

/** What browsers' MediaRecorder produces (WebM/Opus, Ogg, MP4/AAC) and audio files in general. */
const AUDIO_TYPE = /^(audio\/[a-z0-9.+-]+|video\/(webm|ogg|mp4)|application\/ogg)$/;

const EXTENSIONS: Record<string, string> = { webm: "webm", ogg: "ogg", mp4: "m4a", mpeg: "mp3", wav: "wav", "x-wav": "wav", flac: "flac" };

class TooLarge extends Error {}

async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new TooLarge();
    }
    chunks.push(Buffer.from(value));
  }
}

const json = (status: number, body: unknown) => Response.json(body, { status });

/**
 * Reads a recording's body once the run it starts is known: audio only, within `maxBytes`, not empty; stores it in
 * the workspace's binary storage. A refusal comes back as the response to send.
 */
async function storeRecording({ request, runtime, workspaceId, maxBytes }: { request: Request; runtime: RecordingRuntime; workspaceId: string; maxBytes: number }): Promise<BinaryRef | Response> {
  const mimeType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!AUDIO_TYPE.test(mimeType)) {
    return json(415, { error: `Send the recording as audio (audio/webm, audio/ogg, audio/mp4, audio/wav…), not "${mimeType || "no content type"}".` });
  }
  const tooLarge = () => json(413, { error: `The recording is larger than this flow's limit of ${maxBytes} bytes; record a shorter one.` });
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return tooLarge();
  let audio: Buffer;
  try {
    audio = request.body ? await readLimited(request.body, maxBytes) : Buffer.alloc(0);
  } catch (err) {
    if (err instanceof TooLarge) return tooLarge();
    throw err;
  }
  if (audio.length === 0) return json(400, { error: "The recording is empty; hold the button while you speak." });
  return runtime.executor.storeBinary(workspaceId, audio, {
    mimeType: request.headers.get("content-type")!,
    fileName: `recording.${EXTENSIONS[mimeType.split("/")[1]!] ?? "audio"}`,
  });
}

/**
 * `POST /api/flows/<flowId>/voice`: a recording from the browser starts a manual run of the flow (its draft, or
 * `?source=active`) with the audio as the trigger item's binary `audio`; answers 202 with the run id. Only an
 * editor of the flow's workspace may; anyone else's flow is not found. The audio is stored only once the flow is
 * known to take it, and nothing is started for a body that is not audio or is larger than the flow's limit.
 */
export async function receiveRecording({ request, flowId, user, db, runtime }: { request: Request; flowId: string; user: ContextUser | null; db: Db; runtime: RecordingRuntime }): Promise<Response> {
  if (!user) return json(401, { error: "Sign in to continue." });
  const source = new URL(request.url).searchParams.get("source") ?? "draft";
  if (source !== "draft" && source !== "active") return json(400, { error: `source must be "draft" or "active", not "${source}".` });
  let prepared;
  try {
    prepared = await voiceService.prepareRecording({ db, userId: user.id, flowId, source });
  } catch (err) {
    if (err instanceof ServiceError) return json(err.httpStatus, { error: err.message });
    throw err;
  }
  const ref = await storeRecording({ request, runtime, workspaceId: prepared.workspaceId, maxBytes: prepared.maxBytes });
  if (ref instanceof Response) return ref;
  const runId = await runtime.enqueue({ ...prepared.spec, triggerItems: [voiceService.recordingItem({ audio: ref, userId: user.id })] });
  return json(202, { runId });
}

/**
 * A hold-to-talk widget's recording, from a member or a shared link (`actor`): checked and stored as above, it
 * starts the widget's flow; answers 200 with the `WidgetActResult` once the run finished or the bounded wait ended,
 * or `{ error }` with the status of what was wrong.
 */
export async function receiveWidgetRecording({
  request,
  db,
  runtime,
  dashboardId,
  widgetId,
  actor,
}: {
  request: Request;
  db: Db;
  runtime: RecordingRuntime & WidgetRuntime;
  dashboardId: string;
  widgetId: string;
  actor: WidgetActor;
}): Promise<Response> {
  try {
    const prepared = await dashboardActionService.prepareVoice({ db, dashboardId, widgetId, actor });
    const ref = await storeRecording({ request, runtime, workspaceId: prepared.workspaceId, maxBytes: prepared.maxBytes });
    if (ref instanceof Response) return ref;
    return json(200, await dashboardActionService.startVoice({ db, runtime, prepared, audio: ref }));
  } catch (err) {
    if (err instanceof ServiceError) return json(err.httpStatus, { error: err.message });
    throw err;
  }
}
