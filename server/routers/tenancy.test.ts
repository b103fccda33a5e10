import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import type { DbConnection } from "../db/connect";
import { createTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../flow-document";
import { appRouter } from "./_app";
import { rejection, signInAs } from "./test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];
type Target = { workspaceId: string; flowId: string; credentialId: string; email: string; ownerId: string };

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
  "flow.saveDraft": (c, t) => c.flow.saveDraft({ ...t, document: { schema: FLOW_SCHEMA_TAG } }),
  "flow.saveVersion": (c, t) => c.flow.saveVersion({ ...t, document: { schema: FLOW_SCHEMA_TAG }, message: "" }),
  "flow.versions": (c, t) => c.flow.versions(t),
  "flow.version": (c, t) => c.flow.version({ ...t, number: 1 }),
  "credential.list": (c, t) => c.credential.list({ workspaceId: t.workspaceId }),
  "credential.create": (c, t) => c.credential.create({ workspaceId: t.workspaceId, name: "Planted", type: "http", data: {} }),
  "credential.update": (c, t) => c.credential.update({ ...t, name: "Renamed" }),
  "credential.delete": (c, t) => c.credential.delete(t),
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

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    db = connection.db;
  });
  afterAll(() => connection?.close());

  it("covers every workspace-scoped procedure", () => {
    expect(Object.keys(intrusions).sort()).toEqual(workspaceScopedProcedures());
  });

  it("refuses every procedure on another workspace as not found and changes nothing", async () => {
    const owner = await signInAs({ db, name: "Victim" });
    const intruder = await signInAs({ db, name: "Intruder" });
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Crown jewels" });
    await owner.caller.flow.saveVersion({ workspaceId: owner.workspace.id, flowId: flow.id, document: { schema: FLOW_SCHEMA_TAG }, message: "v1" });
    const credential = await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Vault", type: "http", data: { token: "t" } });
    const target = { workspaceId: owner.workspace.id, flowId: flow.id, credentialId: credential.id, email: intruder.user.email, ownerId: owner.user.id };
    const auditBefore = await db.auditEvent.count({ where: { workspaceId: owner.workspace.id } });

    for (const [path, intrude] of Object.entries(intrusions)) {
      const error = await rejection(intrude(intruder.caller, target));
      expect({ path, code: error.code }).toEqual({ path, code: "NOT_FOUND" });
    }

    expect(await owner.caller.flow.list({ workspaceId: owner.workspace.id })).toEqual([
      expect.objectContaining({ name: "Crown jewels", versionCount: 1 }),
    ]);
    expect(await owner.caller.credential.list({ workspaceId: owner.workspace.id })).toEqual([
      expect.objectContaining({ name: "Vault", fields: ["token"] }),
    ]);
    expect(await owner.caller.workspace.members({ workspaceId: owner.workspace.id })).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { workspaceId: owner.workspace.id } })).toBe(auditBefore);
  });
});
