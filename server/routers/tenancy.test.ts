import { describe, expect, it } from "vitest";
import { useTestRuntime } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { byResourceId, procedureCalls, victimWorkspace, workspaceScopedProcedures, type Caller, type Target } from "./procedure-calls";
import { rejection, signInAs } from "./test-helpers";

describe("cross-workspace access", () => {
  const database = useTestDatabase("postgres");
  useTestRuntime(database);

  it("covers every workspace-scoped procedure", () => {
    expect(Object.keys(procedureCalls).sort()).toEqual(workspaceScopedProcedures());
  });

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
      webhookRoutes: await database.db.webhookRoute.count(),
      audit: await database.db.auditEvent.count({ where: { workspaceId } }),
      invitations: await owner.caller.invitation.list({ workspaceId }),
      auditRetention: await owner.caller.audit.retention({ workspaceId }),
      seriesRetention: await owner.caller.workspace.seriesRetention({ workspaceId }),
      sso: await owner.caller.sso.get({ workspaceId }),
      ssoDomains: await database.db.ssoDomain.count(),
      apiKeys: await owner.caller.apiKey.list({ workspaceId }),
      dashboards: await owner.caller.dashboard.list({ workspaceId }),
    };
  }

  it("refuses every procedure on another workspace as not found and changes nothing", async () => {
    const victim = await victimWorkspace({ db: database.db });
    const { owner, intruder, target } = victim;
    const before = await snapshot(victim);
    expect(before.run.status).toBe("running");

    for (const [path, intrude] of Object.entries(procedureCalls)) {
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
    const alpha = await signInAs({ db: database.db, name: "Alpha" });
    const beta = await signInAs({ db: database.db, name: "Beta" });
    const flowIn = async (who: typeof alpha, name: string) => (await who.caller.flow.create({ workspaceId: who.workspace.id, name })).id;
    const [alphaFlow, betaFlow, betaOther] = [await flowIn(alpha, "Alpha"), await flowIn(beta, "Beta"), await flowIn(beta, "Beta other")];
    // Stored outright at known times: Beta's runs around Alpha's, so a cursor at Alpha's run would split Beta's list.
    const hourAgo = Date.now() - 3_600_000;
    const at = (minute: number) => new Date(hourAgo + minute * 60_000);
    const stored = async (who: typeof alpha, flowId: string, minute: number) =>
      (await database.db.run.create({ data: { workspaceId: who.workspace.id, flowId, trigger: "manual", status: "succeeded", queuedAt: at(minute) }, select: { id: true } })).id;
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
    const victim = await victimWorkspace({ db: database.db });
    const { owner, intruder, target } = victim;
    const before = await snapshot(victim);
    const ownWorkspace = { ...target, workspaceId: intruder.workspace.id };

    // The victim's ids tell the intruder no more than made-up ones: the same code and the same message.
    const madeUp = { ...ownWorkspace, flowId: "cmadeupflow000000000000000", credentialId: "cmadeupcred000000000000000", runId: "cmadeuprun0000000000000000", invitationId: "cmadeupinvite0000000000000", apiKeyId: "cmadeupapikey0000000000000", dashboardId: "cmadeupdashboard0000000000", shareId: "cmadeupshare00000000000000" };
    for (const path of byResourceId) {
      const error = await rejection(procedureCalls[path]!(intruder.caller, ownWorkspace));
      const unknown = await rejection(procedureCalls[path]!(intruder.caller, madeUp));
      expect({ path, code: error.code, message: error.message }).toEqual({ path, code: "NOT_FOUND", message: unknown.message });
    }
    expect((await intruder.caller.run.list({ workspaceId: intruder.workspace.id, flowId: target.flowId })).runs).toEqual([]);

    expect(await snapshot(victim)).toEqual(before);
    expect(await intruder.caller.flow.list({ workspaceId: intruder.workspace.id })).toEqual([]);
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId });
  });
});
