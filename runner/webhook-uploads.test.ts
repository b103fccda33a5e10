import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BinaryRef } from "../nodes/_kit/items";
import { useTestDatabase } from "../server/db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "../server/routers/test-helpers";
import { activationService } from "../server/services/activation-service";
import { flowService } from "../server/services/flow-service";
import { LocalBinaryStore } from "./binary-store";
import type { Runtime } from "./runtime";
import { startTestRuntime, serveWebhooks, type WebhookServer } from "../server/test-runtime";
import { MULTIPART_LIMITS } from "./webhooks";

type Owner = Awaited<ReturnType<typeof signInAs>>;

/** Uploads to /hooks/<workspace>/<path>: multipart forms (fields to JSON, files to binary storage) and raw bodies. */
describe("webhook uploads", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Owner;
  let server: WebhookServer;
  let base: string;
  const binaryDir = mkdtempSync(path.join(os.tmpdir(), "webhook-uploads-"));

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db, env: { BINARY_DIR: binaryDir } });
    owner = await signInAs({ db: database.db, name: "Uploads" });
    server = await serveWebhooks(runtime);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.close();
  });

  /** A webhook answering with the JSON body its first item carried. */
  async function activate(webhook: Record<string, unknown>) {
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, config: { respond: "lastNode", ...webhook } },
        {
          id: "show",
          type: "core.set",
          name: "Show",
          position: { x: 200, y: 0 },
          config: { fields: [{ name: "body", value: "{{ body }}" }], keepOnlySet: true },
        },
      ],
      edges: [{ id: "e", source: "hook", target: "show" }],
    };
    const created = await flowService.create({ ...scope, name: `Upload ${String(webhook.path)}`, document });
    await flowService.saveVersion({ ...scope, flowId: created.id, document, message: "" });
    await activationService.activate({ ...scope, flowId: created.id });
    await runtime.triggersChanged(created.id);
    return created.id;
  }

  async function triggerItems(runId: string) {
    const run = await database.db.run.findUniqueOrThrow({ where: { id: runId }, select: { input: true } });
    return run.input as unknown as { binary: Record<string, BinaryRef> }[];
  }

  it("turns form fields into the JSON body and files into binary properties named by their field", async () => {
    await activate({ path: "form" });
    const form = new FormData();
    form.append("device", "kitchen-panel");
    form.append("tag", "a");
    form.append("tag", "b");
    form.append("audio", new Blob([Buffer.from("RIFF....WAVE")], { type: "audio/wav" }), "command.wav");
    form.append("photo", new Blob([Buffer.from([1, 2, 3])], { type: "image/png" }), "one.png");
    form.append("photo", new Blob([Buffer.from([4, 5])], { type: "image/png" }), "two.png");
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/form`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    const runId = res.headers.get("x-streamware-run-id")!;
    expect(await res.json()).toEqual({ body: { device: "kitchen-panel", tag: ["a", "b"] } });
    const [item] = await triggerItems(runId);
    expect(Object.keys(item!.binary)).toEqual(["audio", "photo", "photo_2"]);
    expect(item!.binary.audio).toMatchObject({ mimeType: "audio/wav", fileName: "command.wav", size: 12 });
    expect(item!.binary.photo_2).toMatchObject({ mimeType: "image/png", fileName: "two.png", size: 2 });
    const bytes = await new LocalBinaryStore(binaryDir).read(owner.workspace.id, item!.binary.photo!);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("keeps a raw audio body as binary property data", async () => {
    await activate({ path: "raw" });
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/raw`, { method: "POST", headers: { "content-type": "audio/ogg" }, body: Buffer.from("OggS fake") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: null });
    const [item] = await triggerItems(res.headers.get("x-streamware-run-id")!);
    expect(Object.keys(item!.binary)).toEqual(["data"]);
    expect(item!.binary.data).toMatchObject({ mimeType: "audio/ogg", size: 9 });
  });

  it("refuses a form over the body limit, with too many files or a broken body, starting no run", async () => {
    const flowId = await activate({ path: "limited", maxBodyBytes: 2048 });
    const big = new FormData();
    big.append("audio", new Blob([Buffer.alloc(4096, 7)], { type: "audio/wav" }), "long.wav");
    const tooBig = await fetch(`${base}/hooks/${owner.workspace.slug}/limited`, { method: "POST", body: big });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: string }).error).toBe("The body is larger than this webhook's limit of 2048 bytes.");

    await activate({ path: "many" });
    const many = new FormData();
    for (let i = 0; i <= MULTIPART_LIMITS.files; i++) many.append(`f${i}`, new Blob(["x"]), `${i}.txt`);
    const tooMany = await fetch(`${base}/hooks/${owner.workspace.slug}/many`, { method: "POST", body: many });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: string }).error).toBe(`The form holds more than ${MULTIPART_LIMITS.files} files.`);

    const noBoundary = await fetch(`${base}/hooks/${owner.workspace.slug}/limited`, { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "--x\r\n" });
    expect(noBoundary.status).toBe(400);
    expect(((await noBoundary.json()) as { error: string }).error).toMatch(/^The multipart body cannot be read: .*[Bb]oundary/);
    const truncated = await fetch(`${base}/hooks/${owner.workspace.slug}/limited`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello',
    });
    expect(truncated.status).toBe(400);
    expect(((await truncated.json()) as { error: string }).error).toMatch(/^The multipart body cannot be read: /);
    expect(await database.db.run.count({ where: { flowId } })).toBe(0);
  });
});
