import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, flowDocumentSchema } from "@/nodes/_core/flow-document";
import { pasteInto } from "./clipboard";
import { readForeignClipboard } from "./foreign-paste";

/** What n8n puts on the clipboard when nodes are copied in its editor: no name, no settings, just nodes and wires. */
const n8nClipboard = {
  nodes: [
    { parameters: { path: "greet", responseMode: "responseNode", options: {} }, id: "a1", name: "Webhook", type: "n8n-nodes-base.webhook", typeVersion: 2, position: [0, 0], webhookId: "w1" },
    { parameters: { mode: "manual", assignments: { assignments: [{ id: "x", name: "greeting", value: "=Hello {{ $json.query.name }}", type: "string" }] }, options: {} }, id: "a2", name: "Edit Fields", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [220, 0] },
    { parameters: { respondWith: "json", responseBody: "={{ $json }}", options: {} }, id: "a3", name: "Respond", type: "n8n-nodes-base.respondToWebhook", typeVersion: 1.1, position: [440, 0] },
    { parameters: { resource: "issue" }, id: "a4", name: "Jira", type: "n8n-nodes-base.jira", typeVersion: 1, position: [440, 200] },
  ],
  connections: {
    Webhook: { main: [[{ node: "Edit Fields", type: "main", index: 0 }]] },
    "Edit Fields": { main: [[{ node: "Respond", type: "main", index: 0 }, { node: "Jira", type: "main", index: 0 }]] },
  },
  pinData: {},
  meta: { instanceId: "abc" },
};

/** Node-RED copies the selected nodes with their tab's id in `z`, but not the tab itself. */
const nodeRedClipboard = [
  { id: "i1", type: "inject", z: "tab1", name: "Every minute", props: [{ p: "payload" }], repeat: "60", once: false, topic: "", payload: "", payloadType: "date", x: 100, y: 80, wires: [["c1"]] },
  { id: "c1", type: "change", z: "tab1", name: "Mark", rules: [{ t: "set", p: "payload", pt: "msg", to: "tick", tot: "str" }], x: 280, y: 80, wires: [["d1"]] },
  { id: "d1", type: "debug", z: "tab1", name: "Show", active: true, complete: "payload", x: 460, y: 80, wires: [] },
];

const existing = flowDocumentSchema.parse({
  schema: FLOW_SCHEMA_TAG,
  nodes: [{ id: "web", name: "Webhook", type: "core.manual-trigger", position: { x: 0, y: 0 } }],
  edges: [],
});

describe("pasting another tool's nodes", () => {
  it("reads n8n's clipboard shape into one document, with placeholders and a summary of the report", () => {
    const read = readForeignClipboard(n8nClipboard);
    expect(read?.ok).toBe(true);
    if (!read?.ok) return;
    expect(read.document.nodes.map((n) => n.type)).toEqual(["core.webhook", "core.set", "core.respond-to-webhook", "core.placeholder"]);
    expect(read.document.edges).toHaveLength(3);
    expect(read.summary).toBe("Pasted 4 n8n nodes: 3 mapped, 1 placeholder; 2 expressions translated.");
    expect(read.details).toEqual([expect.stringContaining("“Jira” (n8n-nodes-base.jira) is a placeholder")]);
  });

  it("pastes them like our own nodes: new ids, unique names, edges following their nodes, at the paste position", () => {
    const read = readForeignClipboard(n8nClipboard);
    if (!read?.ok) throw new Error("the n8n clipboard did not read");
    const result = pasteInto(existing, read.document, { at: { x: 500, y: 300 } });
    const added = result.document.nodes.filter((n) => result.nodeIds.includes(n.id));
    expect(added.map((n) => n.name)).toEqual(["Webhook 2", "Edit Fields", "Respond", "Jira"]);
    expect(added[0]!.position).toEqual({ x: 500, y: 300 });
    const ids = new Set(result.nodeIds);
    expect(result.document.edges.filter((e) => ids.has(e.source) && ids.has(e.target))).toHaveLength(3);
    expect(flowDocumentSchema.safeParse(result.document).success).toBe(true);
  });

  it("reads Node-RED nodes copied without their tab", () => {
    const read = readForeignClipboard(nodeRedClipboard);
    expect(read?.ok).toBe(true);
    if (!read?.ok) return;
    // The inject's payload becomes a Set after the schedule trigger: one more node than was copied.
    expect(read.document.nodes.map((n) => n.type)).toEqual(["core.schedule", "core.set", "core.set", "core.set"]);
    expect(read.document.edges).toHaveLength(3);
    expect(read.summary).toMatch(/^Pasted 3 Node-RED nodes: 3 mapped, 0 placeholders/);
  });

  it("counts expressions kept as written apart from those translated", () => {
    const flagged = readForeignClipboard({ nodes: [{ name: "Ids", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [0, 0], parameters: { assignments: { assignments: [{ name: "ids", value: "={{ $env.API_BASE }}", type: "string" }] } } }], connections: {} });
    expect(flagged?.ok && flagged.summary).toBe("Pasted 1 n8n node: 1 mapped, 0 placeholders; 1 expression kept as written.");
  });

  it("leaves JSON of neither tool to the caller, and says what is wrong with broken n8n nodes", () => {
    expect(readForeignClipboard({ hello: "world" })).toBeNull();
    expect(readForeignClipboard([1, 2])).toBeNull();
    const broken = readForeignClipboard({ nodes: [{ name: "", type: "n8n-nodes-base.set" }], connections: {} });
    expect(broken).toEqual({ ok: false, reason: expect.stringContaining("could not be read"), details: [expect.stringContaining("nodes[0].name")] });
  });
});
