import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { addMember, rejection, signInAs } from "./test-helpers";

const document = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "call", name: "Call", type: "core.http-request", position: { x: 200, y: 0 }, config: { url: "", method: "TELEPORT" } },
    { id: "wait", name: "Wait", type: "core.delay", position: { x: 400, y: 0 }, config: { ms: 10 } },
  ],
  edges: [
    { id: "e1", source: "start", target: "call" },
    { id: "e2", source: "start", target: "wait", sourcePort: "nowhere" },
  ],
};

describe("flow.validate", () => {
  const database = useTestDatabase("postgres");

  it("names the node and config field of each problem and stores nothing", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Checker" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Checked" });
    const ref = { workspaceId: owner.workspace.id, flowId: flow.id };

    const { issues } = await owner.caller.flow.validate({ ...ref, document });
    const byField = issues.filter((i) => i.nodeId === "call").map((i) => i.field);
    expect(byField).toEqual(expect.arrayContaining(["method"]));
    const port = issues.find((i) => i.path === "edges[1].sourcePort");
    expect(port).toMatchObject({ nodeId: "start", field: null });
    expect(port?.message).toMatch(/no output "nowhere"/);

    const fixed = { ...document, nodes: document.nodes.map((n) => (n.id === "call" ? { ...n, config: { url: "http://127.0.0.1/x" } } : n)), edges: [document.edges[0], { ...document.edges[1], sourcePort: "out" }] };
    expect((await owner.caller.flow.validate({ ...ref, document: fixed })).issues).toEqual([]);
    // The draft is what was created, not either document.
    expect((await owner.caller.flow.get(ref)).draft.nodes).toEqual([]);
  });

  it("reports a document that does not parse with the path of each problem", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Parser" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Broken" });
    const broken = { schema: FLOW_SCHEMA_TAG, nodes: [{ id: "a", name: "", type: "core.set", position: { x: 0, y: 0 } }], edges: [] };
    const { issues } = await owner.caller.flow.validate({ workspaceId: owner.workspace.id, flowId: flow.id, document: broken });
    expect(issues).toEqual([{ path: "nodes[0].name", message: "a node needs a name", nodeId: "a", field: null, edgeIds: [], severity: "error" }]);
  });

  it("names a loop on its edges and a node no trigger reaches as a warning", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Looper" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Loops" });
    const wait = (id: string, name: string) => ({ id, name, type: "core.delay", position: { x: 0, y: 0 }, config: { ms: 1 } });
    const looping = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [{ id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } }, wait("a", "A"), wait("b", "B"), wait("alone", "Alone")],
      edges: [
        { id: "in", source: "start", target: "a" },
        { id: "ab", source: "a", target: "b" },
        { id: "ba", source: "b", target: "a" },
      ],
    };
    const { issues } = await owner.caller.flow.validate({ workspaceId: owner.workspace.id, flowId: flow.id, document: looping });
    expect(issues).toEqual([
      {
        path: "edges[2]",
        message: 'The flow has a cycle through "A" → "B" → "A"; flows must not loop back on themselves, so remove one of these connections',
        edgeIds: ["ab", "ba"],
        nodeId: null,
        field: null,
        severity: "error",
      },
      {
        path: "nodes[3]",
        message: 'Node "Alone" is not connected to a trigger, so it never runs: connect it, or delete it',
        edgeIds: [],
        nodeId: "alone",
        field: null,
        severity: "warning",
      },
    ]);
  });

  it("lets viewers check but not strangers", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Owner" });
    const viewer = await signInAs({ db, name: "Viewer" });
    const stranger = await signInAs({ db, name: "Stranger" });
    await addMember({ db: db, by: owner.user, workspaceId: owner.workspace.id, user: viewer.user, role: "viewer" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Shared" });
    const ref = { workspaceId: owner.workspace.id, flowId: flow.id, document };
    expect((await viewer.caller.flow.validate(ref)).issues.length).toBeGreaterThan(0);
    expect((await rejection(stranger.caller.flow.validate(ref))).code).toBe("NOT_FOUND");
    expect((await rejection(stranger.caller.flow.validate({ ...ref, workspaceId: stranger.workspace.id }))).code).toBe("NOT_FOUND");
  });
});
