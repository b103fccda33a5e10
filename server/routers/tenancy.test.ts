import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime } from "../test-runtime";
import type { Db } from "../db";
import type { DbConnection } from "../db/connect";
import { createTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { appRouter } from "./_app";
import { rejection, signInAs } from "./test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];
type Target = { workspaceId: string; flowId: string; credentialId: string; runId: string; email: string; ownerId: string };

/**
 * One call per workspace-scoped procedure, aimed at someone else's workspace. The list must name every
 * procedure that takes a workspaceId, so a new one cannot be added without being tried here.
 */
const intrusions: Record<string, (caller: Caller, t: Target) => Promise<unknown>> = {
  "workspace.rename": (c, t) => c.workspace.rename({ workspaceId: t.workspaceId, name: "Owned" }),
  "workspace.members": (c, t) => c.workspace.members({ workspaceId: t.workspaceId }),
  "workspace.setMember": (c, t) => c.workspace.setMember({ workspaceId: t.workspaceId, email: t.email, role: "owner" }),
  "workspace.removeMember": (c, t) => c.workspace.removeMember({ workspaceId: t.workspaceId, memberId: t.ownerId }),
  "flow.list": (c, t) => c.flow.list({ workspaceId: t.workspaceId }),
  "flow.get": (c, t) => c.flow.get(t),
  "flow.create": (c, t) => c.flow.create({ workspaceId: t.workspaceId, name: "Planted" }),
  "flow.rename": (c, t) => c.flow.rename({ ...t, name: "Renamed" }),
  "flow.delete": (c, t) => c.flow.delete(t),
  "flow.setTags": (c, t) => c.flow.setTags({ ...t, tags: ["planted"] }),
  "flow.duplicate": (c, t) => c.flow.duplicate(t),
  "flow.saveDraft": (c, t) => c.flow.saveDraft({ ...t, document: { schema: FLOW_SCHEMA_TAG } }),
  "flow.saveVersion": (c, t) => c.flow.saveVersion({ ...t, document: { schema: FLOW_SCHEMA_TAG }, message: "" }),
  "flow.validate": (c, t) => c.flow.validate({ ...t, document: { schema: FLOW_SCHEMA_TAG } }),
  "flow.versions": (c, t) => c.flow.versions(t),
  "flow.version": (c, t) => c.flow.version({ ...t, number: 1 }),
  "flow.activate": (c, t) => c.flow.activate({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "flow.deactivate": (c, t) => c.flow.deactivate({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "flow.export": (c, t) => c.flow.export({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "credential.list": (c, t) => c.credential.list({ workspaceId: t.workspaceId }),
  "credential.create": (c, t) => c.credential.create({ workspaceId: t.workspaceId, name: "Planted", type: "webhook.secret", data: { secret: "planted-secret-0123" } }),
  "credential.test": (c, t) => c.credential.test({ workspaceId: t.workspaceId, credentialId: t.credentialId }),
  "credential.update": (c, t) => c.credential.update({ ...t, name: "Renamed" }),
  "credential.delete": (c, t) => c.credential.delete(t),
  "run.start": (c, t) => c.run.start({ workspaceId: t.workspaceId, flowId: t.flowId, input: { planted: true } }),
  "run.list": (c, t) => c.run.list({ workspaceId: t.workspaceId }),
  "run.get": (c, t) => c.run.get({ workspaceId: t.workspaceId, runId: t.runId }),
  "run.cancel": (c, t) => c.run.cancel({ workspaceId: t.workspaceId, runId: t.runId }),
  "usage.summary": (c, t) => c.usage.summary({ workspaceId: t.workspaceId }),
  "abTest.results": (c, t) => c.abTest.results({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "abTest.convert": (c, t) => c.abTest.convert({ workspaceId: t.workspaceId, flowId: t.flowId, experiment: "checkout", keys: ["user-1"] }),
  "abTest.reset": (c, t) => c.abTest.reset({ workspaceId: t.workspaceId, flowId: t.flowId, experiment: "checkout" }),
  "run.previewExpression": (c, t) => c.run.previewExpression({ workspaceId: t.workspaceId, flowId: t.flowId, runId: t.runId, nodeId: "start", expression: "{{ $json }}" }),
  "run.retry": (c, t) => c.run.retry({ workspaceId: t.workspaceId, runId: t.runId, from: "start" }),
  "run.delete": (c, t) => c.run.delete({ workspaceId: t.workspaceId, filter: {} }),
  "run.triggers": (c, t) => c.run.triggers({ workspaceId: t.workspaceId }),
  "webhookTest.listen": (c, t) => c.webhookTest.listen({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "webhookTest.stop": (c, t) => c.webhookTest.stop({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "webhookTest.state": (c, t) => c.webhookTest.state({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "abTest.overview": (c, t) => c.abTest.overview({ workspaceId: t.workspaceId }),
};

/**
 * The procedures that name a flow, credential or run: the intruder also tries them through their own
 * workspace, where the role check passes and only the resource's own scoping stands in the way.
 */
const byResourceId = [
  "flow.get",
  "flow.rename",
  "flow.delete",
  "flow.setTags",
  "flow.duplicate",
  "flow.saveDraft",
  "flow.saveVersion",
  "flow.validate",
  "flow.versions",
  "flow.version",
  "flow.activate",
  "flow.deactivate",
  "flow.export",
  "credential.update",
  "credential.delete",
  "credential.test",
  "run.start",
  "run.get",
  "run.cancel",
  "abTest.results",
  "abTest.convert",
  "abTest.reset",
  "run.previewExpression",
  "run.retry",
  "webhookTest.listen",
  "webhookTest.stop",
  "webhookTest.state",
];

/** Manual trigger, then an hour's wait: the victim's run stays running while the intruder tries it. */
const runnable = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "wait", name: "Wait", type: "core.delay", position: { x: 200, y: 0 }, config: { ms: 3_600_000 } },
    { id: "hook", name: "Hook", type: "core.webhook", position: { x: 0, y: 200 }, config: { path: "crown-jewels" } },
  ],
  edges: [{ id: "e1", source: "start", target: "wait" }],
};

function workspaceScopedProcedures(): string[] {
  return Object.entries(appRouter._def.procedures)
    .filter(([, procedure]) => {
      const inputs = (procedure as unknown as { _def: { inputs: { shape?: Record<string, unknown> }[] } })._def.inputs;
      return inputs.some((input) => input.shape && "workspaceId" in input.shape);
    })
    .map(([path]) => path)
    .sort();
}

describe("cross-workspace access", () => {
  let connection: DbConnection;
  let db: Db;
  let runtime: Runtime;

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    db = connection.db;
    runtime = await startTestRuntime({ db });
  });
  afterAll(async () => {
    await runtime?.close();
    await connection?.close();
  });

  it("covers every workspace-scoped procedure", () => {
    expect(Object.keys(intrusions).sort()).toEqual(workspaceScopedProcedures());
  });

  /** The victim's workspace: a saved, runnable flow, a credential and a run still going on. */
  async function victimWorkspace() {
    const owner = await signInAs({ db, name: "Victim" });
    const intruder = await signInAs({ db, name: "Intruder" });
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.create({ workspaceId, name: "Crown jewels", document: runnable });
    await owner.caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: runnable, message: "v1" });
    const credential = await owner.caller.credential.create({ workspaceId, name: "Vault", type: "http.header-auth", data: { name: "X-Token", value: "t" } });
    const { runId } = await owner.caller.run.start({ workspaceId, flowId: flow.id });
    await running({ caller: owner.caller, workspaceId, runId });
    const target: Target = { workspaceId, flowId: flow.id, credentialId: credential.id, runId, email: intruder.user.email, ownerId: owner.user.id };
    return { owner, intruder, target };
  }

  /** Waits until the run's trigger step is stored, so the run is being executed and may be cancelled. */
  async function running({ caller, workspaceId, runId }: { caller: Caller; workspaceId: string; runId: string }) {
    for (let poll = 0; poll < 1500; poll++) {
      const run = await caller.run.get({ workspaceId, runId });
      if (run.steps.some((s) => s.nodeId === "start")) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`run ${runId} never started`);
  }

  /** Everything the intruder might have changed, as the owner sees it. */
  async function snapshot({ owner, target }: { owner: { caller: Caller }; target: Target }) {
    const { workspaceId, flowId, runId } = target;
    return {
      flows: await owner.caller.flow.list({ workspaceId }),
      flow: await owner.caller.flow.get({ workspaceId, flowId }),
      versions: await owner.caller.flow.versions({ workspaceId, flowId }),
      credentials: await owner.caller.credential.list({ workspaceId }),
      members: await owner.caller.workspace.members({ workspaceId }),
      runs: await owner.caller.run.list({ workspaceId }),
      run: await owner.caller.run.get({ workspaceId, runId }),
      webhookRoutes: await db.webhookRoute.count(),
      audit: await db.auditEvent.count({ where: { workspaceId } }),
    };
  }

  it("refuses every procedure on another workspace as not found and changes nothing", async () => {
    const victim = await victimWorkspace();
    const { owner, intruder, target } = victim;
    const before = await snapshot(victim);
    expect(before.run.status).toBe("running");

    for (const [path, intrude] of Object.entries(intrusions)) {
      const error = await rejection(intrude(intruder.caller, target));
      expect({ path, code: error.code }).toEqual({ path, code: "NOT_FOUND" });
    }

    expect(await snapshot(victim)).toEqual(before);
    expect(before.flows).toEqual([expect.objectContaining({ name: "Crown jewels", versionCount: 1, active: false })]);
    expect(before.credentials).toEqual([expect.objectContaining({ name: "Vault", fields: ["name", "value"] })]);
    expect(before.members).toHaveLength(1);
    expect(before.runs.runs.map((r) => r.id)).toEqual([target.runId]);
    expect((await intruder.caller.run.list({ workspaceId: intruder.workspace.id })).runs).toEqual([]);
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId });
  });

  it("answers a cursor of another workspace or flow exactly like a made-up one", async () => {
    const alpha = await signInAs({ db, name: "Alpha" });
    const beta = await signInAs({ db, name: "Beta" });
    const flowIn = async (who: typeof alpha, name: string) => (await who.caller.flow.create({ workspaceId: who.workspace.id, name })).id;
    const [alphaFlow, betaFlow, betaOther] = [await flowIn(alpha, "Alpha"), await flowIn(beta, "Beta"), await flowIn(beta, "Beta other")];
    // Stored outright at known times: Beta's runs around Alpha's, so a cursor at Alpha's run would split Beta's list.
    const hourAgo = Date.now() - 3_600_000;
    const at = (minute: number) => new Date(hourAgo + minute * 60_000);
    const stored = async (who: typeof alpha, flowId: string, minute: number) =>
      (await db.run.create({ data: { workspaceId: who.workspace.id, flowId, trigger: "manual", status: "succeeded", queuedAt: at(minute) }, select: { id: true } })).id;
    const betaOld = await stored(beta, betaFlow, 1);
    const alphaOld = await stored(alpha, alphaFlow, 2);
    const alphaNew = await stored(alpha, alphaFlow, 3);
    const betaNew = await stored(beta, betaOther, 4);

    const alphaPage = await alpha.caller.run.list({ workspaceId: alpha.workspace.id, limit: 1 });
    expect(alphaPage.runs.map((r) => r.id)).toEqual([alphaNew]);
    const betaFlowPage = await beta.caller.run.list({ workspaceId: beta.workspace.id, flowId: betaOther, limit: 1 });
    expect(betaFlowPage.runs.map((r) => r.id)).toEqual([betaNew]);
    expect(betaFlowPage.nextCursor).toBeNull();
    const betaPage = await beta.caller.run.list({ workspaceId: beta.workspace.id, limit: 1 });
    expect(betaPage.runs.map((r) => r.id)).toEqual([betaNew]);

    const outcome = async (input: { cursor: string; flowId?: string }) => {
      const error = await rejection(beta.caller.run.list({ workspaceId: beta.workspace.id, ...input }));
      return { code: error.code, message: error.message };
    };
    const madeUp = await outcome({ cursor: "c0ffee-made-up" });
    expect(madeUp.code).toBe("BAD_REQUEST");
    expect(madeUp.message).toContain("Unknown cursor");
    // Alpha's run ids and Alpha's own cursor, with and without a flow filter, are no better than the made-up cursor.
    for (const cursor of [alphaOld, alphaNew, alphaPage.nextCursor!]) {
      expect(await outcome({ cursor })).toEqual(madeUp);
      expect(await outcome({ cursor, flowId: betaFlow })).toEqual(madeUp);
      expect(await outcome({ cursor, flowId: alphaFlow })).toEqual(madeUp);
    }
    // Within Beta, a cursor of the whole list is not one of a flow's list.
    expect(await outcome({ cursor: betaPage.nextCursor!, flowId: betaFlow })).toEqual(madeUp);
    expect(await outcome({ cursor: betaNew })).toEqual(madeUp);

    // Beta's own cursor goes on past where Alpha's runs were, to Beta's older run.
    const next = await beta.caller.run.list({ workspaceId: beta.workspace.id, limit: 1, cursor: betaPage.nextCursor! });
    expect(next).toEqual({ runs: [expect.objectContaining({ id: betaOld })], nextCursor: null });
    expect((await alpha.caller.run.list({ workspaceId: alpha.workspace.id, limit: 1, cursor: alphaPage.nextCursor! })).runs.map((r) => r.id)).toEqual([alphaOld]);
  });

  it("refuses another workspace's flows, credentials and runs through the intruder's own workspace", async () => {
    const victim = await victimWorkspace();
    const { owner, intruder, target } = victim;
    const before = await snapshot(victim);
    const ownWorkspace = { ...target, workspaceId: intruder.workspace.id };

    // The victim's ids tell the intruder no more than made-up ones: the same code and the same message.
    const madeUp = { ...ownWorkspace, flowId: "cmadeupflow000000000000000", credentialId: "cmadeupcred000000000000000", runId: "cmadeuprun0000000000000000" };
    for (const path of byResourceId) {
      const error = await rejection(intrusions[path]!(intruder.caller, ownWorkspace));
      const unknown = await rejection(intrusions[path]!(intruder.caller, madeUp));
      expect({ path, code: error.code, message: error.message }).toEqual({ path, code: "NOT_FOUND", message: unknown.message });
    }
    expect((await intruder.caller.run.list({ workspaceId: intruder.workspace.id, flowId: target.flowId })).runs).toEqual([]);

    expect(await snapshot(victim)).toEqual(before);
    expect(await intruder.caller.flow.list({ workspaceId: intruder.workspace.id })).toEqual([]);
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId });
  });
});
