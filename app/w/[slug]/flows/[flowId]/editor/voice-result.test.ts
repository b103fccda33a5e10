import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode, TEST_WORKSPACE_ID } from "@/runner/node-testing";
import { voiceTriggerNode } from "@/nodes/voice/voice-trigger.node";
import { LocalBinaryStore } from "@/runner/binary-store";
import { nodeCatalog } from "@/server/services/node-catalog-service";
import { heardCommand, VOICE_TRIGGER_TYPE } from "./voice-result";

const exec = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "voice-result-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("what the voice trigger heard, as the editor shows it", () => {
  it("names a node type the catalog has", () => {
    expect(nodeCatalog().find((e) => e.type === VOICE_TRIGGER_TYPE)?.trigger).toBe("webhook");
  });

  it("reads the text, intent and entities from a real transcription of a spoken command", async () => {
    const wav = path.join(dir, "command.wav");
    await exec("espeak-ng", ["-w", wav, "turn on the kitchen lights"]);
    const store = new LocalBinaryStore(path.join(dir, "store"));
    const audio = await store.put(createReadStream(wav), { workspaceId: TEST_WORKSPACE_ID, mimeType: "audio/wav", fileName: "command.wav" });
    const { items } = await runNode(voiceTriggerNode, {
      binary: store,
      input: [{ json: {}, binary: { audio } }],
      config: { path: "voice/test", intents: [{ name: "lights", patterns: ["turn (on|off):state the {room} lights"] }], slots: [{ name: "room", values: ["kitchen", "bedroom"] }] },
    });
    // As run.get returns a step's output.
    const heard = heardCommand({ items: { out: items } });
    expect(heard).toEqual({ text: "turn on the kitchen lights", intent: "lights", entities: { state: "on", room: "kitchen" } });
  }, 60_000);

  it("is nothing for a step with no output yet or an output of another shape", () => {
    expect(heardCommand(undefined)).toBeNull();
    expect(heardCommand({ items: { out: [] } })).toBeNull();
    expect(heardCommand({ items: { out: [{ json: { text: 3 } }] } })).toBeNull();
    expect(heardCommand({ items: { out: [{ json: { text: "", intent: null, entities: { n: 1 } } }] } })).toEqual({ text: "", intent: null, entities: {} });
  });
});
