import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { addMember, anonymousCaller, rejection, signInAs } from "./test-helpers";

/** A manual trigger, then Set nodes in a line: a document that runs. */
const doc = (nodes: { id: string; name: string }[]) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: nodes.map((n, i) => ({ ...n, type: i === 0 ? "core.manual-trigger" : "core.set", position: { x: i * 200, y: 0 } })),
  edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
});

const node = (id: string, name: string, type: string, config: Record<string, unknown> = {}) => ({ id, name, type, position: { x: 0, y: 0 }, config });

describe.each(databaseKinds)("flow router on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("creates, lists, renames, opens and deletes a flow, auditing each change", async () => {
    const { db } = database;
    const { caller, workspace, user } = await signInAs({ db, name: "Ada" });
    const created = await caller.flow.create({ workspaceId: workspace.id, name: "Sensor pipeline" });
    expect(created).toMatchObject({ name: "Sensor pipeline", active: false, versionCount: 0 });

    expect((await caller.flow.list({ workspaceId: workspace.id })).map((f) => f.name)).toEqual(["Sensor pipeline"]);

    await caller.flow.rename({ workspaceId: workspace.id, flowId: created.id, name: "  Kitchen sensors " });
    const opened = await caller.flow.get({ workspaceId: workspace.id, flowId: created.id });
    expect(opened.name).toBe("Kitchen sensors");
    expect(opened.draft).toMatchObject({ schema: FLOW_SCHEMA_TAG, nodes: [], edges: [] });

    await caller.flow.delete({ workspaceId: workspace.id, flowId: created.id });
    expect(await caller.flow.list({ workspaceId: workspace.id })).toEqual([]);

    const audit = await db.auditEvent.findMany({
      where: { workspaceId: workspace.id, targetId: created.id },
      select: { action: true, actorId: true },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["flow.create", "flow.rename", "flow.delete"]);
    expect(new Set(audit.map((a) => a.actorId))).toEqual(new Set([user.id]));
  });

  it("saves immutable, numbered versions and keeps the draft", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Grace" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Versions" });
    const ref = { workspaceId: workspace.id, flowId: flow.id };
    const v1 = await caller.flow.saveVersion({ ...ref, document: doc([{ id: "a", name: "Start" }]), message: "first" });
    const v2 = await caller.flow.saveVersion({
      ...ref,
      document: doc([{ id: "a", name: "Start" }, { id: "b", name: "Next" }]),
      message: "second",
    });
    expect([v1.number, v2.number]).toEqual([1, 2]);
    expect((await caller.flow.versions(ref)).map((v) => v.message)).toEqual(["second", "first"]);
    expect((await caller.flow.version({ ...ref, number: 1 })).document.nodes.map((n) => n.name)).toEqual(["Start"]);
    expect((await caller.flow.get(ref)).draft.nodes).toHaveLength(2);

    await caller.flow.saveDraft({ ...ref, document: doc([{ id: "z", name: "Only draft" }]) });
    expect((await caller.flow.get(ref)).draft.nodes.map((n) => n.name)).toEqual(["Only draft"]);
    expect((await caller.flow.version({ ...ref, number: 2 })).document.nodes).toHaveLength(2);
  });

  it("refuses an invalid document with the path of each error and leaves what is stored unchanged", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Linus" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Guarded" });
    const ref = { workspaceId: workspace.id, flowId: flow.id };
    const good = doc([{ id: "a", name: "Start" }]);
    await caller.flow.saveVersion({ ...ref, document: good, message: "good" });
    const before = await caller.flow.get(ref);

    const bad = { ...good, nodes: [{ ...good.nodes[0]!, position: { x: "left", y: 0 } }], edges: [{ id: "e", source: "a", target: "ghost" }] };
    for (const save of [
      () => caller.flow.saveVersion({ ...ref, document: bad, message: "bad" }),
      () => caller.flow.saveDraft({ ...ref, document: bad }),
    ]) {
      const error = await rejection(save());
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain("nodes[0].position.x");
      expect(error.message).toContain('edges[0].target: no node with id "ghost"');
    }

    const after = await caller.flow.get(ref);
    expect(after.draft).toEqual(before.draft);
    expect(await caller.flow.versions(ref)).toHaveLength(1);
    expect((await caller.flow.version({ ...ref, number: 1 })).document).toEqual(before.draft);
  });

  it("refuses to number a version that could never run, naming each node and what is wrong, but keeps an incomplete draft", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Margaret" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Never runs" });
    const ref = { workspaceId: workspace.id, flowId: flow.id };
    const cases = [
      {
        document: { schema: FLOW_SCHEMA_TAG, nodes: [node("start", "Start", "core.manual-trigger"), node("odd", "Odd", "acme.nothing")], edges: [{ id: "e", source: "start", target: "odd" }] },
        says: ['nodes[1].type: Node "Odd" has the unknown type "acme.nothing"'],
      },
      {
        document: {
          schema: FLOW_SCHEMA_TAG,
          nodes: [node("start", "Start", "core.manual-trigger"), node("a", "Ping", "core.set"), node("b", "Pong", "core.set")],
          edges: [{ id: "e1", source: "start", target: "a" }, { id: "e2", source: "a", target: "b" }, { id: "e3", source: "b", target: "a" }],
        },
        says: ["The flow has a cycle through", "Ping", "Pong"],
      },
      { document: { schema: FLOW_SCHEMA_TAG, nodes: [node("tag", "Tag", "core.set")] }, says: ["nodes: The flow has no trigger"] },
      {
        document: { schema: FLOW_SCHEMA_TAG, nodes: [node("one", "Orders", "core.webhook", { path: "orders" }), node("two", "Refunds", "core.webhook", { path: "orders" })] },
        says: ['nodes[1].config.path: Node "Refunds" uses the webhook path "orders" that node "Orders" uses; give each its own.'],
      },
    ];
    for (const { document, says } of cases) {
      const error = await rejection(caller.flow.saveVersion({ ...ref, document, message: "broken" }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/^Not saved as a version, since the flow could not run \(save it as a draft until it is complete\): /);
      for (const words of says) expect(error.message).toContain(words);
      // The draft is the place for work in progress.
      await caller.flow.saveDraft({ ...ref, document });
      expect((await caller.flow.get(ref)).draft.nodes.map((n) => n.id)).toEqual(document.nodes.map((n) => n.id));
    }
    expect(await caller.flow.versions(ref)).toEqual([]);
  });

  it("treats another workspace's flow exactly like a missing one, on every procedure", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Owner" });
    const stranger = await signInAs({ db, name: "Stranger" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Private" });
    await owner.caller.flow.saveVersion({ workspaceId: owner.workspace.id, flowId: flow.id, document: doc([{ id: "a", name: "A" }]), message: "" });

    // Through the other workspace's id, and through the stranger's own workspace id with the foreign flow id.
    for (const workspaceId of [owner.workspace.id, stranger.workspace.id]) {
      const ref = { workspaceId, flowId: flow.id };
      const missing = { workspaceId, flowId: "no-such-flow" };
      const calls = {
        get: (r: typeof ref) => stranger.caller.flow.get(r),
        rename: (r: typeof ref) => stranger.caller.flow.rename({ ...r, name: "Mine now" }),
        delete: (r: typeof ref) => stranger.caller.flow.delete(r),
        saveDraft: (r: typeof ref) => stranger.caller.flow.saveDraft({ ...r, document: doc([]) }),
        saveVersion: (r: typeof ref) => stranger.caller.flow.saveVersion({ ...r, document: doc([]), message: "" }),
        versions: (r: typeof ref) => stranger.caller.flow.versions(r),
        version: (r: typeof ref) => stranger.caller.flow.version({ ...r, number: 1 }),
      };
      for (const [name, call] of Object.entries(calls)) {
        const foreign = await rejection(call(ref));
        const absent = await rejection(call(missing));
        expect({ name, code: foreign.code, message: foreign.message }).toEqual({ name, code: absent.code, message: absent.message });
        expect(foreign.code).toBe("NOT_FOUND");
      }
    }
    expect((await rejection(stranger.caller.flow.list({ workspaceId: owner.workspace.id }))).code).toBe("NOT_FOUND");
    expect((await rejection(stranger.caller.flow.create({ workspaceId: owner.workspace.id, name: "Intruder" }))).code).toBe("NOT_FOUND");

    const untouched = await owner.caller.flow.get({ workspaceId: owner.workspace.id, flowId: flow.id });
    expect(untouched).toMatchObject({ name: "Private", versionCount: 1 });
    expect((await owner.caller.flow.list({ workspaceId: owner.workspace.id })).map((f) => f.name)).toEqual(["Private"]);
  });

  it("lets a viewer read but not create, rename, save or delete", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Boss" });
    const viewer = await signInAs({ db, name: "Watcher" });
    await addMember({ db: db, by: owner.user, workspaceId: owner.workspace.id, user: viewer.user, role: "viewer" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Read only" });
    const ref = { workspaceId: owner.workspace.id, flowId: flow.id };

    expect((await viewer.caller.flow.list({ workspaceId: owner.workspace.id })).map((f) => f.name)).toEqual(["Read only"]);
    expect((await viewer.caller.flow.get(ref)).name).toBe("Read only");

    for (const call of [
      () => viewer.caller.flow.rename({ ...ref, name: "Changed" }),
      () => viewer.caller.flow.delete(ref),
      () => viewer.caller.flow.create({ workspaceId: owner.workspace.id, name: "New" }),
      () => viewer.caller.flow.saveVersion({ ...ref, document: doc([]), message: "" }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toMatch(/needs the editor role.*you are a viewer/);
    }
    expect(await owner.caller.flow.get(ref)).toMatchObject({ name: "Read only", versionCount: 0 });
  });

  it("refuses signed-out callers and blank names", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Blank" });
    expect((await rejection(anonymousCaller(db).flow.list({ workspaceId: workspace.id }))).code).toBe("UNAUTHORIZED");
    const error = await rejection(caller.flow.create({ workspaceId: workspace.id, name: "   " }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("Give the flow a name");
  });
});
