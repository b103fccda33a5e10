import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, parseFlowDocument } from "../../nodes/_core/flow-document";
import { FLOW_EXPORT_TAG, WORKSPACE_BUNDLE_TAG } from "../../nodes/_interop/transfer-files";
import type { Db } from "../db";
import type { DbConnection } from "../db/connect";
import { createTestDatabase, databaseKinds, useTestDatabase } from "../db/test-databases";
import { IMPORT_MAX_CHARS } from "../flow-import";
import { runnableFlowDocument } from "../fuzz/flow-documents";
import { fuzzSettings } from "../fuzz/hostile";
import { useTestRuntime } from "../test-runtime";
import { addMember, rejection, signInAs } from "./test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];

const node = (id: string, type: string, name: string, x: number, config: Record<string, unknown> = {}) => ({ id, type, name, position: { x, y: 40 }, config });

/** A webhook flow that runs: its trigger, then a Set node. */
const hookFlow = (path: string) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: [node("hook", "core.webhook", "Hook", 0, { path }), node("set", "core.set", "Tag", 200, { fields: [{ name: "seen", value: true }] })],
  edges: [{ id: "e1", source: "hook", target: "set" }],
});

/** A manual flow whose HTTP request uses the credential "Vault", and that calls another flow. */
const callingFlow = (calledId: string) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    node("start", "core.manual-trigger", "Start", 0),
    { ...node("fetch", "core.http-request", "Fetch", 200, { url: "https://example.test/orders", method: "GET" }), credentials: { "http.header-auth": { name: "Vault" } } },
    node("call", "core.execute-flow", "Call", 400, { flowId: calledId }),
  ],
  edges: [
    { id: "e1", source: "start", target: "fetch" },
    { id: "e2", source: "fetch", target: "call" },
  ],
  settings: { timezone: "Europe/Warsaw", keepRuns: "failed", errorFlowId: calledId },
});

/** A draft still being written: no trigger yet. */
const unfinished = { schema: FLOW_SCHEMA_TAG, nodes: [node("tag", "core.set", "Tag", 0)], edges: [] };

async function flowCount(db: Db, workspaceId: string) {
  return db.flow.count({ where: { workspaceId } });
}

/**
 * A workspace with three flows: "Orders" active on its second version (a webhook), "Caller" (a credential and
 * calls to Orders, two versions, inactive), "Sketch" (a draft that cannot run yet), tags on two of them.
 */
async function stockedWorkspace({ caller, name }: { caller: Caller; name: string }) {
  const workspace = await caller.workspace.create({ name });
  const workspaceId = workspace.id;
  const orders = await caller.flow.create({ workspaceId, name: "Orders", document: hookFlow("orders") });
  await caller.flow.saveVersion({ workspaceId, flowId: orders.id, document: hookFlow("orders"), message: "first" });
  await caller.flow.saveVersion({ workspaceId, flowId: orders.id, document: { ...hookFlow("orders"), nodes: hookFlow("orders").nodes.map((n) => ({ ...n, position: { x: n.position.x + 5, y: 7 } })) }, message: "moved" });
  await caller.flow.activate({ workspaceId, flowId: orders.id });
  await caller.flow.setTags({ workspaceId, flowId: orders.id, tags: ["shop", "live"] });
  const calling = await caller.flow.create({ workspaceId, name: "Caller", document: callingFlow(orders.id) });
  await caller.flow.saveVersion({ workspaceId, flowId: calling.id, document: callingFlow(orders.id), message: "" });
  await caller.flow.saveDraft({ workspaceId, flowId: calling.id, document: { ...callingFlow(orders.id), notes: [{ id: "n", text: "next: retry", position: { x: 0, y: 300 } }] } });
  await caller.flow.setTags({ workspaceId, flowId: calling.id, tags: ["ops"] });
  const sketch = await caller.flow.create({ workspaceId, name: "Sketch", document: unfinished });
  return { workspace, orders, calling, sketch };
}

describe.each(databaseKinds)("import and export on %s", (kind) => {
  const database = useTestDatabase(kind);
  useTestRuntime(database);
  let other: DbConnection;
  beforeAll(async () => {
    other = await createTestDatabase(kind);
  });
  afterAll(() => other?.close());

  it("exports a flow's draft or a version as the same bytes every time: sorted keys, credentials by name and type, never a secret", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Exporter" });
    await caller.credential.create({ workspaceId: workspace.id, name: "Vault", type: "http.header-auth", data: { name: "X-Token", value: "very-secret-token" } });
    const target = await caller.flow.create({ workspaceId: workspace.id, name: "Target", document: hookFlow("target") });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Orders: nightly", document: callingFlow(target.id) });
    await caller.flow.saveVersion({ workspaceId: workspace.id, flowId: flow.id, document: callingFlow(target.id), message: "v1" });
    await caller.flow.saveDraft({ workspaceId: workspace.id, flowId: flow.id, document: unfinished });

    const draft = await caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id });
    expect(draft.fileName).toBe("orders-nightly.json");
    expect(await caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id })).toEqual(draft);
    expect(JSON.parse(draft.text)).toEqual({ schema: FLOW_EXPORT_TAG, name: "Orders: nightly", document: parseDocument(unfinished), credentials: [] });

    const version = await caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id, version: 1 });
    expect(version.fileName).toBe("orders-nightly-v1.json");
    expect(version.text).toMatch(/^\{\n {2}"credentials": \[\n {4}\{\n {6}"name": "Vault",\n {6}"type": "http.header-auth"\n {4}\}\n {2}\],\n {2}"document": \{\n/);
    expect(version.text.endsWith("}\n")).toBe(true);
    expect(version.text).not.toContain("very-secret-token");
    const exported = JSON.parse(version.text) as { document: { nodes: { credentials: unknown }[] } };
    expect(exported.document.nodes[1]!.credentials).toEqual({ "http.header-auth": { name: "Vault" } });

    const missing = await rejection(caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id, version: 9 }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe("Version 9 of this flow not found");
  });

  it("imports a flow's export into another workspace and exports it again byte for byte, for any runnable document", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Mover" });
    const elsewhere = await caller.workspace.create({ name: "Elsewhere" });
    await fc.assert(
      fc.asyncProperty(runnableFlowDocument, async (document) => {
        fc.pre(parseFlowDocument(document).ok);
        const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Roundtrip", document });
        const first = await caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id });
        const applied = await caller.transfer.applyImport({ workspaceId: elsewhere.id, text: first.text, fileName: first.fileName, resolutions: { flow: "rename" } });
        const copy = applied.flows[0]!;
        expect(copy.action).toBe("created");
        const again = await caller.transfer.exportFlow({ workspaceId: elsewhere.id, flowId: copy.flowId! });
        expect(again.text).toBe(first.text.replace('"name": "Roundtrip"', `"name": ${JSON.stringify(copy.name)}`));
        // The name aside (the second copy is "Roundtrip (2)"), nothing changed: ids, names and positions survive.
        expect(JSON.parse(again.text).document).toEqual(JSON.parse(first.text).document);
      }),
      fuzzSettings(6),
    );
  });

  it("exports a workspace as a bundle that imports into another instance and exports again byte for byte", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Bundler" });
    const { workspace } = await stockedWorkspace({ caller, name: "Shop floor" });
    const bundle = await caller.transfer.exportWorkspace({ workspaceId: workspace.id, includeVersions: true });
    expect(bundle.fileName).toMatch(/^shop-floor.*-with-versions\.workspace\.json$/);
    expect(await caller.transfer.exportWorkspace({ workspaceId: workspace.id, includeVersions: true })).toEqual(bundle);
    const parsed = JSON.parse(bundle.text) as { schema: string; flows: { name: string; versions: unknown[]; activeVersion: number | null; tags: string[] }[]; credentials: unknown };
    expect(parsed.schema).toBe(WORKSPACE_BUNDLE_TAG);
    expect(parsed.flows.map((f) => [f.name, f.versions.length, f.activeVersion, f.tags])).toEqual([
      ["Caller", 1, null, ["ops"]],
      ["Orders", 2, 2, ["shop", "live"]],
      ["Sketch", 0, null, []],
    ]);
    expect(parsed.credentials).toEqual([{ name: "Vault", type: "http.header-auth" }]);
    // Without every version, only the live one travels.
    const live = JSON.parse((await caller.transfer.exportWorkspace({ workspaceId: workspace.id, includeVersions: false })).text) as typeof parsed;
    expect(live.flows.map((f) => f.versions.length)).toEqual([0, 1, 0]);

    // Another instance: the flows' ids are free there, so they are kept, and so are the references between flows.
    const there = await signInAs({ db: other.db, name: "Receiver" });
    const target = await there.caller.workspace.create({ name: "Shop floor" });
    const preview = await there.caller.transfer.preview({ workspaceId: target.id, text: bundle.text, fileName: bundle.fileName });
    expect(preview).toMatchObject({ ok: true, format: "streamware.workspace", report: null, problems: [] });
    if (!preview.ok) throw new Error(preview.message);
    expect(preview.flows.map((f) => [f.name, f.nodes, f.existing, f.conflicts, f.draftOnly])).toEqual([
      ["Orders", 2, null, [], null],
      ["Caller", 3, null, [], null],
      ["Sketch", 1, null, [], null],
    ]);
    const applied = await there.caller.transfer.applyImport({ workspaceId: target.id, text: bundle.text, fileName: bundle.fileName, resolutions: {} });
    expect(applied.flows.map((f) => f.action)).toEqual(["created", "created", "created"]);
    expect(applied.credentialsMissing).toEqual([{ name: "Vault", type: "http.header-auth" }]);
    const roundTrip = await there.caller.transfer.exportWorkspace({ workspaceId: target.id, includeVersions: true });
    expect(roundTrip.text).toBe(bundle.text);
    const orders = applied.flows.find((f) => f.name === "Orders")!;
    expect(await other.db.webhookRoute.findMany({ where: { flowId: orders.flowId! }, select: { path: true } })).toEqual([{ path: "orders" }]);
  });

  it("round-trips any workspace through a bundle into another instance byte for byte", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Sampler" });
    const there = await signInAs({ db: other.db, name: "Sampled" });
    const flowSpec = fc.record({
      document: runnableFlowDocument.filter((document) => parseFlowDocument(document).ok),
      name: fc.constantFrom("Alpha", "Beta", "Alpha"),
      tags: fc.uniqueArray(fc.constantFrom("ops", "nightly", "shop"), { maxLength: 2 }),
      versions: fc.integer({ min: 0, max: 2 }),
      live: fc.boolean(),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(flowSpec, { minLength: 1, maxLength: 3 }), fc.boolean(), async (specs, includeVersions) => {
        const name = `Sample ${++round}`;
        const source = await caller.workspace.create({ name });
        for (const spec of specs) {
          const flow = await caller.flow.create({ workspaceId: source.id, name: spec.name, document: spec.document });
          for (let v = 1; v <= spec.versions; v++) await caller.flow.saveVersion({ workspaceId: source.id, flowId: flow.id, document: spec.document, message: `v${v}` });
          if (spec.live && spec.versions > 0) await caller.flow.activate({ workspaceId: source.id, flowId: flow.id });
          await caller.flow.setTags({ workspaceId: source.id, flowId: flow.id, tags: spec.tags });
        }
        const bundle = await caller.transfer.exportWorkspace({ workspaceId: source.id, includeVersions });
        const target = await there.caller.workspace.create({ name });
        await there.caller.transfer.applyImport({ workspaceId: target.id, text: bundle.text, resolutions: {} });
        expect((await there.caller.transfer.exportWorkspace({ workspaceId: target.id, includeVersions })).text).toBe(bundle.text);
      }),
      fuzzSettings(4),
    );
  });

  it("imports a bundle into another workspace of the same instance with new ids, rebinding the flows' references to them", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Cloner" });
    const { workspace, orders, calling } = await stockedWorkspace({ caller, name: "Source" });
    const bundle = await caller.transfer.exportWorkspace({ workspaceId: workspace.id, includeVersions: false });
    const target = await caller.workspace.create({ name: "Source" });
    const applied = await caller.transfer.applyImport({ workspaceId: target.id, text: bundle.text, resolutions: {} });
    const ids = new Map(applied.flows.map((f) => [f.key, f.flowId!]));
    expect(ids.get(orders.id)).not.toBe(orders.id);
    const copied = await caller.flow.get({ workspaceId: target.id, flowId: ids.get(calling.id)! });
    expect(copied.draft.settings.errorFlowId).toBe(ids.get(orders.id));
    expect(copied.draft.nodes[2]!.config.flowId).toBe(ids.get(orders.id));
    // The same bundle, once the ids are read as the ones they became.
    let expected = bundle.text;
    for (const [from, to] of ids) expected = expected.replaceAll(from, to);
    const again = await caller.transfer.exportWorkspace({ workspaceId: target.id, includeVersions: false });
    expect(JSON.parse(again.text)).toEqual(JSON.parse(expected));
  });

  it("previews every kind of conflict, and each resolution does what it says; an unresolved conflict is refused, naming the flow", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Resolver" });
    const { workspace, orders, calling, sketch } = await stockedWorkspace({ caller, name: "Clashes" });
    const workspaceId = workspace.id;
    const bundle = await caller.transfer.exportWorkspace({ workspaceId, includeVersions: true });
    // A flow of another name whose draft uses the webhook path a new flow of the file wants.
    const squatter = await caller.flow.create({ workspaceId, name: "Squatter", document: hookFlow("fresh") });
    const withNewFlow = JSON.parse(bundle.text) as { flows: Record<string, unknown>[] };
    withNewFlow.flows.push({ id: "fresh-flow", name: "Fresh", tags: [], draft: hookFlow("fresh"), versions: [], activeVersion: null });
    const text = JSON.stringify(withNewFlow);

    const preview = await caller.transfer.preview({ workspaceId, text });
    if (!preview.ok) throw new Error(preview.message);
    const byName = Object.fromEntries(preview.flows.map((f) => [f.name, f]));
    expect(byName.Orders).toMatchObject({ key: orders.id, existing: { flowId: orders.id, name: "Orders" } });
    expect(byName.Orders!.conflicts.map((c) => c.kind)).toEqual(["id", "name"]);
    expect(byName.Fresh!.conflicts).toEqual([{ kind: "webhookPath", message: 'The webhook path "fresh" is already used by the flow "Squatter".' }]);
    expect(byName.Fresh!.existing).toBeNull();

    const before = await flowCount(database.db, workspaceId);
    const refused = await rejection(caller.transfer.applyImport({ workspaceId, text, resolutions: { [orders.id]: "replace" } }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain('"Caller" (This workspace already has this flow (same id), named "Caller".');
    expect(refused.message).toContain('"Fresh" (The webhook path "fresh" is already used by the flow "Squatter".)');
    expect(await flowCount(database.db, workspaceId)).toBe(before);

    const applied = await caller.transfer.applyImport({
      workspaceId,
      text,
      resolutions: { [orders.id]: "replace", [calling.id]: "rename", [sketch.id]: "skip", "fresh-flow": "rename" },
    });
    const result = Object.fromEntries(applied.flows.map((f) => [f.key, f]));
    // Replace: the same flow, with the file's live version as its next version, live.
    expect(result[orders.id]).toEqual({ key: orders.id, flowId: orders.id, name: "Orders", action: "replaced" });
    const replaced = await caller.flow.get({ workspaceId, flowId: orders.id });
    expect(replaced).toMatchObject({ versionCount: 3, liveVersionNumber: 3 });
    // Rename: a new flow beside the old one, "(2)", with new webhook paths where they clashed.
    expect(result[calling.id]).toMatchObject({ name: "Caller (2)", action: "created" });
    expect(result[calling.id]!.flowId).not.toBe(calling.id);
    const fresh = await caller.flow.get({ workspaceId, flowId: result["fresh-flow"]!.flowId! });
    expect(fresh.name).toBe("Fresh");
    expect(fresh.draft.nodes[0]!.config.path).toBe("fresh-copy");
    // Skip: nothing done to it.
    expect(result[sketch.id]).toEqual({ key: sketch.id, flowId: sketch.id, name: "Sketch", action: "skipped" });
    expect(await flowCount(database.db, workspaceId)).toBe(before + 2);
    expect((await caller.flow.get({ workspaceId, flowId: squatter.id })).draft.nodes[0]!.config.path).toBe("fresh");

    const audit = await database.db.auditEvent.findFirst({ where: { workspaceId, action: "flow.import" }, select: { data: true } });
    expect(audit?.data).toMatchObject({ format: "streamware.workspace", flows: expect.arrayContaining([{ key: sketch.id, flowId: sketch.id, name: "Sketch", action: "skipped" }]) });
  });

  it("binds credentials by name and type to the workspace's own, and lists the missing ones", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Binder" });
    const target = await caller.flow.create({ workspaceId: workspace.id, name: "Target", document: hookFlow("t") });
    const text = JSON.stringify({ schema: FLOW_EXPORT_TAG, name: "Fetcher", document: callingFlow(target.id) });
    const wrongType = await caller.credential.create({ workspaceId: workspace.id, name: "Vault", type: "openai.api", data: { apiKey: "sk-not-this-one-0123" } });

    const missing = await caller.transfer.preview({ workspaceId: workspace.id, text });
    expect(missing).toMatchObject({ ok: true, credentials: [{ name: "Vault", type: "http.header-auth", credentialId: null }] });
    await caller.credential.delete({ workspaceId: workspace.id, credentialId: wrongType.id });
    const vault = await caller.credential.create({ workspaceId: workspace.id, name: "Vault", type: "http.header-auth", data: { name: "X-Token", value: "t" } });
    const bound = await caller.transfer.preview({ workspaceId: workspace.id, text });
    expect(bound).toMatchObject({ ok: true, credentials: [{ name: "Vault", type: "http.header-auth", credentialId: vault.id }] });

    const applied = await caller.transfer.applyImport({ workspaceId: workspace.id, text, resolutions: {} });
    expect(applied.credentialsMissing).toEqual([]);
    const flow = await caller.flow.get({ workspaceId: workspace.id, flowId: applied.flows[0]!.flowId! });
    expect(flow.draft.nodes[1]!.credentials).toEqual({ "http.header-auth": { id: vault.id, name: "Vault" } });
    // Exported again, the reference is by name only: the id means something in this workspace alone.
    const exported = await caller.transfer.exportFlow({ workspaceId: workspace.id, flowId: flow.id });
    expect(exported.text).not.toContain(vault.id);
  });

  it("writes nothing when a step in the middle of an import fails: one transaction for every flow", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Atomic" });
    const { workspace, orders } = await stockedWorkspace({ caller, name: "Atomic" });
    const workspaceId = workspace.id;
    // The path the file's live flow needs is held by another active flow: replacing "Orders" cannot make it live.
    const holder = await caller.flow.create({ workspaceId, name: "Holder", document: hookFlow("taken") });
    await caller.flow.saveVersion({ workspaceId, flowId: holder.id, document: hookFlow("taken"), message: "" });
    await caller.flow.activate({ workspaceId, flowId: holder.id });
    const file = {
      schema: WORKSPACE_BUNDLE_TAG,
      workspace: { name: "Elsewhere" },
      flows: [
        { id: "first-new-flow", name: "First", tags: [], draft: hookFlow("first"), versions: [{ number: 1, document: hookFlow("first") }], activeVersion: 1 },
        { id: "other-id", name: "Orders", tags: [], draft: hookFlow("taken"), versions: [{ number: 1, document: hookFlow("taken") }], activeVersion: 1 },
      ],
    };
    const flowsBefore = await database.db.flow.findMany({ where: { workspaceId }, select: { id: true, name: true, draft: true, activeVersionId: true }, orderBy: { id: "asc" } });
    const eventsBefore = await database.db.auditEvent.count({ where: { workspaceId } });
    const failed = await rejection(caller.transfer.applyImport({ workspaceId, text: JSON.stringify(file), resolutions: { "other-id": "replace" } }));
    expect(failed.code).toBe("CONFLICT");
    expect(failed.message).toContain('The webhook path "taken" is already used by the active flow "Holder"');
    expect(await database.db.flow.findMany({ where: { workspaceId }, select: { id: true, name: true, draft: true, activeVersionId: true }, orderBy: { id: "asc" } })).toEqual(flowsBefore);
    expect(await database.db.flowVersion.count({ where: { flowId: orders.id } })).toBe(2);
    expect(await database.db.flow.findUnique({ where: { id: "first-new-flow" }, select: { id: true } })).toBeNull();
    expect(await database.db.auditEvent.count({ where: { workspaceId } })).toBe(eventsBefore);
  });

  it("refuses each kind of bad input with words that name the place, and writes nothing", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Gatekeeper" });
    const workspaceId = workspace.id;
    const deep = `${'{"a":'.repeat(300)}1${"}".repeat(300)}`;
    const bundleOf = (flows: unknown[]) => JSON.stringify({ schema: WORKSPACE_BUNDLE_TAG, workspace: { name: "W" }, flows });
    const cases: { text: string; message: RegExp; path?: string }[] = [
      { text: "{ name: 'not json' }", message: /^flows\.json is not JSON: .+ Streamware takes a flow export, a flow document, a workspace bundle/, path: "(file)" },
      { text: JSON.stringify({ version: "1.0", dependencies: {} }), message: /^flows\.json is JSON, but not a file Streamware can import\. Streamware takes a flow export/ },
      { text: JSON.stringify({ schema: "acme.pipeline/3" }), message: /not a file Streamware can import \(its schema is "acme\.pipeline\/3"\)/ },
      { text: " ".repeat(IMPORT_MAX_CHARS), message: /^flows\.json is 20\.0 MB; an import takes less than 20 MB/ },
      {
        text: `{"schema":"${WORKSPACE_BUNDLE_TAG}","workspace":{"name":"W"},"flows":[{"id":"f","name":"Deep","draft":{"schema":"${FLOW_SCHEMA_TAG}","nodes":[{"id":"m","type":"core.manual-trigger","name":"Start","position":{"x":0,"y":0},"config":${deep}}]}}]}`,
        message: /not a valid workspace bundle \(1 problem\)/,
        path: "flows[0].draft.nodes[0].config",
      },
      { text: bundleOf([{ id: "same", name: "A", draft: unfinished }, { id: "same", name: "B", draft: unfinished }]), message: /flows\[1\]\.id: the flow id "same" is also the id of flows\[0\]/, path: "flows[1].id" },
      {
        text: bundleOf([{ id: "f", name: "A", draft: { ...unfinished, nodes: [...unfinished.nodes, node("tag", "core.set", "Tag", 9)] } }]),
        message: /flows\[0\]\.draft\.nodes\[1\]\.id: duplicate node id "tag"/,
        path: "flows[0].draft.nodes[1].id",
      },
      {
        text: JSON.stringify({ schema: FLOW_EXPORT_TAG, name: "Ghost", document: { ...hookFlow("g"), edges: [{ id: "e1", source: "hook", target: "ghost" }] } }),
        message: /document\.edges\[0\]\.target: no node with id "ghost"/,
        path: "document.edges[0].target",
      },
      { text: JSON.stringify({ name: "Future", document: { ...hookFlow("f"), schema: "streamware.flow/9" } }), message: /document\.schema: "streamware\.flow\/9" is a flow document from a newer Streamware/, path: "document.schema" },
      { text: JSON.stringify({ schema: "streamware.workspace/4", workspace: { name: "W" }, flows: [] }), message: /schema: "streamware\.workspace\/4" was written by a newer Streamware/, path: "schema" },
      { text: JSON.stringify([{ id: "a", type: "inject", z: "t", wires: [["gone"]] }]), message: /could not be imported from Node-RED/ },
    ];
    const before = await flowCount(database.db, workspaceId);
    for (const { text, message, path } of cases) {
      const preview = await caller.transfer.preview({ workspaceId, text, fileName: "flows.json" });
      expect(preview.ok, text.slice(0, 80)).toBe(false);
      if (preview.ok) continue;
      expect(preview.message).toMatch(message);
      if (path) expect(preview.problems.some((p) => p.path.startsWith(path)), `${path} in ${JSON.stringify(preview.problems)}`).toBe(true);
      const applied = await rejection(caller.transfer.applyImport({ workspaceId, text, fileName: "flows.json", resolutions: {} }));
      expect(applied.code).toBe("BAD_REQUEST");
      expect(applied.message).toMatch(message);
    }
    // Past the limit, the text is refused before it is read at all.
    const huge = await rejection(caller.transfer.preview({ workspaceId, text: `${" ".repeat(IMPORT_MAX_CHARS)}{}` }));
    expect(huge.message).toContain("an import takes less than 20 MB");
    expect(await flowCount(database.db, workspaceId)).toBe(before);
  });

  it("previews another tool's export with its report, and a bundle version that cannot run here as a draft with its problems by path", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Previewer" });
    const workspaceId = workspace.id;
    const n8n = { name: "From n8n", nodes: [{ name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} }, { name: "Odd", type: "n8n-nodes-base.someNewThing", typeVersion: 1, position: [200, 0], parameters: { a: 1 } }], connections: { Start: { main: [[{ node: "Odd", type: "main", index: 0 }]] } } };
    const preview = await caller.transfer.preview({ workspaceId, text: JSON.stringify(n8n), fileName: "n8n.json" });
    expect(preview).toMatchObject({ ok: true, format: "n8n", flows: [{ key: "n8n-1", name: "From n8n", nodes: 2, existing: null, conflicts: [] }], report: { source: "n8n", flows: [{ name: "From n8n", placeholders: [{ name: "Odd" }] }] } });

    const future = { ...hookFlow("later"), nodes: [...hookFlow("later").nodes, node("x", "acme.unknown", "Mystery", 400)] };
    const bundle = { schema: WORKSPACE_BUNDLE_TAG, workspace: { name: "W" }, flows: [{ id: "later-flow", name: "Later", draft: hookFlow("later"), versions: [{ number: 1, document: future }], activeVersion: 1 }] };
    const later = await caller.transfer.preview({ workspaceId, text: JSON.stringify(bundle) });
    if (!later.ok) throw new Error(later.message);
    expect(later.flows[0]!.draftOnly).toContain('version 1 cannot run here: Node "Mystery" has the unknown type "acme.unknown"');
    expect(later.problems).toContainEqual({ path: "flows[0].versions[0].document.nodes[2].type", message: 'Node "Mystery" has the unknown type "acme.unknown"' });
    const applied = await caller.transfer.applyImport({ workspaceId, text: JSON.stringify(bundle), resolutions: {} });
    expect(await caller.flow.get({ workspaceId, flowId: applied.flows[0]!.flowId! })).toMatchObject({ name: "Later", versionCount: 0, active: false });
  });

  it("lets a viewer export but not preview or import", async () => {
    const owner = await signInAs({ db: database.db, name: "Owner" });
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    const workspaceId = owner.workspace.id;
    await addMember({ db: database.db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    const flow = await owner.caller.flow.create({ workspaceId, name: "Shared", document: hookFlow("shared") });
    const exported = await viewer.caller.transfer.exportFlow({ workspaceId, flowId: flow.id });
    expect((await viewer.caller.transfer.exportWorkspace({ workspaceId, includeVersions: true })).text).toContain('"Shared"');
    for (const call of [viewer.caller.transfer.preview({ workspaceId, text: exported.text }), viewer.caller.transfer.applyImport({ workspaceId, text: exported.text, resolutions: { flow: "rename" } })]) {
      expect((await rejection(call)).code).toBe("FORBIDDEN");
    }
    expect(await flowCount(database.db, workspaceId)).toBe(1);
  });
});

function parseDocument(document: unknown) {
  const parsed = parseFlowDocument(document);
  if (!parsed.ok) throw new Error("test document does not parse");
  return parsed.document;
}
