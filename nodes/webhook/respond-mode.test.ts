import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, flowDocumentSchema } from "../_core/flow-document";
import { nodeRegistry } from "../registry";
import { ignoredRespondWarnings, respondMode } from "./respond-mode";

function flow(webhook: { config: Record<string, unknown>; typeVersion?: number }, { connected = true, disabled = false } = {}) {
  return flowDocumentSchema.parse({
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "hook", name: "Orders", type: "core.webhook", typeVersion: webhook.typeVersion ?? 2, position: { x: 0, y: 0 }, config: { path: "orders", ...webhook.config } },
      { id: "tag", name: "Tag", type: "core.set", position: { x: 200, y: 0 } },
      { id: "answer", name: "Answer", type: "core.respond-to-webhook", position: { x: 400, y: 0 }, disabled },
    ],
    edges: connected
      ? [
          { id: "e1", source: "hook", target: "tag" },
          { id: "e2", source: "tag", target: "answer" },
        ]
      : [{ id: "e1", source: "hook", target: "tag" }],
  });
}

describe("how a webhook answers", () => {
  it("follows the flow when Respond was never chosen: the Respond node it reaches, else at once", () => {
    expect(respondMode(flow({ config: {} }), "hook", "auto")).toBe("respondNode");
    expect(respondMode(flow({ config: {} }, { connected: false }), "hook", "auto")).toBe("immediately");
    expect(respondMode(flow({ config: {} }, { disabled: true }), "hook", "auto")).toBe("immediately");
    expect(respondMode(flow({ config: {} }), "hook", "lastNode")).toBe("lastNode");
    expect(respondMode(flow({ config: {} }), "hook", "immediately")).toBe("immediately");
  });

  it("warns, in words and on the Respond node, when the webhook was told to answer some other way", () => {
    const warnings = ignoredRespondWarnings(flow({ config: { respond: "immediately" } }), nodeRegistry);
    expect(warnings).toEqual([
      {
        path: "nodes[2]",
        severity: "warning",
        message: 'Node "Answer" is never heard: webhook "Orders" answers at once (Respond is set to "Immediately"). Set the webhook\'s Respond to "Auto" or "Respond node" so this node answers the request.',
      },
    ]);
    expect(ignoredRespondWarnings(flow({ config: { respond: "lastNode" } }), nodeRegistry)[0]?.message).toContain('answers with the last node\'s output (Respond is set to "Last node")');
  });

  it("says the same of a stored version-1 webhook, which answers at once", () => {
    expect(ignoredRespondWarnings(flow({ config: {}, typeVersion: 1 }), nodeRegistry)).toHaveLength(1);
  });

  it("is quiet when the Respond node is heard or not connected", () => {
    expect(ignoredRespondWarnings(flow({ config: {} }), nodeRegistry)).toEqual([]);
    expect(ignoredRespondWarnings(flow({ config: { respond: "respondNode" } }), nodeRegistry)).toEqual([]);
    expect(ignoredRespondWarnings(flow({ config: { respond: "immediately" } }, { connected: false }), nodeRegistry)).toEqual([]);
  });
});
