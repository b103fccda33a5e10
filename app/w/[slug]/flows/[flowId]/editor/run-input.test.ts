import { describe, expect, it } from "vitest";
import { asWebhookRequest, runStartNode, triggerShape } from "./run-input";

const node = (id: string, type: string, config: Record<string, unknown> = {}, disabled = false) => ({ id, type, typeVersion: 1, name: id, position: { x: 0, y: 0 }, config, credentials: {}, disabled, onError: "stop" as const });
const kinds: Record<string, string> = { "core.webhook": "webhook", "core.manual-trigger": "manual", "core.schedule": "schedule" };
const kindOf = (type: string) => kinds[type] ?? null;

describe("the Run dialog's starting input", () => {
  it("starts from the manual trigger when there is one, else the first enabled trigger", () => {
    expect(runStartNode({ nodes: [node("w", "core.webhook"), node("m", "core.manual-trigger")] }, kindOf)?.id).toBe("m");
    expect(runStartNode({ nodes: [node("s", "core.set"), node("w", "core.webhook", {}, true), node("c", "core.schedule")] }, kindOf)?.id).toBe("c");
    expect(runStartNode({ nodes: [node("s", "core.set")] }, kindOf)).toBeUndefined();
  });

  it("gives a webhook's request shape with its first method and path, a schedule its firing time, a manual trigger an empty item", () => {
    expect(triggerShape(node("w", "core.webhook", { path: "orders/new", methods: ["PUT", "POST"] }))).toEqual({
      method: "PUT",
      path: "orders/new",
      headers: { "content-type": "application/json" },
      query: {},
      body: {},
    });
    expect(triggerShape(node("w", "core.webhook"))).toMatchObject({ method: "POST", path: "" });
    expect(triggerShape(node("c", "core.schedule"), new Date("2025-01-02T03:04:05Z"))).toEqual({ firedAt: "2025-01-02T03:04:05.000Z" });
    expect(triggerShape(node("m", "core.manual-trigger"))).toEqual({});
    expect(triggerShape(undefined)).toEqual({});
  });

  it("reads a request back for the form, and refuses what the form could not show without losing it", () => {
    expect(asWebhookRequest({ method: "GET", headers: { a: "1" }, query: { q: "x" }, body: [1] })).toEqual({ method: "GET", path: "", headers: { a: "1" }, query: { q: "x" }, body: [1] });
    expect(asWebhookRequest({ method: "GET", extra: 1 })).toBeNull();
    expect(asWebhookRequest({ method: "GET", headers: { a: 1 } })).toBeNull();
    expect(asWebhookRequest([{ method: "GET" }])).toBeNull();
  });
});
