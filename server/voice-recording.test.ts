import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../runner/runtime";
import { startTestRuntime } from "./test-runtime";
import { useTestDatabase } from "./db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { addMember, signInAs } from "./routers/test-helpers";
import { flowService } from "./services/flow-service";
import { runService } from "./services/run-service";
import { receiveRecording } from "./voice-recording";

type Person = Awaited<ReturnType<typeof signInAs>>;

const voiceTrigger = {
  id: "voice",
  type: "voice.trigger",
  name: "Voice",
  position: { x: 0, y: 0 },
  config: {
    path: "recorded",
    maxBodyBytes: 200_000,
    intents: [{ name: "lights.set", patterns: ["turn (on|off):state the {room} lights"] }],
    slots: [{ name: "room", values: ["kitchen", "bedroom"] }],
  },
};

describe("POST /api/flows/<flowId>/voice (browser recordings)", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Person;
  let stranger: Person;
  let flowId: string;
  let webm: Buffer;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Speaker" });
    stranger = await signInAs({ db: database.db, name: "Stranger" });
    const created = await flowService.create({
      db: database.db,
      userId: owner.user.id,
      workspaceId: owner.workspace.id,
      name: "Lights by voice",
      document: { schema: FLOW_SCHEMA_TAG, nodes: [voiceTrigger], edges: [] },
    });
    flowId = created.id;
    const dir = mkdtempSync(path.join(os.tmpdir(), "voice-route-"));
    execFileSync("espeak-ng", ["-w", path.join(dir, "say.wav"), "turn off the bedroom lights"]);
    execFileSync("ffmpeg", ["-loglevel", "error", "-y", "-i", path.join(dir, "say.wav"), "-c:a", "libopus", "-f", "webm", path.join(dir, "say.webm")]);
    webm = readFileSync(path.join(dir, "say.webm"));
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const post = ({ who, flow = flowId, body = webm, type = "audio/webm;codecs=opus", query = "" }: { who: Person | null; flow?: string; body?: Buffer | string; type?: string; query?: string }) =>
    receiveRecording({
      request: new Request(`http://localhost/api/flows/${flow}/voice${query}`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : new Uint8Array(body) }),
      flowId: flow,
      user: who ? who.user : null,
      db: database.db,
      runtime,
    });

  const runCount = () => database.db.run.count({ where: { flowId } });

  it("stores the recording and starts a run of the draft from the voice trigger; the run hears the command", async () => {
    const res = await post({ who: owner });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect((await runtime.waitForRun(runId, 30_000)).status).toBe("succeeded");
    const run = await runService.get({ db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id, runId });
    expect(run.trigger).toBe("manual");
    const output = run.steps.find((s) => s.nodeId === "voice")!.output as unknown as { items: { out: { json: Record<string, unknown>; binary: Record<string, { mimeType: string; fileName: string }> }[] } };
    const [item] = output.items.out;
    expect(item!.json).toMatchObject({ text: "turn off the bedroom lights", intent: "lights.set", entities: { room: "bedroom", state: "off" }, request: { source: "browser", userId: owner.user.id } });
    expect(item!.binary.audio).toMatchObject({ mimeType: "audio/webm;codecs=opus", fileName: "recording.webm" });
  });

  it("refuses another workspace's flow as not found, and a missing one the same way, starting nothing", async () => {
    const before = await runCount();
    const foreign = await post({ who: stranger });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: "Flow not found" });
    const missing = await post({ who: owner, flow: "no-such-flow" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Flow not found" });
    expect(await runCount()).toBe(before);
  });

  it("needs a signed-in editor: anonymous is 401, a viewer of the workspace 403", async () => {
    expect((await post({ who: null })).status).toBe(401);
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await addMember({ db: database.db, by: owner.user, workspaceId: owner.workspace.id, user: viewer.user, role: "viewer" });
    const res = await post({ who: viewer });
    expect(res.status).toBe(403);
    const editor = await signInAs({ db: database.db, name: "Editor" });
    await addMember({ db: database.db, by: owner.user, workspaceId: owner.workspace.id, user: editor.user, role: "editor" });
    expect((await post({ who: editor })).status).toBe(202);
  });

  it("refuses what is not audio, an empty body and more than the flow's upload limit, storing nothing", async () => {
    const before = await runCount();
    const text = await post({ who: owner, body: "hello", type: "text/plain" });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toBe('Send the recording as audio (audio/webm, audio/ogg, audio/mp4, audio/wav…), not "text/plain".');
    const empty = await post({ who: owner, body: Buffer.alloc(0) });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toContain("The recording is empty");
    const big = await post({ who: owner, body: Buffer.alloc(200_001, 1) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe("The recording is larger than this flow's limit of 200000 bytes; record a shorter one.");
    expect(await runCount()).toBe(before);
  });

  it("runs the active version when asked, and says so when there is none", async () => {
    const inactive = await post({ who: owner, query: "?source=active" });
    expect(inactive.status).toBe(400);
    expect(((await inactive.json()) as { error: string }).error).toContain("The flow is not active");
    const bad = await post({ who: owner, query: "?source=latest" });
    expect(bad.status).toBe(400);
  });

  it("lets the run report audio that is not speech as a clear failure", async () => {
    const res = await post({ who: owner, body: Buffer.from("RIFF not really a wave file at all"), type: "audio/wav" });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const finished = await runtime.waitForRun(runId, 30_000);
    expect(finished.status).toBe("failed");
    expect(finished.error).toMatchObject({ code: "BAD_INPUT", message: 'Node "Voice" failed: The audio ("audio") is not an audio file ffmpeg can read (Invalid data found when processing input); send WAV, WebM/Opus, Ogg, MP3, M4A or FLAC.' });
  });
});
