import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { activationService } from "../services/activation-service";
import { workspaceService } from "../services/workspace-service";
import { rejection, signInAs } from "./test-helpers";

const hooks = (...paths: string[]) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: paths.map((path, i) => ({ id: `h${i}`, type: "core.webhook", name: `Hook ${i}`, position: { x: 0, y: i * 100 }, config: { path } })),
  edges: [],
});

describe.each(databaseKinds)("flow tags and copies on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("stores a flow's tags once each, lists them, and refuses one that cannot be stored", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Tagger" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Invoices" });
    const ref = { workspaceId: workspace.id, flowId: flow.id };
    expect(flow.tags).toEqual([]);
    expect((await caller.flow.setTags({ ...ref, tags: [" billing ", "Nightly", "BILLING"] })).tags).toEqual(["billing", "Nightly"]);
    expect((await caller.flow.list({ workspaceId: workspace.id }))[0]).toMatchObject({ tags: ["billing", "Nightly"], liveVersionNumber: null });

    const tooLong = await rejection(caller.flow.setTags({ ...ref, tags: ["x".repeat(33)] }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(tooLong.message).toContain("Keep each tag under 32 characters");
    expect((await caller.flow.get(ref)).tags).toEqual(["billing", "Nightly"]);
    const audit = await database.db.auditEvent.findMany({ where: { targetId: flow.id, action: "flow.tags" }, select: { data: true } });
    expect(audit.map((a) => a.data)).toEqual([{ from: [], to: ["billing", "Nightly"] }]);
  });

  it("duplicates a flow's draft and tags into an inactive copy whose webhook paths clash with no flow", async () => {
    const { caller, workspace, user } = await signInAs({ db: database.db, name: "Copier" });
    // Activation only records here: no runtime is started to load the triggers.
    const activate = (flowId: string) => activationService.activate({ db: database.db, userId: user.id, workspaceId: workspace.id, flowId });
    const document = hooks("orders", "orders/refunds");
    const original = await caller.flow.create({ workspaceId: workspace.id, name: "Orders", document });
    const ref = { workspaceId: workspace.id, flowId: original.id };
    await caller.flow.setTags({ ...ref, tags: ["shop"] });
    await caller.flow.saveVersion({ ...ref, document, message: "" });
    await activate(original.id);
    // Another flow's draft already holds the first suffix a copy would take.
    await caller.flow.create({ workspaceId: workspace.id, name: "Draft elsewhere", document: hooks("orders-copy") });

    const first = await caller.flow.duplicate(ref);
    expect(first.flow).toMatchObject({ name: "Orders (copy)", active: false, liveVersionNumber: null, versionCount: 0, tags: ["shop"] });
    expect(first.copiedFrom).toBe("Orders");
    expect(first.renamedPaths).toEqual([
      { nodeId: "h0", name: "Hook 0", from: "orders", to: "orders-copy-2" },
      { nodeId: "h1", name: "Hook 1", from: "orders/refunds", to: "orders/refunds-copy" },
    ]);
    const copy = await caller.flow.get({ workspaceId: workspace.id, flowId: first.flow.id });
    expect(copy.draft.nodes.map((n) => n.config.path)).toEqual(["orders-copy-2", "orders/refunds-copy"]);
    // The copy can be activated beside the original.
    await caller.flow.saveVersion({ workspaceId: workspace.id, flowId: first.flow.id, document: copy.draft, message: "" });
    await activate(first.flow.id);

    const second = await caller.flow.duplicate(ref);
    expect(second.flow.name).toBe("Orders (copy 2)");
    expect(second.renamedPaths.map((r) => r.to)).toEqual(["orders-copy-3", "orders/refunds-copy-2"]);
    expect((await caller.flow.get(ref)).draft.nodes.map((n) => n.config.path)).toEqual(["orders", "orders/refunds"]);
    const audit = await database.db.auditEvent.findMany({ where: { workspaceId: workspace.id, action: "flow.duplicate" }, select: { targetId: true, data: true } });
    expect(audit).toEqual([
      { targetId: first.flow.id, data: { from: original.id, name: "Orders (copy)" } },
      { targetId: second.flow.id, data: { from: original.id, name: "Orders (copy 2)" } },
    ]);
  });

  it("keeps a copy's name within the name limit", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Long" });
    const original = await caller.flow.create({ workspaceId: workspace.id, name: "n".repeat(120) });
    const copy = await caller.flow.duplicate({ workspaceId: workspace.id, flowId: original.id });
    expect(copy.flow.name).toBe(`${"n".repeat(113)} (copy)`);
  });

  it("lets a viewer see tags but not change them or duplicate", async () => {
    const owner = await signInAs({ db: database.db, name: "Owner" });
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await workspaceService.setMember({ db: database.db, userId: owner.user.id, actorRole: "owner", workspaceId: owner.workspace.id, email: viewer.user.email, role: "viewer" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Watched" });
    const ref = { workspaceId: owner.workspace.id, flowId: flow.id };
    await owner.caller.flow.setTags({ ...ref, tags: ["ops"] });
    expect((await viewer.caller.flow.list({ workspaceId: owner.workspace.id }))[0]!.tags).toEqual(["ops"]);
    expect((await rejection(viewer.caller.flow.setTags({ ...ref, tags: [] }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.caller.flow.duplicate(ref))).code).toBe("FORBIDDEN");
  });
});
