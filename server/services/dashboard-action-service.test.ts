import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WIDGET_OUTPUT_MAX_CHARS, type Widget } from "../../nodes/_core/dashboard";
import { BUTTON_INPUT_MAX_CHARS } from "../../nodes/_core/dashboard-controls";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import type { Runtime } from "../../runner/runtime";
import { useTestDatabase } from "../db/test-databases";
import { addMember, rejection, signInAs } from "../routers/test-helpers";
import { startTestRuntime } from "../test-runtime";
import { receiveWidgetRecording } from "../voice-recording";
import { dashboardActionService, type WidgetActor } from "./dashboard-action-service";
import { ServiceError } from "./service-error";

type Person = Awaited<ReturnType<typeof signInAs>>;

const node = (id: string, name: string, type: string, config: Record<string, unknown> = {}) => ({ id, name, type, position: { x: 0, y: 0 }, config });
/** Answers with what it was given and a greeting: the input is visible in the output. */
const echo = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [node("start", "Start", "core.manual-trigger"), node("tag", "Tag", "core.set", { fields: [{ name: "answer", value: "Hello {{ $json.name }}" }] })],
  edges: [{ id: "start-tag", source: "start", target: "tag" }],
};
const layout = { x: 0, y: 0, w: 3, h: 2 };
const controls = (flowId: string): Widget[] => [
  { id: "go", kind: "button", title: "Go", series: [], action: { flowId, shared: false, label: "Greet" }, layout },
  { id: "open-go", kind: "button", title: "Public go", series: [], action: { flowId, shared: true }, layout },
  {
    id: "signup",
    kind: "form",
    title: "Sign up",
    series: [],
    action: { flowId, shared: false },
    form: {
      type: "object",
      properties: {
        name: { type: "string", title: "Your name", maxLength: 40 },
        email: { type: "string", title: "Email", format: "email" },
        seats: { type: "integer", title: "Seats", minimum: 1, maximum: 10 },
        plan: { type: "string", enum: ["free", "team"] },
      },
      required: ["name", "seats"],
      order: ["name", "email", "seats", "plan"],
    },
    layout,
  },
  { id: "power", kind: "switch", title: "Power", series: [], action: { flowId, shared: false }, layout },
  { id: "level", kind: "slider", title: "Level", series: [], action: { flowId, shared: false }, range: { min: 0, max: 1, step: 0.1 }, layout },
  { id: "talk", kind: "voice", title: "Talk", series: [], action: { flowId, shared: true }, layout },
  { id: "temp", kind: "stat", title: "Temperature", series: ["temperature"], layout },
];

describe("dashboard control widgets", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Person;
  let workspaceId: string;
  let flowId: string;
  let dashboardId: string;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Owner" });
    workspaceId = owner.workspace.id;
    flowId = (await owner.caller.flow.create({ workspaceId, name: "Greeter", document: echo })).id;
    await owner.caller.flow.saveVersion({ workspaceId, flowId, document: echo, message: "v1" });
    await owner.caller.flow.activate({ workspaceId, flowId });
    dashboardId = (await owner.caller.dashboard.create({ workspaceId, name: "Controls", widgets: controls(flowId) })).id;
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const act = (who: Person, widgetId: string, input?: unknown) => who.caller.dashboard.act({ workspaceId, dashboardId, widgetId, input });

  it("starts the flow's active version for a member, as run.start does, and answers with its output", async () => {
    const operator = await signInAs({ db: database.db, name: "Operator" });
    await addMember({ db: database.db, by: owner.user, workspaceId, user: operator.user, role: "operator" });
    const result = await act(operator, "go", { name: "Ada" });
    expect(result).toEqual({ runId: expect.any(String), status: "succeeded", output: { name: "Ada", answer: "Hello Ada" } });

    const run = await owner.caller.run.get({ workspaceId, runId: result.runId });
    expect(run).toMatchObject({ flowId, trigger: "manual", versionNumber: 1, status: "succeeded" });
    const audit = await database.db.auditEvent.findMany({ where: { workspaceId, targetId: result.runId }, select: { action: true, actorId: true, actorKind: true, data: true } });
    expect(audit).toEqual([{ action: "run.start", actorId: operator.user.id, actorKind: "user", data: { flowId, source: "active", dashboardId, widgetId: "go" } }]);
  });

  it("sends a switch's state, a slider's value and a button's object, each checked against the widget", async () => {
    expect((await act(owner, "power", { value: true })).output).toEqual({ value: true, answer: "Hello " });
    expect((await act(owner, "level", { value: 0.3 })).output).toMatchObject({ value: 0.3 });
    expect((await rejection(act(owner, "power", { value: "on" }))).message).toBe("A switch sends value: true or false");
    expect((await rejection(act(owner, "level", { value: 2 }))).message).toBe("The slider's value is at most 1");
    expect((await rejection(act(owner, "level", { value: 0.25 }))).message).toBe("The slider moves in steps of 0.1 from 0");
    expect((await rejection(act(owner, "go", { name: "x".repeat(BUTTON_INPUT_MAX_CHARS) }))).message).toBe(`A button sends at most ${BUTTON_INPUT_MAX_CHARS} characters of JSON`);
  });

  it("refuses form input that does not fit its fields, naming each field, and starts nothing", async () => {
    const before = await database.db.run.count({ where: { flowId } });
    const empty = await rejection(act(owner, "signup", {}));
    expect(empty.code).toBe("BAD_REQUEST");
    expect(empty.message).toBe('Fill in "Your name"; Fill in "Seats"');
    const wrong = await rejection(act(owner, "signup", { name: "", email: "not an address", seats: 11.5, plan: "gold" }));
    expect(wrong.message).toBe(
      'Fill in "Your name"; "Email" must be an email address, such as ada@example.com; "Seats" must be a whole number; Choose one of the choices for "plan"',
    );
    expect(await database.db.run.count({ where: { flowId } })).toBe(before);

    const done = await act(owner, "signup", { name: "Grace", seats: 3, plan: "team", extra: "dropped" });
    expect(done.output).toEqual({ name: "Grace", seats: 3, plan: "team", answer: "Hello Grace" });
  });

  it("refuses a viewer, and answers another workspace's dashboard like a missing one", async () => {
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await addMember({ db: database.db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    expect((await rejection(act(viewer, "go"))).code).toBe("FORBIDDEN");

    const intruder = await signInAs({ db: database.db, name: "Intruder" });
    // Through the intruder's own workspace the role check passes; the dashboard's scoping stands.
    const foreign = await rejection(intruder.caller.dashboard.act({ workspaceId: intruder.workspace.id, dashboardId, widgetId: "go" }));
    expect({ code: foreign.code, message: foreign.message }).toEqual({ code: "NOT_FOUND", message: "Dashboard not found" });
    const missing = await rejection(intruder.caller.dashboard.act({ workspaceId: intruder.workspace.id, dashboardId: "no-such-dashboard", widgetId: "go" }));
    expect({ code: missing.code, message: missing.message }).toEqual({ code: "NOT_FOUND", message: "Dashboard not found" });
    expect((await rejection(act(owner, "nope"))).code).toBe("NOT_FOUND");
    expect((await rejection(act(owner, "temp"))).message).toBe('"Temperature" shows data and starts nothing.');
  });

  it("lets a shared link start only the widgets its owner allowed, audited as the link", async () => {
    const share: WidgetActor = { kind: "share", workspaceId, shareId: "share-1" };
    const refused = await dashboardActionService.start({ db: database.db, runtime, dashboardId, widgetId: "go", input: undefined, actor: share }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: '"Go" cannot be used from a shared link; its owner has not allowed that.' });

    const allowed = await dashboardActionService.start({ db: database.db, runtime, dashboardId, widgetId: "open-go", input: { name: "Link" }, actor: share });
    expect(allowed).toMatchObject({ status: "succeeded", output: { answer: "Hello Link" } });
    const audit = await database.db.auditEvent.findFirst({ where: { workspaceId, targetId: allowed.runId }, select: { action: true, actorId: true, actorKind: true } });
    expect(audit).toEqual({ action: "run.start", actorId: "share-1", actorKind: "shareLink" });

    // A link of another workspace does not reach this dashboard at all.
    const elsewhere = await dashboardActionService.start({ db: database.db, runtime, dashboardId, widgetId: "open-go", input: {}, actor: { ...share, workspaceId: "another" } }).catch((err: unknown) => err);
    expect(elsewhere).toMatchObject({ code: "NOT_FOUND", message: "Dashboard not found" });
  });

  it("says when the flow is not active, and bounds the output it answers with", async () => {
    await owner.caller.flow.deactivate({ workspaceId, flowId });
    const inactive = await rejection(act(owner, "go"));
    expect(inactive.message).toBe('The flow "Greeter" is not active; activate a version of it in the editor so this widget can start it.');
    await owner.caller.flow.activate({ workspaceId, flowId });

    const long = "x".repeat(WIDGET_OUTPUT_MAX_CHARS);
    const result = await act(owner, "go", { name: "Long", long });
    expect(result.outputTruncated).toBe(true);
    expect(typeof result.output).toBe("string");
    expect((result.output as string).length).toBe(WIDGET_OUTPUT_MAX_CHARS);
  });

  it("takes a hold-to-talk recording, from a member or an allowed link, and answers with the flow's output", async () => {
    // Transcription is the voice trigger's own test; a flow without one receives the recording on its manual trigger.
    const dir = mkdtempSync(path.join(os.tmpdir(), "widget-voice-"));
    execFileSync("ffmpeg", ["-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "1", path.join(dir, "say.wav")]);
    const wav = readFileSync(path.join(dir, "say.wav"));
    const post = ({ widgetId = "talk", actor, body = wav, type = "audio/wav" }: { widgetId?: string; actor: WidgetActor; body?: Buffer | string; type?: string }) =>
      receiveWidgetRecording({
        request: new Request(`http://localhost/widgets/${widgetId}/voice`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : new Uint8Array(body) }),
        db: database.db,
        runtime,
        dashboardId,
        widgetId,
        actor,
      });

    const heard = await post({ actor: { kind: "share", workspaceId, shareId: "share-2" } });
    expect(heard.status).toBe(200);
    const answer = (await heard.json()) as { runId: string; output: unknown };
    expect(answer).toMatchObject({ status: "succeeded", output: { source: "browser", mimeType: "audio/wav", size: wav.length, answer: "Hello " } });
    const run = await database.db.run.findUniqueOrThrow({ where: { id: answer.runId }, select: { input: true } });
    expect(run.input).toMatchObject([{ binary: { audio: { mimeType: "audio/wav", size: wav.length } } }]);

    const member = { kind: "member" as const, userId: owner.user.id, workspaceId };
    expect((await post({ actor: member, body: "hello", type: "text/plain" })).status).toBe(415);
    const notVoice = await post({ actor: member, widgetId: "go" });
    expect(notVoice.status).toBe(400);
    expect(await notVoice.json()).toEqual({ error: '"Go" is not a hold-to-talk widget; it takes no recording.' });
    expect((await rejection(act(owner, "talk"))).message).toBe('"Talk" takes a recording: hold its button while you speak.');
  });
});
