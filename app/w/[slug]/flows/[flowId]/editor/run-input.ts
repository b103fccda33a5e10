import type { FlowDocument, FlowNode } from "@/nodes/_core/flow-document";

/** The trigger a manual run starts from: the first enabled manual trigger, else the first enabled trigger. */
export function runStartNode(document: Pick<FlowDocument, "nodes">, triggerKind: (type: string) => string | null): FlowNode | undefined {
  const triggers = document.nodes.filter((n) => !n.disabled && triggerKind(n.type));
  return triggers.find((n) => triggerKind(n.type) === "manual") ?? triggers[0];
}

/** What a webhook hands the flow: the request as its first item. */
export interface WebhookRequestItem {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export const WEBHOOK_TYPE = "core.webhook";

/**
 * The test input a trigger would hand the flow, to start from: a webhook's request (method, path, headers, query,
 * body), a schedule's firing time, and an empty item for a manual trigger and the rest.
 */
export function triggerShape(node: Pick<FlowNode, "type" | "config"> | undefined, now = new Date()): Record<string, unknown> {
  if (!node) return {};
  if (node.type === WEBHOOK_TYPE) {
    const methods = Array.isArray(node.config.methods) ? node.config.methods : [];
    const request: WebhookRequestItem = {
      method: typeof methods[0] === "string" ? methods[0] : "POST",
      path: typeof node.config.path === "string" ? node.config.path : "",
      headers: { "content-type": "application/json" },
      query: {},
      body: {},
    };
    return { ...request };
  }
  if (node.type === "core.schedule") return { firedAt: now.toISOString() };
  return {};
}

/** The value as a webhook request the form can show, or null when it does not have that shape. */
export function asWebhookRequest(value: unknown): WebhookRequestItem | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const record = (x: unknown) => x === undefined || (x !== null && typeof x === "object" && !Array.isArray(x) && Object.values(x).every((s) => typeof s === "string"));
  if (typeof v.method !== "string" || !record(v.headers) || !record(v.query)) return null;
  const known = new Set(["method", "path", "headers", "query", "body"]);
  if (Object.keys(v).some((k) => !known.has(k))) return null;
  return {
    method: v.method,
    path: typeof v.path === "string" ? v.path : "",
    headers: (v.headers as Record<string, string> | undefined) ?? {},
    query: (v.query as Record<string, string> | undefined) ?? {},
    body: v.body ?? null,
  };
}

/** JSON as shown in the dialog. */
export const pretty = (value: unknown) => JSON.stringify(value, null, 2);
