import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime } from "../../server/test-runtime";
import { useTestDatabase } from "../../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../_core/flow-document";
import { signInAs } from "../../server/routers/test-helpers";
import { activationService } from "../../server/services/activation-service";
import { flowService } from "../../server/services/flow-service";

type Owner = Awaited<ReturnType<typeof signInAs>>;

const commands = {
  intents: [{ name: "lights.set", patterns: ["turn (on|off):state the {room} lights"] }],
  slots: [{ name: "room", values: ["kitchen", "bedroom", "living room"] }],
};

/** Spoken commands uploaded to /hooks/<workspace>/<path>, through the real engine, answered with what was understood. */
describe("voice.trigger on the webhook path", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Owner;
  let server: Server;
  let base: string;
  let wav: Buffer;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Voice" });
    server = createServer((req, res) => {
      if (!runtime.webhooks!.handle(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "voice-trigger-"));
    execFileSync("espeak-ng", ["-w", path.join(dir, "say.wav"), "turn on the kitchen lights"]);
    wav = readFileSync(path.join(dir, "say.wav"));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await runtime?.close();
  });

  /** A voice trigger, then a Set node that turns the command into a reply. */
  async function activate(who: Owner, trigger: Record<string, unknown>) {
    const scope = { db: database.db, userId: who.user.id, workspaceId: who.workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "voice", type: "voice.trigger", name: "Voice", position: { x: 0, y: 0 }, config: { ...commands, ...trigger } },
        {
          id: "reply",
          type: "core.set",
          name: "Reply",
          position: { x: 200, y: 0 },
          config: { fields: [{ name: "said", value: "{{ text }}" }, { name: "intent", value: "{{ intent }}" }, { name: "entities", value: "{{ entities }}" }, { name: "device", value: "{{ request.body.device }}" }], keepOnlySet: true },
        },
      ],
      edges: [{ id: "e", source: "voice", target: "reply" }],
    };
    const created = await flowService.create({ ...scope, name: `Voice ${String(trigger.path)}`, document });
    await flowService.saveVersion({ ...scope, flowId: created.id, document, message: "" });
    const activated = await activationService.activate({ ...scope, flowId: created.id });
    await runtime.triggersChanged(created.id);
    return { flowId: created.id, activated };
  }

  it("answers a raw WAV upload with the intent: lights.set, kitchen, on", async () => {
    const { activated } = await activate(owner, { path: "voice/raw" });
    expect(activated.webhooks).toEqual([{ path: "voice/raw", methods: ["POST"], url: `/hooks/${owner.workspace.slug}/voice/raw` }]);
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/voice/raw`, { method: "POST", headers: { "content-type": "audio/wav" }, body: new Uint8Array(wav) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ said: "turn on the kitchen lights", intent: "lights.set", entities: { state: "on", room: "kitchen" } });
  });

  it("answers a multipart upload, the form fields kept beside the command", async () => {
    await activate(owner, { path: "voice/form" });
    const form = new FormData();
    form.append("device", "hall-panel");
    form.append("audio", new Blob([new Uint8Array(wav)], { type: "audio/wav" }), "command.wav");
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/voice/form`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ said: "turn on the kitchen lights", intent: "lights.set", entities: { state: "on", room: "kitchen" }, device: "hall-panel" });
  });

  it("answers 422 with the reason for an upload that is not audio", async () => {
    await activate(owner, { path: "voice/strict" });
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/voice/strict`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: "not audio at all" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { runId: string; error: string };
    expect(body.error).toBe('Node "Voice" failed: The audio ("data") is not an audio file ffmpeg can read (Invalid data found when processing input); send WAV, WebM/Opus, Ogg, MP3, M4A or FLAC.');
    expect(body.runId).toBeTruthy();
  });

  it("refuses an upload over the trigger's limit before a run exists", async () => {
    const { flowId } = await activate(owner, { path: "voice/small", maxBodyBytes: 1000 });
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/voice/small`, { method: "POST", headers: { "content-type": "audio/wav" }, body: new Uint8Array(wav) });
    expect(res.status).toBe(413);
    expect(await database.db.run.count({ where: { flowId } })).toBe(0);
  });

  it("claims its path: a webhook of another flow cannot take it", async () => {
    await activate(owner, { path: "voice/claimed" });
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const document = { schema: FLOW_SCHEMA_TAG, nodes: [{ id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: { path: "voice/claimed" } }], edges: [] };
    const other = await flowService.create({ ...scope, name: "Thief", document });
    await flowService.saveVersion({ ...scope, flowId: other.id, document, message: "" });
    await expect(activationService.activate({ ...scope, flowId: other.id })).rejects.toThrow('The webhook path "voice/claimed" is already used by another active flow');
  });
});
