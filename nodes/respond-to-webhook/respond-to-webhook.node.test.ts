import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { NodeConfigError } from "../_kit/errors";
import { runNode, TEST_WORKSPACE_ID } from "../../runner/node-testing";
import { respondToWebhookNode } from "./respond-to-webhook.node";

const input = [{ json: { orderId: 42, total: 9.5 } }, { json: { orderId: 43, total: 1 } }];

describe("core.respond-to-webhook", () => {
  it("answers with the first item's JSON and status 200 by default, and passes the items on", async () => {
    const { responses, items } = await runNode(respondToWebhookNode, { input });
    expect(responses).toEqual([{ status: 200, headers: {}, body: { orderId: 42, total: 9.5 } }]);
    expect(items).toEqual(input);
  });

  it("answers with the configured status, headers (names lower-cased) and body", async () => {
    const { responses } = await runNode(respondToWebhookNode, {
      input,
      config: { status: 201, headers: [{ name: "X-Order-Id", value: "42" }, { name: "Content-Type", value: "text/plain" }], body: "created" },
    });
    expect(responses).toEqual([{ status: 201, headers: { "x-order-id": "42", "content-type": "text/plain" }, body: "created" }]);
  });

  it("evaluates the body's expressions against the first item, keeping a lone expression's type", async () => {
    const { responses } = await runNode(respondToWebhookNode, {
      input,
      trigger: [{ json: { customer: "Ada" } }],
      config: { body: { id: "{{ $json.orderId }}", message: "Thanks {{ $trigger.customer }}, order {{ $json.orderId }}" } },
    });
    expect(responses[0]!.body).toEqual({ id: 42, message: "Thanks Ada, order 42" });
  });

  it("answers with every item's JSON as a list when asked", async () => {
    const { responses } = await runNode(respondToWebhookNode, { input, config: { allItems: true } });
    expect(responses[0]!.body).toEqual([{ orderId: 42, total: 9.5 }, { orderId: 43, total: 1 }]);
    expect((await runNode(respondToWebhookNode, { input: [], config: { allItems: true } })).responses[0]!.body).toEqual([]);
  });

  it("answers with the first item's file, its type and name in the headers unless a header says otherwise", async () => {
    const binary = new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "streamware-respond-file-")));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9]);
    const ref = await binary.put(png, { workspaceId: TEST_WORKSPACE_ID, mimeType: "image/png", fileName: "pic \"1\"é.png" });
    const withFile = [{ json: {}, binary: { data: ref } }];
    const { responses } = await runNode(respondToWebhookNode, { binary, input: withFile, config: { file: "data" } });
    expect(responses).toEqual([{ status: 200, headers: { "content-type": "image/png", "content-disposition": 'inline; filename="pic _1__.png"' }, body: png }]);
    const typed = await runNode(respondToWebhookNode, { binary, input: withFile, config: { file: "data", headers: [{ name: "Content-Type", value: "application/octet-stream" }] } });
    expect(typed.responses[0]!.headers["content-type"]).toBe("application/octet-stream");
    const err = await runNode(respondToWebhookNode, { binary, input: withFile, config: { file: "pdf" } }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err!.message).toBe('The first item has no file "pdf" to answer with; its files are "data"');
  });

  it("treats an empty body like no body", async () => {
    expect((await runNode(respondToWebhookNode, { input, config: { body: "" } })).responses[0]!.body).toEqual({ orderId: 42, total: 9.5 });
    expect((await runNode(respondToWebhookNode, { input: [] })).responses[0]!.body).toEqual({});
  });

  it("refuses a status outside 100–599 and a header name with spaces", async () => {
    for (const config of [{ status: 99 }, { status: 600 }, { headers: [{ name: "X Order", value: "1" }] }]) {
      const err = await runNode(respondToWebhookNode, { input, config }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NodeConfigError);
      expect((err as Error).message).toMatch(/^Node "Respond to webhook" is not set up correctly: (Status code must be at (least 100|most 599)|Header 1: Name must be a header name)$/);
    }
  });
});
