import { describe, expect, it } from "vitest";
import { configJsonSchema, migrateConfig } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import { runNode } from "../../runner/node-testing";
import { MAX_WEBHOOK_BODY_BYTES, webhookConfig, webhookNode } from "./webhook.node";

const request = { method: "POST", path: "orders/new", headers: { "content-type": "application/json" }, query: {}, body: { id: 7 } };

describe("core.webhook", () => {
  it("passes the request item on as the run's first item", async () => {
    const { items } = await runNode(webhookNode, { config: { path: "orders/new" }, input: [{ json: request }] });
    expect(items).toEqual([{ json: request }]);
  });

  it("fills in defaults: POST, answer as the flow says (auto), 30 s, no authentication, 1 MB bodies", () => {
    expect(webhookConfig.parse({ path: "orders/new" })).toEqual({
      path: "orders/new",
      methods: ["POST"],
      respond: "auto",
      timeoutMs: 30_000,
      authentication: "none",
      authHeader: "x-streamware-token",
      maxBodyBytes: 1024 * 1024,
    });
  });

  it("accepts nested paths of letters, digits, '-', '_' and '.'", () => {
    for (const path of ["orders", "orders/new", "v1.2/hook_name-x", "A/b/C"]) {
      expect({ path, ok: webhookConfig.safeParse({ path }).success }).toEqual({ path, ok: true });
    }
  });

  it("refuses a bad path with a message that shows what a path looks like", async () => {
    for (const path of ["", "/orders", "orders/", "orders//new", "orders new", "orders?x=1", "ünicode", ".hidden", "a".repeat(201)]) {
      const err = await runNode(webhookNode, { config: { path }, input: [{ json: request }] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, path).toBeInstanceOf(NodeConfigError);
      expect((err as Error).message, path).toMatch(/^Node "Webhook" is not set up correctly: Path (must|is required)/);
    }
    const issue = webhookConfig.safeParse({ path: "/orders" }).error?.issues[0];
    expect(issue).toMatchObject({ path: ["path"], message: 'must be a path such as "orders/new" (letters, digits, \'-\', \'_\', \'.\', \'/\')' });
  });

  it("refuses unknown methods, an empty method list, a short timeout and an oversized body limit", () => {
    const refused = (config: Record<string, unknown>) => webhookConfig.safeParse({ path: "x", ...config }).error?.issues.map((i) => i.path.join("."));
    expect(refused({ methods: ["TRACE"] })).toEqual(["methods.0"]);
    expect(refused({ methods: [] })).toEqual(["methods"]);
    expect(refused({ timeoutMs: 99 })).toEqual(["timeoutMs"]);
    expect(refused({ maxBodyBytes: MAX_WEBHOOK_BODY_BYTES + 1 })).toEqual(["maxBodyBytes"]);
    expect(refused({ authHeader: "x token" })).toEqual(["authHeader"]);
    expect(refused({ respond: "never" })).toEqual(["respond"]);
  });

  it("is a webhook trigger with an optional secret and a form the editor can draw", () => {
    expect(webhookNode.trigger).toEqual({ kind: "webhook" });
    expect(webhookNode.credential).toEqual({ type: "webhook.secret", required: false });
    expect(webhookNode.inputsFor(webhookConfig.parse({ path: "x" }))).toEqual([]);
    const schema = configJsonSchema(webhookNode) as { properties: Record<string, { title?: string; ui?: unknown; default?: unknown }>; required?: string[] };
    expect(schema.properties.path).toMatchObject({ title: "Path", ui: { placeholder: "orders/new" } });
    expect(schema.properties.methods).toMatchObject({ title: "HTTP methods", default: ["POST"] });
    expect(schema.required).toEqual(["path"]);
  });

  it("keeps stored version-1 webhooks answering as they did: an unset Respond becomes Immediately", () => {
    expect(webhookNode.version).toBe(2);
    expect(migrateConfig(webhookNode, { path: "orders" }, 1)).toEqual({ path: "orders", respond: "immediately" });
    expect(migrateConfig(webhookNode, { path: "orders", respond: "lastNode" }, 1)).toEqual({ path: "orders", respond: "lastNode" });
    expect(migrateConfig(webhookNode, { path: "orders" }, 2)).toEqual({ path: "orders" });
  });
});

