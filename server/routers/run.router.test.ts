import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime, serveWebhooks, type WebhookServer } from "../test-runtime";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { addMember, rejection, signInAs } from "./test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];
type RunRef = { workspaceId: string; runId: string };

const node = (id: string, name: string, type: string, config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  type,
  position: { x: 0, y: 0 },
  config,
  ...extra,
});
const edge = (source: string, target: string, extra: Record<string, unknown> = {}) => ({ id: `${source}-${target}`, source, target, ...extra });
const flowDoc = (nodes: unknown[], edges: unknown[] = []) => ({ schema: FLOW_SCHEMA_TAG, nodes, edges });

const start = node("start", "Start", "core.manual-trigger");
const greet = flowDoc(
  [
    start,
    node("tag", "Tag", "core.set", {
      fields: [
        { name: "greeting", value: "Hello {{ $json.name }}" },
        { name: "meta.source", value: "{{ $trigger.source }}" },
        { name: "meta.index", value: "{{ $itemIndex }}" },
      ],
    }),
  ],
  [edge("start", "tag")],
);
const hook = (path: string) => flowDoc([node("hook", "Hook", "core.webhook", { path })]);
const slow = flowDoc([start, node("wait", "Wait", "core.delay", { ms: 3_600_000 })], [edge("start", "wait")]);

const FINISHED = ["succeeded", "failed", "cancelled"];

/** Asks for the run until it has finished; the cap only keeps a stuck run from hanging the test. */
async function finished(caller: Caller, ref: RunRef) {
  for (let poll = 0; poll < 1500; poll++) {
    const run = await caller.run.get(ref);
    if (FINISHED.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${ref.runId} did not finish`);
}

/** Waits until the run has stored its step for this node, which means it is being executed, not queued. */
async function reached(caller: Caller, ref: RunRef, nodeId: string) {
  for (let poll = 0; poll < 1500; poll++) {
    const run = await caller.run.get(ref);
    if (run.steps.some((s) => s.nodeId === nodeId)) return run;
    if (FINISHED.includes(run.status)) throw new Error(`run ${ref.runId} ${run.status} before reaching ${nodeId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${ref.runId} never reached ${nodeId}`);
}

/** Waits until the flow's runs include this one: a webhook answers 202 before its run is written. */
async function listed(caller: Caller, ref: RunRef & { flowId: string }) {
  for (let poll = 0; poll < 1500; poll++) {
    const { runs } = await caller.run.list({ workspaceId: ref.workspaceId, flowId: ref.flowId });
    if (runs.some((r) => r.id === ref.runId)) return finished(caller, ref);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${ref.runId} was never stored`);
}

/** Posts to a webhook at /hooks/<workspace slug>/<path>. */
async function post(server: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server}/hooks/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(databaseKinds)("run router on %s", (kind) => {
  const database = useTestDatabase(kind);
  let runtime: Runtime;
  let hooks: WebhookServer;
  let hooksUrl: string;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    // The runtime's webhook handler behind a plain HTTP server, as the custom server mounts it.
    hooks = await serveWebhooks(runtime);
    hooksUrl = hooks.url;
  });
  afterAll(async () => {
    await hooks?.close();
    await runtime?.close();
  });

  it("audits who started, cancelled and retried a run", async () => {
    const { caller, workspace, user } = await signInAs({ db: database.db, name: "Auditor" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Audited", document: greet });
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id, input: { name: "Ada" } });
    await finished(caller, { workspaceId: workspace.id, runId });
    await caller.run.cancel({ workspaceId: workspace.id, runId });
    await caller.run.retry({ workspaceId: workspace.id, runId, from: "start" });
    const events = await database.db.auditEvent.findMany({ where: { workspaceId: workspace.id, targetType: "run" }, orderBy: { seq: "asc" }, select: { action: true, actorId: true, targetId: true, data: true } });
    expect(events).toEqual([
      { action: "run.start", actorId: user.id, targetId: runId, data: { flowId: flow.id, source: "draft" } },
      { action: "run.cancel", actorId: user.id, targetId: runId, data: null },
      { action: "run.retry", actorId: user.id, targetId: runId, data: { from: "start" } },
    ]);
  });

  it("runs a draft from its manual trigger and stores each step's output", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Ada" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Greeter", document: greet });
    const input = [{ name: "Ada", source: "form" }, { name: "Grace" }];
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id, input });
    const run = await finished(caller, { workspaceId: workspace.id, runId });

    expect(run).toMatchObject({ id: runId, flowId: flow.id, status: "succeeded", trigger: "manual", versionNumber: null, error: null });
    expect(run.input).toEqual([{ json: { name: "Ada", source: "form" } }, { json: { name: "Grace" } }]);
    const greeted = [
      { json: { name: "Ada", source: "form", greeting: "Hello Ada", meta: { source: "form", index: 0 } } },
      // $trigger is the first trigger item for every item; Grace's own item has no source.
      { json: { name: "Grace", greeting: "Hello Grace", meta: { source: "form", index: 1 } } },
    ];
    const steps = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    expect(Object.keys(steps).sort()).toEqual(["start", "tag"]);
    expect(steps.start).toMatchObject({ nodeName: "Start", nodeType: "core.manual-trigger", status: "succeeded", attempt: 1, error: null });
    expect(steps.start!.output).toMatchObject({ items: { out: run.input } });
    expect(steps.tag).toMatchObject({ nodeName: "Tag", nodeType: "core.set", status: "succeeded", outputTruncated: false });
    expect(steps.tag!.input).toMatchObject({ items: { in: run.input } });
    expect(steps.tag!.output).toMatchObject({ items: { out: greeted } });
    expect(run.output).toMatchObject({ items: { out: greeted } });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("lists runs newest first, by flow and status, a page at a time", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Lister" });
    const ws = workspace.id;
    const a = await caller.flow.create({ workspaceId: ws, name: "A", document: greet });
    const b = await caller.flow.create({ workspaceId: ws, name: "B", document: greet });
    const ids: string[] = [];
    for (const flowId of [a.id, a.id, b.id]) {
      const { runId } = await caller.run.start({ workspaceId: ws, flowId });
      await finished(caller, { workspaceId: ws, runId });
      ids.push(runId);
    }
    const all = await caller.run.list({ workspaceId: ws });
    expect(all.runs.map((r) => r.id)).toEqual([...ids].reverse());
    expect(all.nextCursor).toBeNull();
    expect((await caller.run.list({ workspaceId: ws, flowId: a.id })).runs.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect((await caller.run.list({ workspaceId: ws, status: "succeeded" })).runs).toHaveLength(3);
    expect((await caller.run.list({ workspaceId: ws, status: "failed" })).runs).toEqual([]);

    const first = await caller.run.list({ workspaceId: ws, limit: 2 });
    expect(first.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await caller.run.list({ workspaceId: ws, limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ runs: [expect.objectContaining({ id: ids[0], flowId: a.id, status: "succeeded" })], nextCursor: null });
  });

  it("refuses to run a draft that would not run, naming the problem", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Broken" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "No trigger", document: flowDoc([node("tag", "Tag", "core.set")]) });
    const error = await rejection(caller.run.start({ workspaceId: workspace.id, flowId: flow.id }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("The flow cannot run: nodes: The flow has no trigger");
    expect((await caller.run.list({ workspaceId: workspace.id })).runs).toEqual([]);
  });

  it("runs the active version only once there is one", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Activist" });
    const ref = { workspaceId: workspace.id, flowId: (await caller.flow.create({ workspaceId: workspace.id, name: "Versions", document: greet })).id };
    const inactive = await rejection(caller.run.start({ ...ref, source: "active" }));
    expect({ code: inactive.code, message: inactive.message }).toEqual({ code: "BAD_REQUEST", message: "The flow is not active; activate a version or run the draft." });

    await caller.flow.saveVersion({ ...ref, document: greet, message: "v1" });
    expect((await caller.flow.get(ref)).liveVersionNumber).toBeNull();
    expect(await caller.flow.activate(ref)).toEqual({ versionNumber: 1, webhooks: [] });
    expect(await caller.flow.get(ref)).toMatchObject({ active: true, liveVersionNumber: 1 });
    // A newer version is not active until it is activated.
    await caller.flow.saveVersion({ ...ref, document: greet, message: "v2" });
    expect(await caller.flow.get(ref)).toMatchObject({ liveVersionNumber: 1, latestVersion: { number: 2 } });
    // The draft moves on; the active version stays what was activated.
    await caller.flow.saveDraft({ ...ref, document: flowDoc([start]) });
    const { runId } = await caller.run.start({ ...ref, source: "active", input: { name: "Linus" } });
    const run = await finished(caller, { workspaceId: workspace.id, runId });
    expect(run).toMatchObject({ status: "succeeded", versionNumber: 1 });
    expect(run.output).toMatchObject({ items: { out: [{ json: { name: "Linus", greeting: "Hello Linus", meta: { index: 0 } } }] } });

    await caller.flow.deactivate(ref);
    expect(await caller.flow.get(ref)).toMatchObject({ active: false, liveVersionNumber: null });
    expect((await rejection(caller.run.start({ ...ref, source: "active" }))).code).toBe("BAD_REQUEST");
  });

  it("refuses to activate a latest version that does not validate, listing the problem paths", async () => {
    const { caller, workspace, user } = await signInAs({ db: database.db, name: "Validator" });
    const ref = { workspaceId: workspace.id, flowId: (await caller.flow.create({ workspaceId: workspace.id, name: "Strict" })).id };
    await caller.flow.saveVersion({ ...ref, document: greet, message: "good" });
    const bad = flowDoc(
      [start, node("tag", "Tag", "core.set", { fields: [{ name: "x", value: "{{ $json. }}" }] }), node("odd", "Odd", "acme.nothing")],
      [edge("start", "tag", { sourcePort: "nope" })],
    );
    // saveVersion refuses it now; a version stored before it did is written as it was then.
    const refused = await rejection(caller.flow.saveVersion({ ...ref, document: bad, message: "bad" }));
    expect(refused.code).toBe("BAD_REQUEST");
    for (const path of ["nodes[1].config.fields[0].value:", "nodes[2].type:", "edges[0].sourcePort:"]) expect(refused.message).toContain(path);
    await database.db.flowVersion.create({ data: { ...ref, number: 2, document: JSON.parse(JSON.stringify(bad)) as object, message: "bad", authorId: user.id }, select: { id: true } });

    const error = await rejection(caller.flow.activate(ref));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/^The flow cannot run: /);
    for (const path of ["nodes[1].config.fields[0].value:", "nodes[2].type:", "edges[0].sourcePort:"]) expect(error.message).toContain(path);
    expect(error.message).toContain('Node "Odd" has the unknown type "acme.nothing"');
    expect((await caller.flow.get(ref)).active).toBe(false);

    // An earlier version that validates may still be activated by number.
    expect(await caller.flow.activate({ ...ref, versionNumber: 1 })).toEqual({ versionNumber: 1, webhooks: [] });
    const missing = await rejection(caller.flow.activate({ ...ref, versionNumber: 9 }));
    expect({ code: missing.code, message: missing.message }).toEqual({ code: "BAD_REQUEST", message: "Version 9 of this flow not found" });
  });

  it("refuses to activate a flow without a saved version", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Drafter" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Draft only", document: greet });
    const error = await rejection(caller.flow.activate({ workspaceId: workspace.id, flowId: flow.id }));
    expect({ code: error.code, message: error.message }).toEqual({ code: "BAD_REQUEST", message: "Save a version of the flow before activating it" });
    expect((await caller.flow.get({ workspaceId: workspace.id, flowId: flow.id })).active).toBe(false);
  });

  it("gives a webhook path to one active flow at a time, and serves it while active", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Hooker" });
    const path = `orders-${kind}/new`;
    const first = { workspaceId: workspace.id, flowId: (await caller.flow.create({ workspaceId: workspace.id, name: "First" })).id };
    const second = { workspaceId: workspace.id, flowId: (await caller.flow.create({ workspaceId: workspace.id, name: "Second" })).id };
    for (const ref of [first, second]) await caller.flow.saveVersion({ ...ref, document: hook(path), message: "" });

    const url = `${workspace.slug}/${path}`;
    expect(await caller.flow.activate(first)).toEqual({ versionNumber: 1, webhooks: [{ path, methods: ["POST"], url: `/hooks/${url}` }] });
    const conflict = await rejection(caller.flow.activate(second));
    expect(conflict.code).toBe("CONFLICT");
    expect(conflict.message).toBe(`The webhook path "${path}" is already used by another active flow; choose another path.`);
    expect((await caller.flow.get(second)).active).toBe(false);

    // Another workspace takes the same path without a conflict, at its own URL.
    const other = await signInAs({ db: database.db, name: "Neighbour" });
    const theirs = { workspaceId: other.workspace.id, flowId: (await other.caller.flow.create({ workspaceId: other.workspace.id, name: "Theirs" })).id };
    await other.caller.flow.saveVersion({ ...theirs, document: hook(path), message: "" });
    expect((await other.caller.flow.activate(theirs)).webhooks).toEqual([{ path, methods: ["POST"], url: `/hooks/${other.workspace.slug}/${path}` }]);
    const theirRun = await post(hooksUrl, `${other.workspace.slug}/${path}`, { order: 0 });
    expect(theirRun.status).toBe(202);
    expect(await listed(other.caller, { ...theirs, runId: String(theirRun.body.runId) })).toMatchObject({ flowId: theirs.flowId, status: "succeeded" });

    const served = await post(hooksUrl, url, { order: 1 });
    expect(served.status).toBe(202);
    const run = await listed(caller, { ...first, runId: String(served.body.runId) });
    expect(run).toMatchObject({ flowId: first.flowId, trigger: "webhook", status: "succeeded", versionNumber: 1 });
    expect(run.input).toEqual([{ json: expect.objectContaining({ method: "POST", path, body: { order: 1 } }) }]);

    await caller.flow.deactivate(first);
    expect((await post(hooksUrl, url, { order: 2 })).status).toBe(404);
    await caller.flow.activate(second);
    const moved = await post(hooksUrl, url, { order: 3 });
    expect(moved.status).toBe(202);
    expect((await listed(caller, { ...second, runId: String(moved.body.runId) })).status).toBe("succeeded");

    // Deleting the active flow takes its webhook down at once, not at the next periodic reload.
    await caller.flow.delete(second);
    expect((await post(hooksUrl, url, { order: 4 })).status).toBe(404);
  });

  it("cancels a running run", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Canceller" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Slow", document: slow });
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id });
    const ref = { workspaceId: workspace.id, runId };
    // A step is stored as it starts: once "wait" is there, it is running.
    await reached(caller, ref, "wait");

    expect(await caller.run.cancel(ref)).toEqual({ runId });
    const run = await finished(caller, ref);
    expect(run.status).toBe("cancelled");
    expect(run.error).toMatchObject({ code: "CANCELLED" });
    expect(run.steps.find((s) => s.nodeId === "wait")).toMatchObject({ status: "cancelled", error: { code: "CANCELLED" } });
    expect((await caller.run.list({ workspaceId: workspace.id, status: "cancelled" })).runs.map((r) => r.id)).toEqual([runId]);
  });

  it("leaves a finished run as it was when cancelled", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Late" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Quick", document: greet });
    const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id });
    const ref = { workspaceId: workspace.id, runId };
    const before = await finished(caller, ref);
    await caller.run.cancel(ref);
    expect(await caller.run.get(ref)).toEqual(before);
  });

  it("lets a viewer read runs but not start or cancel them", async () => {
    const owner = await signInAs({ db: database.db, name: "Owner" });
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    await addMember({ db: database.db, by: owner.user, workspaceId: owner.workspace.id, user: viewer.user, role: "viewer" });
    const ref = { workspaceId: owner.workspace.id, flowId: (await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Shared", document: greet })).id };
    const { runId } = await owner.caller.run.start(ref);
    const run = await finished(owner.caller, { workspaceId: ref.workspaceId, runId });

    expect(await viewer.caller.run.get({ workspaceId: ref.workspaceId, runId })).toEqual(run);
    expect((await viewer.caller.run.list({ workspaceId: ref.workspaceId })).runs.map((r) => r.id)).toEqual([runId]);
    for (const call of [
      () => viewer.caller.run.start(ref),
      () => viewer.caller.run.cancel({ workspaceId: ref.workspaceId, runId }),
      () => viewer.caller.flow.activate(ref),
      () => viewer.caller.flow.deactivate(ref),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("FORBIDDEN");
      // Running and activating is for operators and up.
      expect(error.message).toMatch(/needs the operator role.*you are a viewer/);
    }
    expect((await owner.caller.run.list({ workspaceId: ref.workspaceId })).runs).toHaveLength(1);
  });

  it("exports a flow with credentials by name only, from the active version", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Exporter" });
    const credential = await caller.credential.create({ workspaceId: workspace.id, name: "Shop API", type: "http.header-auth", data: { name: "X-Key", value: "top-secret" } });
    const fetchOrders = (url: string) =>
      flowDoc(
        [start, node("get", "Get orders", "core.http-request", { url }, { credentials: { "http.header-auth": { id: credential.id, name: "Shop API" } } })],
        [edge("start", "get")],
      );
    const ref = { workspaceId: workspace.id, flowId: (await caller.flow.create({ workspaceId: workspace.id, name: "Orders", document: fetchOrders("https://draft.example") })).id };

    const draft = await caller.flow.export(ref);
    expect(draft.name).toBe("Orders");
    expect(draft.document.nodes[1]).toMatchObject({ name: "Get orders", config: { url: "https://draft.example" }, credentials: { "http.header-auth": { name: "Shop API" } } });
    expect(draft.document.nodes[1]!.credentials["http.header-auth"]).toEqual({ name: "Shop API" });

    await caller.flow.saveVersion({ ...ref, document: fetchOrders("https://live.example"), message: "" });
    await caller.flow.activate(ref);
    await caller.flow.saveDraft({ ...ref, document: fetchOrders("https://next.example") });
    const exported = await caller.flow.export(ref);
    expect(exported.document.nodes[1]!.config).toEqual({ url: "https://live.example" });
    expect(exported.document.schema).toBe(FLOW_SCHEMA_TAG);
    for (const copy of [draft, exported]) {
      const text = JSON.stringify(copy);
      expect(text).not.toContain(credential.id);
      expect(text).not.toContain("top-secret");
    }
  });
});
