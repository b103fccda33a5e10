import type { Page } from "@playwright/test";
import { trpc } from "./editor";

/**
 * A live webhook flow (saved as version 1 and activated) that publishes each call's body field `field` to `series`:
 * what the dashboard journeys feed their widgets from.
 */
export async function publishingFlow(page: Page, { workspaceId, hookPath, name, series, field, unit }: { workspaceId: string; hookPath: string; name: string; series: string; field: string; unit?: string }): Promise<void> {
  const document = {
    schema: "streamware.flow/1",
    nodes: [
      { id: "hook", type: "core.webhook", name: "Reading", position: { x: 0, y: 0 }, config: { path: hookPath, respond: "immediately" } },
      { id: "publish", type: "dashboard.publish", name: "Publish", position: { x: 280, y: 0 }, config: { series, value: `{{ body.${field} }}`, ...(unit && { unit }) } },
    ],
    edges: [{ id: "e1", source: "hook", target: "publish" }],
  };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId, name, document });
  await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
  await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
}
